/**
 * `odoo-platform promote`: a staging or production update that cannot leave a broken version
 * serving — Odoo.sh's safety net, as a sequence of steps behind small ports so a test drives every
 * path:
 *
 *   1. backup      the pre-update backup (taken right before; its location is given)
 *   2. capture     module versions and checksums before (ir_module_module, ir_config_parameter)
 *   3. update      `pulumi up` with the new image: the stack's update step (components/odooSteps.ts)
 *                  updates exactly the changed modules while the previous Odoo keeps serving; the
 *                  new Odoo container is created only when it succeeded
 *   4. health      the new version must pass every health check for the health window
 *   5a. success    record the deployment, its module updates (versions and checksums) and health
 *   5b. failure    record the failed deployment, restore the pre-update backup (database first, so
 *                  the checksums stored match the old code again), redeploy the previous image,
 *                  check it, record the rollback (status rolled_back, rollback_of_sha = the new
 *                  SHA) and draft the postmortem
 *
 * The commit status `odoo-platform/<environment>` follows along (pending, then success/failure).
 * Writes made to the database between the backup and the restore are lost on a revert: the window
 * is the update plus the health window (docs/deployment/BUILDS.md).
 */
import type { Client } from "pg";
import { CommitStatuses, failedStatus, pendingStatus, statusContext, statusDescription } from "../build/status";
import type { Progress } from "../core/progress";
import { InvalidInputError, OperationFailedError } from "../core/errors";
import { ciRunUrl } from "../evidence/deployment";
import { EvidenceBundle } from "../evidence/files";
import { diffModules, ModuleState, readModuleStates } from "../evidence/modules";
import { DeploymentOutputs, parseDeploymentOutputs } from "../evidence/outputs";
import { EvidenceRow, parsePinnedImage } from "../evidence/schema";
import { insertRow, json, recordEvidence } from "../evidence/store";
import type { HealthResult } from "../evidence/health";
import { connect, DatabaseUrl } from "../postgres/connect";
import { checksumsParam } from "./checksums";
import type { Deployer } from "./deployer";
import { DeploymentEntry, loadHistory, runningDeployment } from "./rollback";

export interface ModuleCapture {
    modules: ModuleState[];
    checksums: Record<string, string>;
}

/** Module versions and stored checksums of an Odoo database. */
export async function captureModuleChecksums(db: DatabaseUrl): Promise<ModuleCapture> {
    const client = await connect(db);
    try {
        const modules = await readModuleStates(client, db.database);
        const { rows } = await client.query("SELECT value FROM ir_config_parameter WHERE key = $1", [checksumsParam]);
        let checksums: Record<string, string> = {};
        try {
            checksums = rows.length ? JSON.parse(rows[0].value) : {};
        } catch {
            checksums = {};
        }
        return { modules, checksums };
    } finally {
        await client.end();
    }
}

export interface ModuleUpdateRow {
    module: string;
    versionBefore: string | null;
    versionAfter: string | null;
    stateBefore: string | null;
    stateAfter: string | null;
    checksumBefore: string | null;
    checksumAfter: string | null;
}

/** Pure: the modules an update changed — their version, state or checksum. */
export function moduleUpdates(before: ModuleCapture, after: ModuleCapture): ModuleUpdateRow[] {
    const versions = new Map(diffModules(before.modules, after.modules).map((c) => [c.module, c]));
    const names = new Set([...versions.keys(), ...Object.keys(after.checksums).filter((m) => after.checksums[m] !== before.checksums[m])]);
    const stateOf = (modules: ModuleState[], m: string) => modules.find((x) => x.name === m);
    return [...names].sort().map((module) => {
        const b = stateOf(before.modules, module);
        const a = stateOf(after.modules, module);
        return {
            module,
            versionBefore: b?.version ?? null,
            versionAfter: a?.version ?? null,
            stateBefore: b?.state ?? null,
            stateAfter: a?.state ?? null,
            checksumBefore: before.checksums[module] ?? null,
            checksumAfter: after.checksums[module] ?? null,
        };
    });
}

export interface SafeUpdatePorts {
    /** pulumi up of the stack with an image (the update step runs inside it). */
    deployer: Deployer;
    /** One health probe of the environment (HTTP /web/health and the database). */
    probe(url: string): Promise<HealthResult>;
    /** Restores the pre-update backup into the live database (and filestore). */
    restore(backup: string): Promise<void>;
    /** Module versions and checksums of the Odoo database. */
    capture(): Promise<ModuleCapture>;
    /** Writes the postmortem draft of a failed deployment; returns the files. */
    postmortem(deploymentId: number): Promise<string[]>;
    statuses?: CommitStatuses;
    sleep(ms: number): Promise<void>;
    now(): Date;
    progress?: Progress;
}

export interface SafeUpdateRequest {
    environment: "staging" | "production";
    /** Pulumi stack (may be org/project/stack). */
    stack: string;
    workDir: string;
    gitSha: string;
    /** Pinned image of the new version: repository@sha256:… */
    image: string;
    /** The pre-update backup (s3://… or a directory), taken right before. */
    backup: string;
    evidenceDb: DatabaseUrl;
    bundle: EvidenceBundle;
    healthWindowSeconds: number;
    /** How long the new Odoo may take to answer at all (default 180 s). */
    startupSeconds?: number;
    /** Between two probes (default 15 s). */
    probeSeconds?: number;
    runUrl?: string;
    actor?: string;
}

export type Phase = "update" | "health";

export interface SafeUpdateReport {
    environment: string;
    gitSha: string;
    image: string;
    outcome: "succeeded" | "reverted" | "revert-failed";
    failedPhase?: Phase;
    failure?: string;
    previous?: { gitSha: string; image: string; deploymentId: number };
    deploymentId: number;
    rollbackDeploymentId?: number;
    modules: ModuleUpdateRow[];
    health?: { ok: boolean; probes: number; failure?: string };
    seconds: { update: number; health: number; revert?: number; total: number };
    postmortems: string[];
    evidenceUri: string;
}

const seconds = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 100) / 10;

/**
 * The health window: wait (up to startupSeconds) for the first passing probe, then every probe
 * must pass until windowSeconds have gone by since that first success.
 */
export async function healthWindow(
    ports: Pick<SafeUpdatePorts, "probe" | "sleep" | "now" | "progress">,
    url: string,
    opts: { windowSeconds: number; startupSeconds: number; probeSeconds: number },
): Promise<{ ok: boolean; probes: number; last: HealthResult; failure?: string }> {
    const started = ports.now();
    let probes = 0;
    let healthySince: Date | undefined;
    for (;;) {
        const result = await ports.probe(url);
        probes++;
        const now = ports.now();
        const why =
            [result.http.error ?? (result.http.ok ? undefined : `HTTP ${result.http.status}`), result.database.error].filter(Boolean).join("; ") || "unhealthy";
        if (result.ok) {
            healthySince ??= now;
            if (seconds(healthySince, now) >= opts.windowSeconds) return { ok: true, probes, last: result };
        } else if (healthySince) {
            return {
                ok: false,
                probes,
                last: result,
                failure: `health check failed ${seconds(healthySince, now)} s into the ${opts.windowSeconds} s window: ${why}`,
            };
        } else if (seconds(started, now) >= opts.startupSeconds) {
            return { ok: false, probes, last: result, failure: `not healthy within ${opts.startupSeconds} s of the update: ${why}` };
        }
        ports.progress?.step(`health: ${result.ok ? "ok" : why} (probe ${probes})`);
        await ports.sleep(opts.probeSeconds * 1000);
    }
}

function healthRow(environment: string, gitSha: string, result: HealthResult, attempts: number): EvidenceRow<"health_checks"> {
    return {
        environment,
        git_sha: gitSha,
        url: result.http.url,
        http_status: result.http.status,
        http_ok: result.http.ok,
        http_ms: result.http.ms,
        database_name: result.database.database,
        database_ok: result.database.ok,
        database_ms: result.database.ms,
        ok: result.ok,
        attempts,
        detail: { http: result.http, database: result.database },
        checked_at: new Date(result.checkedAt),
    };
}

async function status(ports: SafeUpdatePorts, s: Parameters<CommitStatuses["setCommitStatus"]>[0]): Promise<void> {
    try {
        await ports.statuses?.setCommitStatus(s);
    } catch (err) {
        ports.progress?.step(`could not set the commit status ${s.context}: ${(err as Error).message}`);
    }
}

export async function runSafeUpdate(
    request: SafeUpdateRequest,
    ports: SafeUpdatePorts,
    env: Record<string, string | undefined> = process.env,
): Promise<SafeUpdateReport> {
    const image = parsePinnedImage(request.image, "--image");
    if (!(request.healthWindowSeconds > 0)) throw new InvalidInputError(`the health window must be > 0 seconds, got ${request.healthWindowSeconds}`);
    const runUrl = request.runUrl ?? ciRunUrl(env) ?? null;
    const actor = request.actor ?? env.GITHUB_ACTOR ?? null;
    const context = statusContext(request.environment);
    const t0 = ports.now();

    // What runs now is what a revert goes back to.
    let history: DeploymentEntry[];
    const client = await connect(request.evidenceDb);
    try {
        history = await loadHistory(client, request.environment);
    } finally {
        await client.end();
    }
    const running = runningDeployment(history);
    const previous = running?.imageReference ? { gitSha: running.gitSha, image: running.imageReference, deploymentId: running.id } : undefined;
    if (previous && previous.gitSha === request.gitSha)
        throw new InvalidInputError(
            `${request.environment} already runs ${request.gitSha.slice(0, 12)} (deployment #${previous.deploymentId}): nothing to update`,
        );

    ports.progress?.step(`capturing module versions and checksums of ${request.environment}`);
    const before = await ports.capture();
    await status(
        ports,
        pendingStatus({
            sha: request.gitSha,
            environment: request.environment,
            what: `updating ${request.environment} to ${request.gitSha.slice(0, 12)} (backup taken, previous version serving)`,
            runUrl: runUrl ?? undefined,
        }),
    );

    // --- Update: pulumi up with the new image; the update step gates the new container.
    const log: string[] = [];
    let outputs: DeploymentOutputs | undefined;
    let failure: { phase: Phase; message: string } | undefined;
    ports.progress?.step(`pulumi up ${request.stack} with ${image.reference} (module update first, previous Odoo serving)`);
    try {
        const result = await ports.deployer({
            stack: request.stack,
            workDir: request.workDir,
            image: image.reference,
            gitSha: request.gitSha,
            onOutput: (t) => log.push(t),
        });
        outputs = parseDeploymentOutputs(result.outputs, `outputs of stack ${request.stack}`);
        if (outputs.image.digest !== image.digest)
            throw new Error(`the stack reports image ${outputs.image.reference} after the update, not ${image.reference}`);
    } catch (err) {
        failure = { phase: "update", message: (err as Error).message };
    }
    const tUpdate = ports.now();

    // --- Health window.
    let health: Awaited<ReturnType<typeof healthWindow>> | undefined;
    if (!failure && outputs) {
        ports.progress?.step(`health window: ${request.healthWindowSeconds} s of passing checks on ${outputs.url}`);
        health = await healthWindow(ports, outputs.url, {
            windowSeconds: request.healthWindowSeconds,
            startupSeconds: request.startupSeconds ?? 180,
            probeSeconds: request.probeSeconds ?? 15,
        });
        if (!health.ok) failure = { phase: "health", message: health.failure! };
    }
    const tHealth = ports.now();
    const after = await ports.capture().catch(() => before);
    const modules = moduleUpdates(before, after);

    // --- Record the update (succeeded or failed) with its module updates and health.
    const deploymentRow: EvidenceRow<"deployments"> = {
        environment: request.environment,
        stack: outputs?.stack ?? request.stack,
        git_sha: request.gitSha,
        git_branch: outputs?.gitBranch ?? null,
        image_reference: image.reference,
        image_digest: image.digest,
        url: outputs?.url ?? null,
        database_name: outputs?.databaseName ?? null,
        status: failure ? "failed" : "succeeded",
        migrations_executed: modules.map((m) => m.module),
        started_at: t0,
        finished_at: tHealth,
        evidence_uri: request.bundle.uri,
        outputs: outputs?.recorded ?? { error: failure?.message, backup: request.backup },
        run_url: runUrl,
        actor,
    };
    const recorded = await recordEvidence(
        request.evidenceDb,
        request.bundle,
        async (c: Client) => {
            let healthId: number | null = null;
            if (health) healthId = await insertRow(c, "health_checks", healthRow(request.environment, request.gitSha, health.last, health.probes));
            const id = await insertRow(c, "deployments", {
                ...deploymentRow,
                health_check_id: healthId,
                health: health ? { ok: health.ok, probes: health.probes, failure: health.failure ?? null } : null,
            });
            for (const m of modules) {
                await insertRow(c, "migrations", {
                    deployment_id: id,
                    environment: request.environment,
                    database_name: outputs?.databaseName ?? `odoo_${request.environment}`,
                    module: m.module,
                    version_before: m.versionBefore,
                    version_after: m.versionAfter,
                    state_before: m.stateBefore,
                    state_after: m.stateAfter,
                    checksum_before: m.checksumBefore,
                    checksum_after: m.checksumAfter,
                    dry_run: false,
                });
            }
            return [id];
        },
        ([id]) => [
            { name: `update-${id}.json`, content: json({ id, request: { ...request, evidenceDb: request.evidenceDb.display }, failure, health, modules }) },
            { name: `logs/update-${id}.log`, content: log.join("") },
        ],
    );
    const deploymentId = recorded.ids[0];
    const report: SafeUpdateReport = {
        environment: request.environment,
        gitSha: request.gitSha,
        image: image.reference,
        outcome: "succeeded",
        previous,
        deploymentId,
        modules,
        health: health ? { ok: health.ok, probes: health.probes, failure: health.failure } : undefined,
        seconds: { update: seconds(t0, tUpdate), health: seconds(tUpdate, tHealth), total: seconds(t0, tHealth) },
        postmortems: [],
        evidenceUri: recorded.evidenceUri,
    };
    if (!failure) {
        await status(ports, {
            sha: request.gitSha,
            context,
            state: "success",
            description: statusDescription(
                `${request.environment} runs ${request.gitSha.slice(0, 12)}: ${modules.length} module(s) updated, healthy for ${request.healthWindowSeconds} s`,
            ),
            targetUrl: outputs?.url,
        });
        ports.progress?.done(`${request.environment} updated to ${request.gitSha.slice(0, 12)} (deployment #${deploymentId})`);
        return report;
    }

    // --- Revert: the backup first (its checksums match the old code), then the previous image.
    report.outcome = "reverted";
    report.failedPhase = failure.phase;
    report.failure = failure.message;
    if (!previous) {
        report.outcome = "revert-failed";
        await status(
            ports,
            failedStatus({
                sha: request.gitSha,
                environment: request.environment,
                what: `update failed (${failure.phase}) and no previous version is recorded to revert to`,
                runUrl: runUrl ?? undefined,
                state: "error",
            }),
        );
        throw new OperationFailedError(
            `update of ${request.environment} to ${request.gitSha.slice(0, 12)} failed (${failure.phase}: ${failure.message}) and no previous deployment is recorded to revert to: restore ${request.backup} by hand (docs/deployment/ROLLBACK_PROCEDURE.md)`,
        );
    }
    ports.progress?.step(`${failure.phase} failed (${failure.message}): restoring ${request.backup} and redeploying ${previous.image}`);
    const revertLog: string[] = [];
    let revertFailure: string | undefined;
    let revertOutputs: DeploymentOutputs | undefined;
    let revertHealth: HealthResult | undefined;
    try {
        await ports.restore(request.backup);
        const result = await ports.deployer({
            stack: request.stack,
            workDir: request.workDir,
            image: previous.image,
            gitSha: previous.gitSha,
            onOutput: (t) => revertLog.push(t),
        });
        revertOutputs = parseDeploymentOutputs(result.outputs, `outputs of stack ${request.stack}`);
        const ok = await healthWindow(ports, revertOutputs.url, {
            windowSeconds: 0,
            startupSeconds: request.startupSeconds ?? 180,
            probeSeconds: request.probeSeconds ?? 15,
        });
        revertHealth = ok.last;
        if (!ok.ok) revertFailure = `the previous version is not healthy after the revert: ${ok.failure}`;
    } catch (err) {
        revertFailure = (err as Error).message;
    }
    const tRevert = ports.now();
    report.seconds.revert = seconds(tHealth, tRevert);
    report.seconds.total = seconds(t0, tRevert);
    const pinnedPrevious = parsePinnedImage(previous.image, "the previous deployment's image");
    const rollback = await recordEvidence(
        request.evidenceDb,
        request.bundle,
        async (c: Client) => {
            const healthId = revertHealth ? await insertRow(c, "health_checks", healthRow(request.environment, previous.gitSha, revertHealth, 1)) : null;
            return [
                await insertRow(c, "deployments", {
                    environment: request.environment,
                    stack: revertOutputs?.stack ?? request.stack,
                    git_sha: previous.gitSha,
                    git_branch: revertOutputs?.gitBranch ?? null,
                    image_reference: pinnedPrevious.reference,
                    image_digest: pinnedPrevious.digest,
                    url: revertOutputs?.url ?? null,
                    database_name: revertOutputs?.databaseName ?? null,
                    status: revertFailure ? "failed" : "rolled_back",
                    rollback_of_sha: request.gitSha,
                    migrations_executed: [],
                    health_check_id: healthId,
                    started_at: tHealth,
                    finished_at: tRevert,
                    evidence_uri: request.bundle.uri,
                    outputs: revertOutputs?.recorded ?? { error: revertFailure, restoredBackup: request.backup },
                    run_url: runUrl,
                    actor,
                }),
            ];
        },
        ([id]) => [
            { name: `revert-${id}.json`, content: json({ id, of: deploymentId, restoredBackup: request.backup, to: previous, failure: revertFailure }) },
            { name: `logs/revert-${id}.log`, content: revertLog.join("") },
        ],
    );
    report.rollbackDeploymentId = rollback.ids[0];
    try {
        report.postmortems = await ports.postmortem(deploymentId);
    } catch (err) {
        ports.progress?.step(
            `could not draft the postmortem of deployment #${deploymentId}: ${(err as Error).message} (the postmortem workflow drafts it too)`,
        );
    }
    if (revertFailure) {
        report.outcome = "revert-failed";
        await status(
            ports,
            failedStatus({
                sha: request.gitSha,
                environment: request.environment,
                what: `update failed (${failure.phase}) and the revert failed: act now`,
                runUrl: runUrl ?? undefined,
                state: "error",
            }),
        );
        throw new OperationFailedError(
            `update of ${request.environment} to ${request.gitSha.slice(0, 12)} failed (${failure.phase}: ${failure.message}) AND THE REVERT FAILED: ${revertFailure}. ` +
                `Recorded as deployments #${deploymentId} and #${report.rollbackDeploymentId}; follow docs/deployment/ROLLBACK_PROCEDURE.md (backup ${request.backup}, image ${previous.image}).`,
        );
    }
    await status(
        ports,
        failedStatus({
            sha: request.gitSha,
            environment: request.environment,
            what: `update failed (${failure.phase}): reverted to ${previous.gitSha.slice(0, 12)}, backup restored`,
            runUrl: runUrl ?? undefined,
        }),
    );
    const error = new OperationFailedError(
        `update of ${request.environment} to ${request.gitSha.slice(0, 12)} failed (${failure.phase}: ${failure.message}); reverted: backup ${request.backup} restored and ${previous.gitSha.slice(0, 12)} redeployed ` +
            `(deployments #${deploymentId} failed, #${report.rollbackDeploymentId} rolled_back; postmortem draft: ${report.postmortems.join(", ") || "by the postmortem workflow"})`,
    );
    (error as OperationFailedError & { report?: SafeUpdateReport }).report = report;
    throw error;
}

export function describeSafeUpdate(r: SafeUpdateReport): string {
    const lines = [`${r.environment}: ${r.outcome} (${r.gitSha.slice(0, 12)}, ${r.image})`];
    lines.push(
        `  update ${r.seconds.update} s, health ${r.seconds.health} s${r.seconds.revert !== undefined ? `, revert ${r.seconds.revert} s` : ""}, total ${r.seconds.total} s`,
    );
    lines.push(`  modules: ${r.modules.map((m) => `${m.module} ${m.versionBefore ?? "—"} → ${m.versionAfter ?? "—"}`).join(", ") || "none updated"}`);
    if (r.failure) lines.push(`  failed in ${r.failedPhase}: ${r.failure}`);
    lines.push(
        `  recorded as deployment #${r.deploymentId}${r.rollbackDeploymentId ? `, rollback #${r.rollbackDeploymentId}` : ""}; evidence in ${r.evidenceUri}`,
    );
    return lines.join("\n");
}
