/**
 * postgres-exporter for a stage's managed database on Kubernetes (components/postgresExporterObjects.ts
 * builds its objects): the monitoring role on the server (member of pg_monitor, its own generated
 * password), that password in a Secret, the exporter's Deployment, Service and ServiceMonitor in the
 * stack's namespace, and in an isolated namespace the NetworkPolicies that let it reach the database
 * and let Prometheus reach it.
 *
 * Providers: https://www.pulumi.com/registry/packages/kubernetes/, https://www.pulumi.com/registry/packages/postgresql/
 */
import * as k8s from "@pulumi/kubernetes";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { isDnsLabel } from "../config/naming";
import { databaseServerProvider, ServerConnection } from "./databaseServer";
import { objectLabels } from "./kubernetesObjects";
import {
    exporterDataSourceUri,
    exporterDeploymentSpec,
    exporterNetworkPolicySpecs,
    exporterServiceMonitorSpec,
    exporterServiceSpec,
    exporterSslModes,
    monitoringPasswordKey,
    monitoringRole,
    postgresExporterRole,
} from "./postgresExporterObjects";
import type { DataRetention } from "./retention";

export interface PostgresExporterArgs {
    /** The stack's namespace (the StackNamespace's name). */
    namespace: pulumi.Input<string>;
    /** Stage/stack labels (resourceLabels()). */
    labels: Record<string, string>;
    /** The docker runtime's exporter image (components/ObservabilityStack.ts images.postgresExporter). */
    image: string;
    /** The server as its admin reaches it: the monitoring role is created with it. */
    server: ServerConnection;
    /** Prometheus' scrape interval (odoo-platform:metricsScrapeSeconds). */
    scrapeIntervalSeconds: number;
    /** An isolated namespace's database CIDRs and the monitoring namespace: the exporter's NetworkPolicies. */
    isolation?: { databaseCidrs: string[]; monitoringNamespace: string };
    retention?: DataRetention;
}

export class PostgresExporter extends pulumi.ComponentResource {
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): refused args register nothing, not even the component.
        validatePostgresExporterArgs(args);
        super("odoo-platform:kubernetes:PostgresExporter", name, {}, opts);
        const stack = args.labels["odoo-platform.stack"];
        const stage = args.labels["odoo-platform.stage"];
        const child = { parent: this };
        const meta = (objectName?: string) => ({ name: objectName, namespace: args.namespace, labels: objectLabels(args.labels, postgresExporterRole) });

        const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, child);
        const provider = databaseServerProvider(`${name}-server`, args.server, this);
        const role = new postgresql.Role(
            `${name}-role`,
            { name: monitoringRole, login: true, password: password.result, roles: ["pg_monitor"], connectionLimit: 3 },
            { parent: this, provider, ...args.retention },
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-password`,
            { metadata: meta(), type: "Opaque", stringData: pulumi.secret(password.result.apply((p) => ({ [monitoringPasswordKey]: p }))) },
            child,
        );
        const pem = args.server.sslRootCert && args.server.sslRootCert !== "system" ? args.server.sslRootCert : undefined;
        const rootCert = pem ? new k8s.core.v1.ConfigMap(`${name}-db-root`, { metadata: meta(), data: { "db-root.crt": pem } }, child) : undefined;
        new k8s.apps.v1.Deployment(
            `${name}`,
            {
                metadata: meta(),
                spec: exporterDeploymentSpec({
                    stack,
                    labels: objectLabels(args.labels, postgresExporterRole),
                    image: args.image,
                    dataSourceUri: pulumi.output(args.server.host).apply((host) =>
                        exporterDataSourceUri({
                            host,
                            port: args.server.port,
                            database: "postgres",
                            sslMode: args.server.sslMode,
                            sslRootCert: args.server.sslRootCert,
                        }),
                    ),
                    passwordSecret: secret.metadata.name,
                    rootCertConfigMap: rootCert?.metadata.name,
                }),
            },
            { ...child, dependsOn: [role] },
        );
        const service = new k8s.core.v1.Service(`${name}`, { metadata: meta(postgresExporterRole), spec: exporterServiceSpec(stack) }, child);
        new k8s.apiextensions.CustomResource(
            `${name}`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: meta(),
                spec: exporterServiceMonitorSpec({ stack, stage, namespace: args.namespace, intervalSeconds: args.scrapeIntervalSeconds }),
            },
            { ...child, dependsOn: [service] },
        );
        if (args.isolation) {
            for (const [policy, spec] of Object.entries(
                exporterNetworkPolicySpecs({
                    stack,
                    databaseCidrs: args.isolation.databaseCidrs,
                    databasePort: args.server.port,
                    monitoringNamespace: args.isolation.monitoringNamespace,
                }),
            ))
                new k8s.networking.v1.NetworkPolicy(`${name}-${policy}`, { metadata: meta(policy), spec }, child);
        }
        this.serviceName = service.metadata.name;
        this.registerOutputs({ serviceName: this.serviceName });
    }
}

/**
 * Refuses args the exporter would fail on at run time (no TLS, an unknown namespace, no stack label):
 * `PostgresExporterArgs.<field>: <why>; fix: <how>`. Pure; runs before anything is registered.
 */
export function validatePostgresExporterArgs(args: PostgresExporterArgs): void {
    const fail = (field: string, why: string, fix: string): never => {
        throw new Error(`PostgresExporterArgs.${field}: ${why}; fix: ${fix}`);
    };
    if (!args.namespace) fail("namespace", "is required", "pass the StackNamespace's name");
    if (typeof args.namespace === "string" && !(isDnsLabel(args.namespace) && args.namespace === args.namespace.toLowerCase()))
        fail("namespace", `must be a Kubernetes namespace name, got "${args.namespace}"`, "set odoo-platform:kubernetesNamespace to a DNS label");
    if (!args.labels?.["odoo-platform.stack"] || !args.labels["odoo-platform.stage"])
        fail("labels", "must carry the stage and stack labels (the ServiceMonitor sets them on every series)", "pass the stack's resourceLabels()");
    if (!args.image) fail("image", "is required", "pass images.postgresExporter (components/ObservabilityStack.ts)");
    if (!args.server?.host) fail("server.host", "is required", "pass the RDS instance's address");
    if (!(Number.isInteger(args.server.port) && args.server.port > 0 && args.server.port < 65536))
        fail("server.port", `must be a TCP port, got ${args.server.port}`, "set odoo-platform:dbPort");
    if (!args.server.adminUser) fail("server.adminUser", "is required (it creates the monitoring role)", "set odoo-platform:dbAdminUser");
    if (args.server.adminUser === monitoringRole)
        fail("server.adminUser", `must not be the monitoring role ${monitoringRole}`, "set odoo-platform:dbAdminUser");
    if (!(exporterSslModes as readonly string[]).includes(args.server.sslMode))
        fail(
            "server.sslMode",
            `must be one of ${exporterSslModes.join(", ")} (the exporter never talks to the database in clear), got "${args.server.sslMode}"`,
            "set odoo-platform:dbSslMode",
        );
    if (!(Number.isInteger(args.scrapeIntervalSeconds) && args.scrapeIntervalSeconds >= 1 && args.scrapeIntervalSeconds <= 10))
        fail(
            "scrapeIntervalSeconds",
            `must be a whole number of seconds from 1 to 10, got ${args.scrapeIntervalSeconds}`,
            "set odoo-platform:metricsScrapeSeconds",
        );
    if (args.isolation && !args.isolation.databaseCidrs?.length)
        fail("isolation.databaseCidrs", "must name where the database is (the exporter's only egress)", "set odoo-platform:databaseCidrs");
    if (args.isolation && !isDnsLabel(args.isolation.monitoringNamespace ?? ""))
        fail(
            "isolation.monitoringNamespace",
            `must be a namespace name, got "${args.isolation.monitoringNamespace}"`,
            "pass addonNamespaces.monitoring (components/clusterCharts.ts)",
        );
}
