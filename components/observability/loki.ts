/**
 * Loki 3.x configuration (single binary, filesystem storage, TSDB index, retention by the compactor)
 * and the ruler's recording rules that turn log lines into Prometheus series: SMTP deliveries outside
 * the mail catcher, PostgreSQL slow queries and Odoo errors per environment.
 *
 * Reference: https://grafana.com/docs/loki/latest/configure/ (schema checked in the tests),
 * retention: https://grafana.com/docs/loki/latest/operations/storage/retention/,
 * recording rules: https://grafana.com/docs/loki/latest/operations/recording-rules/
 */
import { stringify } from "yaml";

export const lokiPaths = {
    config: "/etc/loki/config.yml",
    /** Ruler's local rule storage: one directory per tenant; `fake` is the tenant when auth is off. */
    rulesDir: "/etc/loki/rules",
    rulesFile: "/etc/loki/rules/fake/odoo-platform.yml",
    data: "/loki",
} as const;

export const smtpOutsideCatcherMetric = "odoo_platform:smtp_outside_catcher:count5m";
export const slowQueriesMetric = "odoo_platform:pg_slow_queries:count5m";
export const odooErrorLogsMetric = "odoo_platform:odoo_error_logs:count5m";

/** Series the Loki ruler remote-writes into Prometheus (a metric source of their own). */
export const lokiRecordedMetrics: readonly string[] = [smtpOutsideCatcherMetric, slowQueriesMetric, odooErrorLogsMetric];

/** Ports an SMTP client uses: a CONNECT to one of them through the egress proxy is mail leaving. */
export const smtpPorts = [25, 465, 587, 2525] as const;

export interface LokiConfigInput {
    retentionDays: number;
    /** Prometheus remote-write receiver the ruler sends recorded series to. */
    prometheusRemoteWriteUrl: string;
}

export function lokiConfig(input: LokiConfigInput): string {
    if (!(Number.isInteger(input.retentionDays) && input.retentionDays > 0)) {
        throw new Error(`lokiConfig: retentionDays must be a whole number greater than 0 (config odoo-platform:logRetentionDays), got ${input.retentionDays}`);
    }
    const retention = `${input.retentionDays * 24}h`;
    return stringify({
        auth_enabled: false,
        server: { http_listen_port: 3100, grpc_listen_port: 9096, log_level: "info" },
        common: {
            instance_addr: "127.0.0.1",
            path_prefix: lokiPaths.data,
            storage: { filesystem: { chunks_directory: `${lokiPaths.data}/chunks`, rules_directory: lokiPaths.rulesDir } },
            replication_factor: 1,
            ring: { kvstore: { store: "inmemory" } },
        },
        schema_config: {
            configs: [{ from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }],
        },
        limits_config: {
            retention_period: retention,
            reject_old_samples: true,
            reject_old_samples_max_age: "168h",
            allow_structured_metadata: true,
            volume_enabled: true,
        },
        compactor: {
            working_directory: `${lokiPaths.data}/compactor`,
            compaction_interval: "10m",
            retention_enabled: true,
            retention_delete_delay: "2h",
            delete_request_store: "filesystem",
        },
        ruler: {
            storage: { type: "local", local: { directory: lokiPaths.rulesDir } },
            rule_path: `${lokiPaths.data}/rules-temp`,
            evaluation_interval: "1m",
            enable_api: true,
            wal: { dir: `${lokiPaths.data}/ruler-wal` },
            remote_write: { enabled: true, clients: { prometheus: { url: input.prometheusRemoteWriteUrl } } },
        },
        analytics: { reporting_enabled: false },
    });
}

export interface LokiRecordingRule {
    record: string;
    expr: string;
    labels?: Record<string, string>;
    why: string;
}

/** LogQL string literal in backticks (raw: no escaping of regex backslashes). */
const raw = (text: string): string => {
    if (text.includes("`")) throw new Error(`LogQL raw string cannot contain a backtick: ${text}`);
    return `\`${text}\``;
};

/**
 * Recording rules over the logs. `mailCatcherHost` is the SMTP host every non-production Odoo is
 * configured with (OdooEnvironment's Mailpit alias).
 */
export function lokiRecordingRules(mailCatcherHost = "mailpit"): LokiRecordingRule[] {
    const nonProduction = `stage!="production"`;
    return [
        {
            record: smtpOutsideCatcherMetric,
            // Odoo logs every failed delivery with the server it tried ("Mail delivery failed via SMTP
            // server '<host>'"); outside production the network has no route out, so a real server can
            // only fail, and the failure is the signal.
            expr: `sum by (stage, stack, pr) (count_over_time({service="odoo", ${nonProduction}} |= "Mail delivery failed via SMTP server" | regexp ${raw("SMTP server '(?P<smtp_server>[^']*)'")} | smtp_server != "${mailCatcherHost}" [5m]))`,
            labels: { source: "odoo-log" },
            why: "Odoo tried an SMTP server that is not the mail catcher",
        },
        {
            record: smtpOutsideCatcherMetric,
            expr: `sum by (stage, stack, pr) (count_over_time({service="egress-proxy", ${nonProduction}} |~ ${raw(`CONNECT [^ ]+:(${smtpPorts.join("|")})\\b`)} [5m]))`,
            labels: { source: "egress-proxy" },
            why: "the egress proxy saw a CONNECT to an SMTP port",
        },
        {
            record: slowQueriesMetric,
            expr: `sum by (stage, stack, pr) (count_over_time({service="postgres", log_type="slow_query"} [5m]))`,
            why: "PostgreSQL statements slower than log_min_duration_statement (slowQueryMs)",
        },
        {
            record: odooErrorLogsMetric,
            expr: `sum by (stage, stack, pr) (count_over_time({service="odoo", level=~"ERROR|CRITICAL"} [5m]))`,
            why: "Odoo ERROR and CRITICAL log lines",
        },
    ];
}

/** The ruler's rule file (Prometheus rule-file format with LogQL expressions). */
export function lokiRulesYaml(rules: LokiRecordingRule[] = lokiRecordingRules()): string {
    return stringify(
        {
            groups: [
                {
                    name: "odoo-platform-logs",
                    interval: "1m",
                    rules: rules.map((rule) => ({ record: rule.record, expr: rule.expr, ...(rule.labels ? { labels: rule.labels } : {}) })),
                },
            ],
        },
        { lineWidth: 0 },
    );
}
