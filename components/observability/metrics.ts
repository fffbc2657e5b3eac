/**
 * The metric names the scrape targets really expose, and a small PromQL reader that lists the metric
 * names a query uses. Dashboards and alert rules are checked against these lists in the tests, so a
 * panel cannot silently query a metric nobody produces.
 *
 * postgres-exporter and node exporter are checked live in the tests (Debian's
 * prometheus-postgres-exporter and prometheus-node-exporter are run and scraped). Traefik and cAdvisor
 * are not packaged in Debian: their names are listed here from their documentation.
 */

/** Expands a histogram base name into its three series. */
const histogram = (name: string): string[] => [`${name}_bucket`, `${name}_sum`, `${name}_count`];

/**
 * Traefik v3 Prometheus metrics with `addRoutersLabels` / `addServicesLabels` on.
 * https://doc.traefik.io/traefik/observability/metrics/overview/
 */
export const traefikMetrics: readonly string[] = [
    "traefik_config_reloads_total",
    "traefik_config_last_reload_success",
    "traefik_open_connections",
    "traefik_tls_certs_not_after",
    "traefik_entrypoint_requests_total",
    "traefik_entrypoint_requests_tls_total",
    ...histogram("traefik_entrypoint_request_duration_seconds"),
    "traefik_entrypoint_requests_bytes_total",
    "traefik_entrypoint_responses_bytes_total",
    "traefik_router_requests_total",
    "traefik_router_requests_tls_total",
    ...histogram("traefik_router_request_duration_seconds"),
    "traefik_router_requests_bytes_total",
    "traefik_router_responses_bytes_total",
    "traefik_service_requests_total",
    "traefik_service_requests_tls_total",
    ...histogram("traefik_service_request_duration_seconds"),
    "traefik_service_retries_total",
    "traefik_service_server_up",
    "traefik_service_requests_bytes_total",
    "traefik_service_responses_bytes_total",
];

/**
 * cAdvisor container metrics (Docker containers only).
 * https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md
 */
export const cadvisorMetrics: readonly string[] = [
    "container_cpu_usage_seconds_total",
    "container_cpu_user_seconds_total",
    "container_cpu_system_seconds_total",
    "container_cpu_cfs_periods_total",
    "container_cpu_cfs_throttled_periods_total",
    "container_cpu_cfs_throttled_seconds_total",
    "container_memory_usage_bytes",
    "container_memory_working_set_bytes",
    "container_memory_rss",
    "container_memory_cache",
    "container_memory_swap",
    "container_memory_failcnt",
    "container_oom_events_total",
    "container_spec_memory_limit_bytes",
    "container_spec_cpu_quota",
    "container_spec_cpu_period",
    "container_spec_cpu_shares",
    "container_fs_usage_bytes",
    "container_fs_limit_bytes",
    "container_fs_reads_bytes_total",
    "container_fs_writes_bytes_total",
    "container_network_receive_bytes_total",
    "container_network_transmit_bytes_total",
    "container_network_receive_errors_total",
    "container_network_transmit_errors_total",
    "container_network_receive_packets_dropped_total",
    "container_network_transmit_packets_dropped_total",
    "container_last_seen",
    "container_start_time_seconds",
    "container_processes",
    "container_threads",
    "machine_cpu_cores",
    "machine_memory_bytes",
];

/** Series Prometheus itself produces for every target and rule. */
export const prometheusBuiltinMetrics: readonly string[] = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS", "ALERTS_FOR_STATE"];

const promqlKeywords = new Set([
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    // Grafana template variables' functions stay out: dashboards use $variables inside label matchers only.
]);

/**
 * The metric names a PromQL expression selects. A reader, not a parser: strings, label matchers,
 * ranges and grouping clauses are removed, then every identifier that is not a function call, a
 * keyword or a number is a metric name. Good for the expressions we generate (checked by promtool).
 */
export function metricNamesInPromQL(expr: string): string[] {
    const stripped = expr
        .replace(/"(?:[^"\\]|\\.)*"/g, '""')
        .replace(/\{[^{}]*\}/g, " ")
        .replace(/\[[^\]]*\]/g, " ")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
        .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, " ");
    const names = new Set<string>();
    const identifier = /([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g;
    let match: RegExpExecArray | null;
    while ((match = identifier.exec(stripped)) !== null) {
        const [, name, call] = match;
        const before = stripped[match.index - 1];
        if (call) continue;
        if (before && /[0-9.]/.test(before)) continue; // 1e3, 0.5, durations already removed
        if (promqlKeywords.has(name.toLowerCase())) continue;
        names.add(name);
    }
    return [...names].sort();
}
