/**
 * `npm run guard` — the Phase 0 CI guard: plans every stack configuration in the repository
 * (each `Pulumi.<stack>.yaml`) plus a sample PR stack, runs every policy pack on each, and fails
 * unless all of them are clean. One line per stack, then its violations.
 *
 * Exit 0: every stack clean. 1: a mandatory policy is violated somewhere. 2: a stack's
 * configuration is invalid (or a file does not name a stack).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { planStack, PlanResult, projectDir } from "./plan";
import { exitWhenFlushed } from "../ops/core/exit";
import { checkRepository } from "../ops/repo/check";
import { describeCheck } from "../ops/repo/report";
import { loadStackViews } from "../ops/repo/stacks";

/** One stack the guard plans. */
export interface GuardTarget {
    stack: string;
    /** Stack file, relative to the project; unset for the sample PR stack (Pulumi.pr.yaml + CI values). */
    configFile?: string;
    /** CI values the plan sees (the sample PR stack's branch). */
    env?: Record<string, string>;
}

/** The PR stack planned as a sample of every PR: Pulumi.pr.yaml plus what CI would set. */
export const samplePrTarget: GuardTarget = { stack: "pr-1", env: { ODOO_PLATFORM_GIT_BRANCH: "feature/sample-pull-request" } };

/** Files that sit beside the stack files but are not stacks. */
const notStacks = new Set(["Pulumi.yaml", "Pulumi.yml", "Pulumi.pr.yaml"]);

/** Every `Pulumi.<stack>.yaml` of the project, sorted, plus the sample PR stack. */
export function guardTargets(dir = projectDir): GuardTarget[] {
    const stacks = fs
        .readdirSync(dir)
        .filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f) && !notStacks.has(f))
        .sort()
        .map((f) => ({ stack: f.replace(/^Pulumi\.|\.ya?ml$/g, ""), configFile: f }));
    return [...stacks, samplePrTarget];
}

export interface GuardResult {
    target: GuardTarget;
    plan: PlanResult;
}

export async function runGuard(targets: GuardTarget[], dir = projectDir): Promise<{ exitCode: 0 | 1 | 2; results: GuardResult[] }> {
    const results: GuardResult[] = [];
    for (const target of targets) {
        const env = { ...process.env, ...(target.env ?? {}) };
        const plan = await planStack({ stack: target.stack, configFile: target.configFile ? path.join(dir, target.configFile) : undefined, env });
        results.push({ target, plan });
    }
    const exitCode = Math.max(0, ...results.map((r) => r.plan.exitCode)) as 0 | 1 | 2;
    return { exitCode, results };
}

export function renderGuard(results: GuardResult[]): string {
    const lines: string[] = [];
    const width = Math.max(...results.map((r) => r.target.stack.length));
    for (const { target, plan } of results) {
        const source =
            target.configFile ??
            `Pulumi.pr.yaml + ${Object.entries(target.env ?? {})
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")}`;
        const mandatory = plan.policies.filter((p) => p.enforcement === "mandatory" && p.violations.length);
        const advisory = plan.policies.filter((p) => p.enforcement !== "mandatory" && p.enforcement !== "disabled" && p.violations.length);
        let status: string;
        if (plan.exitCode === 2) status = "✗ invalid configuration";
        else if (mandatory.length) status = `✗ blocked by ${mandatory.map((p) => `${p.pack}/${p.name}`).join(", ")}`;
        else status = `✓ clean (${plan.resources.length} resources, ${plan.policies.filter((p) => p.enforcement !== "disabled").length} policies)`;
        if (advisory.length && plan.exitCode !== 2) status += `; advisory: ${advisory.map((p) => `${p.pack}/${p.name}`).join(", ")}`;
        lines.push(`${target.stack.padEnd(width)}  ${status}  [${source}]`);
        for (const e of plan.errors) lines.push(`    - ${e}`);
        for (const p of [...mandatory, ...advisory])
            for (const v of p.violations) lines.push(`    ${p.pack}/${p.name} (${p.enforcement}) ${v.resource}: ${v.message}`);
    }
    const blocked = results.filter((r) => r.plan.exitCode === 1).length;
    const invalid = results.filter((r) => r.plan.exitCode === 2).length;
    lines.push(
        blocked || invalid
            ? `Guard FAILED: ${results.length} stacks planned, ${blocked} blocked by policy, ${invalid} with invalid configuration.`
            : `Guard passed: ${results.length} stacks planned, all clean.`,
    );
    return lines.join("\n");
}

/** The repository's own files (Compose, devcontainer, Dockerfiles, odoo.conf) against the stacks: `repo check`. */
export function runRepoGuard(dir = projectDir): { exitCode: 0 | 1; text: string } {
    const result = checkRepository({ repoDir: dir, stacks: loadStackViews(dir) });
    return { exitCode: result.findings.some((f) => f.severity === "error") ? 1 : 0, text: describeCheck(result) };
}

async function main(): Promise<number> {
    const { exitCode, results } = await runGuard(guardTargets());
    (exitCode ? process.stderr : process.stdout).write(`${renderGuard(results)}\n`);
    const repo = runRepoGuard();
    (repo.exitCode ? process.stderr : process.stdout).write(`${repo.text}\n`);
    return Math.max(exitCode, repo.exitCode);
}

if (require.main === module) {
    main().then(
        (code) => exitWhenFlushed(code),
        (err) => {
            process.stderr.write(`guard failed: ${(err as Error).stack ?? err}\n`);
            exitWhenFlushed(2);
        },
    );
}
