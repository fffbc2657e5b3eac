/**
 * `odoo-platform pr up|down|sweep`: the CLI shell over ops/pr/lifecycle.ts, wired to the real
 * Pulumi backend (Automation API) and GitHub (Octokit). CI runs these; so can a person with the
 * same credentials (PULUMI_ACCESS_TOKEN, GITHUB_TOKEN, GITHUB_REPOSITORY).
 */
import type { Command } from "commander";
import * as fs from "node:fs";
import { ConfigError } from "../../config/load";
import type * as odooEnvironment from "../../components/OdooEnvironment";
import { action, CommandResult, progress, UsageError } from "../cli/runtime";
import { AutomationBackend, policyPackDirs } from "./automation";
import { branchDown, BranchDownReport, branchUp, BranchUpReport } from "./branch";
import { githubFromEnvironment } from "./github";
import { DownReport, LifecycleDeps, prDown, prSweep, prUp, SweepReport, UpReport } from "./lifecycle";
import { branchEnvironmentId, branchGetsEnvironment, describeEnvironment, prNumber } from "./naming";
import { systemClock } from "./ports";
import { prPlatformSettings, prStackSettings, projectDir } from "./settings";

interface CommonOptions {
    json?: boolean;
    repo?: string;
    /** File the build's full test log is written to (the workflow keeps it as an artifact). */
    testLog?: string;
}

function configured<T>(read: () => T): T {
    try {
        return read();
    } catch (err) {
        if ((err as ConfigError).name === "ConfigError") throw new UsageError((err as Error).message);
        throw err;
    }
}

/**
 * GitHub or Pulumi Cloud unreachable, or a token refused: exit 2 with what to check, like an
 * unreachable database elsewhere in the CLI. Anything else keeps its own message (exit 1).
 */
export function outsideError(err: unknown): Error {
    const e = err as { status?: number; message?: string; cause?: { code?: string; cause?: { code?: string } }; code?: string };
    // Octokit wraps fetch's failure twice: HttpError → TypeError("fetch failed") → the socket error.
    const code = e.cause?.cause?.code ?? e.cause?.code ?? e.code;
    if (code && ["ENOTFOUND", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN"].includes(code)) {
        return new UsageError(`cannot reach GitHub (${code}): check the network and GITHUB_API_URL`);
    }
    if (e.status === 401) return new UsageError("GitHub refused the token (401): check GITHUB_TOKEN");
    if (e.status === 403 && /rate limit/i.test(e.message ?? "")) return new UsageError(`GitHub rate limit reached: ${e.message}`);
    if (e.status === 403) return new UsageError(`GitHub refused the request (403): the token needs pull-requests, issues and actions write — ${e.message ?? ""}`.trim());
    return err as Error;
}

async function guarded<T>(run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        throw outsideError(err);
    }
}

function realDeps(task: string, opts: CommonOptions): LifecycleDeps {
    const platform = configured(() => prPlatformSettings());
    const github = githubFromEnvironment(process.env, opts.repo);
    const backend = new AutomationBackend({
        workDir: projectDir,
        sharedStack: platform.sharedStack,
        policyPacks: policyPackDirs(projectDir),
        onOutput: (text) => process.stderr.write(text),
        dockerHost: platform.dockerHost,
    });
    // Required here, not imported at the top: the component pulls in @pulumi/pulumi, @pulumi/docker
    // and @pulumi/random (about a second of CPU), which no other command needs to start.
    const { adminLogin, mailCatcherUser } = require("../../components/OdooEnvironment") as typeof odooEnvironment;
    return {
        backend,
        github,
        clock: systemClock,
        platform: () => platform,
        view: (build) => {
            const { names } = configured(() => prStackSettings(build));
            // PR environments sit behind the shared edge, which always terminates TLS.
            return { url: `https://${names.host}`, mailCatcherUrl: `https://${names.mailHost}`, database: names.database };
        },
        progress: progress(task),
        adminLogin,
        mailCatcherUser,
        onTestLog: opts.testLog ? (log) => fs.writeFileSync(opts.testLog!, log) : undefined,
    };
}

export function renderUp(report: UpReport): string {
    switch (report.outcome) {
        case "deployed": {
            const tests = report.tests ? `${report.tests.verdict}: ${report.tests.line}${report.tests.firstFailure ? ` (first failure: ${report.tests.firstFailure.test})` : ""}` : "no module to test";
            return `PR #${report.pr} deployed (${report.stack}, ${report.sha?.slice(0, 12)})\n  Odoo:         ${report.url}\n  Mail catcher: ${report.mailCatcherUrl ?? "-"}\n  Database:     ${report.database ?? "-"}\n  Tests:        ${tests}`;
        }
        case "queued":
            return `PR #${report.pr} queued (position ${report.position?.position} of ${report.position?.length}); slots held by ${(report.holders ?? []).map(describeEnvironment).join(", ")}`;
        case "skipped":
            return `PR #${report.pr} not deployed: ${report.reason}`;
    }
}

export function renderBranchUp(report: BranchUpReport): string {
    switch (report.outcome) {
        case "deployed": {
            const tests = report.tests ? `${report.tests.verdict}: ${report.tests.line}${report.tests.firstFailure ? ` (first failure: ${report.tests.firstFailure.test})` : ""}` : "no module to test";
            return `branch ${report.branch} deployed as ${report.environment} (${report.stack}, ${report.sha.slice(0, 12)})\n  Odoo:         ${report.url}\n  Mail catcher: ${report.mailCatcherUrl ?? "-"}\n  Tests:        ${tests}`;
        }
        case "queued":
            return `branch ${report.branch} queued as ${report.environment} (position ${report.position?.position} of ${report.position?.length})`;
        case "skipped":
            return `branch ${report.branch} not deployed: ${report.reason}`;
    }
}

export function renderDown(report: DownReport): string {
    const promoted = report.promoted.length ? `\n  freed slot handed to ${report.promoted.map(describeEnvironment).join(", ")}` : "";
    return `${report.destroyed ? `${report.stack} destroyed` : `${report.stack} did not exist: nothing to destroy`} (${report.reason})${promoted}`;
}

export function renderSweep(report: SweepReport): string {
    const lines = [`${report.dryRun ? "Would remove" : "Removed"} ${report.actions.length} of ${report.stacks} PR stack(s):`];
    for (const a of report.actions) lines.push(`  ${a.stack}: ${a.reason} — ${a.detail}`);
    if (report.promoted.length) lines.push(`${report.dryRun ? "Would dispatch" : "Dispatched"} queued environment(s): ${report.promoted.map(describeEnvironment).join(", ")}`);
    for (const f of report.failures) lines.push(`  ✗ ${describeEnvironment(f.pr)}: ${f.error}`);
    return lines.join("\n");
}

export function registerPrCommands(program: Command): void {
    const pr = program.command("pr").description("Per-pull-request environments: deploy, remove, sweep (Pulumi Automation API + GitHub)");

    pr.command("up")
        .description("Deploy (or queue) the environment of a pull request and update its sticky comment")
        .requiredOption("--pr <number>", "pull request number")
        .option("--branch <name>", "head branch (names the host pr-<n>-<slug>)")
        .option("--sha <sha>", "commit to deploy")
        .option("--image <ref>", "image CI built for the commit, by digest (default: Pulumi.pr.yaml's odooImage)")
        .option("--from-queue", "deploy the build recorded in the PR's queued comment (dispatched when a slot frees)")
        .option("--test-log <file>", "write the build's full test log to this file")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { pr: string; branch?: string; sha?: string; image?: string; fromQueue?: boolean }): Promise<CommandResult> => {
                const number = parsePr(opts.pr);
                const report = await guarded(() => prUp(realDeps("pr up", opts), { pr: number, branch: opts.branch, sha: opts.sha, image: opts.image, fromQueue: opts.fromQueue }));
                // A red build fails the job too, so the run's own check agrees with the commit status.
                return { exitCode: report.tests?.verdict === "red" ? 1 : 0, report, text: renderUp(report) };
            }),
        );

    pr.command("down")
        .description("Destroy a pull request's environment and remove its stack (idempotent)")
        .requiredOption("--pr <number>", "pull request number")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { pr: string }): Promise<CommandResult> => {
                const report = await guarded(() => prDown(realDeps("pr down", opts), { pr: parsePr(opts.pr) }));
                return { exitCode: 0, report, text: renderDown(report) };
            }),
        );

    pr.command("sweep")
        .description("Remove environments of closed/merged PRs and idle ones past the TTL; deploy queued PRs into freed slots")
        .option("--dry-run", "only report what would be removed and promoted")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { dryRun?: boolean }): Promise<CommandResult> => {
                const report = await guarded(() => prSweep(realDeps("pr sweep", opts), { dryRun: !!opts.dryRun }));
                return { exitCode: report.failures.length ? 1 : 0, report, text: renderSweep(report) };
            }),
        );
}

export function registerBranchCommands(program: Command): void {
    const branch = program.command("branch").description("Branch environments: pushed branches matching odoo-platform:branchEnvironments, with the PR lifecycle");

    branch.command("match")
        .description("does this branch get an environment (odoo-platform:branchEnvironments in Pulumi.pr.yaml)? prints true or false")
        .requiredOption("--branch <name>", "the branch")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: { branch: string; json?: boolean }): Promise<CommandResult> => {
                const patterns = configured(() => prPlatformSettings()).branchEnvironments;
                const matches = branchGetsEnvironment(opts.branch, patterns);
                return { exitCode: 0, report: { branch: opts.branch, matches, patterns, environment: matches ? branchEnvironmentId(opts.branch) : null }, text: String(matches) };
            }),
        );

    branch.command("up")
        .description("Deploy (or queue) the environment of a pushed branch, run its tests and set its commit status")
        .requiredOption("--branch <name>", "the pushed branch")
        .requiredOption("--sha <sha>", "its head commit")
        .option("--image <ref>", "image CI built for the commit, by digest (default: Pulumi.pr.yaml's odooImage)")
        .option("--test-log <file>", "write the build's full test log to this file")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { branch: string; sha: string; image?: string }): Promise<CommandResult> => {
                const report = await guarded(() => branchUp(realDeps("branch up", opts), { branch: opts.branch, sha: opts.sha, image: opts.image }));
                return { exitCode: report.tests?.verdict === "red" ? 1 : 0, report, text: renderBranchUp(report) };
            }),
        );

    branch.command("down")
        .description("Destroy a branch's environment (its branch was deleted) and hand its slot on (idempotent)")
        .requiredOption("--branch <name>", "the branch")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { branch: string }): Promise<CommandResult> => {
                const report: BranchDownReport = await guarded(() => branchDown(realDeps("branch down", opts), { branch: opts.branch }));
                return { exitCode: 0, report, text: `${report.destroyed ? `${report.stack} destroyed` : `${report.stack} did not exist: nothing to destroy`}${report.promoted.length ? `; freed slot handed to ${report.promoted.join(", ")}` : ""}` };
            }),
        );
}

function parsePr(value: string): number {
    try {
        return prNumber(value);
    } catch (err) {
        throw new UsageError(`--pr: ${(err as Error).message}`);
    }
}
