/**
 * The evidence tables the dashboards and the postmortem generator read, as issue 6 specifies them
 * (ops.deployments, ops.migrations). Until `odoo-platform evidence migrate` (issue 6) is on main this
 * fixture creates them; afterwards `createOpsSchema` runs the real migration instead.
 */
import { Client } from "pg";

export const opsFixtureSql = `
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.deployments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment text NOT NULL,
    git_sha text NOT NULL,
    image_digest text,
    migrations jsonb NOT NULL DEFAULT '[]',
    health jsonb,
    status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'rolled back')),
    rollback_of_sha text,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    evidence_uri text,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ops.migrations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id bigint REFERENCES ops.deployments (id),
    module text NOT NULL,
    version_before text,
    version_after text,
    script text,
    seconds numeric,
    recorded_at timestamptz NOT NULL DEFAULT now()
);`;

export async function createOpsSchema(url: string): Promise<void> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await client.query(opsFixtureSql);
    } finally {
        await client.end();
    }
}

export interface RecordedDeployment {
    environment: string;
    git_sha: string;
    status: "succeeded" | "failed" | "rolled back";
    started_at: string;
    finished_at?: string;
    image_digest?: string;
    health?: unknown;
    rollback_of_sha?: string;
    evidence_uri?: string;
    migrations?: { module: string; version_before: string | null; version_after: string | null; script?: string; seconds?: number }[];
}

/** Inserts deployments (and their ops.migrations rows); returns their ids in order. */
export async function recordDeployments(url: string, deployments: RecordedDeployment[]): Promise<number[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    const ids: number[] = [];
    try {
        for (const d of deployments) {
            const { rows } = await client.query(
                `INSERT INTO ops.deployments (environment, git_sha, image_digest, migrations, health, status, rollback_of_sha, started_at, finished_at, evidence_uri)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
                [d.environment, d.git_sha, d.image_digest ?? null, JSON.stringify((d.migrations ?? []).map((m) => m.module)), d.health === undefined ? null : JSON.stringify(d.health), d.status, d.rollback_of_sha ?? null, d.started_at, d.finished_at ?? null, d.evidence_uri ?? null],
            );
            const id = Number(rows[0].id);
            ids.push(id);
            for (const m of d.migrations ?? []) {
                await client.query(
                    "INSERT INTO ops.migrations (deployment_id, module, version_before, version_after, script, seconds) VALUES ($1, $2, $3, $4, $5, $6)",
                    [id, m.module, m.version_before, m.version_after, m.script ?? null, m.seconds ?? null],
                );
            }
        }
    } finally {
        await client.end();
    }
    return ids;
}
