/**
 * The shared cluster stack's program (the stack named `cluster`, config/cluster.ts): the add-ons
 * every environment stack on the cluster uses, installed once (components/ClusterAddons.ts). Deploy
 * it before any environment stack of the cluster; see docs/architecture/KUBERNETES.md.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAddons } from "./components/ClusterAddons";
import { loadClusterSettings } from "./config/pulumi";

const cfg = loadClusterSettings();
const s = cfg.settings;
const provider = new k8s.Provider("kubernetes", {
    kubeconfig: s.kubeconfig === undefined ? undefined : pulumi.secret(s.kubeconfig),
    context: s.kubernetesContext,
    // Every object names its namespace (the environment stacks' provider does the same).
    namespace: undefined,
    enableServerSideApply: true,
});

const addons = new ClusterAddons(
    "addons",
    {
        labels: cfg.labels,
        ingress: { className: s.ingressClass, replicas: s.ingressReplicas },
        tls: {
            issuer: s.certIssuer,
            acmeEmail: s.acmeEmail,
            acmeServer: s.acmeServer,
            zone: s.domain,
            // The PR hosts' parent domain (config/naming.ts environmentNames: pr-<n>-<slug>.dev.<domain>).
            prParentDomain: `dev.${s.domain}`,
            cloudflareApiToken: pulumi.secret(s.cloudflareApiToken),
        },
        observability: s.observability
            ? {
                  scrapeIntervalSeconds: s.metricsScrapeSeconds,
                  metricsRetentionDays: s.metricsRetentionDays,
                  logRetentionDays: s.logRetentionDays,
                  storageClass: s.monitoringStorageClass,
                  prometheusStorageGb: 50,
                  lokiStorageGb: 50,
                  slowQueryMs: s.slowQueryMs,
              }
            : undefined,
        versions: {
            ingressNginx: s.ingressNginxChartVersion,
            certManager: s.certManagerChartVersion,
            kubePrometheusStack: s.kubePrometheusStackChartVersion,
            loki: s.lokiChartVersion,
            alloy: s.alloyChartVersion,
        },
    },
    { providers: { kubernetes: provider } },
);

export const stackName = cfg.stack;
/** What the environment stacks set as odoo-platform:ingressClass and odoo-platform:certIssuer. */
export const ingressClass = addons.ingressClass;
export const certIssuer = addons.certIssuer;
export const wildcardCertificate = addons.wildcardCertificate;
export const monitoringNamespace = addons.monitoringNamespace ?? null;
