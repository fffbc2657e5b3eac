/**
 * Recorded deployments for tests: rows in the real ops schema (migrated by `evidence migrate`, see
 * evidence.ts), valid under its constraints, with their ops.migrations and ops.health_checks rows.
 */
import { Client } from "pg";

export interface RecordedDeployment {
    environment: string;
    git_sha: string;
    status: "succeeded" | "failed" | "rolled_back";
    started_at: string;
    finished_at: string;
    image_digest?: string;
    rollback_of_sha?: string;
    evidence_uri?: string;
    run_url?: string;
    actor?: string;
    health?: { http_status: number | null; http_ok: boolean; database_ok: boolean; detail?: unknown };
    migrations?: { module: string; version_before: string | null; version_after: string | null; scripts?: string[]; seconds?: number }[];
}

export const digestOf = (seed: string): string => `sha256:${seed.repeat(64).slice(0, 64)}`;

/** Inserts deployments (and their health check and migrations); returns their ids in order. */
export async function recordDeployments(url: string, deployments: RecordedDeployment[]): Promise<number[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    const ids: number[] = [];
    try {
        for (const d of deployments) {
            let healthId: number | null = null;
            if (d.health) {
                const h = d.health;
                const { rows } = await client.query(
                    `INSERT INTO ops.health_checks (environment, git_sha, url, http_status, http_ok, http_ms, database_name, database_ok, database_ms, ok, detail, checked_at)
                     VALUES ($1, $2, $3, $4, $5, 120, $6, $7, 8, $8, $9, $10) RETURNING id`,
                    [
                        d.environment,
                        d.git_sha,
                        `https://${d.environment}.example.com/web/health`,
                        h.http_status,
                        h.http_ok,
                        `odoo_${d.environment.replace("-", "_")}`,
                        h.database_ok,
                        h.http_ok && h.database_ok,
                        JSON.stringify(h.detail ?? {}),
                        d.finished_at,
                    ],
                );
                healthId = Number(rows[0].id);
            }
            const digest = d.image_digest ?? (d.status === "failed" ? null : digestOf(d.git_sha.slice(0, 1)));
            const { rows } = await client.query(
                `INSERT INTO ops.deployments (environment, stack, git_sha, image_reference, image_digest, status, rollback_of_sha, migrations_executed,
                                              health_check_id, started_at, finished_at, evidence_uri, run_url, actor)
                 VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
                [
                    d.environment,
                    d.git_sha,
                    digest ? `ghcr.io/example/odoo@${digest}` : null,
                    digest,
                    d.status,
                    d.rollback_of_sha ?? null,
                    (d.migrations ?? []).map((m) => m.module),
                    healthId,
                    d.started_at,
                    d.finished_at,
                    d.evidence_uri ?? null,
                    d.run_url ?? null,
                    d.actor ?? null,
                ],
            );
            const id = Number(rows[0].id);
            ids.push(id);
            for (const m of d.migrations ?? []) {
                await client.query(
                    `INSERT INTO ops.migrations (deployment_id, environment, database_name, module, version_before, version_after, scripts, seconds)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
                    [
                        id,
                        d.environment,
                        `odoo_${d.environment.replace("-", "_")}`,
                        m.module,
                        m.version_before,
                        m.version_after,
                        m.scripts ?? [],
                        m.seconds ?? null,
                    ],
                );
            }
        }
    } finally {
        await client.end();
    }
    return ids;
}
