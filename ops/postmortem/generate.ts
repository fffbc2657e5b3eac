/**
 * `odoo-platform postmortem`: for each failed deployment selected, gather what the evidence says
 * and write `docs/postmortems/<YYYYMMDD>-<environment>-deploy-<sha>.md` (idempotent: a draft
 * nobody edited is regenerated, an edited one is left alone and a `-2` draft written beside it).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Progress } from "../core/progress";
import { connect, DatabaseUrl } from "../postgres/connect";
import { gatherEvidenceLogs } from "./evidenceLogs";
import { deploymentsAfter, failedDeployments, healthCheck, migrationsOf, previousSucceeded, Selection } from "./query";
import { PostmortemInput, postmortemFileName, planWrite, renderPostmortem, WriteOutcome } from "./render";

export interface PostmortemOptions {
    db: DatabaseUrl;
    selection: Selection;
    evidenceDir: string;
    outDir: string;
    /** Directory of the git checkout (commit list) and of relative evidence URIs. */
    cwd?: string;
}

export interface PostmortemFileReport {
    deployment: number;
    environment: string;
    gitSha: string;
    file: string;
    outcome: WriteOutcome;
    keptEdited: string[];
}

export interface PostmortemReport {
    ok: true;
    selection: string;
    postmortems: PostmortemFileReport[];
}

/** `git log --oneline from..to` in the checkout; undefined when the commits are not there. */
function commitsBetween(cwd: string, from: string, to: string): string[] | undefined {
    try {
        const out = execFileSync("git", ["log", "--format=%h %s", `${from}..${to}`], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        return out.split("\n").filter(Boolean);
    } catch {
        return undefined;
    }
}

export async function generatePostmortems(options: PostmortemOptions, progress?: Progress): Promise<PostmortemReport> {
    const cwd = options.cwd ?? process.cwd();
    const outDir = path.resolve(cwd, options.outDir);
    const client = await connect(options.db);
    const inputs: PostmortemInput[] = [];
    try {
        progress?.step("querying failed deployments");
        for (const d of await failedDeployments(client, options.selection)) {
            const previous = await previousSucceeded(client, d);
            inputs.push({
                deployment: d,
                previousSucceeded: previous,
                after: await deploymentsAfter(client, d),
                migrations: await migrationsOf(client, d.id),
                healthCheck: await healthCheck(client, d.healthCheckId),
                logs: gatherEvidenceLogs(options.evidenceDir, d, cwd),
                commits: previous ? commitsBetween(cwd, previous.gitSha, d.gitSha) : undefined,
            });
        }
    } finally {
        await client.end();
    }

    progress?.step(`writing ${inputs.length} postmortem(s)`);
    fs.mkdirSync(outDir, { recursive: true });
    const reports: PostmortemFileReport[] = [];
    for (const input of inputs) {
        const rendered = renderPostmortem(input);
        const fileName = postmortemFileName(input.deployment);
        const stem = fileName.replace(/\.md$/, "");
        const existing = new Map<string, string>();
        for (const name of fs.readdirSync(outDir)) {
            if (name === fileName || (name.startsWith(`${stem}-`) && /^-\d+\.md$/.test(name.slice(stem.length))))
                existing.set(name, fs.readFileSync(path.join(outDir, name), "utf8"));
        }
        const plan = planWrite(fileName, input.deployment.id, rendered, existing);
        if (plan.outcome !== "unchanged") {
            // Written beside and renamed: a reader never sees half a file.
            const target = path.join(outDir, plan.file);
            fs.writeFileSync(`${target}.partial`, rendered);
            fs.renameSync(`${target}.partial`, target);
        }
        reports.push({
            deployment: input.deployment.id,
            environment: input.deployment.environment,
            gitSha: input.deployment.gitSha,
            file: path.relative(cwd, path.join(outDir, plan.file)).split(path.sep).join("/"),
            outcome: plan.outcome,
            keptEdited: plan.keptEdited.map((f) => path.relative(cwd, path.join(outDir, f)).split(path.sep).join("/")),
        });
    }
    progress?.done(`${reports.length} postmortem(s)`);
    const selection =
        "deploymentId" in options.selection ? `deployment ${options.selection.deploymentId}` : `failed since ${options.selection.since.toISOString()}`;
    return { ok: true, selection, postmortems: reports };
}

export function renderPostmortemReport(report: PostmortemReport): string {
    if (!report.postmortems.length) return `postmortem: no failed deployment (${report.selection})`;
    return report.postmortems
        .map(
            (p) =>
                `${p.outcome.padEnd(9)} ${p.file}  (deployment #${p.deployment}, ${p.environment}, ${p.gitSha.slice(0, 12)})${p.keptEdited.length ? `; kept edited ${p.keptEdited.join(", ")}` : ""}`,
        )
        .join("\n");
}
