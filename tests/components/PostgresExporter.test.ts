import * as assert from "node:assert/strict";
import { images } from "../../components/ObservabilityStack";
import { scrapeJobs } from "../../components/observability/prometheus";
import { PostgresExporter, PostgresExporterArgs } from "../../components/PostgresExporter";
import {
    exporterDataSourceUri,
    exporterNetworkPolicySpecs,
    exporterServiceMonitorSpec,
    monitoringRole,
    postgresScrapeLabels,
} from "../../components/postgresExporterObjects";
import { resourceLabels } from "../../config/naming";
import type { RecordedResource } from "../../plan/mockRuntime";
import { buildUnderMocks, itRefusesEachBadField, Refusal } from "../support/component";

/** The name the (mock) provider gave an auto-named object. */
function createdName(built: { recorded: RecordedResource[] }, name: string, type: string): string {
    const found = built.recorded.find((r) => r.name === name && r.type === type)!;
    return (found.outputs as any).metadata.name;
}

const rdsHost = "odoo-staging-db.c0ffee123456.eu-west-1.rds.amazonaws.com";

/** Staging's exporter: an isolated namespace on its own RDS instance. */
function stagingArgs(): PostgresExporterArgs {
    return {
        namespace: "odoo-staging",
        labels: resourceLabels({ stage: "staging", stack: "staging", gitSha: "abcdef1" }),
        image: images.postgresExporter,
        server: { host: rdsHost, port: 5432, adminUser: "postgres", adminPassword: "admin-secret", sslMode: "require" },
        scrapeIntervalSeconds: 10,
        isolation: { databaseCidrs: ["10.20.32.0/20"], monitoringNamespace: "monitoring" },
    };
}

describe("postgres-exporter builders", () => {
    it("scrapes with the docker runtime's job and instance (components/observability/prometheus.ts postgres job)", () => {
        const docker = scrapeJobs({
            prefix: "obs-staging",
            scrapeIntervalSeconds: 10,
            traefikTarget: "traefik:8082",
            postgresExporter: true,
            externalLabels: {},
        });
        const postgres = docker.find((j) => j.source === "postgres-exporter")!;
        assert.deepEqual(postgresScrapeLabels("staging"), { job: postgres.job, instance: postgres.targets[0] });
        const spec = exporterServiceMonitorSpec({ stack: "staging", stage: "staging", namespace: "odoo-staging", intervalSeconds: 10 }) as any;
        const relabel = Object.fromEntries(spec.endpoints[0].relabelings.map((r: any) => [r.targetLabel, r.replacement]));
        assert.deepEqual(relabel, { job: "postgres", instance: "obs-staging-postgres-exporter:9187", stage: "staging", stack: "staging" });
        assert.deepEqual(spec.namespaceSelector, { matchNames: ["odoo-staging"] });
        assert.equal(spec.endpoints[0].port, "metrics");
        assert.throws(() => exporterServiceMonitorSpec({ stack: "staging", stage: "staging", namespace: "odoo-staging", intervalSeconds: 30 }), /1 to 10/);
    });

    it("connects with TLS required, never less, and no credential in the URI", () => {
        assert.equal(
            exporterDataSourceUri({ host: rdsHost, port: 5432, database: "postgres", sslMode: "require" }),
            `${rdsHost}:5432/postgres?sslmode=require`,
        );
        assert.equal(
            exporterDataSourceUri({ host: rdsHost, port: 5432, database: "postgres", sslMode: "verify-full", sslRootCert: "-----BEGIN CERTIFICATE-----" }),
            `${rdsHost}:5432/postgres?sslmode=verify-full&sslrootcert=/etc/odoo-platform/db-root.crt`,
        );
        for (const sslMode of ["disable", "allow", "prefer"])
            assert.throws(() => exporterDataSourceUri({ host: rdsHost, port: 5432, database: "postgres", sslMode }), /sslmode require, verify-ca, verify-full/);
    });

    it("in a default-deny namespace: egress to the database CIDRs on its port only, ingress from the monitoring namespace on 9187 only", () => {
        const specs = exporterNetworkPolicySpecs({
            stack: "staging",
            databaseCidrs: ["10.20.32.0/20", "10.20.48.0/20"],
            databasePort: 5432,
            monitoringNamespace: "monitoring",
        });
        assert.deepEqual(Object.keys(specs), ["postgres-exporter-egress", "postgres-exporter-ingress"]);
        assert.deepEqual(specs["postgres-exporter-egress"].egress, [
            { to: [{ ipBlock: { cidr: "10.20.32.0/20" } }, { ipBlock: { cidr: "10.20.48.0/20" } }], ports: [{ protocol: "TCP", port: 5432 }] },
        ]);
        assert.deepEqual(specs["postgres-exporter-ingress"].ingress, [
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9187 }] },
        ]);
        assert.throws(
            () => exporterNetworkPolicySpecs({ stack: "staging", databaseCidrs: [], databasePort: 5432, monitoringNamespace: "monitoring" }),
            /databaseCidrs/,
        );
    });
});

describe("PostgresExporter from its args", function () {
    this.timeout(60000);

    it("creates the monitoring role, its password Secret, the Deployment, Service, ServiceMonitor and NetworkPolicies, all parented to it", async () => {
        const built = await buildUnderMocks(() => new PostgresExporter("postgres-exporter", stagingArgs()));
        const [component, ...children] = built.resources;
        assert.equal(component.type, "odoo-platform:kubernetes:PostgresExporter");
        for (const child of children) assert.equal(child.parent, component.name, `${child.type} ${child.name} is parented to the component`);
        const role = children.find((r) => r.type === "postgresql:index/role:Role")!;
        assert.deepEqual([role.inputs.name, role.inputs.login, role.inputs.roles], [monitoringRole, true, ["pg_monitor"]]);
        const secret = children.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.equal(secret.inputs.stringData.password, role.inputs.password);
        const deployment = children.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        assert.ok(deployment.dependsOn.includes(role.name), "the exporter starts after its role exists");
        const container = deployment.inputs.spec.template.spec.containers[0];
        assert.equal(container.image, "quay.io/prometheuscommunity/postgres-exporter:v0.16.0");
        const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        assert.deepEqual(env, {
            DATA_SOURCE_URI: `${rdsHost}:5432/postgres?sslmode=require`,
            DATA_SOURCE_USER: monitoringRole,
            DATA_SOURCE_PASS: { secretKeyRef: { name: createdName(built, secret.name, secret.type), key: "password" } },
        });
        assert.ok(!JSON.stringify(deployment.inputs).includes(role.inputs.password), "the password is only in the Secret");
        assert.deepEqual(container.resources, { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "250m", memory: "128Mi" } });
        assert.equal(deployment.inputs.spec.template.metadata.labels["odoo-platform.role"], "postgres-exporter");
        const service = children.find((r) => r.type === "kubernetes:core/v1:Service")!;
        assert.deepEqual(service.inputs.spec.selector, deployment.inputs.spec.selector.matchLabels);
        const monitor = children.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")!;
        assert.deepEqual(monitor.inputs.spec.selector.matchLabels, service.inputs.spec.selector);
        const policies = children.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.inputs.metadata.name);
        assert.deepEqual(policies, ["postgres-exporter-egress", "postgres-exporter-ingress"]);
        // The role is created with the server's admin, on the RDS endpoint, TLS required.
        const provider = built.recorded.find((r) => r.type === "pulumi:providers:postgresql")!;
        assert.equal((provider.inputs as any).host, rdsHost);
        assert.equal((provider.inputs as any).sslmode, "require");
    });

    it("production (not isolated): no NetworkPolicy; a PEM root certificate is mounted from a ConfigMap", async () => {
        const args = { ...stagingArgs(), isolation: undefined };
        args.server = { ...args.server, sslMode: "verify-full", sslRootCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" };
        const built = await buildUnderMocks(() => new PostgresExporter("postgres-exporter", args));
        assert.equal(built.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").length, 0);
        const conf = built.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
        assert.match(conf.inputs.data["db-root.crt"], /BEGIN CERTIFICATE/);
        const pod = built.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!.inputs.spec.template.spec;
        assert.equal(pod.volumes[0].configMap.name, createdName(built, conf.name, conf.type));
        assert.match(pod.containers[0].env[0].value, /sslmode=verify-full&sslrootcert=\/etc\/odoo-platform\/db-root\.crt$/);
    });

    const refusals: Refusal<PostgresExporterArgs>[] = [
        ["namespace", (a) => (a.namespace = "Odoo_Staging"), /PostgresExporterArgs\.namespace: must be a Kubernetes namespace name, got "Odoo_Staging"; fix: /],
        ["labels", (a) => (a.labels = {}), /PostgresExporterArgs\.labels: must carry the stage and stack labels/],
        ["server.port", (a) => (a.server.port = 0), /PostgresExporterArgs\.server\.port: must be a TCP port, got 0/],
        [
            "server.sslMode",
            (a) => (a.server.sslMode = "prefer"),
            /PostgresExporterArgs\.server\.sslMode: must be one of require, verify-ca, verify-full .*got "prefer"/,
        ],
        ["server.adminUser", (a) => (a.server.adminUser = monitoringRole), /PostgresExporterArgs\.server\.adminUser: must not be the monitoring role/],
        [
            "scrapeIntervalSeconds",
            (a) => (a.scrapeIntervalSeconds = 60),
            /PostgresExporterArgs\.scrapeIntervalSeconds: must be a whole number of seconds from 1 to 10, got 60/,
        ],
        [
            "isolation.databaseCidrs",
            (a) => (a.isolation!.databaseCidrs = []),
            /PostgresExporterArgs\.isolation\.databaseCidrs: must name where the database is/,
        ],
    ];
    itRefusesEachBadField(stagingArgs, (args) => new PostgresExporter("postgres-exporter", args), refusals);
});
