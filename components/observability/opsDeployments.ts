/**
 * What the dashboards read from the evidence schema (`ops`, created by `odoo-platform evidence
 * migrate`, ops/evidence/migrations): the SQL of the deployment panels and annotations, run by
 * Grafana's PostgreSQL data source, read-only as `ops_reader`. The tests run every statement on a
 * migrated database.
 */

export const opsTables = {
    deployments: "ops.deployments",
    migrations: "ops.migrations",
} as const;

/** Statuses `ops.deployments.status` may hold (its check constraint). */
export const deploymentStatuses = { succeeded: "succeeded", failed: "failed", rolledBack: "rolled_back" } as const;

/**
 * Grafana SQL for the deployments dashboard. Grafana expands `$__timeFilter(col)` to the dashboard's
 * time range and `$environment` to the selected environments (a quoted, comma-separated list).
 */
export const deploymentSql = {
    perWeek: `SELECT date_trunc('week', started_at) AS time, environment AS metric, count(*) AS deployments
FROM ops.deployments
WHERE $__timeFilter(started_at) AND environment IN ($environment)
GROUP BY 1, 2
ORDER BY 1`,
    successRate: `SELECT environment,
       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       round(100.0 * count(*) FILTER (WHERE status = 'succeeded') / nullif(count(*) FILTER (WHERE status IN ('succeeded', 'failed')), 0), 1) AS success_rate
FROM ops.deployments
WHERE $__timeFilter(started_at) AND environment IN ($environment)
GROUP BY environment
ORDER BY environment`,
    rollbacks: `SELECT count(*) AS rollbacks
FROM ops.deployments
WHERE $__timeFilter(started_at) AND environment IN ($environment) AND status = 'rolled_back'`,
    recent: `SELECT started_at AS time, environment, status, left(git_sha, 12) AS sha, rollback_of_sha AS rollback_of,
       round(extract(epoch FROM (finished_at - started_at))::numeric, 0) AS seconds, evidence_uri, run_url
FROM ops.deployments
WHERE $__timeFilter(started_at) AND environment IN ($environment)
ORDER BY started_at DESC
LIMIT 50`,
    environments: `SELECT DISTINCT environment FROM ops.deployments ORDER BY 1`,
    /** Annotations: one marker (a region from start to finish) per deployment. */
    annotations: `SELECT started_at AS time, coalesce(finished_at, started_at) AS timeend,
       environment || ' ' || status || ' ' || left(git_sha, 12) AS text,
       environment || ',' || status AS tags
FROM ops.deployments
WHERE $__timeFilter(started_at)
ORDER BY started_at`,
} as const;
