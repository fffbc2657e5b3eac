/**
 * The thin query layer of the postmortem generator: failed deployments, the previous succeeded one,
 * what came after, their migrations and health checks, from the ops schema (read-only: `ops_reader`
 * is enough).
 */
import type { Client } from "pg";
import type { DeploymentRecord, HealthCheckRecord, MigrationRecord } from "./render";
import { InvalidInputError } from "../core/errors";

const deploymentColumns = `d.id, d.environment, d.git_sha, d.git_branch, d.image_reference, d.image_digest, d.status, d.rollback_of_sha,
    d.started_at, d.finished_at, d.evidence_uri, d.run_url, d.actor, d.migrations_executed, d.health, d.health_check_id`;

type Row = Record<string, unknown>;

function deployment(row: Row): DeploymentRecord & { healthCheckId: number | null } {
    return {
        id: Number(row.id),
        environment: String(row.environment),
        gitSha: String(row.git_sha),
        gitBranch: (row.git_branch as string | null) ?? null,
        imageReference: (row.image_reference as string | null) ?? null,
        imageDigest: (row.image_digest as string | null) ?? null,
        status: String(row.status),
        rollbackOfSha: (row.rollback_of_sha as string | null) ?? null,
        startedAt: row.started_at as Date,
        finishedAt: row.finished_at as Date,
        evidenceUri: (row.evidence_uri as string | null) ?? null,
        runUrl: (row.run_url as string | null) ?? null,
        actor: (row.actor as string | null) ?? null,
        migrationsExecuted: (row.migrations_executed as string[] | null) ?? [],
        health: row.health ?? null,
        healthCheckId: row.health_check_id === null || row.health_check_id === undefined ? null : Number(row.health_check_id),
    };
}

export type Selection = { deploymentId: number } | { since: Date };

/** Failed deployments selected by id or since a date, oldest first. */
export async function failedDeployments(client: Client, selection: Selection): Promise<(DeploymentRecord & { healthCheckId: number | null })[]> {
    if ("deploymentId" in selection) {
        const { rows } = await client.query(`SELECT ${deploymentColumns} FROM ops.deployments d WHERE d.id = $1`, [selection.deploymentId]);
        if (!rows.length)
            throw new InvalidInputError(
                `deployment ${selection.deploymentId} is not in ops.deployments: check the id (odoo-platform's deployments dashboard lists them)`,
            );
        if (rows[0].status !== "failed")
            throw new InvalidInputError(
                `deployment ${selection.deploymentId} ${rows[0].status === "rolled_back" ? "is a rollback" : rows[0].status}: postmortems are drafted for failed deployments`,
            );
        return rows.map(deployment);
    }
    const { rows } = await client.query(
        `SELECT ${deploymentColumns} FROM ops.deployments d WHERE d.status = 'failed' AND d.finished_at >= $1 ORDER BY d.started_at, d.id`,
        [selection.since],
    );
    return rows.map(deployment);
}

export async function previousSucceeded(client: Client, d: DeploymentRecord): Promise<DeploymentRecord | undefined> {
    const { rows } = await client.query(
        `SELECT ${deploymentColumns} FROM ops.deployments d
         WHERE d.environment = $1 AND d.status = 'succeeded' AND d.finished_at <= $2 AND d.id <> $3
         ORDER BY d.finished_at DESC, d.id DESC LIMIT 1`,
        [d.environment, d.startedAt, d.id],
    );
    return rows[0] ? deployment(rows[0]) : undefined;
}

/** Later deployments of the environment, up to and including the first that recovered it. */
export async function deploymentsAfter(client: Client, d: DeploymentRecord, limit = 10): Promise<DeploymentRecord[]> {
    const { rows } = await client.query(
        `SELECT ${deploymentColumns} FROM ops.deployments d
         WHERE d.environment = $1 AND (d.started_at, d.id) > ($2, $3)
         ORDER BY d.started_at, d.id LIMIT $4`,
        [d.environment, d.startedAt, d.id, limit],
    );
    const later = rows.map(deployment);
    const recovered = later.findIndex((x) => x.status === "succeeded" || x.status === "rolled_back");
    return recovered === -1 ? later : later.slice(0, recovered + 1);
}

export async function migrationsOf(client: Client, deploymentId: number): Promise<MigrationRecord[]> {
    const { rows } = await client.query(
        `SELECT module, version_before, version_after, scripts, seconds, recorded_at FROM ops.migrations
         WHERE deployment_id = $1 ORDER BY recorded_at, id`,
        [deploymentId],
    );
    return rows.map((r) => ({
        module: r.module,
        versionBefore: r.version_before,
        versionAfter: r.version_after,
        scripts: r.scripts ?? [],
        seconds: r.seconds === null ? null : Number(r.seconds),
        recordedAt: r.recorded_at,
    }));
}

export async function healthCheck(client: Client, id: number | null): Promise<HealthCheckRecord | undefined> {
    if (id === null) return undefined;
    const { rows } = await client.query(
        `SELECT id, url, http_status, http_ok, http_ms, database_name, database_ok, ok, detail, checked_at FROM ops.health_checks WHERE id = $1`,
        [id],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
        id: Number(r.id),
        url: r.url,
        httpStatus: r.http_status,
        httpOk: r.http_ok,
        httpMs: r.http_ms,
        databaseName: r.database_name,
        databaseOk: r.database_ok,
        ok: r.ok,
        detail: r.detail,
        checkedAt: r.checked_at,
    };
}
