/**
 * Prometheus configuration for one Docker host, generated from data: the scrape jobs (Traefik per
 * router = per environment, cAdvisor per container, node exporter for the host, postgres-exporter for
 * the stage's database server, Loki and Prometheus themselves) with relabelling that turns router and
 * container names into the same stage / stack / pr labels the logs carry.
 *
 * Reference: https://prometheus.io/docs/prometheus/latest/configuration/configuration/
 * Checked by `promtool check config` in the tests.
 */
import { stringify } from "yaml";
import { labelKeys } from "../../config/naming";
import { ObservabilityRole, observabilityContainerName } from "./hostAccess";
import { cadvisorMetrics, traefikMetrics } from "./metrics";

/** Where a job's metric names come from (the tests check dashboards against each source). */
export type MetricSource = "prometheus" | "traefik" | "cadvisor" | "node-exporter" | "postgres-exporter" | "loki" | "alloy";

export interface ScrapeJob {
    job: string;
    source: MetricSource;
    targets: string[];
    metricRelabel?: Relabel[];
}

export interface Relabel {
    source_labels?: string[];
    separator?: string;
    regex?: string;
    target_label?: string;
    replacement?: string;
    action?: "replace" | "keep" | "drop" | "labeldrop" | "labelkeep";
}

/** Ports the exporters listen on inside their containers. */
export const ports = {
    prometheus: 9090,
    loki: 3100,
    grafana: 3000,
    alloy: 12345,
    cadvisor: 8080,
    nodeExporter: 9100,
    postgresExporter: 9187,
    /** Traefik's dedicated `metrics` entrypoint. */
    traefikMetrics: 8082,
} as const;

export const prometheusPaths = {
    config: "/etc/prometheus/prometheus.yml",
    rulesDir: "/etc/prometheus/rules",
    alertRules: "/etc/prometheus/rules/odoo-platform.yml",
    data: "/prometheus",
} as const;

/** `odoo-platform.stage` → the Prometheus label name cAdvisor gives it: `container_label_odoo_platform_stage`. */
export const cadvisorLabelName = (dockerLabel: string): string => `container_label_${dockerLabel.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** The Docker labels cAdvisor keeps on container metrics (everything else is dropped at the source). */
export const cadvisorKeptLabels = [labelKeys.stage, labelKeys.stack, labelKeys.pr, labelKeys.gitSha, labelKeys.role] as const;

/**
 * Traefik routers are named after the environment (`odoo-<stack>` for Odoo, `odoo-<stack>-mail` for
 * its Mailpit UI, see OdooEnvironment's routerLabels): from the router label we derive
 * `stack`, `app` (odoo | mailpit), `stage` and `pr`, the labels every dashboard filters on.
 */
export const traefikRouterRelabel: Relabel[] = [
    { source_labels: ["router"], regex: "odoo-(.+?)(-mail)?@docker", target_label: "stack", replacement: "$1" },
    // Rules apply in order: every environment router is `odoo`, then the Mailpit ones are overridden.
    { source_labels: ["router"], regex: "odoo-.+@docker", target_label: "app", replacement: "odoo" },
    { source_labels: ["router"], regex: "odoo-.+-mail@docker", target_label: "app", replacement: "mailpit" },
    { source_labels: ["stack"], regex: "(dev|staging|production)", target_label: "stage", replacement: "$1" },
    { source_labels: ["stack"], regex: "pr-([0-9]+)", target_label: "stage", replacement: "pr" },
    { source_labels: ["stack"], regex: "pr-([0-9]+)", target_label: "pr", replacement: "$1" },
];

/** cAdvisor: Docker labels → stage / stack / pr / role, container name → `container`. */
export const cadvisorRelabel: Relabel[] = [
    { source_labels: [cadvisorLabelName(labelKeys.stage)], regex: "(.+)", target_label: "stage", replacement: "$1" },
    { source_labels: [cadvisorLabelName(labelKeys.stack)], regex: "(.+)", target_label: "stack", replacement: "$1" },
    { source_labels: [cadvisorLabelName(labelKeys.pr)], regex: "(.+)", target_label: "pr", replacement: "$1" },
    { source_labels: [cadvisorLabelName(labelKeys.role)], regex: "(.+)", target_label: "role", replacement: "$1" },
    { source_labels: ["name"], regex: "(.+)", target_label: "container", replacement: "$1" },
    // Per-cgroup series of non-containers (system slices) carry no name: not ours to chart.
    { source_labels: ["__name__", "name"], separator: ";", regex: "container_.+;", action: "drop" },
];

export interface PrometheusConfigInput {
    prefix: string;
    scrapeIntervalSeconds: number;
    /** Traefik's metrics entrypoint, `host:port`. */
    traefikTarget: string;
    /** Scrape postgres-exporter (only when a database server is monitored). */
    postgresExporter: boolean;
    /** Labels added to every series (which host / stack owns this Prometheus). */
    externalLabels: Record<string, string>;
}

export function scrapeJobs(input: PrometheusConfigInput): ScrapeJob[] {
    const at = (role: ObservabilityRole, port: number) => `${observabilityContainerName(input.prefix, role)}:${port}`;
    const jobs: ScrapeJob[] = [
        { job: "prometheus", source: "prometheus", targets: [`localhost:${ports.prometheus}`] },
        { job: "traefik", source: "traefik", targets: [input.traefikTarget], metricRelabel: traefikRouterRelabel },
        { job: "cadvisor", source: "cadvisor", targets: [at("cadvisor", ports.cadvisor)], metricRelabel: cadvisorRelabel },
        { job: "node", source: "node-exporter", targets: [at("node-exporter", ports.nodeExporter)] },
        { job: "loki", source: "loki", targets: [at("loki", ports.loki)] },
        { job: "alloy", source: "alloy", targets: [at("alloy", ports.alloy)] },
    ];
    if (input.postgresExporter) jobs.push({ job: "postgres", source: "postgres-exporter", targets: [at("postgres-exporter", ports.postgresExporter)] });
    return jobs;
}

export function prometheusConfig(input: PrometheusConfigInput): string {
    if (!(Number.isInteger(input.scrapeIntervalSeconds) && input.scrapeIntervalSeconds >= 1 && input.scrapeIntervalSeconds <= 10)) {
        throw new Error(
            `prometheusConfig: scrapeIntervalSeconds must be a whole number from 1 to 10 (config odoo-platform:metricsScrapeSeconds), got ${input.scrapeIntervalSeconds}`,
        );
    }
    const interval = `${input.scrapeIntervalSeconds}s`;
    return stringify({
        global: {
            scrape_interval: interval,
            // A timeout longer than the interval is rejected by Prometheus.
            scrape_timeout: interval,
            evaluation_interval: interval,
            external_labels: input.externalLabels,
        },
        rule_files: [`${prometheusPaths.rulesDir}/*.yml`],
        scrape_configs: scrapeJobs(input).map((job) => ({
            job_name: job.job,
            static_configs: [{ targets: job.targets }],
            ...(job.metricRelabel ? { metric_relabel_configs: job.metricRelabel } : {}),
        })),
    });
}

/** Metric names a job's source documents (live-checked sources return undefined). */
export function documentedMetricsOf(source: MetricSource): readonly string[] | undefined {
    if (source === "traefik") return traefikMetrics;
    if (source === "cadvisor") return cadvisorMetrics;
    return undefined;
}

/**
 * The Traefik command-line flags the observability stack relies on: Prometheus metrics with router and
 * service labels on a dedicated `metrics` entrypoint, and JSON access logs on stdout (the log shipper
 * reads them from Docker). The shared Traefik (components/EdgeRouter.ts) adds these to its command.
 */
export function traefikObservabilityFlags(): string[] {
    return [
        `--entrypoints.metrics.address=:${ports.traefikMetrics}`,
        "--metrics.prometheus=true",
        "--metrics.prometheus.entryPoint=metrics",
        "--metrics.prometheus.addEntryPointsLabels=true",
        "--metrics.prometheus.addRoutersLabels=true",
        "--metrics.prometheus.addServicesLabels=true",
        "--metrics.prometheus.buckets=0.1,0.25,0.5,1,2,5,10,30",
        "--accesslog=true",
        "--accesslog.format=json",
        // Never ship cookies or authorization headers to the logs.
        "--accesslog.fields.headers.defaultmode=drop",
    ];
}
