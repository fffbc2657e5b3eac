/**
 * The cluster's shared add-ons, installed once by the `cluster` stack from their upstream Helm
 * charts (kubernetes.helm.v3.Release; components/clusterCharts.ts builds every value): the
 * ingress-nginx controller, cert-manager with its CRDs, the Cloudflare DNS-01 ClusterIssuer and the
 * wildcard Certificate of the PR hosts (the controller's default certificate), and, with
 * observability, kube-prometheus-stack, Loki and the Alloy DaemonSet shipping our pods' logs to it. The environment stacks own none of these: they
 * name the ingress class and the issuer by config (odoo-platform:ingressClass, certIssuer).
 *
 * helm.v3.Release: https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    addonNamespaces,
    AddonChart,
    alloyValues,
    certManagerValues,
    chartSource,
    cloudflareTokenSecret,
    cloudflareTokenSecretData,
    clusterIssuerSpec,
    ingressNginxValues,
    kubePrometheusStackValues,
    lokiUrl,
    lokiValues,
    wildcardCertificateSpec,
    wildcardSecretName,
} from "./clusterCharts";
import { objectLabels } from "./kubernetesObjects";
import {
    dashboardConfigMapData,
    grafanaDashboardLabel,
    grafanaFolderAnnotation,
    ingressServiceMonitorSpec,
    prometheusRuleSpec,
} from "./observability/kubernetes";

export interface ClusterAddonsArgs {
    labels: Record<string, string>;
    ingress: { className: string; replicas: number };
    tls: {
        issuer: string;
        acmeEmail: string;
        acmeServer: string;
        /** The DNS zone the issuer solves DNS-01 in (the domain). */
        zone: string;
        /** Parent domain of the PR hosts: the wildcard certificate covers `*.<prParentDomain>`. */
        prParentDomain: string;
        /** A Pulumi secret: the Cloudflare API token (Zone:DNS:Edit). */
        cloudflareApiToken: pulumi.Input<string>;
    };
    /** kube-prometheus-stack, Loki and Alloy; none when undefined. */
    observability?: {
        scrapeIntervalSeconds: number;
        metricsRetentionDays: number;
        logRetentionDays: number;
        storageClass?: string;
        prometheusStorageGb: number;
        lokiStorageGb: number;
        /** PostgreSQL's log_min_duration_statement, shown in the dashboards' titles (as the docker runtime's). */
        slowQueryMs: number;
    };
    /** Exact chart versions. */
    versions: Record<AddonChart, string>;
}

/** Release names: fixed, since a Release's name and namespace are what the provider replaces it for. */
export const releaseNames: Record<AddonChart, string> = {
    ingressNginx: "ingress-nginx",
    certManager: "cert-manager",
    kubePrometheusStack: "kube-prometheus-stack",
    loki: "loki",
    alloy: "alloy",
};

/** The charts installed only with observability. */
const observabilityCharts: readonly AddonChart[] = ["kubePrometheusStack", "loki", "alloy"];

export class ClusterAddons extends pulumi.ComponentResource {
    public readonly ingressClass: string;
    public readonly certIssuer: string;
    /** `<namespace>/<secret>` of the wildcard certificate the controller serves for PR hosts. */
    public readonly wildcardCertificate: string;
    public readonly monitoringNamespace?: pulumi.Output<string>;

    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): refused args register nothing, not even the component.
        validateArgs(args);
        super("odoo-platform:kubernetes:ClusterAddons", name, {}, opts);
        const metrics = args.observability !== undefined;
        const namespace = (key: keyof typeof addonNamespaces) =>
            new k8s.core.v1.Namespace(
                `${name}-namespace-${addonNamespaces[key]}`,
                { metadata: { name: addonNamespaces[key], labels: objectLabels(args.labels, "cluster-addon") } },
                { parent: this },
            );
        const release = (chart: AddonChart, ns: k8s.core.v1.Namespace, values: object, dependsOn: pulumi.Resource[] = []) => {
            const source = chartSource(chart, args.versions[chart]);
            return new k8s.helm.v3.Release(
                `${name}-${releaseNames[chart]}`,
                {
                    name: releaseNames[chart],
                    namespace: ns.metadata.name,
                    chart: source.chart,
                    version: source.version,
                    repositoryOpts: { repo: source.repository },
                    values,
                    // A failed upgrade rolls back, and what it created is removed.
                    atomic: true,
                    cleanupOnFail: true,
                    timeout: 900,
                    maxHistory: 10,
                },
                { parent: this, dependsOn: [ns, ...dependsOn] },
            );
        };

        const monitoringNs = metrics ? namespace("monitoring") : undefined;
        // The ServiceMonitor CRD is kube-prometheus-stack's: the charts that ask for a ServiceMonitor come after it.
        const prometheus = monitoringNs
            ? release(
                  "kubePrometheusStack",
                  monitoringNs,
                  kubePrometheusStackValues({
                      scrapeIntervalSeconds: args.observability!.scrapeIntervalSeconds,
                      retentionDays: args.observability!.metricsRetentionDays,
                      storageClass: args.observability!.storageClass,
                      storageGb: args.observability!.prometheusStorageGb,
                      lokiUrl: lokiUrl(releaseNames.loki),
                  }),
              )
            : undefined;
        const afterPrometheus = prometheus ? [prometheus] : [];
        if (monitoringNs) {
            const loki = release(
                "loki",
                monitoringNs,
                lokiValues({
                    retentionDays: args.observability!.logRetentionDays,
                    storageClass: args.observability!.storageClass,
                    storageGb: args.observability!.lokiStorageGb,
                }),
                afterPrometheus,
            );
            // After Loki: the DaemonSet pushes to its gateway from the first line it reads.
            release("alloy", monitoringNs, alloyValues({ lokiRelease: releaseNames.loki }), [...afterPrometheus, loki]);
        }

        const certNs = namespace("certManager");
        const certManager = release("certManager", certNs, certManagerValues({ metrics }), afterPrometheus);
        const token = new k8s.core.v1.Secret(
            `${name}-cloudflare-token`,
            {
                metadata: { name: cloudflareTokenSecret.name, namespace: certNs.metadata.name, labels: objectLabels(args.labels, "cluster-addon") },
                type: "Opaque",
                stringData: cloudflareTokenSecretData(pulumi.secret(args.tls.cloudflareApiToken)),
            },
            { parent: this, dependsOn: [certNs] },
        );
        // The ClusterIssuer and Certificate kinds exist once cert-manager's chart has installed its CRDs.
        const issuer = new k8s.apiextensions.CustomResource(
            `${name}-issuer`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: args.tls.issuer, labels: objectLabels(args.labels, "cluster-addon") },
                spec: clusterIssuerSpec({ name: args.tls.issuer, email: args.tls.acmeEmail, server: args.tls.acmeServer, zone: args.tls.zone }),
            },
            { parent: this, dependsOn: [certManager, token] },
        );

        const ingressNs = namespace("ingress");
        new k8s.apiextensions.CustomResource(
            `${name}-pr-wildcard`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: { name: "pr-wildcard", namespace: ingressNs.metadata.name, labels: objectLabels(args.labels, "cluster-addon") },
                spec: wildcardCertificateSpec({ issuer: args.tls.issuer, parentDomain: args.tls.prParentDomain }),
            },
            { parent: this, dependsOn: [issuer, ingressNs] },
        );
        release(
            "ingressNginx",
            ingressNs,
            ingressNginxValues({ className: args.ingress.className, replicas: args.ingress.replicas, metrics }),
            afterPrometheus,
        );

        if (monitoringNs && prometheus) {
            // The docker runtime's dashboards and alerts (components/observability/kubernetes.ts); the kinds
            // PrometheusRule and ServiceMonitor are kube-prometheus-stack's CRDs.
            const meta = (objectName: string, extra: Record<string, string> = {}) => ({
                name: objectName,
                namespace: monitoringNs.metadata.name,
                labels: { ...objectLabels(args.labels, "observability"), ...extra },
            });
            new k8s.core.v1.ConfigMap(
                `${name}-dashboards`,
                {
                    metadata: {
                        ...meta("odoo-platform-dashboards", { [grafanaDashboardLabel.key]: grafanaDashboardLabel.value }),
                        annotations: { [grafanaFolderAnnotation.key]: grafanaFolderAnnotation.value },
                    },
                    // No evidence data source in the cluster's Grafana: the docker runtime's dashboards without it.
                    data: dashboardConfigMapData({ evidence: false, slowQueryMs: args.observability!.slowQueryMs }),
                },
                { parent: this, dependsOn: [monitoringNs] },
            );
            new k8s.apiextensions.CustomResource(
                `${name}-alerts`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: meta("odoo-platform"),
                    spec: prometheusRuleSpec(),
                },
                { parent: this, dependsOn: [prometheus] },
            );
            new k8s.apiextensions.CustomResource(
                `${name}-ingress-metrics`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: meta("ingress-nginx-odoo"),
                    spec: ingressServiceMonitorSpec({
                        release: releaseNames.ingressNginx,
                        namespace: addonNamespaces.ingress,
                        intervalSeconds: args.observability!.scrapeIntervalSeconds,
                    }),
                },
                { parent: this, dependsOn: [prometheus] },
            );
        }

        this.ingressClass = args.ingress.className;
        this.certIssuer = args.tls.issuer;
        this.wildcardCertificate = `${addonNamespaces.ingress}/${wildcardSecretName}`;
        this.monitoringNamespace = monitoringNs?.metadata.name;
        this.registerOutputs({
            ingressClass: this.ingressClass,
            certIssuer: this.certIssuer,
            wildcardCertificate: this.wildcardCertificate,
            monitoringNamespace: this.monitoringNamespace,
        });
    }
}

function validateArgs(args: ClusterAddonsArgs): void {
    const fail = (field: string, why: string) => {
        throw new Error(`ClusterAddons: args.${field} ${why}`);
    };
    const name = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
    if (!args.labels?.["odoo-platform.stack"]) fail("labels", "must carry the stack label odoo-platform.stack");
    if (!name.test(args.ingress?.className ?? "")) fail("ingress.className", `must be an IngressClass name, got "${args.ingress?.className}"`);
    if (!Number.isInteger(args.ingress.replicas) || args.ingress.replicas < 1)
        fail("ingress.replicas", `must be a whole number of at least 1, got ${args.ingress.replicas}`);
    if (!name.test(args.tls?.issuer ?? "")) fail("tls.issuer", `must be a ClusterIssuer name, got "${args.tls?.issuer}"`);
    if (!/^[^@\s]+@[^@\s]+$/.test(args.tls.acmeEmail ?? "")) fail("tls.acmeEmail", `must be an e-mail address, got "${args.tls.acmeEmail}"`);
    if (!args.tls.prParentDomain?.endsWith(`.${args.tls.zone}`) && args.tls.prParentDomain !== args.tls.zone) {
        fail("tls.prParentDomain", `must be inside the zone ${args.tls.zone} the issuer solves DNS-01 in, got "${args.tls.prParentDomain}"`);
    }
    if (args.tls.cloudflareApiToken === undefined || args.tls.cloudflareApiToken === "")
        fail("tls.cloudflareApiToken", "is required: cert-manager solves DNS-01 with it");
    for (const chart of Object.keys(releaseNames) as AddonChart[]) {
        if (observabilityCharts.includes(chart) && !args.observability) continue;
        try {
            chartSource(chart, args.versions?.[chart] ?? "");
        } catch (err) {
            fail(`versions.${chart}`, (err as Error).message);
        }
    }
}
