/**
 * The shared cluster add-ons' builders (components/clusterCharts.ts) and ClusterAddons built from
 * its own args under the mock runtime, not from a stack.
 */
import * as assert from "node:assert/strict";
import { ClusterAddons, ClusterAddonsArgs, releaseNames } from "../../components/ClusterAddons";
import {
    addonNamespaces,
    alloyValues,
    chartSource,
    cloudflareTokenSecret,
    clusterIssuerSpec,
    ingressNginxValues,
    kubePrometheusStackValues,
    lokiPushUrl,
    lokiValues,
    wildcardCertificateSpec,
    wildcardSecretName,
} from "../../components/clusterCharts";
import { ingressAnnotations } from "../../components/kubernetesObjects";
import { ingressControllerNamespace } from "../../components/kubernetesNamespace";
import { datasourceUids, kubernetesAlloyConfig } from "../../components/observability";
import { runUnderMocks } from "../../plan/mockRuntime";
import { failureOf } from "../support/component";
import { schemaProblems } from "../support/kubernetesModels";

/** A loosely typed view of a built object, for reading nested fields in assertions. */
type Loose = { [key: string]: Loose; [index: number]: Loose };
const loose = (value: unknown): Loose => value as Loose;

const args = (over: Partial<ClusterAddonsArgs> = {}): ClusterAddonsArgs => ({
    labels: { "odoo-platform.stack": "cluster" },
    ingress: { className: "nginx", replicas: 2 },
    tls: {
        issuer: "letsencrypt-cloudflare",
        acmeEmail: "ops@example.com",
        acmeServer: "https://acme-v02.api.letsencrypt.org/directory",
        zone: "example.com",
        prParentDomain: "dev.example.com",
        cloudflareApiToken: "token",
    },
    versions: { ingressNginx: "4.12.1", certManager: "v1.17.2", kubePrometheusStack: "70.4.2", loki: "6.29.0", alloy: "1.11.1" },
    ...over,
});
const observability: ClusterAddonsArgs["observability"] = {
    scrapeIntervalSeconds: 10,
    metricsRetentionDays: 15,
    logRetentionDays: 31,
    prometheusStorageGb: 50,
    lokiStorageGb: 50,
    slowQueryMs: 500,
};
const build = (a: ClusterAddonsArgs) =>
    runUnderMocks({ project: "odoo-platform", stack: "cluster", config: {}, secretKeys: [], program: () => new ClusterAddons("addons", a) });

describe("cluster add-on builders", () => {
    it("pins each chart to an exact version from its upstream repository, and refuses a range", () => {
        assert.deepEqual(chartSource("certManager", "v1.17.2"), { chart: "cert-manager", repository: "https://charts.jetstack.io", version: "v1.17.2" });
        for (const bad of ["^4.12.0", "4.x", "latest", "4.12"]) assert.throws(() => chartSource("ingressNginx", bad), /must be exact/);
    });

    it("the ClusterIssuer: ACME over https, DNS-01 through Cloudflare in the zone, the token by Secret reference; valid against cert-manager's CRD", async () => {
        const spec = loose(clusterIssuerSpec({ name: "le", email: "ops@example.com", server: "https://acme.example/dir", zone: "example.com" }));
        assert.deepEqual(spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef, { name: cloudflareTokenSecret.name, key: cloudflareTokenSecret.key });
        assert.deepEqual(spec.acme.solvers[0].selector.dnsZones, ["example.com"]);
        assert.deepEqual(Object.keys(spec.acme.solvers[0].dns01.cloudflare), ["apiTokenSecretRef"], "only the reference: no global API key, no token value");
        assert.deepEqual(await schemaProblems("cert-manager.io/v1:ClusterIssuer", { spec }), []);
        assert.throws(() => clusterIssuerSpec({ name: "le", email: "a@b", server: "http://acme.example", zone: "example.com" }), /https URL/);
    });

    it("the wildcard Certificate covers *.<parent> into the Secret the controller serves by default; valid against the CRD", async () => {
        const spec = loose(wildcardCertificateSpec({ issuer: "le", parentDomain: "dev.example.com" }));
        assert.deepEqual(spec.dnsNames, ["*.dev.example.com"]);
        assert.equal(spec.secretName, wildcardSecretName);
        assert.equal(
            ingressNginxValues({ className: "nginx", replicas: 2, metrics: true }).controller.extraArgs["default-ssl-certificate"],
            `${addonNamespaces.ingress}/${wildcardSecretName}`,
        );
        assert.deepEqual(await schemaProblems("cert-manager.io/v1:Certificate", { spec }), []);
    });

    it("ingress-nginx runs in the namespace PR NetworkPolicies admit, and allows the snippet the Odoo Ingress uses", () => {
        assert.equal(addonNamespaces.ingress, ingressControllerNamespace);
        const values = ingressNginxValues({ className: "nginx", replicas: 3, metrics: false });
        assert.ok(Object.keys(ingressAnnotations({ className: "nginx", noIndex: true })).includes("nginx.ingress.kubernetes.io/configuration-snippet"));
        assert.equal(values.controller.allowSnippetAnnotations, true);
        assert.equal(values.controller.config["annotations-risk-level"], "Critical");
        assert.equal(values.controller.replicaCount, 3);
        assert.equal(values.controller.ingressClassResource.name, "nginx");
    });

    it("kube-prometheus-stack selects every rule and monitor, keeps the retention, and names the data sources as the dashboards do", () => {
        const v = kubePrometheusStackValues({ scrapeIntervalSeconds: 5, retentionDays: 20, storageGb: 10, lokiUrl: "http://loki" });
        const p = v.prometheus.prometheusSpec;
        assert.deepEqual(
            [p.ruleSelectorNilUsesHelmValues, p.serviceMonitorSelectorNilUsesHelmValues, p.podMonitorSelectorNilUsesHelmValues],
            [false, false, false],
        );
        assert.deepEqual([p.scrapeInterval, p.retention], ["5s", "20d"]);
        assert.equal(v.grafana.sidecar.datasources.uid, datasourceUids.prometheus);
        assert.equal(v.grafana.additionalDataSources[0].uid, datasourceUids.loki);
    });

    it("Loki runs as one binary on its volume and deletes logs after the retention", () => {
        const v = lokiValues({ retentionDays: 31, storageGb: 20, storageClass: "gp3" });
        assert.equal(v.loki.limits_config.retention_period, "744h");
        assert.equal(v.loki.compactor.retention_enabled, true);
        assert.deepEqual([v.singleBinary.replicas, v.loki.commonConfig.replication_factor], [1, 1]);
    });

    it("Alloy runs on every node (DaemonSet) with the Kubernetes pipeline pushing to the Loki release, and no host mount", () => {
        const v = alloyValues({ lokiRelease: releaseNames.loki });
        assert.equal(v.controller.type, "daemonset");
        assert.equal(v.alloy.configMap.content, kubernetesAlloyConfig({ lokiPushUrl: lokiPushUrl(releaseNames.loki) }));
        assert.ok(v.alloy.configMap.content.includes(`url = "http://loki-gateway.${addonNamespaces.monitoring}.svc.cluster.local/loki/api/v1/push"`));
        assert.deepEqual(v.alloy.mounts, { varlog: false, dockercontainers: false });
        for (const r of [v.alloy.resources, v.configReloader.resources]) assert.ok(r.limits.cpu && r.limits.memory, "every container has limits");
    });
});

describe("ClusterAddons from its own args", function () {
    this.timeout(60_000);

    it("creates the releases, issuer, certificate and token Secret; the observability objects only with observability", async () => {
        const bare = await build(args());
        const types = (r: { type: string }[]) => r.map((x) => x.type.split(":").pop()).sort();
        assert.deepEqual(types(bare.resources.filter((r) => r.custom)), [
            "Certificate",
            "ClusterIssuer",
            "Namespace",
            "Namespace",
            "Release",
            "Release",
            "Secret",
        ]);
        const full = await build(args({ observability }));
        const kinds = types(full.resources.filter((r) => r.custom));
        for (const kind of ["ConfigMap", "PrometheusRule", "ServiceMonitor"]) assert.ok(kinds.includes(kind), kinds.join(", "));
        const releases = full.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
        assert.equal(releases.length, 5);
        assert.ok(!bare.resources.some((r) => r.name === "addons-alloy"), "no log shipper without observability");
        const alloy = loose(releases.find((r) => r.name === "addons-alloy")!);
        assert.deepEqual(
            [alloy.inputs.chart, alloy.inputs.version, alloy.inputs.repositoryOpts.repo, alloy.inputs.namespace],
            ["alloy", "1.11.1", "https://grafana.github.io/helm-charts", addonNamespaces.monitoring],
        );
        assert.equal(alloy.inputs.values.controller.type, "daemonset");
        const after = releases.find((r) => r.name === "addons-alloy")!.dependencies;
        for (const dep of ["addons-loki", "addons-kube-prometheus-stack"])
            assert.ok(
                after.some((urn) => urn.endsWith(`::${dep}`)),
                after.join(", "),
            );
    });

    it("refuses bad args before creating anything (not even the component), naming the field", async () => {
        const cases: [Partial<ClusterAddonsArgs>, RegExp][] = [
            [{ ingress: { className: "Nginx!", replicas: 2 } }, /args\.ingress\.className/],
            [{ ingress: { className: "nginx", replicas: 0 } }, /args\.ingress\.replicas/],
            [{ tls: { ...args().tls, prParentDomain: "dev.other.org" } }, /args\.tls\.prParentDomain must be inside the zone example\.com/],
            [{ tls: { ...args().tls, cloudflareApiToken: "" } }, /args\.tls\.cloudflareApiToken/],
            [{ versions: { ...args().versions, certManager: "~1.17" } }, /args\.versions\.certManager/],
            [{ observability, versions: { ...args().versions, alloy: "1.x" } }, /args\.versions\.alloy/],
        ];
        for (const [over, message] of cases) {
            const failure = await failureOf(() => new ClusterAddons("addons", args(over)));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `${message}: nothing is created`);
        }
    });
});
