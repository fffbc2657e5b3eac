/**
 * The shared cluster add-ons as pure builders (components/ClusterAddons.ts only creates them): the
 * upstream Helm charts with pinned versions and typed values, cert-manager's ClusterIssuer and the
 * PR wildcard Certificate. Installed once per cluster by the `cluster` stack; the environment stacks
 * name the ingress class and the issuer by config (odoo-platform:ingressClass, certIssuer).
 *
 * Sources of the values used here:
 *   ingress-nginx   https://kubernetes.github.io/ingress-nginx (chart values.yaml): controller.ingressClassResource,
 *                   controller.extraArgs (the controller's --default-ssl-certificate <namespace>/<secret> serves every
 *                   host of an Ingress whose TLS entry names no secret: the PR hosts), controller.allowSnippetAnnotations
 *                   and controller.config.annotations-risk-level (off / High by default since controller 1.12: the
 *                   X-Robots-Tag snippet of components/kubernetesObjects.ts ingressAnnotations needs both),
 *                   controller.metrics.serviceMonitor
 *   cert-manager    https://cert-manager.io/docs/installation/helm/ (crds.enabled, crds.keep since v1.15);
 *                   https://cert-manager.io/docs/configuration/acme/dns01/cloudflare/ (apiTokenSecretRef; a
 *                   ClusterIssuer reads its Secret from the cluster resource namespace, cert-manager's own)
 *   kube-prometheus-stack  https://github.com/prometheus-community/helm-charts charts/kube-prometheus-stack values.yaml:
 *                   prometheus.prometheusSpec.*SelectorNilUsesHelmValues (false: select every PrometheusRule /
 *                   ServiceMonitor / PodMonitor, not only those labelled `release: <release>`), grafana.sidecar.dashboards
 *                   (label grafana_dashboard, value "1", searchNamespace ALL), grafana.additionalDataSources
 *   loki            https://grafana.com/docs/loki/latest/setup/install/helm/install-monolithic/ (deploymentMode
 *                   SingleBinary, replication_factor 1, filesystem storage, read/write/backend replicas 0)
 *   alloy           https://github.com/grafana/alloy operations/helm/charts/alloy/values.yaml at tag helm-chart/1.11.1
 *                   (published to https://grafana.github.io/helm-charts: its index.yaml lists alloy 1.11.1, Alloy v1.18.1):
 *                   controller.type daemonset, alloy.configMap.content, alloy.mounts.varlog / dockercontainers
 *                   (false: loki.source.kubernetes reads through the API, the chart's ClusterRole grants pods/log),
 *                   alloy.enableReporting, alloy.resources, configReloader.resources, crds.create (the PodLogs CRD,
 *                   unused), serviceMonitor.enabled; templates/containers/_agent.yaml sets HOSTNAME to spec.nodeName
 */
import type * as Input from "@pulumi/kubernetes/types/input";
import { ingressControllerNamespace } from "./kubernetesNamespace";
import { kubernetesAlloyConfig } from "./observability/alloy";
import { datasourceUids } from "./observability/dashboards";
import { grafanaDashboardLabel, grafanaFolderAnnotation } from "./observability/kubernetes";

/** One upstream chart: where it comes from and the exact version installed. */
export interface ChartSource {
    chart: string;
    repository: string;
    version: string;
}

/**
 * The default versions (config/schema.ts clusterConfigKeys) checked against the upstream sources (December 2026;
 * every one is a published release, none needed fixing; newer ones exist):
 *   ingress-nginx 4.12.1          kubernetes/ingress-nginx: tag helm-chart-4.12.1, charts/ingress-nginx/Chart.yaml there
 *                                 version 4.12.1 (controller 1.12.1); the gh-pages index.yaml served as the repository
 *                                 lists it (created 2025-03-25).
 *   cert-manager v1.17.2          cert-manager/cert-manager: release tag v1.17.2 (2025-04-22); make/manifests.mk sets the
 *                                 chart's version and appVersion to the release version (Chart.template.yaml has v0.0.0).
 *                                 The charts.jetstack.io index itself was not read.
 *   kube-prometheus-stack 70.4.2  prometheus-community/helm-charts: tag kube-prometheus-stack-70.4.2, Chart.yaml there
 *                                 version 70.4.2 (operator v0.81.0); the gh-pages index.yaml was too large to read.
 *   loki 6.29.0                   grafana/helm-charts gh-pages index.yaml: loki 6.29.0 (Loki 3.4.2, created 2025-03-26).
 *   alloy 1.11.1                  the same index: alloy 1.11.1 (Alloy v1.18.1, created 2026-08-06); grafana/alloy tag
 *                                 helm-chart/1.11.1.
 */
export const chartRepositories = {
    ingressNginx: { chart: "ingress-nginx", repository: "https://kubernetes.github.io/ingress-nginx" },
    certManager: { chart: "cert-manager", repository: "https://charts.jetstack.io" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", repository: "https://prometheus-community.github.io/helm-charts" },
    loki: { chart: "loki", repository: "https://grafana.github.io/helm-charts" },
    alloy: { chart: "alloy", repository: "https://grafana.github.io/helm-charts" },
} as const;
export type AddonChart = keyof typeof chartRepositories;

/**
 * The namespaces the add-ons live in (fixed: the environment stacks name them; a PR namespace's
 * NetworkPolicy admits traffic from the ingress controller's namespace, components/kubernetesNamespace.ts).
 */
export const addonNamespaces = { ingress: ingressControllerNamespace, certManager: "cert-manager", monitoring: "monitoring" } as const;

/** The Secret the wildcard Certificate writes and the ingress controller serves as its default certificate. */
export const wildcardSecretName = "pr-wildcard-tls";
/** The Secret holding the Cloudflare API token, and its key. */
export const cloudflareTokenSecret = { name: "cloudflare-api-token", key: "api-token" } as const;

/** An exact chart version: the harness and `helm upgrade` see a chart change only when this changes. */
export function chartSource(chart: AddonChart, version: string): ChartSource {
    if (!/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`the ${chart} chart version must be exact (such as 4.12.1), got "${version}"`);
    return { ...chartRepositories[chart], version };
}

type Quantity = { cpu: string; memory: string };
export interface ContainerResourceValues {
    requests: Quantity;
    limits: Quantity;
}

export interface IngressNginxValues {
    controller: {
        replicaCount: number;
        ingressClass: string;
        ingressClassResource: { name: string; enabled: boolean; default: boolean; controllerValue: string };
        extraArgs: { "default-ssl-certificate": string };
        allowSnippetAnnotations: boolean;
        config: Record<string, string>;
        service: { type: "LoadBalancer"; externalTrafficPolicy: "Local" | "Cluster" };
        resources: ContainerResourceValues;
        minAvailable: number;
        metrics: { enabled: boolean; serviceMonitor: { enabled: boolean } };
    };
}

export function ingressNginxValues(input: { className: string; replicas: number; metrics: boolean }): IngressNginxValues {
    return {
        controller: {
            replicaCount: input.replicas,
            ingressClass: input.className,
            ingressClassResource: {
                name: input.className,
                enabled: true,
                default: false,
                controllerValue: `k8s.io/${input.className === "nginx" ? "ingress-nginx" : input.className}`,
            },
            extraArgs: { "default-ssl-certificate": `${addonNamespaces.ingress}/${wildcardSecretName}` },
            // The X-Robots-Tag header of non-production hosts is a configuration snippet (components/kubernetesObjects.ts).
            allowSnippetAnnotations: true,
            config: {
                "annotations-risk-level": "Critical",
                // As the Odoo Ingress's own annotations: long reports and imports.
                "proxy-body-size": "128m",
            },
            // Local: the controller sees the client's address (Odoo's proxy_mode reads X-Forwarded-For).
            service: { type: "LoadBalancer", externalTrafficPolicy: "Local" },
            resources: { requests: { cpu: "100m", memory: "192Mi" }, limits: { cpu: "1", memory: "512Mi" } },
            // The chart's PodDisruptionBudget (rendered when replicaCount > 1): one controller stays through a drain.
            minAvailable: 1,
            // The metrics Service only: components/ClusterAddons.ts creates the ServiceMonitor, with the relabelling
            // that names the Odoo series as the docker runtime's (components/observability/kubernetes.ts).
            metrics: { enabled: input.metrics, serviceMonitor: { enabled: false } },
        },
    };
}

export interface CertManagerValues {
    crds: { enabled: boolean; keep: boolean };
    /** DNS-01 self-checks ask public resolvers, not the cluster's DNS (which may serve a split-horizon zone). */
    dns01RecursiveNameservers: string;
    dns01RecursiveNameserversOnly: boolean;
    resources: ContainerResourceValues;
    prometheus: { enabled: boolean; servicemonitor: { enabled: boolean } };
}

export function certManagerValues(input: { metrics: boolean }): CertManagerValues {
    return {
        // The CRDs are the chart's: installed and upgraded with it, kept when the release is uninstalled
        // (deleting them would delete every Certificate of the cluster).
        crds: { enabled: true, keep: true },
        dns01RecursiveNameservers: "1.1.1.1:53,8.8.8.8:53",
        dns01RecursiveNameserversOnly: true,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        prometheus: { enabled: input.metrics, servicemonitor: { enabled: input.metrics } },
    };
}

export interface IssuerInput {
    name: string;
    email: string;
    server: string;
    /** The DNS zone DNS-01 is solved in (the domain). */
    zone: string;
}

/** The ClusterIssuer (cert-manager.io/v1): ACME with the Cloudflare DNS-01 solver, the token from a Secret. */
export function clusterIssuerSpec(input: IssuerInput): Record<string, unknown> {
    if (!/^https:\/\//.test(input.server)) throw new Error(`the ACME server must be an https URL, got "${input.server}"`);
    return {
        acme: {
            email: input.email,
            server: input.server,
            privateKeySecretRef: { name: `${input.name}-account-key` },
            solvers: [
                {
                    selector: { dnsZones: [input.zone] },
                    dns01: { cloudflare: { apiTokenSecretRef: { name: cloudflareTokenSecret.name, key: cloudflareTokenSecret.key } } },
                },
            ],
        },
    };
}

/** The wildcard Certificate of the PR hosts (`*.dev.<domain>`), one for every PR environment. */
export function wildcardCertificateSpec(input: { issuer: string; parentDomain: string }): Record<string, unknown> {
    return {
        secretName: wildcardSecretName,
        dnsNames: [`*.${input.parentDomain}`],
        issuerRef: { name: input.issuer, kind: "ClusterIssuer", group: "cert-manager.io" },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        // Renewed 30 days before the 90 days of a Let's Encrypt certificate run out.
        renewBefore: "720h",
    };
}

/** The Secret of the Cloudflare token: `stringData` only, the value handed in as a Pulumi secret. */
export function cloudflareTokenSecretData<T>(token: T): Record<string, T> {
    return { [cloudflareTokenSecret.key]: token };
}

export interface KubePrometheusStackValues {
    prometheus: {
        prometheusSpec: {
            scrapeInterval: string;
            evaluationInterval: string;
            retention: string;
            ruleSelectorNilUsesHelmValues: boolean;
            serviceMonitorSelectorNilUsesHelmValues: boolean;
            podMonitorSelectorNilUsesHelmValues: boolean;
            resources: ContainerResourceValues;
            storageSpec?: { volumeClaimTemplate: { spec: Input.core.v1.PersistentVolumeClaimSpec } };
        };
    };
    grafana: {
        sidecar: {
            dashboards: {
                enabled: boolean;
                label: string;
                labelValue: string;
                searchNamespace: string;
                folderAnnotation: string;
                provider: { foldersFromFilesStructure: boolean };
            };
            datasources: { enabled: boolean; uid: string };
        };
        additionalDataSources: { name: string; type: string; uid: string; url: string; access: "proxy" }[];
    };
    alertmanager: { enabled: boolean };
}

export function kubePrometheusStackValues(input: {
    scrapeIntervalSeconds: number;
    retentionDays: number;
    storageClass?: string;
    storageGb: number;
    lokiUrl: string;
}): KubePrometheusStackValues {
    const interval = `${input.scrapeIntervalSeconds}s`;
    return {
        prometheus: {
            prometheusSpec: {
                scrapeInterval: interval,
                evaluationInterval: interval,
                retention: `${input.retentionDays}d`,
                // Every PrometheusRule, ServiceMonitor and PodMonitor of the cluster, whichever stack made it.
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
                storageSpec: {
                    volumeClaimTemplate: {
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: input.storageClass,
                            resources: { requests: { storage: `${input.storageGb}Gi` } },
                        },
                    },
                },
            },
        },
        grafana: {
            sidecar: {
                dashboards: {
                    enabled: true,
                    label: grafanaDashboardLabel.key,
                    labelValue: grafanaDashboardLabel.value,
                    // The environments' dashboard ConfigMaps live in their own namespaces.
                    searchNamespace: "ALL",
                    folderAnnotation: grafanaFolderAnnotation.key,
                    provider: { foldersFromFilesStructure: true },
                },
                // The dashboards query the data source by uid, as the docker runtime's Grafana provisions it.
                datasources: { enabled: true, uid: datasourceUids.prometheus },
            },
            // Loki with the uid the dashboards name.
            additionalDataSources: [{ name: "Loki", type: "loki", uid: datasourceUids.loki, url: input.lokiUrl, access: "proxy" }],
        },
        alertmanager: { enabled: true },
    };
}

export interface LokiValues {
    deploymentMode: "SingleBinary";
    loki: {
        auth_enabled: boolean;
        commonConfig: { replication_factor: number };
        storage: { type: "filesystem" };
        schemaConfig: { configs: { from: string; store: "tsdb"; object_store: "filesystem"; schema: "v13"; index: { prefix: string; period: "24h" } }[] };
        limits_config: { retention_period: string };
        compactor: { retention_enabled: boolean; delete_request_store: "filesystem" };
    };
    singleBinary: { replicas: number; persistence: { size: string; storageClass?: string }; resources: ContainerResourceValues };
    read: { replicas: 0 };
    write: { replicas: 0 };
    backend: { replicas: 0 };
    monitoring: { serviceMonitor: { enabled: boolean } };
}

export function lokiValues(input: { retentionDays: number; storageClass?: string; storageGb: number }): LokiValues {
    return {
        deploymentMode: "SingleBinary",
        loki: {
            auth_enabled: false,
            commonConfig: { replication_factor: 1 },
            storage: { type: "filesystem" },
            schemaConfig: {
                configs: [{ from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }],
            },
            // As the docker runtime's Loki (components/observability/loki.ts): the compactor deletes what is older.
            limits_config: { retention_period: `${input.retentionDays * 24}h` },
            compactor: { retention_enabled: true, delete_request_store: "filesystem" },
        },
        singleBinary: {
            replicas: 1,
            persistence: { size: `${input.storageGb}Gi`, storageClass: input.storageClass },
            resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
        },
        read: { replicas: 0 },
        write: { replicas: 0 },
        backend: { replicas: 0 },
        monitoring: { serviceMonitor: { enabled: true } },
    };
}

/** Loki's in-cluster query address (the chart's gateway Service in the monitoring namespace). */
export const lokiUrl = (release: string): string => `http://${release}-gateway.${addonNamespaces.monitoring}.svc.cluster.local`;
/** Loki's push API behind the gateway, where the Alloy DaemonSet writes. */
export const lokiPushUrl = (release: string): string => `${lokiUrl(release)}/loki/api/v1/push`;

export interface AlloyValues {
    controller: { type: "daemonset" };
    alloy: {
        configMap: { create: boolean; content: string };
        mounts: { varlog: boolean; dockercontainers: boolean };
        enableReporting: boolean;
        resources: ContainerResourceValues;
    };
    configReloader: { resources: ContainerResourceValues };
    crds: { create: boolean };
    serviceMonitor: { enabled: boolean };
}

/**
 * The log shipper of the Kubernetes runtime: one Alloy per node (DaemonSet) with the pipeline of
 * components/observability/alloy.ts kubernetesAlloyBlocks, pushing to the Loki release.
 */
export function alloyValues(input: { lokiRelease: string }): AlloyValues {
    const content = kubernetesAlloyConfig({ lokiPushUrl: lokiPushUrl(input.lokiRelease) });
    // The chart passes alloy.configMap.content through Helm's tpl: `{{` would be read as a template.
    if (content.includes("{{")) throw new Error("the Alloy configuration must not contain '{{' (the chart renders alloy.configMap.content with tpl)");
    return {
        controller: { type: "daemonset" },
        alloy: {
            configMap: { create: true, content },
            // Pods' logs come through the Kubernetes API: no host path in the pod.
            mounts: { varlog: false, dockercontainers: false },
            enableReporting: false,
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        },
        configReloader: { resources: { requests: { cpu: "10m", memory: "50Mi" }, limits: { cpu: "100m", memory: "128Mi" } } },
        crds: { create: false },
        // The ServiceMonitor CRD is kube-prometheus-stack's (components/ClusterAddons.ts installs Alloy after it).
        serviceMonitor: { enabled: true },
    };
}
