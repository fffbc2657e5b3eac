/**
 * Alert rules as data: each entry names what it watches, its PromQL and its thresholds. The rules file
 * Prometheus loads is rendered from this table; `promtool check rules` and `promtool test rules`
 * (with series for each alert) run on it in the tests.
 *
 * The mail rule is fed by the logs: Loki's ruler turns Odoo's "Mail delivery failed via SMTP server
 * '<host>'" lines (host other than the catcher) and SMTP CONNECTs in the egress proxy's log into the
 * series `odoo_platform:smtp_outside_catcher:count5m` (remote-written into Prometheus, see loki.ts),
 * so every alert lives, and is tested, in one place.
 */
import { stringify } from "yaml";
import { smtpOutsideCatcherMetric } from "./loki";

export interface AlertThresholds {
    /** Share of an environment's Odoo requests answered 5xx. */
    errorRatio: number;
    /** Minimum traffic (requests/s) before the error ratio means anything. */
    minRequestsPerSecond: number;
    /** 95th percentile of Odoo response time, seconds. */
    p95Seconds: number;
    /** Connections in use / max_connections. */
    connectionsRatio: number;
    /** Free share of a host filesystem under which it is "filling". */
    diskFreeRatio: number;
    /** Hours ahead for the linear prediction of a filesystem running out. */
    diskFullWithinHours: number;
}

export const defaultThresholds: AlertThresholds = {
    errorRatio: 0.05,
    minRequestsPerSecond: 0.05,
    p95Seconds: 2,
    connectionsRatio: 0.8,
    diskFreeRatio: 0.1,
    diskFullWithinHours: 24,
};

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    severity: "warning" | "critical";
    summary: string;
    description: string;
}

/** Host filesystems worth watching (not the container overlays, tmpfs and squashfs images). */
const realFilesystems = `fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs", mountpoint!~"/run.*|/var/lib/docker/.+"`;

export function alertRules(t: AlertThresholds = defaultThresholds): AlertRule[] {
    const odooRequests = (extra = "") => `sum by (stage, stack) (rate(traefik_router_requests_total{app="odoo"${extra}}[5m]))`;
    return [
        {
            alert: "OdooHighErrorRate",
            expr: `(${odooRequests(', code=~"5.."')} / ${odooRequests()}) > ${t.errorRatio} and ${odooRequests()} > ${t.minRequestsPerSecond}`,
            for: "5m",
            severity: "critical",
            summary: "{{ $labels.stack }}: {{ $value | humanizePercentage }} of Odoo requests fail with 5xx",
            description: `More than ${t.errorRatio * 100}% of the requests Traefik routed to Odoo in {{ $labels.stack }} (stage {{ $labels.stage }}) answered 5xx over 5 minutes. Look at the Odoo logs in Loki: {service="odoo", stack="{{ $labels.stack }}", level="ERROR"}.`,
        },
        {
            alert: "OdooSlowResponses",
            expr: `histogram_quantile(0.95, sum by (stage, stack, le) (rate(traefik_router_request_duration_seconds_bucket{app="odoo"}[5m]))) > ${t.p95Seconds}`,
            for: "10m",
            severity: "warning",
            summary: "{{ $labels.stack }}: Odoo p95 latency {{ $value | humanizeDuration }}",
            description: `The 95th percentile of Odoo response time in {{ $labels.stack }} stayed above ${t.p95Seconds}s for 10 minutes. Check slow queries ({service="postgres", log_type="slow_query"}) and worker saturation.`,
        },
        {
            alert: "PostgresConnectionsNearLimit",
            expr: `sum by (instance) (pg_stat_activity_count) / on (instance) max by (instance) (pg_settings_max_connections) > ${t.connectionsRatio}`,
            for: "5m",
            severity: "warning",
            summary: "PostgreSQL {{ $labels.instance }} uses {{ $value | humanizePercentage }} of max_connections",
            description: `More than ${t.connectionsRatio * 100}% of max_connections are in use; new Odoo workers will fail to connect. Check db_maxconn × workers per environment and idle-in-transaction sessions.`,
        },
        {
            alert: "PostgresDown",
            expr: "pg_up == 0",
            for: "1m",
            severity: "critical",
            summary: "postgres-exporter cannot reach PostgreSQL {{ $labels.instance }}",
            description: "The exporter's last scrape could not connect to the database server.",
        },
        {
            alert: "HostDiskFilling",
            expr: `node_filesystem_avail_bytes{${realFilesystems}} / node_filesystem_size_bytes{${realFilesystems}} < ${t.diskFreeRatio} and node_filesystem_readonly{${realFilesystems}} == 0`,
            for: "5m",
            severity: "critical",
            summary: "{{ $labels.mountpoint }} has {{ $value | humanizePercentage }} free",
            description: `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) has less than ${t.diskFreeRatio * 100}% free space. Prune old images (docker image prune), PR volumes of closed PRs, and evidence (odoo-platform evidence prune).`,
        },
        {
            alert: "HostDiskWillFill",
            expr: `predict_linear(node_filesystem_avail_bytes{${realFilesystems}}[6h], ${t.diskFullWithinHours} * 3600) < 0 and node_filesystem_readonly{${realFilesystems}} == 0`,
            for: "30m",
            severity: "warning",
            summary: `{{ $labels.mountpoint }} will be full within ${t.diskFullWithinHours} hours at the current rate`,
            description: `Linear prediction over the last 6 hours says {{ $labels.mountpoint }} runs out of space within ${t.diskFullWithinHours} hours.`,
        },
        {
            alert: "NonProductionMailOutsideCatcher",
            expr: `sum by (stage, stack) (${smtpOutsideCatcherMetric}{stage!="production"}) > 0`,
            for: "0m",
            severity: "critical",
            summary: "{{ $labels.stack }} tried to send mail to a server other than its mail catcher",
            description:
                "A non-production environment logged an SMTP delivery to a server other than Mailpit, or its egress proxy saw a CONNECT to an SMTP port. Neutralization missed an outgoing mail server: check ir_mail_server in that database and re-run `odoo-platform db neutralize` (then `odoo-platform db verify`).",
        },
        {
            alert: "ScrapeTargetDown",
            expr: "up == 0",
            for: "2m",
            severity: "warning",
            summary: "{{ $labels.job }} target {{ $labels.instance }} is down",
            description: "Prometheus cannot scrape this target: its metrics (and the dashboards built on them) are stale.",
        },
    ];
}

export interface AlertRuleGroup {
    name: string;
    rules: { alert: string; expr: string; for: string; labels: { severity: AlertRule["severity"] }; annotations: { summary: string; description: string } }[];
}

/**
 * The rule groups in Prometheus' rules-file shape: the docker runtime's rules file (alertRulesYaml)
 * and the Kubernetes runtime's PrometheusRule spec (components/observability/kubernetes.ts) are both this.
 */
export function alertRuleGroups(rules: AlertRule[] = alertRules()): AlertRuleGroup[] {
    return [
        {
            name: "odoo-platform",
            rules: rules.map((rule) => ({
                alert: rule.alert,
                expr: rule.expr,
                for: rule.for,
                labels: { severity: rule.severity },
                annotations: { summary: rule.summary, description: rule.description },
            })),
        },
    ];
}

/** The rules file Prometheus loads (rule_files). */
export function alertRulesYaml(rules: AlertRule[] = alertRules()): string {
    return stringify({ groups: alertRuleGroups(rules) }, { lineWidth: 0 });
}
