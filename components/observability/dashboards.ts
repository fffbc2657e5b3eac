/**
 * Provisioned Grafana dashboards, built as data: per-environment requests / latency / errors, the
 * database, containers and host, and deployments from the evidence schema. Every time-series
 * dashboard carries the deployments as annotations (a region per deployment, from ops.deployments),
 * like Odoo.sh's monitoring graphs.
 *
 * Dashboard JSON model: https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */
import { deploymentSql } from "./opsDeployments";
import { odooErrorLogsMetric, slowQueriesMetric } from "./loki";

export const datasourceUids = { prometheus: "prometheus", loki: "loki", evidence: "evidence" } as const;
export const datasourceTypes = { prometheus: "prometheus", loki: "loki", evidence: "grafana-postgresql-datasource" } as const;

type DatasourceKey = keyof typeof datasourceUids;
const ds = (key: DatasourceKey) => ({ type: datasourceTypes[key], uid: datasourceUids[key] });

export interface PanelTarget {
    refId: string;
    /** PromQL (prometheus) or LogQL (loki). */
    expr?: string;
    /** SQL (evidence). */
    rawSql?: string;
    format?: "time_series" | "table";
    rawQuery?: boolean;
    editorMode?: "code";
    legendFormat?: string;
    queryType?: "range" | "instant";
}

export interface Panel {
    id: number;
    type: "timeseries" | "stat" | "table" | "logs" | "bargauge";
    title: string;
    description?: string;
    datasource: { type: string; uid: string };
    gridPos: { x: number; y: number; w: number; h: number };
    targets: PanelTarget[];
    fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
    options?: Record<string, unknown>;
}

export interface Variable {
    name: string;
    label: string;
    type: "query";
    datasource: { type: string; uid: string };
    query: string | { query: string; refId: string };
    definition: string;
    refresh: 1 | 2;
    includeAll: boolean;
    multi: boolean;
    allValue?: string;
    current: Record<string, unknown>;
    sort: number;
}

export interface Dashboard {
    uid: string;
    title: string;
    description: string;
    tags: string[];
    schemaVersion: number;
    version: number;
    editable: boolean;
    graphTooltip: number;
    refresh: string;
    time: { from: string; to: string };
    timezone: string;
    templating: { list: Variable[] };
    annotations: { list: unknown[] };
    panels: Panel[];
}

export interface DashboardOptions {
    /** Deployment annotations and the deployments dashboard need the evidence data source. */
    evidence: boolean;
    /** PostgreSQL's log_min_duration_statement, shown in panel titles. */
    slowQueryMs: number;
}

/** Lays panels out left to right, 24 columns wide. */
class Layout {
    private x = 0;
    private y = 0;
    private rowHeight = 0;
    private nextId = 1;
    readonly panels: Panel[] = [];

    add(panel: Omit<Panel, "id" | "gridPos" | "fieldConfig"> & { w?: number; h?: number; unit?: string; fieldConfig?: Panel["fieldConfig"] }): void {
        const w = panel.w ?? 12;
        const h = panel.h ?? 8;
        if (this.x + w > 24) {
            this.x = 0;
            this.y += this.rowHeight;
            this.rowHeight = 0;
        }
        const { w: _w, h: _h, unit, fieldConfig, ...rest } = panel;
        this.panels.push({
            ...rest,
            id: this.nextId++,
            gridPos: { x: this.x, y: this.y, w, h },
            fieldConfig: fieldConfig ?? { defaults: unit ? { unit } : {}, overrides: [] },
        });
        this.x += w;
        this.rowHeight = Math.max(this.rowHeight, h);
    }
}

const prom = (expr: string, legendFormat?: string, refId = "A"): PanelTarget => ({
    refId,
    expr,
    ...(legendFormat ? { legendFormat } : {}),
    editorMode: "code",
});
const logs = (expr: string): PanelTarget => ({ refId: "A", expr, queryType: "range", editorMode: "code" });
const sql = (rawSql: string, format: "time_series" | "table", refId = "A"): PanelTarget => ({ refId, rawSql, format, rawQuery: true, editorMode: "code" });

function promVariable(name: string, label: string, metricSelector: string, labelName: string): Variable {
    const definition = `label_values(${metricSelector}, ${labelName})`;
    return {
        name,
        label,
        type: "query",
        datasource: ds("prometheus"),
        query: { query: definition, refId: `${name}-variable` },
        definition,
        refresh: 2,
        includeAll: true,
        multi: true,
        allValue: ".+",
        current: { text: "All", value: "$__all" },
        sort: 1,
    };
}

function deploymentAnnotations(opts: DashboardOptions): unknown[] {
    const builtIn = {
        builtIn: 1,
        datasource: { type: "grafana", uid: "-- Grafana --" },
        enable: true,
        hide: true,
        iconColor: "rgba(0, 211, 255, 1)",
        name: "Annotations & Alerts",
        type: "dashboard",
    };
    if (!opts.evidence) return [builtIn];
    return [
        builtIn,
        {
            name: "Deployments",
            datasource: ds("evidence"),
            enable: true,
            hide: false,
            iconColor: "#8F3BB8",
            target: { ...sql(deploymentSql.annotations, "table", "Deployments") },
        },
    ];
}

function dashboard(uid: string, title: string, description: string, opts: DashboardOptions, variables: Variable[], panels: Panel[]): Dashboard {
    return {
        uid,
        title,
        description,
        tags: ["odoo-platform"],
        schemaVersion: 39,
        version: 1,
        editable: false,
        graphTooltip: 1,
        refresh: "10s",
        time: { from: "now-6h", to: "now" },
        timezone: "utc",
        templating: { list: variables },
        annotations: { list: deploymentAnnotations(opts) },
        panels,
    };
}

const envFilter = `stage=~"$stage", stack=~"$stack"`;

export function environmentsDashboard(opts: DashboardOptions): Dashboard {
    const l = new Layout();
    const odoo = `app="odoo", ${envFilter}`;
    l.add({
        type: "timeseries",
        title: "Requests per second",
        datasource: ds("prometheus"),
        unit: "reqps",
        targets: [prom(`sum by (stack) (rate(traefik_router_requests_total{${odoo}}[1m]))`, "{{stack}}")],
    });
    l.add({
        type: "timeseries",
        title: "5xx error ratio",
        datasource: ds("prometheus"),
        unit: "percentunit",
        targets: [
            prom(
                `sum by (stack) (rate(traefik_router_requests_total{${odoo}, code=~"5.."}[5m])) / sum by (stack) (rate(traefik_router_requests_total{${odoo}}[5m]))`,
                "{{stack}}",
            ),
        ],
    });
    l.add({
        type: "timeseries",
        title: "Latency p50 / p95 / p99",
        datasource: ds("prometheus"),
        unit: "s",
        targets: [0.5, 0.95, 0.99].map((q, i) =>
            prom(
                `histogram_quantile(${q}, sum by (stack, le) (rate(traefik_router_request_duration_seconds_bucket{${odoo}}[5m])))`,
                `{{stack}} p${Math.round(q * 100)}`,
                String.fromCharCode(65 + i),
            ),
        ),
    });
    l.add({
        type: "timeseries",
        title: "Responses by status code",
        datasource: ds("prometheus"),
        unit: "reqps",
        targets: [prom(`sum by (stack, code) (rate(traefik_router_requests_total{${odoo}}[1m]))`, "{{stack}} {{code}}")],
    });
    l.add({
        type: "timeseries",
        title: "Odoo ERROR log lines (5 min)",
        datasource: ds("prometheus"),
        unit: "short",
        targets: [prom(`sum by (stack) (${odooErrorLogsMetric}{${envFilter}})`, "{{stack}}")],
    });
    l.add({
        type: "timeseries",
        title: `Slow queries (> ${opts.slowQueryMs} ms, 5 min)`,
        datasource: ds("prometheus"),
        unit: "short",
        targets: [prom(`sum by (stack) (${slowQueriesMetric}{${envFilter}})`, "{{stack}}")],
    });
    l.add({
        type: "logs",
        title: "Odoo log",
        datasource: ds("loki"),
        w: 24,
        h: 10,
        targets: [logs(`{service="odoo", ${envFilter}}`)],
        options: { showTime: true, wrapLogMessage: true, sortOrder: "Descending" },
    });
    l.add({
        type: "logs",
        title: "Access log (Traefik)",
        datasource: ds("loki"),
        w: 24,
        h: 10,
        targets: [logs(`{service="router", log_type="access"} | json | RouterName=~"odoo-($stack)@docker"`)],
        options: { showTime: true, sortOrder: "Descending" },
    });
    return dashboard(
        "odoo-environments",
        "Odoo environments",
        "Requests, latency and errors per environment (Traefik router = environment), Odoo and access logs.",
        opts,
        [
            promVariable("stage", "Stage", `traefik_router_requests_total{app="odoo"}`, "stage"),
            promVariable("stack", "Environment", `traefik_router_requests_total{app="odoo", stage=~"$stage"}`, "stack"),
        ],
        l.panels,
    );
}

export function databaseDashboard(opts: DashboardOptions): Dashboard {
    const l = new Layout();
    l.add({ type: "stat", title: "PostgreSQL up", datasource: ds("prometheus"), w: 6, h: 4, targets: [prom("min(pg_up)")] });
    l.add({
        type: "stat",
        title: "Connections used",
        datasource: ds("prometheus"),
        w: 6,
        h: 4,
        unit: "percentunit",
        targets: [prom("sum(pg_stat_activity_count) / max(pg_settings_max_connections)")],
    });
    l.add({
        type: "stat",
        title: "Database size",
        datasource: ds("prometheus"),
        w: 12,
        h: 4,
        unit: "bytes",
        targets: [prom(`sum(pg_database_size_bytes{datname=~"$database"})`)],
    });
    l.add({
        type: "timeseries",
        title: "Connections by state",
        datasource: ds("prometheus"),
        unit: "short",
        targets: [
            prom(`sum by (state) (pg_stat_activity_count{datname=~"$database"})`, "{{state}}"),
            prom("max(pg_settings_max_connections)", "max_connections", "B"),
        ],
    });
    l.add({
        type: "timeseries",
        title: "Transactions per second",
        datasource: ds("prometheus"),
        unit: "ops",
        targets: [
            prom(`sum by (datname) (rate(pg_stat_database_xact_commit{datname=~"$database"}[1m]))`, "{{datname}} commit"),
            prom(`sum by (datname) (rate(pg_stat_database_xact_rollback{datname=~"$database"}[1m]))`, "{{datname}} rollback", "B"),
        ],
    });
    l.add({
        type: "timeseries",
        title: "Cache hit ratio",
        datasource: ds("prometheus"),
        unit: "percentunit",
        targets: [
            prom(
                `sum by (datname) (rate(pg_stat_database_blks_hit{datname=~"$database"}[5m])) / (sum by (datname) (rate(pg_stat_database_blks_hit{datname=~"$database"}[5m])) + sum by (datname) (rate(pg_stat_database_blks_read{datname=~"$database"}[5m])))`,
                "{{datname}}",
            ),
        ],
    });
    l.add({
        type: "timeseries",
        title: "Deadlocks and locks",
        datasource: ds("prometheus"),
        unit: "short",
        targets: [
            prom(`sum by (datname) (increase(pg_stat_database_deadlocks{datname=~"$database"}[5m]))`, "{{datname}} deadlocks"),
            prom(`sum by (mode) (pg_locks_count{datname=~"$database"})`, "{{mode}}", "B"),
        ],
    });
    l.add({
        type: "timeseries",
        title: "Longest open transaction",
        datasource: ds("prometheus"),
        unit: "s",
        targets: [prom(`max by (datname) (pg_stat_activity_max_tx_duration{datname=~"$database"})`, "{{datname}}")],
    });
    l.add({
        type: "timeseries",
        title: `Slow queries per environment (> ${opts.slowQueryMs} ms, 5 min)`,
        datasource: ds("prometheus"),
        unit: "short",
        targets: [prom(`sum by (stack) (${slowQueriesMetric})`, "{{stack}}")],
    });
    l.add({
        type: "logs",
        title: "Slow-query log (log_min_duration_statement)",
        datasource: ds("loki"),
        w: 24,
        h: 10,
        targets: [logs(`{service="postgres", log_type="slow_query"}`)],
        options: { showTime: true, wrapLogMessage: true, sortOrder: "Descending" },
    });
    return dashboard(
        "odoo-database",
        "Database",
        "The stage's PostgreSQL server (postgres-exporter) and the slow-query logs of every environment.",
        opts,
        [promVariable("database", "Database", "pg_database_size_bytes", "datname")],
        l.panels,
    );
}

export function containersDashboard(opts: DashboardOptions): Dashboard {
    const l = new Layout();
    const mine = `container=~"$container", stage=~"$stage", stack=~"$stack"`;
    l.add({
        type: "timeseries",
        title: "CPU (cores)",
        datasource: ds("prometheus"),
        unit: "short",
        targets: [prom(`sum by (container) (rate(container_cpu_usage_seconds_total{${mine}}[1m]))`, "{{container}}")],
    });
    l.add({
        type: "timeseries",
        title: "Memory working set",
        datasource: ds("prometheus"),
        unit: "bytes",
        targets: [prom(`sum by (container) (container_memory_working_set_bytes{${mine}})`, "{{container}}")],
    });
    l.add({
        type: "timeseries",
        title: "Memory used of limit",
        datasource: ds("prometheus"),
        unit: "percentunit",
        targets: [
            prom(
                `sum by (container) (container_memory_working_set_bytes{${mine}}) / sum by (container) (container_spec_memory_limit_bytes{${mine}} > 0)`,
                "{{container}}",
            ),
        ],
    });
    l.add({
        type: "timeseries",
        title: "Container filesystem usage",
        datasource: ds("prometheus"),
        unit: "bytes",
        targets: [prom(`sum by (container) (container_fs_usage_bytes{${mine}})`, "{{container}}")],
    });
    l.add({
        type: "timeseries",
        title: "Network in / out",
        datasource: ds("prometheus"),
        unit: "Bps",
        targets: [
            prom(`sum by (container) (rate(container_network_receive_bytes_total{${mine}}[1m]))`, "{{container}} in"),
            prom(`sum by (container) (rate(container_network_transmit_bytes_total{${mine}}[1m]))`, "{{container}} out", "B"),
        ],
    });
    l.add({
        type: "timeseries",
        title: "OOM kills and CPU throttling",
        datasource: ds("prometheus"),
        unit: "short",
        targets: [
            prom(`sum by (container) (increase(container_oom_events_total{${mine}}[5m]))`, "{{container}} OOM"),
            prom(`sum by (container) (rate(container_cpu_cfs_throttled_seconds_total{${mine}}[5m]))`, "{{container}} throttled s/s", "B"),
        ],
    });
    l.add({
        type: "timeseries",
        title: "Host CPU busy",
        datasource: ds("prometheus"),
        unit: "percentunit",
        targets: [prom(`1 - avg(rate(node_cpu_seconds_total{mode="idle"}[1m]))`, "busy")],
    });
    l.add({
        type: "timeseries",
        title: "Host memory available",
        datasource: ds("prometheus"),
        unit: "percentunit",
        targets: [prom("node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "available")],
    });
    l.add({
        type: "bargauge",
        title: "Host filesystems free",
        datasource: ds("prometheus"),
        w: 24,
        unit: "percentunit",
        targets: [
            prom(
                `node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"}`,
                "{{mountpoint}}",
            ),
        ],
    });
    return dashboard(
        "odoo-containers",
        "Containers and host",
        "CPU, memory, disk and network per container (cAdvisor, labelled by stage / stack / PR) and of the Docker host (node exporter).",
        opts,
        [
            promVariable("stage", "Stage", "container_last_seen", "stage"),
            promVariable("stack", "Environment", `container_last_seen{stage=~"$stage"}`, "stack"),
            promVariable("container", "Container", `container_last_seen{stage=~"$stage", stack=~"$stack"}`, "container"),
        ],
        l.panels,
    );
}

export function deploymentsDashboard(opts: DashboardOptions): Dashboard {
    const l = new Layout();
    l.add({
        type: "timeseries",
        title: "Deployments per week",
        datasource: ds("evidence"),
        w: 24,
        unit: "short",
        targets: [sql(deploymentSql.perWeek, "time_series")],
        options: { legend: { displayMode: "table", placement: "right" } },
        fieldConfig: { defaults: { custom: { drawStyle: "bars", fillOpacity: 80, stacking: { mode: "normal" } } }, overrides: [] },
    });
    l.add({ type: "table", title: "Success rate", datasource: ds("evidence"), w: 16, unit: "short", targets: [sql(deploymentSql.successRate, "table")] });
    l.add({ type: "stat", title: "Rollbacks", datasource: ds("evidence"), w: 8, unit: "short", targets: [sql(deploymentSql.rollbacks, "table")] });
    l.add({ type: "table", title: "Recent deployments", datasource: ds("evidence"), w: 24, h: 12, targets: [sql(deploymentSql.recent, "table")] });
    const variable: Variable = {
        name: "environment",
        label: "Environment",
        type: "query",
        datasource: ds("evidence"),
        query: deploymentSql.environments,
        definition: deploymentSql.environments,
        refresh: 1,
        includeAll: true,
        multi: true,
        current: { text: "All", value: "$__all" },
        sort: 1,
    };
    return dashboard(
        "odoo-deployments",
        "Deployments",
        "Deployment frequency, success rate and rollbacks from the evidence schema (ops.deployments), read-only as ops_reader.",
        opts,
        [variable],
        l.panels,
    );
}

/** A dashboard file as Grafana loads it: the docker runtime uploads it, the Kubernetes runtime puts it in a ConfigMap. */
export const dashboardFileContent = (dashboard: Dashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`;

/** Every provisioned dashboard, keyed by file name. */
export function dashboards(opts: DashboardOptions): Record<string, Dashboard> {
    const all: Record<string, Dashboard> = {
        "environments.json": environmentsDashboard(opts),
        "database.json": databaseDashboard(opts),
        "containers.json": containersDashboard(opts),
    };
    if (opts.evidence) all["deployments.json"] = deploymentsDashboard(opts);
    return all;
}
