/**
 * postgres-exporter for a stage's managed database (RDS) on Kubernetes, as pure builders
 * (components/PostgresExporter.ts creates them): the docker runtime's exporter (components/ObservabilityStack.ts,
 * the same image and DATA_SOURCE_* variables) as a Deployment, a Service and a ServiceMonitor that
 * kube-prometheus-stack picks up (components/clusterCharts.ts selects every ServiceMonitor), so
 * the PostgreSQL dashboard and the Postgres* alerts (components/observability/) read the same
 * series with the same `job` and `instance` as on Docker.
 *
 *   - the exporter connects as a monitoring role (pg_monitor), never the server's admin, its
 *     password from a Secret (secretKeyRef), TLS required;
 *   - in an isolated (default-deny) namespace: egress to the database CIDRs on its port only,
 *     ingress from the monitoring namespace on the metrics port only.
 *
 * postgres-exporter: https://github.com/prometheus-community/postgres_exporter (DATA_SOURCE_URI,
 * DATA_SOURCE_USER, DATA_SOURCE_PASS); prometheus-operator API: https://prometheus-operator.dev/docs/api-reference/api/
 */
import type * as Input from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { isPostgresIdentifier } from "../config/naming";
import { observabilityContainerName } from "./observability/hostAccess";
import { ports } from "./observability/prometheus";
import { restrictedContainer, selectorLabels } from "./kubernetesObjects";

export const postgresExporterRole = "postgres-exporter";
/** The role the exporter logs in as: pg_monitor reads every statistics view, no table data. */
export const monitoringRole = "odoo_platform_monitor";
/** The Secret's key holding the monitoring role's password. */
export const monitoringPasswordKey = "password";
/** The Service's port name the ServiceMonitor scrapes. */
export const metricsPortName = "metrics";
/** TLS modes the exporter may connect with: at least `require` (RDS refuses less: rds.force_ssl). */
export const exporterSslModes = ["require", "verify-ca", "verify-full"] as const;
/** Where a PEM root certificate is mounted (verify-ca / verify-full with odoo-platform:dbSslRootCert). */
export const exporterRootCertPath = "/etc/odoo-platform/db-root.crt";

/**
 * The scrape's `job` and `instance`: those of the docker runtime's postgres job
 * (components/observability/prometheus.ts scrapeJobs: job `postgres`, target obs-<stack>-postgres-exporter:9187,
 * the prefix index.ts gives the ObservabilityStack), so one stack's series keep their names on either runtime.
 */
export function postgresScrapeLabels(stack: string): { job: string; instance: string } {
    return { job: "postgres", instance: `${observabilityContainerName(`obs-${stack}`, "postgres-exporter")}:${ports.postgresExporter}` };
}

export interface ExporterConnection {
    host: string;
    port: number;
    /** Database the exporter connects to: the maintenance database, as on Docker (statistics cover every database). */
    database: string;
    sslMode: string;
    /** PEM root certificate (mounted from the deployment's rootCertConfigMap), "system", or none. */
    sslRootCert?: string;
}

/** DATA_SOURCE_URI: host:port/database with the TLS mode, and the mounted root certificate for a PEM one (no credential). */
export function exporterDataSourceUri(conn: ExporterConnection): string {
    if (!(exporterSslModes as readonly string[]).includes(conn.sslMode))
        throw new Error(`postgres-exporter connects with sslmode ${exporterSslModes.join(", ")}, got "${conn.sslMode}": set odoo-platform:dbSslMode`);
    if (!isPostgresIdentifier(conn.database)) throw new Error(`postgres-exporter database must be a PostgreSQL identifier, got "${conn.database}"`);
    const pem = conn.sslRootCert && conn.sslRootCert !== "system";
    return `${conn.host}:${conn.port}/${conn.database}?sslmode=${conn.sslMode}${pem ? `&sslrootcert=${exporterRootCertPath}` : ""}`;
}

export interface ExporterDeploymentInput {
    stack: string;
    labels: Record<string, string>;
    image: string;
    /** exporterDataSourceUri of the server (an Output when the host is the RDS instance's address). */
    dataSourceUri: pulumi.Input<string>;
    /** The Secret holding the monitoring role's password under monitoringPasswordKey. */
    passwordSecret: pulumi.Input<string>;
    /** ConfigMap with the PEM root certificate under `db-root.crt` (a PEM dbSslRootCert). */
    rootCertConfigMap?: pulumi.Input<string>;
}

export function exporterDeploymentSpec(input: ExporterDeploymentInput): Input.apps.v1.DeploymentSpec {
    const selector = selectorLabels(input.stack, postgresExporterRole);
    const rootCert = input.rootCertConfigMap;
    return {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
            metadata: { labels: { ...input.labels, ...selector } },
            spec: {
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "postgres-exporter",
                        image: input.image,
                        ports: [{ name: metricsPortName, containerPort: ports.postgresExporter }],
                        env: [
                            { name: "DATA_SOURCE_URI", value: input.dataSourceUri },
                            { name: "DATA_SOURCE_USER", value: monitoringRole },
                            { name: "DATA_SOURCE_PASS", valueFrom: { secretKeyRef: { name: input.passwordSecret, key: monitoringPasswordKey } } },
                        ],
                        // As the docker runtime's container (128 MB, a quarter of a CPU).
                        resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
                        // The image runs as nobody (65534).
                        securityContext: { ...restrictedContainer, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true },
                        readinessProbe: { tcpSocket: { port: ports.postgresExporter }, periodSeconds: 10 },
                        volumeMounts: rootCert ? [{ name: "db-root", mountPath: exporterRootCertPath, subPath: "db-root.crt", readOnly: true }] : undefined,
                    },
                ],
                volumes: rootCert ? [{ name: "db-root", configMap: { name: rootCert } }] : undefined,
            },
        },
    };
}

export function exporterServiceSpec(stack: string): Input.core.v1.ServiceSpec {
    return {
        type: "ClusterIP",
        selector: selectorLabels(stack, postgresExporterRole),
        ports: [{ name: metricsPortName, port: ports.postgresExporter, targetPort: metricsPortName }],
    };
}

/**
 * The ServiceMonitor: the exporter's Service in its namespace, scraped at the stack's interval,
 * `job` and `instance` set to the docker runtime's (postgresScrapeLabels), and the stage/stack labels
 * the other series carry (one Prometheus watches every stack of the cluster).
 */
export function exporterServiceMonitorSpec(input: {
    stack: string;
    stage: string;
    namespace: pulumi.Input<string>;
    intervalSeconds: number;
}): Record<string, unknown> {
    if (!(Number.isInteger(input.intervalSeconds) && input.intervalSeconds >= 1 && input.intervalSeconds <= 10))
        throw new Error(
            `the scrape interval must be a whole number of seconds from 1 to 10 (odoo-platform:metricsScrapeSeconds), got ${input.intervalSeconds}`,
        );
    const { job, instance } = postgresScrapeLabels(input.stack);
    const set = (targetLabel: string, replacement: string) => ({ targetLabel, replacement, action: "replace" });
    return {
        namespaceSelector: { matchNames: [input.namespace] },
        selector: { matchLabels: selectorLabels(input.stack, postgresExporterRole) },
        endpoints: [
            {
                port: metricsPortName,
                interval: `${input.intervalSeconds}s`,
                scrapeTimeout: `${input.intervalSeconds}s`,
                relabelings: [set("job", job), set("instance", instance), set("stage", input.stage), set("stack", input.stack)],
            },
        ],
    };
}

export interface ExporterPolicyInput {
    stack: string;
    databaseCidrs: string[];
    databasePort: number;
    /** Namespace of the cluster's Prometheus (components/clusterCharts.ts addonNamespaces.monitoring). */
    monitoringNamespace: string;
}

/** In a default-deny namespace: the exporter reaches the database only, and only Prometheus reaches it. */
export function exporterNetworkPolicySpecs(input: ExporterPolicyInput): Record<string, Input.networking.v1.NetworkPolicySpec> {
    if (!input.databaseCidrs.length) throw new Error("the exporter's NetworkPolicy needs the database CIDRs (odoo-platform:databaseCidrs)");
    const pods = { matchLabels: selectorLabels(input.stack, postgresExporterRole) };
    return {
        "postgres-exporter-egress": {
            podSelector: pods,
            policyTypes: ["Egress"],
            egress: [{ to: input.databaseCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: input.databasePort }] }],
        },
        "postgres-exporter-ingress": {
            podSelector: pods,
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": input.monitoringNamespace } } }],
                    ports: [{ protocol: "TCP", port: ports.postgresExporter }],
                },
            ],
        },
    };
}
