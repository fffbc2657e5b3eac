/**
 * `odoo-platform rollback --to previous|<sha>`: put the environment back on a version that worked.
 *
 * The decision is a pure function of the environment's recorded deployments (decideRollback): the
 * latest deployment is the current one; the target is the newest *succeeded* deployment before it,
 * skipping failed deployments, earlier rollbacks, the SHA being rolled back and every SHA that was
 * itself rolled back once. The redeploy goes through an injected Deployer (the Pulumi Automation
 * API in real runs, a fake in tests), and the outcome is recorded as a `rolled_back` deployment
 * (or a `failed` one, naming what it tried to roll back).
 */
import type { Client } from "pg";
import type { Progress } from "../core/progress";
import { InvalidInputError, OperationFailedError } from "../core/errors";
import { connect, parseDatabaseUrl } from "../postgres/connect";
import { ciRunUrl } from "../evidence/deployment";
import { planBundle, resolveStamp } from "../evidence/files";
import { DeploymentOutputs, parseDeploymentOutputs } from "../evidence/outputs";
import { DeploymentStatus, EvidenceRow, parseEnvironment, parseGitSha } from "../evidence/schema";
import { insertRow, json, recordEvidence } from "../evidence/store";
import type { Deployer } from "./deployer";

export interface DeploymentEntry {
    id: number;
    gitSha: string;
    imageReference: string | null;
    imageDigest: string | null;
    status: DeploymentStatus;
    rollbackOfSha: string | null;
    finishedAt: Date;
}

export type RollbackTarget = { kind: "previous" } | { kind: "sha"; sha: string };

export interface SkippedDeployment {
    id: number;
    gitSha: string;
    status: DeploymentStatus;
    reason: string;
}

export interface RollbackDecision {
    environment: string;
    current: DeploymentEntry;
    target: DeploymentEntry & { imageReference: string; imageDigest: string };
    skipped: SkippedDeployment[];
}

/** The rollback cannot be decided: exit 1 with the reason (nothing was changed). */
export class RollbackRefused extends OperationFailedError {}

const sameCommit = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
const newestFirst = (a: DeploymentEntry, b: DeploymentEntry) => b.finishedAt.getTime() - a.finishedAt.getTime() || b.id - a.id;
const day = (d: Date) => d.toISOString().slice(0, 10);

/** Pure: which deployment to go back to, and why each newer one was passed over. */
export function decideRollback(environment: string, history: DeploymentEntry[], to: RollbackTarget, options: { force?: boolean } = {}): RollbackDecision {
    const entries = [...history].sort(newestFirst);
    if (entries.length === 0) throw new RollbackRefused(`no deployment of ${environment} is recorded in ops.deployments: there is nothing to roll back`);
    const [current, ...older] = entries;

    // SHAs a rollback has moved away from are known bad; the current one is about to be.
    const rolledBack = new Map<string, DeploymentEntry>();
    for (const e of entries) if (e.status === "rolled_back" && e.rollbackOfSha && !rolledBack.has(e.rollbackOfSha)) rolledBack.set(e.rollbackOfSha, e);
    const badReason = (sha: string): string | undefined => {
        if (sameCommit(sha, current.gitSha)) return `${current.gitSha.slice(0, 12)} is what is being rolled back`;
        for (const [bad, by] of rolledBack) if (sameCommit(sha, bad)) return `it was rolled back on ${day(by.finishedAt)} (deployment #${by.id})`;
        return undefined;
    };
    const runnable = (e: DeploymentEntry): e is RollbackDecision["target"] => !!e.imageReference && !!e.imageDigest;

    if (to.kind === "previous") {
        const skipped: SkippedDeployment[] = [];
        for (const e of older) {
            const reason =
                e.status === "failed"
                    ? "failed deployment"
                    : e.status === "rolled_back"
                      ? `a rollback (to ${e.gitSha.slice(0, 12)} from ${e.rollbackOfSha?.slice(0, 12)})`
                      : (badReason(e.gitSha) ?? (runnable(e) ? undefined : "no pinned image recorded"));
            if (reason) {
                skipped.push({ id: e.id, gitSha: e.gitSha, status: e.status, reason });
                continue;
            }
            return { environment, current, target: e as RollbackDecision["target"], skipped };
        }
        throw new RollbackRefused(
            `no succeeded deployment of ${environment} before #${current.id} (${current.gitSha.slice(0, 12)}) is left to roll back to` +
                (skipped.length ? `: skipped ${skipped.map((s) => `#${s.id} ${s.gitSha.slice(0, 12)} (${s.reason})`).join(", ")}` : ""),
        );
    }

    const matches = entries.filter((e) => sameCommit(e.gitSha, to.sha));
    const distinct = [...new Set(matches.map((e) => e.gitSha))];
    if (matches.length === 0) throw new RollbackRefused(`${to.sha} was never deployed to ${environment}: only a recorded deployment's image can be redeployed`);
    if (distinct.some((a) => distinct.some((b) => !sameCommit(a, b)))) {
        throw new RollbackRefused(`${to.sha} is ambiguous in ${environment}'s history (${distinct.join(", ")}): give more characters of the SHA`);
    }
    // A rollback row also proves the image ran (it was redeployed and recorded as working).
    const worked = matches.filter((e) => (e.status === "succeeded" || e.status === "rolled_back") && runnable(e));
    if (worked.length === 0) throw new RollbackRefused(`${to.sha} was deployed to ${environment} but never succeeded there: choose a version that worked`);
    const target = worked[0] as RollbackDecision["target"];
    if (target.id === current.id || (sameCommit(target.gitSha, current.gitSha) && current.status !== "failed")) {
        throw new RollbackRefused(`${environment} already runs ${current.gitSha.slice(0, 12)} (deployment #${current.id}): nothing to roll back`);
    }
    const bad = badReason(target.gitSha);
    if (bad && !options.force) throw new RollbackRefused(`${target.gitSha.slice(0, 12)} cannot be the target: ${bad}. Pass --force to redeploy it anyway`);
    return { environment, current, target, skipped: [] };
}

export async function loadHistory(client: Client, environment: string, limit = 500): Promise<DeploymentEntry[]> {
    const { rows } = await client.query(
        `SELECT id, git_sha, image_reference, image_digest, status, rollback_of_sha, finished_at
           FROM ops.deployments WHERE environment = $1 ORDER BY finished_at DESC, id DESC LIMIT $2`,
        [environment, limit],
    );
    return rows.map((r) => ({
        id: Number(r.id),
        gitSha: r.git_sha,
        imageReference: r.image_reference,
        imageDigest: r.image_digest,
        status: r.status,
        rollbackOfSha: r.rollback_of_sha,
        finishedAt: r.finished_at,
    }));
}

export interface RollbackOptions {
    /** The evidence database (ops schema). */
    evidenceDb?: string;
    to?: string;
    environment?: string;
    stack?: string;
    workDir: string;
    dryRun?: boolean;
    force?: boolean;
    actor?: string;
    runUrl?: string;
    evidenceDir: string;
    stamp?: string;
    evidenceUri?: string;
}

export interface RollbackReport {
    environment: string;
    dryRun: boolean;
    from: { id: number; gitSha: string; status: DeploymentStatus; imageReference: string | null };
    to: { id: number; gitSha: string; imageReference: string; imageDigest: string };
    skipped: SkippedDeployment[];
    /** The recorded rollback (absent in a dry run). */
    deploymentId?: number;
    status?: DeploymentStatus;
    seconds?: number;
    evidenceUri?: string;
}

export function parseTarget(to: string | undefined): RollbackTarget {
    if (!to || to === "previous") return { kind: "previous" };
    return { kind: "sha", sha: parseGitSha(to, "--to") };
}

export async function runRollback(
    opts: RollbackOptions,
    deps: { deployer: Deployer; env?: Record<string, string | undefined>; progress?: Progress },
): Promise<RollbackReport> {
    const env = deps.env ?? process.env;
    const db = parseDatabaseUrl(opts.evidenceDb, "--evidence-db (or EVIDENCE_DB_URL)");
    const target = parseTarget(opts.to);
    const environment = parseEnvironment(opts.environment ?? "production", "--environment");
    const stack = opts.stack ?? environment;
    const bundle = opts.dryRun
        ? undefined
        : planBundle({ root: opts.evidenceDir, stamp: resolveStamp(opts.stamp, env), kind: "deploy", uri: opts.evidenceUri });

    const client = await connect(db);
    let decision: RollbackDecision;
    try {
        decision = decideRollback(environment, await loadHistory(client, environment), target, { force: opts.force });
    } finally {
        await client.end();
    }
    const report: RollbackReport = {
        environment,
        dryRun: !!opts.dryRun,
        from: { id: decision.current.id, gitSha: decision.current.gitSha, status: decision.current.status, imageReference: decision.current.imageReference },
        to: {
            id: decision.target.id,
            gitSha: decision.target.gitSha,
            imageReference: decision.target.imageReference,
            imageDigest: decision.target.imageDigest,
        },
        skipped: decision.skipped,
    };
    if (opts.dryRun || !bundle) return report;

    deps.progress?.step(`redeploying ${decision.target.imageReference} (${decision.target.gitSha.slice(0, 12)}) to stack ${stack}`);
    const startedAt = new Date();
    const log: string[] = [];
    let outputs: DeploymentOutputs | undefined;
    let failure: string | undefined;
    try {
        const result = await deps.deployer({
            stack,
            workDir: opts.workDir,
            image: decision.target.imageReference,
            gitSha: decision.target.gitSha,
            onOutput: (text) => log.push(text),
        });
        outputs = parseDeploymentOutputs(result.outputs, `outputs of stack ${stack}`);
        if (outputs.image.digest !== decision.target.imageDigest) {
            failure = `the stack reports image ${outputs.image.reference} after the update, not ${decision.target.imageReference}`;
        }
    } catch (err) {
        failure = (err as Error).message;
    }
    const finishedAt = new Date();
    const status: DeploymentStatus = failure ? "failed" : "rolled_back";
    const row: EvidenceRow<"deployments"> = {
        environment,
        stack: outputs?.stack ?? stack,
        git_sha: decision.target.gitSha,
        git_branch: outputs?.gitBranch ?? null,
        image_reference: decision.target.imageReference,
        image_digest: decision.target.imageDigest,
        url: outputs?.url ?? null,
        database_name: outputs?.databaseName ?? null,
        status,
        rollback_of_sha: decision.current.gitSha,
        migrations_executed: [],
        started_at: startedAt,
        finished_at: finishedAt,
        evidence_uri: bundle.uri,
        outputs: outputs?.recorded ?? { error: failure },
        run_url: opts.runUrl ?? ciRunUrl(env) ?? null,
        actor: opts.actor ?? env.GITHUB_ACTOR ?? null,
    };
    const recorded = await recordEvidence(
        db,
        bundle,
        async (c) => [await insertRow(c, "deployments", row)],
        ([id]) => [
            { name: `rollback-${id}.json`, content: json({ id, decision: report, ...row }) },
            { name: `logs/rollback-${id}.log`, content: log.join("") },
        ],
    );
    Object.assign(report, {
        deploymentId: recorded.ids[0],
        status,
        seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
        evidenceUri: recorded.evidenceUri,
    });
    if (failure) {
        throw new OperationFailedError(
            `rollback of ${environment} to ${decision.target.gitSha.slice(0, 12)} failed (recorded as deployment #${recorded.ids[0]}, status failed): ${failure}`,
        );
    }
    return report;
}

export function describeRollback(r: RollbackReport): string {
    const lines = [
        `${r.dryRun ? "would roll back" : "rolled back"} ${r.environment}`,
        `  from  #${r.from.id} ${r.from.gitSha} (${r.from.status})`,
        `  to    #${r.to.id} ${r.to.gitSha}`,
        `  image ${r.to.imageReference}`,
    ];
    for (const s of r.skipped) lines.push(`  skipped #${s.id} ${s.gitSha.slice(0, 12)}: ${s.reason}`);
    if (r.deploymentId) lines.push(`recorded as deployment #${r.deploymentId} (${r.status}) in ${r.seconds?.toFixed(1)} s; evidence in ${r.evidenceUri}`);
    return lines.join("\n");
}

/** Usage checks shared by the CLI (exit 2 before any connection). */
export function assertRollbackUsage(opts: RollbackOptions): void {
    if (opts.force && (!opts.to || opts.to === "previous")) throw new InvalidInputError("--force only applies to --to <sha>");
}

/** Pure: the deployment whose version runs now (the newest succeeded or rolled_back one). */
export function runningDeployment(history: DeploymentEntry[]): DeploymentEntry | undefined {
    return [...history].sort(newestFirst).find((e) => e.status === "succeeded" || e.status === "rolled_back");
}

/**
 * Pure: the image a commit ran with when it last worked in an environment (a succeeded deployment,
 * or a rollback to it). Promotion deploys exactly the artifact staging tested.
 */
export function provenImage(environment: string, history: DeploymentEntry[], sha: string): DeploymentEntry & { imageReference: string } {
    const found = [...history]
        .sort(newestFirst)
        .find((e) => sameCommit(e.gitSha, sha) && (e.status === "succeeded" || e.status === "rolled_back") && e.imageReference);
    if (!found)
        throw new RollbackRefused(
            `${sha} has no succeeded deployment in ${environment}: deploy it there first (nothing reaches production without passing staging)`,
        );
    return found as DeploymentEntry & { imageReference: string };
}
