/**
 * Grafana Alloy configuration (the log shipper; Promtail reached end of life in 2026): discovers the
 * host's containers through the Docker socket, keeps ours (the `odoo-platform.managed-by` label) and
 * the shared Traefik, labels each stream with stage / stack / pr / git_sha / container / service, and
 * marks Odoo log levels, PostgreSQL slow queries and Traefik access logs before pushing to Loki.
 * Stream labels: stage, stack, pr, git_sha (Docker labels), service (the role label), container.
 *
 * The configuration is built as data (blocks, attributes) and rendered, so the tests check its
 * structure (every referenced component exists, the labels are the ones the dashboards query).
 * Components: https://grafana.com/docs/alloy/latest/reference/components/loki/loki.source.docker/,
 * discovery.docker, discovery.relabel, loki.process, loki.write.
 *
 * The Kubernetes runtime's configuration (kubernetesAlloyBlocks, for the Alloy chart of
 * components/clusterCharts.ts) is built from the same blocks and gives its streams the same labels:
 * discovery.kubernetes (role pod) limited to the pods of the Alloy's own node that carry our
 * `odoo-platform.managed-by` label, loki.source.kubernetes (tails through the Kubernetes API: no host
 * mount of /var/log, no root; the chart's ClusterRole grants pods/log), the Odoo log-level stage.
 * Sources (grafana/alloy at helm-chart/1.11.1): docs/sources/reference/components/discovery/discovery.kubernetes.md
 * ("Limit to only Pods on the same node": the chart sets HOSTNAME to the node's name),
 * docs/sources/reference/components/loki/loki.source.kubernetes.md, and
 * internal/component/loki/source/kubernetes/kubetail/target.go (PrepareLabels adds `job` when a target has none).
 */
import { labelKeys } from "../../config/naming";
import { dockerSocketPath } from "./hostAccess";

/** A reference to another component's export (rendered bare, not quoted). */
export interface AlloyRef {
    ref: string;
}

export interface AlloyBlock {
    /** `discovery.docker`, `rule`, `stage.match` … */
    name: string;
    /** Component label (`"containers"`); blocks inside components have none. */
    label?: string;
    attributes?: [string, AlloyValue][];
    blocks?: AlloyBlock[];
}

/** An expression of Alloy's standard library (`sys.env("HOSTNAME")`), rendered bare; it refers to no component. */
export interface AlloyExpr {
    expr: string;
}
export type AlloyValue = string | number | boolean | AlloyRef | AlloyExpr | AlloyValue[] | { [key: string]: AlloyValue };

export const ref = (target: string): AlloyRef => ({ ref: target });
export const expr = (expression: string): AlloyExpr => ({ expr: expression });
const onlyKey = (v: unknown, key: string): boolean =>
    typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>)[key] === "string" && Object.keys(v).length === 1;
const isRef = (v: unknown): v is AlloyRef => onlyKey(v, "ref");
const isExpr = (v: unknown): v is AlloyExpr => onlyKey(v, "expr");

function renderValue(value: AlloyValue, indent: string): string {
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (isRef(value)) return value.ref;
    if (isExpr(value)) return value.expr;
    if (Array.isArray(value)) return `[${value.map((v) => renderValue(v, indent)).join(", ")}]`;
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)} = ${renderValue(v, inner)},`).join("\n")}\n${indent}}`;
}

export function renderAlloy(blocks: AlloyBlock[], indent = ""): string {
    return blocks
        .map((block) => {
            const head = block.label === undefined ? block.name : `${block.name} ${JSON.stringify(block.label)}`;
            const inner = `${indent}  `;
            const lines = [
                ...(block.attributes ?? []).map(([k, v]) => `${inner}${k} = ${renderValue(v, inner)}`),
                ...(block.blocks?.length ? [renderAlloy(block.blocks, inner)] : []),
            ];
            return `${indent}${head} {\n${lines.join("\n")}\n${indent}}`;
        })
        .join(indent ? "\n" : "\n\n");
}

/** Docker SD's name for a container label: `odoo-platform.stage` → `__meta_docker_container_label_odoo_platform_stage`. */
export const dockerSdLabel = (dockerLabel: string): string => `__meta_docker_container_label_${dockerLabel.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** Loki stream labels taken from our labels: Docker labels on the docker runtime, pod labels on Kubernetes. */
export const streamLabelsFromPlatformLabels: readonly [string, string][] = [
    [labelKeys.stage, "stage"],
    [labelKeys.stack, "stack"],
    [labelKeys.pr, "pr"],
    [labelKeys.gitSha, "git_sha"],
];

/**
 * `service` is the container's `odoo-platform.role` label (odoo, odoo-init, postgres, mail-catcher,
 * egress-proxy, router, observability); the shared Traefik is `router` even without the label.
 */
export const serviceLabel = "service";

/** Odoo's log line: `2024-05-01 10:00:00,123 7 INFO dbname odoo.module: message`. */
export const odooLogLevelRegex = String.raw`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} \d+ (?P<level>[A-Z]+) `;
/** PostgreSQL's log_min_duration_statement line: `LOG:  duration: 1234.567 ms  statement: …`. */
export const slowQueryLineRegex = String.raw`duration: [0-9.]+ ms`;

export interface AlloyConfigInput {
    lokiPushUrl: string;
    /** Container name of the shared Traefik (its access logs are shipped too). */
    traefikContainer: string;
}

export function alloyBlocks(input: AlloyConfigInput): AlloyBlock[] {
    const docker = `unix://${dockerSocketPath}`;
    const rule = (attributes: [string, AlloyValue][]): AlloyBlock => ({ name: "rule", attributes });
    return [
        {
            name: "discovery.docker",
            label: "containers",
            attributes: [
                ["host", docker],
                ["refresh_interval", "5s"],
            ],
        },
        {
            name: "discovery.relabel",
            label: "containers",
            attributes: [["targets", ref("discovery.docker.containers.targets")]],
            blocks: [
                // Ours (managed by Pulumi) and the shared router; nothing else on the host is shipped.
                rule([
                    ["source_labels", [dockerSdLabel(labelKeys.managedBy), "__meta_docker_container_name"]],
                    ["separator", ";"],
                    ["regex", `pulumi;.*|.*;/${input.traefikContainer}`],
                    ["action", "keep"],
                ]),
                rule([
                    ["source_labels", ["__meta_docker_container_name"]],
                    ["regex", "/(.*)"],
                    ["target_label", "container"],
                ]),
                ...streamLabelsFromPlatformLabels.map(([dockerLabel, lokiLabel]) =>
                    rule([
                        ["source_labels", [dockerSdLabel(dockerLabel)]],
                        ["regex", "(.+)"],
                        ["target_label", lokiLabel],
                    ]),
                ),
                rule([
                    ["source_labels", ["__meta_docker_container_name"]],
                    ["regex", `/${input.traefikContainer}`],
                    ["replacement", "router"],
                    ["target_label", serviceLabel],
                ]),
                rule([
                    ["source_labels", [dockerSdLabel(labelKeys.role)]],
                    ["regex", "(.+)"],
                    ["target_label", serviceLabel],
                ]),
            ],
        },
        {
            name: "loki.source.docker",
            label: "containers",
            attributes: [
                ["host", docker],
                ["targets", ref("discovery.docker.containers.targets")],
                // The relabel rules decide which containers are read (keep) and their stream labels.
                ["relabel_rules", ref("discovery.relabel.containers.rules")],
                ["refresh_interval", "5s"],
                ["forward_to", [ref("loki.process.containers.receiver")]],
            ],
        },
        {
            name: "loki.process",
            label: "containers",
            attributes: [["forward_to", [ref("loki.write.loki.receiver")]]],
            blocks: [logStages.odooLevel, logStages.slowQuery, logStages.routerAccess],
        },
        lokiWriteBlock(input.lokiPushUrl),
    ];
}

/** loki.process stages, by what they mark; each runtime uses those whose logs it ships. */
export const logStages: Record<"odooLevel" | "slowQuery" | "routerAccess", AlloyBlock> = {
    odooLevel: {
        name: "stage.match",
        attributes: [["selector", `{${serviceLabel}="odoo"}`]],
        blocks: [
            { name: "stage.regex", attributes: [["expression", odooLogLevelRegex]] },
            { name: "stage.labels", attributes: [["values", { level: "" }]] },
        ],
    },
    slowQuery: {
        name: "stage.match",
        attributes: [["selector", `{${serviceLabel}="postgres"} |~ "${slowQueryLineRegex}"`]],
        blocks: [{ name: "stage.static_labels", attributes: [["values", { log_type: "slow_query" }]] }],
    },
    routerAccess: {
        name: "stage.match",
        attributes: [["selector", `{${serviceLabel}="router"} |= "RouterName"`]],
        blocks: [{ name: "stage.static_labels", attributes: [["values", { log_type: "access" }]] }],
    },
};

function lokiWriteBlock(url: string): AlloyBlock {
    return {
        name: "loki.write",
        label: "loki",
        blocks: [
            {
                name: "endpoint",
                attributes: [
                    ["url", url],
                    ["batch_wait", "1s"],
                ],
            },
        ],
    };
}

export function alloyConfig(input: AlloyConfigInput): string {
    return `${renderAlloy(alloyBlocks(input))}\n`;
}

/** Kubernetes SD's name for a pod label: `odoo-platform.stage` → `__meta_kubernetes_pod_label_odoo_platform_stage`. */
export const kubernetesSdLabel = (podLabel: string): string => `__meta_kubernetes_pod_label_${podLabel.replace(/[^A-Za-z0-9_]/g, "_")}`;

/**
 * Pod roles (`odoo-platform.role`, components/kubernetesObjects.ts) whose streams carry another
 * service: the cron Deployment's pods are Odoo as the docker runtime's cron container is (role odoo,
 * components/OdooEnvironment.ts), so the Odoo log panels and the ERROR recording rule see cron's lines.
 */
export const kubernetesServiceOfRole: Readonly<Record<string, string>> = { "odoo-cron": "odoo" };

export interface KubernetesAlloyInput {
    lokiPushUrl: string;
}

/**
 * The Kubernetes runtime's pipeline (the Alloy chart's DaemonSet, one per node): the node's pods
 * labelled `odoo-platform.managed-by: pulumi` with a stack label, their stream labels from the pod
 * labels as the docker runtime's from the container labels, `container` as `<pod>/<container>`.
 * No PostgreSQL runs in the cluster (RDS) and the ingress controller's access log is not Traefik's,
 * so only the Odoo log-level stage applies.
 */
export function kubernetesAlloyBlocks(input: KubernetesAlloyInput): AlloyBlock[] {
    const rule = (attributes: [string, AlloyValue][]): AlloyBlock => ({ name: "rule", attributes });
    return [
        {
            name: "discovery.kubernetes",
            label: "pods",
            attributes: [["role", "pod"]],
            blocks: [
                {
                    name: "selectors",
                    attributes: [
                        ["role", "pod"],
                        ["label", `${labelKeys.managedBy}=pulumi`],
                        // The chart sets HOSTNAME to the node's name: each DaemonSet pod tails its own node's pods, once.
                        ["field", expr(`"spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)`)],
                    ],
                },
            ],
        },
        {
            name: "discovery.relabel",
            label: "pods",
            attributes: [["targets", ref("discovery.kubernetes.pods.targets")]],
            blocks: [
                // Ours only, with the stack they belong to (the selector above already asks the API for ours).
                rule([
                    ["source_labels", [kubernetesSdLabel(labelKeys.managedBy), kubernetesSdLabel(labelKeys.stack)]],
                    ["separator", ";"],
                    ["regex", "pulumi;.+"],
                    ["action", "keep"],
                ]),
                rule([
                    ["source_labels", ["__meta_kubernetes_pod_name", "__meta_kubernetes_pod_container_name"]],
                    ["separator", "/"],
                    ["regex", "(.+/.+)"],
                    ["target_label", "container"],
                ]),
                ...streamLabelsFromPlatformLabels.map(([podLabel, lokiLabel]) =>
                    rule([
                        ["source_labels", [kubernetesSdLabel(podLabel)]],
                        ["regex", "(.+)"],
                        ["target_label", lokiLabel],
                    ]),
                ),
                rule([
                    ["source_labels", [kubernetesSdLabel(labelKeys.role)]],
                    ["regex", "(.+)"],
                    ["target_label", serviceLabel],
                ]),
                ...Object.entries(kubernetesServiceOfRole).map(([role, service]) =>
                    rule([
                        ["source_labels", [kubernetesSdLabel(labelKeys.role)]],
                        ["regex", role],
                        ["replacement", service],
                        ["target_label", serviceLabel],
                    ]),
                ),
            ],
        },
        {
            name: "loki.source.kubernetes",
            label: "pods",
            attributes: [
                ["targets", ref("discovery.relabel.pods.output")],
                ["forward_to", [ref("loki.process.pods.receiver")]],
            ],
        },
        {
            name: "loki.process",
            label: "pods",
            attributes: [["forward_to", [ref("loki.write.loki.receiver")]]],
            blocks: [
                logStages.odooLevel,
                // loki.source.kubernetes names every target's job after itself; the docker runtime's streams have none.
                { name: "stage.label_drop", attributes: [["values", ["job"]]] },
            ],
        },
        lokiWriteBlock(input.lokiPushUrl),
    ];
}

export function kubernetesAlloyConfig(input: KubernetesAlloyInput): string {
    return `${renderAlloy(kubernetesAlloyBlocks(input))}\n`;
}
