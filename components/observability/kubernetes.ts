/**
 * The docker runtime's dashboards and alerts delivered to the Kubernetes runtime's upstream charts
 * (components/clusterCharts.ts), built by the same functions so both runtimes show and alert on the
 * same thing:
 *   - the dashboards as one ConfigMap the kube-prometheus-stack Grafana sidecar loads (label
 *     grafana_dashboard "1"), each file byte for byte what the docker runtime uploads;
 *   - the alert rules as a PrometheusRule (monitoring.coreos.com/v1) whose groups are the docker
 *     runtime's rules file;
 *   - a ServiceMonitor on the ingress controller's metrics whose relabelling gives the Odoo request
 *     series the names and labels the rules and dashboards query (the docker runtime gets them from
 *     Traefik: traefik_router_requests_total / _request_duration_seconds with app, stage, stack, pr,
 *     code). Odoo itself serves no Prometheus endpoint: its request metrics are the ingress
 *     controller's, as they are Traefik's on Docker.
 * ingress-nginx metrics: https://kubernetes.github.io/ingress-nginx/user-guide/monitoring/
 * (nginx_ingress_controller_requests and _request_duration_seconds, labelled namespace, ingress,
 * service, status); prometheus-operator API: https://prometheus-operator.dev/docs/api-reference/api/
 */
import { AlertRule, alertRuleGroups, AlertRuleGroup, alertRules } from "./alerts";
import { dashboardFileContent, DashboardOptions, dashboards } from "./dashboards";

/** What the Grafana sidecar loads a ConfigMap by (kube-prometheus-stack's grafana.sidecar.dashboards defaults). */
export const grafanaDashboardLabel = { key: "grafana_dashboard", value: "1" } as const;
/** The folder the sidecar puts the dashboards in (grafana.sidecar.dashboards.folderAnnotation). */
export const grafanaFolderAnnotation = { key: "grafana_folder", value: "odoo-platform" } as const;

/** The ConfigMap's data: one key per dashboard file, the content the docker runtime uploads. */
export function dashboardConfigMapData(opts: DashboardOptions): Record<string, string> {
    return Object.fromEntries(Object.entries(dashboards(opts)).map(([file, dashboard]) => [file, dashboardFileContent(dashboard)]));
}

/** The PrometheusRule's spec: the docker runtime's rule groups. */
export function prometheusRuleSpec(rules: AlertRule[] = alertRules()): { groups: AlertRuleGroup[] } {
    return { groups: alertRuleGroups(rules) };
}

/** prometheus-operator's RelabelConfig (camelCase of Prometheus' relabel_config). */
export interface RelabelConfig {
    sourceLabels?: string[];
    separator?: string;
    regex?: string;
    targetLabel?: string;
    replacement?: string;
    action?: "replace" | "keep" | "drop" | "labeldrop" | "labelkeep";
}

/**
 * ingress-nginx's Odoo request series renamed and labelled as the docker runtime's Traefik ones.
 * The stack comes from the Ingress's namespace (components/kubernetesObjects.ts kubernetesNamespace:
 * odoo-<stage>, pr-<n>, br-<slug>); Odoo is the Service the Ingress routes to (components/KubernetesEnvironment.ts
 * names it odoo-http-…). A stack whose namespace is overridden (odoo-platform:kubernetesNamespace) is not recognised.
 */
export const ingressOdooRelabel: RelabelConfig[] = [
    { sourceLabels: ["__name__"], regex: "nginx_ingress_controller_requests", targetLabel: "__name__", replacement: "traefik_router_requests_total" },
    {
        sourceLabels: ["__name__"],
        regex: "nginx_ingress_controller_request_duration_seconds_(bucket|sum|count)",
        targetLabel: "__name__",
        replacement: "traefik_router_request_duration_seconds_$1",
    },
    { sourceLabels: ["__name__", "status"], separator: ";", regex: "traefik_router_.+;(.+)", targetLabel: "code", replacement: "$1" },
    { sourceLabels: ["__name__", "service"], separator: ";", regex: "traefik_router_.+;odoo-http.*", targetLabel: "app", replacement: "odoo" },
    { sourceLabels: ["__name__", "namespace"], separator: ";", regex: "traefik_router_.+;odoo-(.+)", targetLabel: "stack", replacement: "$1" },
    { sourceLabels: ["__name__", "namespace"], separator: ";", regex: "traefik_router_.+;((pr|br)-.+)", targetLabel: "stack", replacement: "$1" },
    // As the Traefik relabelling (components/observability/prometheus.ts traefikRouterRelabel), and branch environments are stage pr.
    { sourceLabels: ["stack"], regex: "(dev|staging|production)", targetLabel: "stage", replacement: "$1" },
    { sourceLabels: ["stack"], regex: "(pr-[0-9]+|br-.+)", targetLabel: "stage", replacement: "pr" },
    { sourceLabels: ["stack"], regex: "pr-([0-9]+)", targetLabel: "pr", replacement: "$1" },
];

/** The ServiceMonitor of the ingress controller's metrics Service (the ingress-nginx chart's labels and port name). */
export function ingressServiceMonitorSpec(input: { release: string; namespace: string; intervalSeconds: number }): Record<string, unknown> {
    return {
        namespaceSelector: { matchNames: [input.namespace] },
        selector: {
            matchLabels: {
                "app.kubernetes.io/name": "ingress-nginx",
                "app.kubernetes.io/instance": input.release,
                "app.kubernetes.io/component": "controller",
            },
        },
        endpoints: [
            {
                port: "metrics",
                interval: `${input.intervalSeconds}s`,
                // The series' own `namespace` (the Ingress's) wins over the target's (the controller's).
                honorLabels: true,
                metricRelabelings: ingressOdooRelabel,
            },
        ],
    };
}
