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
 */
import { labelKeys } from "../../config/naming";
import { dockerSocketPath } from "./hostAccess";

/** A reference to another component's export (rendered bare, not quoted). */
export interface AlloyRef {
    ref: string;
}
export type AlloyValue = string | number | boolean | AlloyRef | AlloyValue[] | { [key: string]: AlloyValue };

export interface AlloyBlock {
    /** `discovery.docker`, `rule`, `stage.match` … */
    name: string;
    /** Component label (`"containers"`); blocks inside components have none. */
    label?: string;
    attributes?: [string, AlloyValue][];
    blocks?: AlloyBlock[];
}

export const ref = (target: string): AlloyRef => ({ ref: target });
const isRef = (v: unknown): v is AlloyRef =>
    typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as AlloyRef).ref === "string" && Object.keys(v).length === 1;

function renderValue(value: AlloyValue, indent: string): string {
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (isRef(value)) return value.ref;
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

/** Loki stream labels taken from Docker labels. */
export const streamLabelsFromDocker: readonly [string, string][] = [
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
                ...streamLabelsFromDocker.map(([dockerLabel, lokiLabel]) =>
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
            blocks: [
                {
                    name: "stage.match",
                    attributes: [["selector", `{service="odoo"}`]],
                    blocks: [
                        { name: "stage.regex", attributes: [["expression", odooLogLevelRegex]] },
                        { name: "stage.labels", attributes: [["values", { level: "" }]] },
                    ],
                },
                {
                    name: "stage.match",
                    attributes: [["selector", `{service="postgres"} |~ "${slowQueryLineRegex}"`]],
                    blocks: [{ name: "stage.static_labels", attributes: [["values", { log_type: "slow_query" }]] }],
                },
                {
                    name: "stage.match",
                    attributes: [["selector", `{service="router"} |= "RouterName"`]],
                    blocks: [{ name: "stage.static_labels", attributes: [["values", { log_type: "access" }]] }],
                },
            ],
        },
        {
            name: "loki.write",
            label: "loki",
            blocks: [
                {
                    name: "endpoint",
                    attributes: [
                        ["url", input.lokiPushUrl],
                        ["batch_wait", "1s"],
                    ],
                },
            ],
        },
    ];
}

export function alloyConfig(input: AlloyConfigInput): string {
    return `${renderAlloy(alloyBlocks(input))}\n`;
}
