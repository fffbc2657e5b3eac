/**
 * The same dashboards, alerts and labels on both runtimes: the docker runtime's Grafana uploads and
 * rules file (staging's ObservabilityStack) against the shared cluster stack's dashboards ConfigMap,
 * PrometheusRule and ingress ServiceMonitor (components/observability/kubernetes.ts), and the
 * ServiceMonitor's relabelling turning ingress-nginx's Odoo series into the ones the rules query.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import {
    alertRules,
    dashboardConfigMapData,
    ingressOdooRelabel,
    ingressServiceMonitorSpec,
    prometheusPaths,
    prometheusRuleSpec,
    RelabelConfig,
} from "../../../components/observability";
import { planStack, PlannedResource, PlanResult } from "../../../plan/plan";
import { promtool } from "../../support/prometheusTools";
import { ofType, one } from "../../support/plan";

const clusterFile = path.resolve(__dirname, "../../../examples/kubernetes/Pulumi.cluster.yaml");
type Upload = { file: string; content: string };

/** Prometheus' relabel_config semantics (action replace, keep, drop) over one series' labels. */
function relabel(labels: Record<string, string>, rules: RelabelConfig[]): Record<string, string> | undefined {
    let out = { ...labels };
    for (const rule of rules) {
        const value = (rule.sourceLabels ?? []).map((l) => out[l] ?? "").join(rule.separator ?? ";");
        const match = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`).exec(value);
        const action = rule.action ?? "replace";
        if (action === "keep" && !match) return undefined;
        if (action === "drop" && match) return undefined;
        if (action === "replace" && match) {
            const replaced = (rule.replacement ?? "$1").replace(/\$(\d+)/g, (_m, i: string) => match[Number(i)] ?? "");
            out = { ...out, [rule.targetLabel!]: replaced };
            if (replaced === "") delete out[rule.targetLabel!];
        }
    }
    return out;
}

describe("observability on Kubernetes: the docker runtime's dashboards, alerts and labels", function () {
    this.timeout(120_000);
    let docker: PlanResult;
    let cluster: PlanResult;
    let grafanaUploads: Upload[];
    let prometheusUploads: Upload[];
    before(async () => {
        docker = await planStack({ stack: "staging", env: { ...process.env, ODOO_PLATFORM_GIT_SHA: "abcdef1" } });
        cluster = await planStack({ stack: "cluster", configFile: clusterFile });
        assert.deepEqual([...docker.errors, ...cluster.errors], []);
        const container = (suffix: string): PlannedResource => {
            const found = docker.resources.find(
                (r) => r.type === "docker:index/container:Container" && r.parent === "observability" && String(r.inputs.name).endsWith(suffix),
            );
            assert.ok(found, `docker staging plans the observability ${suffix}`);
            return found;
        };
        grafanaUploads = container("-grafana").inputs.uploads as Upload[];
        prometheusUploads = container("-prometheus").inputs.uploads as Upload[];
    });

    it("the dashboards ConfigMap holds every dashboard file of the docker runtime's Grafana, byte for byte", () => {
        const configMap = one(cluster, "kubernetes:core/v1:ConfigMap", "addons-dashboards");
        const dockerDashboards = Object.fromEntries(grafanaUploads.filter((u) => u.file.endsWith(".json")).map((u) => [path.basename(u.file), u.content]));
        assert.ok(Object.keys(dockerDashboards).length >= 3, Object.keys(dockerDashboards).join(", "));
        assert.deepEqual(configMap.inputs.data, dockerDashboards);
        for (const [file, content] of Object.entries(configMap.inputs.data as Record<string, string>))
            assert.equal(JSON.parse(content).uid, JSON.parse(dockerDashboards[file]).uid);
    });

    it("the ConfigMap carries the label the kube-prometheus-stack Grafana sidecar loads dashboards by", () => {
        const configMap = one(cluster, "kubernetes:core/v1:ConfigMap", "addons-dashboards");
        const sidecar = one(cluster, "kubernetes:helm.sh/v3:Release", "addons-kube-prometheus-stack").inputs.values.grafana.sidecar.dashboards;
        assert.equal(configMap.inputs.metadata.labels[sidecar.label], sidecar.labelValue);
        assert.deepEqual([sidecar.label, sidecar.labelValue], ["grafana_dashboard", "1"]);
        assert.equal(configMap.inputs.metadata.annotations[sidecar.folderAnnotation], "odoo-platform");
    });

    it("the PrometheusRule has the docker runtime's rule groups: the same alert names, expressions and labels", () => {
        const [rule] = ofType(cluster, "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        const dockerRules = parse(prometheusUploads.find((u) => u.file === prometheusPaths.alertRules)!.content);
        assert.deepEqual(rule.inputs.spec.groups, dockerRules.groups);
        const names = (groups: { rules: { alert: string }[] }[]) => groups.flatMap((g) => g.rules.map((r) => r.alert)).sort();
        assert.deepEqual(
            names(rule.inputs.spec.groups),
            alertRules()
                .map((r) => r.alert)
                .sort(),
        );
        assert.ok(names(rule.inputs.spec.groups).includes("OdooHighErrorRate"));
    });

    it("the PrometheusRule's groups pass promtool check rules", () => {
        const result = promtool((dir) => ["check", "rules", `${dir}/rules.yml`], { "rules.yml": stringify(prometheusRuleSpec(), { lineWidth: 0 }) });
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, new RegExp(`SUCCESS: ${alertRules().length} rules found`));
    });

    it("relabels ingress-nginx's Odoo series into the Traefik names and labels the rules and dashboards query", () => {
        const series = (name: string, namespace: string, extra: Record<string, string> = {}) =>
            relabel(
                { __name__: name, namespace, service: "odoo-http-1a2b3c4d", status: "502", ingress: "odoo-ingress-5e6f7a8b", ...extra },
                ingressOdooRelabel,
            );
        assert.deepEqual(
            { ...series("nginx_ingress_controller_requests", "odoo-staging"), ingress: undefined, service: undefined, status: undefined, namespace: undefined },
            {
                __name__: "traefik_router_requests_total",
                app: "odoo",
                stack: "staging",
                stage: "staging",
                code: "502",
                ingress: undefined,
                service: undefined,
                status: undefined,
                namespace: undefined,
            },
        );
        assert.deepEqual(
            [series("nginx_ingress_controller_request_duration_seconds_bucket", "pr-7", { le: "0.5" })].map((l) => [
                l!.__name__,
                l!.stack,
                l!.stage,
                l!.pr,
                l!.le,
                l!.app,
            ]),
            [["traefik_router_request_duration_seconds_bucket", "pr-7", "pr", "7", "0.5", "odoo"]],
        );
        const branch = series("nginx_ingress_controller_requests", "br-feature-x")!;
        assert.deepEqual([branch.stack, branch.stage, branch.pr], ["br-feature-x", "pr", undefined]);
        // Another Service behind the controller is no Odoo traffic; other metrics keep their names.
        assert.equal(series("nginx_ingress_controller_requests", "odoo-staging", { service: "grafana" })!.app, undefined);
        assert.equal(
            series("nginx_ingress_controller_nginx_process_connections", "ingress-nginx")!.__name__,
            "nginx_ingress_controller_nginx_process_connections",
        );
        // Each label the alert expressions select Odoo requests by is set.
        const odoo = series("nginx_ingress_controller_requests", "odoo-production")!;
        for (const rule of alertRules().filter((r) => r.expr.includes("traefik_router_"))) {
            assert.match(rule.expr, /app="odoo"/, rule.alert);
            for (const label of ["stage", "stack"]) assert.ok(odoo[label], `${rule.alert}: ${label}`);
        }
    });

    it("the relabelling is valid Prometheus configuration (promtool check config)", () => {
        const snake = ingressOdooRelabel.map((r) => ({
            source_labels: r.sourceLabels,
            separator: r.separator,
            regex: r.regex,
            target_label: r.targetLabel,
            replacement: r.replacement,
            action: r.action,
        }));
        const config = stringify({
            scrape_configs: [
                {
                    job_name: "ingress-nginx",
                    static_configs: [{ targets: ["127.0.0.1:10254"] }],
                    honor_labels: true,
                    metric_relabel_configs: JSON.parse(JSON.stringify(snake)),
                },
            ],
        });
        const result = promtool((dir) => ["check", "config", `${dir}/p.yml`], { "p.yml": config });
        assert.equal(result.status, 0, result.output);
    });

    it("the ServiceMonitor scrapes the controller's metrics port with the series' own namespace", () => {
        const monitor = one(cluster, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "addons-ingress-metrics");
        assert.deepEqual(
            monitor.inputs.spec,
            JSON.parse(JSON.stringify(ingressServiceMonitorSpec({ release: "ingress-nginx", namespace: "ingress-nginx", intervalSeconds: 10 }))),
        );
        assert.equal(monitor.inputs.spec.endpoints[0].honorLabels, true);
        const controller = one(cluster, "kubernetes:helm.sh/v3:Release", "addons-ingress-nginx").inputs.values.controller;
        assert.equal(controller.metrics.enabled, true, "the chart renders the metrics Service the ServiceMonitor selects");
        assert.equal(controller.metrics.serviceMonitor.enabled, false, "one ServiceMonitor, ours, with the relabelling");
    });

    it("dashboardConfigMapData leaves the deployments dashboard out without an evidence data source, as the docker runtime does", () => {
        assert.ok(!("deployments.json" in dashboardConfigMapData({ evidence: false, slowQueryMs: 500 })));
        assert.ok("deployments.json" in dashboardConfigMapData({ evidence: true, slowQueryMs: 500 }));
    });
});
