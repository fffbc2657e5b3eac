/**
 * The Kubernetes runtime's Alloy pipeline (components/observability/alloy.ts kubernetesAlloyBlocks):
 * its components wired to ones it declares, its relabel rules run (Prometheus relabelling, simulated
 * below) over the discovery targets of pods our builders really make, and its stream labels held
 * against the docker runtime's pipeline and the Loki queries of the dashboards.
 */
import * as assert from "node:assert/strict";
import type * as Input from "@pulumi/kubernetes/types/input";
import { mailpitDeploymentSpec } from "../../../components/kubernetesNamespace";
import { objectLabels, odooDeploymentSpec, OdooPodInput } from "../../../components/kubernetesObjects";
import {
    alloyBlocks,
    AlloyBlock,
    AlloyValue,
    dashboards,
    kubernetesAlloyBlocks,
    kubernetesAlloyConfig,
    kubernetesSdLabel,
    kubernetesServiceOfRole,
} from "../../../components/observability";
import { labelKeys, resourceLabels } from "../../../config/naming";

const input = { lokiPushUrl: "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push" };
const blocks = kubernetesAlloyBlocks(input);
const text = kubernetesAlloyConfig(input);

const component = (list: AlloyBlock[], name: string) => list.find((b) => b.name === name)!;

/** Every component reference (`ref(...)`) in a block, at any depth. */
function refsOf(block: AlloyBlock): string[] {
    const out: string[] = [];
    const walk = (v: AlloyValue) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (typeof v === "object" && v !== null) {
            if ("ref" in v && typeof v.ref === "string") out.push(v.ref);
            else if (!("expr" in v)) Object.values(v).forEach(walk);
        }
    };
    for (const [, v] of block.attributes ?? []) walk(v);
    for (const inner of block.blocks ?? []) out.push(...refsOf(inner));
    return out;
}

type Rule = { source_labels?: string[]; separator?: string; regex?: string; replacement?: string; target_label?: string; action?: string };
const rulesOf = (list: AlloyBlock[]): Rule[] =>
    component(list, "discovery.relabel")
        .blocks!.filter((b) => b.name === "rule")
        .map((b) => Object.fromEntries(b.attributes!) as Rule);

/** Prometheus relabelling (keep, drop, replace; regexes fully anchored); undefined when the target is dropped. */
function relabel(target: Record<string, string>, rules: Rule[]): Record<string, string> | undefined {
    const out = { ...target };
    for (const r of rules) {
        const value = (r.source_labels ?? []).map((l) => out[l] ?? "").join(r.separator ?? ";");
        const match = new RegExp(`^(?:${r.regex ?? "(.*)"})$`).exec(value);
        const action = r.action ?? "replace";
        if (action === "keep" || action === "drop") {
            if ((action === "keep") !== (match !== null)) return undefined;
            continue;
        }
        assert.equal(action, "replace", `action ${action} is not simulated here`);
        if (!match) continue;
        const replaced = (r.replacement ?? "$1").replace(/\$(\d+)/g, (_, n: string) => match[Number(n)] ?? "");
        if (replaced === "") delete out[r.target_label!];
        else out[r.target_label!] = replaced;
    }
    return out;
}

/** What discovery.kubernetes (role pod) gives for each container of a pod template. */
function podTargets(namespace: string, podName: string, template: Input.core.v1.PodTemplateSpec): Record<string, string>[] {
    const labels = (template.metadata as { labels: Record<string, string> }).labels;
    const spec = template.spec as { containers: { name: string }[]; initContainers?: { name: string }[] };
    const containers = [...(spec.initContainers ?? []).map((c) => [c.name, "true"]), ...spec.containers.map((c) => [c.name, "false"])];
    return containers.map(([container, init]) => ({
        __address__: "10.0.0.7",
        __meta_kubernetes_namespace: namespace,
        __meta_kubernetes_pod_name: podName,
        __meta_kubernetes_pod_uid: "0b5d7c6e-0000-4000-8000-000000000007",
        __meta_kubernetes_pod_container_name: container,
        __meta_kubernetes_pod_container_init: init,
        ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [kubernetesSdLabel(k), v])),
        ...Object.fromEntries(Object.keys(labels).map((k) => [`__meta_kubernetes_pod_labelpresent_${k.replace(/[^A-Za-z0-9_]/g, "_")}`, "true"])),
    }));
}

/** The pod label selector of discovery.kubernetes, as the API server applies it (equality terms only). */
function selectorMatches(selector: string, labels: Record<string, string>): boolean {
    return selector.split(",").every((term) => {
        const [key, value] = term.split("=");
        return labels[key.trim()] === value.trim();
    });
}

/** The labels a stream ends with: the target's public labels, the source's `job`, then the process stages' drops. */
function streamLabels(target: Record<string, string>, list: AlloyBlock[]): Set<string> {
    const names = new Set(Object.keys(target).filter((k) => !k.startsWith("__")));
    names.add("job");
    for (const stage of component(list, "loki.process").blocks ?? []) {
        if (stage.name !== "stage.label_drop") continue;
        for (const l of Object.fromEntries(stage.attributes!).values as string[]) names.delete(l);
    }
    return names;
}

/** Labels a process stage may add (stage.labels / stage.static_labels inside a match on one service). */
function stageLabels(list: AlloyBlock[]): { service: string; labels: string[] }[] {
    return (component(list, "loki.process").blocks ?? [])
        .filter((b) => b.name === "stage.match")
        .map((m) => ({
            service: /service="([^"]+)"/.exec(String(Object.fromEntries(m.attributes!).selector))![1],
            labels: (m.blocks ?? [])
                .filter((b) => b.name === "stage.labels" || b.name === "stage.static_labels")
                .flatMap((b) => Object.keys(Object.fromEntries(b.attributes!).values as Record<string, string>)),
        }));
}

const labels = resourceLabels({ stage: "pr", stack: "pr-7", gitSha: "a".repeat(40), prNumber: 7, prTtlHours: 72 });
const pod = (over: Partial<OdooPodInput> = {}): OdooPodInput => ({
    stack: "pr-7",
    role: "http",
    labels,
    image: "odoo:17.0",
    command: ["odoo", "--config=/etc/odoo/odoo.conf"],
    resources: { cpu: 2, memoryMb: 2048, cpuRequest: 0.5, memoryRequestMb: 1024 },
    configMap: "conf",
    secret: "secret",
    claim: "claim",
    env: [],
    serves: true,
    ...over,
});
/** Our pods as the builders make them: Odoo HTTP, Odoo cron, Mailpit. */
const ourPods: [string, Input.core.v1.PodTemplateSpec][] = [
    ["odoo-http-5f7d9-abcde", odooDeploymentSpec({ ...pod(), replicas: 2 }).template as Input.core.v1.PodTemplateSpec],
    ["odoo-cron-6c8b4-fghij", odooDeploymentSpec({ ...pod({ role: "cron", serves: false }), replicas: 1 }).template as Input.core.v1.PodTemplateSpec],
    ["mailpit-7d9c5-klmno", mailpitDeploymentSpec({ stack: "pr-7", labels: objectLabels(labels, "mail-catcher") }).template as Input.core.v1.PodTemplateSpec],
];
const selector = String(Object.fromEntries(component(blocks, "discovery.kubernetes").blocks!.find((b) => b.name === "selectors")!.attributes!).label);

describe("Alloy configuration for Kubernetes", () => {
    it("wires only components it declares: discovery → relabel → kubernetes source → process → write", () => {
        const declared = new Set(blocks.filter((b) => b.label !== undefined).map((b) => `${b.name}.${b.label}`));
        const refs = blocks.flatMap(refsOf);
        assert.ok(refs.length >= 4, refs.join(", "));
        for (const r of refs) {
            const target = r.split(".").slice(0, -1).join(".");
            assert.ok(declared.has(target), `${r} refers to ${target}, which is not declared`);
        }
        // The rendered text names no other component than those references: the rest is the standard library.
        const bare = [...text.matchAll(/= \[?([a-z_]+\.[a-z_.]+)/g)].map((m) => m[1]);
        assert.deepEqual(
            bare.filter((b) => !refs.includes(b)),
            [],
        );
        const field = text.split("\n").find((l) => l.trim().startsWith("field = "))!;
        assert.deepEqual([...field.matchAll(/\b([a-z_]+(?:\.[a-z_]+)*)\(/g)].map((m) => m[1]).sort(), ["coalesce", "sys.env"]);
        assert.ok(text.includes(`url = "${input.lokiPushUrl}"`));
        assert.ok(!text.includes("{{"), "the chart renders the content with tpl");
    });

    it("sets on streams exactly the labels the docker runtime's pipeline sets, and no job", () => {
        const docker = alloyBlocks({ lokiPushUrl: input.lokiPushUrl, traefikContainer: "traefik" });
        const targetsOf = (list: AlloyBlock[]) => new Set(rulesOf(list).flatMap((r) => (r.target_label ? [r.target_label] : [])));
        assert.deepEqual([...targetsOf(blocks)].sort(), [...targetsOf(docker)].sort());
        const dockerStages = stageLabels(docker);
        for (const stage of stageLabels(blocks)) {
            assert.ok(
                dockerStages.some((d) => d.service === stage.service && JSON.stringify(d.labels) === JSON.stringify(stage.labels)),
                `a stage of the docker runtime: ${JSON.stringify(stage)}`,
            );
        }
        for (const [name, template] of ourPods) {
            for (const target of podTargets("pr-7", name, template)) {
                const kept = relabel(target, rulesOf(blocks))!;
                for (const l of streamLabels(kept, blocks)) assert.ok(targetsOf(docker).has(l), `${name}: stream label ${l} is not the docker runtime's`);
            }
        }
    });

    it("gives the streams of every service it ships the labels the dashboards' Loki queries select on", () => {
        const shipped = new Map<string, Set<string>>();
        for (const [name, template] of ourPods) {
            for (const target of podTargets("pr-7", name, template)) {
                const kept = relabel(target, rulesOf(blocks))!;
                const names = streamLabels(kept, blocks);
                for (const stage of stageLabels(blocks)) if (stage.service === kept.service) stage.labels.forEach((l) => names.add(l));
                shipped.set(kept.service, new Set([...(shipped.get(kept.service) ?? []), ...names]));
            }
        }
        let checked = 0;
        const notShipped = new Set<string>();
        for (const d of Object.values(dashboards({ evidence: false, slowQueryMs: 500 }))) {
            for (const p of d.panels) {
                if (p.datasource.type !== "loki") continue;
                for (const t of p.targets) {
                    const matchers = /^\{([^}]*)\}/
                        .exec(t.expr!)![1]
                        .split(",")
                        .map((m) => /^\s*([a-z_]+)\s*(=~|!=|!~|=)\s*"([^"]*)"/.exec(m)!);
                    const service = matchers.find((m) => m[1] === "service")?.[3];
                    assert.ok(service, `${p.title}: selects a service`);
                    const has = shipped.get(service);
                    if (!has) {
                        notShipped.add(service);
                        continue;
                    }
                    for (const [, label] of matchers) assert.ok(has.has(label), `${p.title}: ${label} is not on the ${service} streams`);
                    checked++;
                }
            }
        }
        assert.ok(checked >= 1, "the Odoo log panel is checked");
        // No PostgreSQL runs in the cluster (RDS) and its router is ingress-nginx, not Traefik: their panels have no streams here.
        assert.deepEqual([...notShipped].sort(), ["postgres", "router"]);
        assert.deepEqual([...shipped.keys()].sort(), ["mail-catcher", "odoo"]);
    });

    it("keeps only our pods, each stream labelled from its pod's labels; cron's lines are Odoo's", () => {
        // The API returns only the pods the selector matches; the relabel rules then run on each of their containers.
        const kept = (namespace: string, name: string, template: Input.core.v1.PodTemplateSpec) =>
            (selectorMatches(selector, (template.metadata as { labels: Record<string, string> }).labels) ? podTargets(namespace, name, template) : [])
                .map((t) => relabel(t, rulesOf(blocks)))
                .filter((t) => t !== undefined)
                .map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith("__"))));
        const [http, cron, mailpit] = ourPods.map(([name, template]) => kept("pr-7", name, template));
        const odooContainers = http.map((t) => t.container);
        assert.ok(odooContainers.length >= 2 && odooContainers.every((c) => c.startsWith("odoo-http-5f7d9-abcde/")), odooContainers.join(", "));
        assert.deepEqual(
            { ...http[http.length - 1], container: "…" },
            { container: "…", stage: "pr", stack: "pr-7", pr: "7", git_sha: "a".repeat(40), service: "odoo" },
        );
        assert.deepEqual(new Set(cron.map((t) => t.service)), new Set([kubernetesServiceOfRole["odoo-cron"]]));
        assert.deepEqual({ ...mailpit[0], container: "…" }, { container: "…", stage: "pr", stack: "pr-7", pr: "7", service: "mail-catcher" });

        const other = (podLabels: Record<string, string>): Input.core.v1.PodTemplateSpec => ({
            metadata: { labels: podLabels },
            spec: { containers: [{ name: "c", image: "x" }] },
        });
        const foreign: Record<string, string>[] = [
            { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/component": "controller" },
            { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": "alloy" },
            // Pulumi-managed but of no stack, and a stack label someone else set.
            { [labelKeys.managedBy]: "pulumi" },
            { [labelKeys.stack]: "pr-7", [labelKeys.managedBy]: "helm" },
        ];
        for (const podLabels of foreign) assert.deepEqual(kept("default", "p-1", other(podLabels)), [], JSON.stringify(podLabels));
        // Without the API's selector the relabel rule alone still refuses them.
        for (const podLabels of foreign) {
            for (const t of podTargets("default", "p-1", other(podLabels))) assert.equal(relabel(t, rulesOf(blocks)), undefined, JSON.stringify(podLabels));
        }
    });
});
