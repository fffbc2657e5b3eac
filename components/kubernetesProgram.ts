/**
 * The stack on the Kubernetes runtime (odoo-platform:runtime kubernetes), called by index.ts in place
 * of the Docker resources: the same settings, other resources.
 *
 *   namespace   odoo-<stage> (pr-<n> for PR stacks) with its filestore claim; PR namespaces with
 *               quota, limit range, default-deny NetworkPolicy, Mailpit and the egress proxy
 *   database    staging/production: an RDS instance (components/ManagedDatabase.ts) and the
 *               environment's database on it, watched by postgres-exporter (components/PostgresExporter.ts);
 *               PR: a database on the staging server (dbHost)
 *   refresh     staging (and PR stacks asking for a snapshot): the data-plane Jobs
 *   Odoo        components/KubernetesEnvironment.ts
 *   DNS         the environment's Cloudflare records (staging also the PR wildcard), kept like the
 *               docker runtime's (components/retention.ts)
 *
 * Which of these a stage gets is the stage profile's (config/stageProfile.ts: `kubernetes`, `edge`,
 * `environment`, the environment plan), with the settings it needs cut by config/slices.ts
 * kubernetesSlice; nothing here compares stage names.
 */
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackSettings } from "../config/load";
import { stableLabels } from "../config/naming";
import { kubernetesSlice, StackSlices } from "../config/slices";
import { recordSuffix } from "./EdgeRouter";
import { kubernetesNamespace } from "./kubernetesObjects";
import { kubernetesProxyEnv } from "./kubernetesNamespace";
import { KubernetesEnvironment } from "./KubernetesEnvironment";
import { KubernetesRefresh } from "./KubernetesRefresh";
import { addonNamespaces } from "./clusterCharts";
import { ManagedDatabase } from "./ManagedDatabase";
import { images } from "./ObservabilityStack";
import type { PrepareModules } from "./odooInit";
import { PostgresExporter } from "./PostgresExporter";
import { ProductionDatabase } from "./ProductionDatabase";
import { dataRetention } from "./retention";
import { ServerDatabase } from "./ServerDatabase";
import { sharedDnsHosts } from "./shared";
import { StackNamespace } from "./StackNamespace";
import type { SnapshotBucket } from "./SnapshotBucket";

export interface KubernetesProgramInput {
    cfg: StackSettings;
    /** The stack's slices (config/slices.ts stackSlices): its profile, environment plan, database server. */
    slices: StackSlices;
    modules: { install: string[]; unverified: PrepareModules["unverified"]; excluded: PrepareModules["excluded"] };
    /** The snapshot a staging (or PR) refresh restores, resolved from `latest`. */
    snapshotUri?: pulumi.Output<string | undefined>;
    awsProvider?: aws.Provider;
    snapshotBucket?: SnapshotBucket;
    /** AWS credentials of the refresh Jobs (index.ts stagingRunnerEnv). */
    runnerEnv: Record<string, pulumi.Input<string>>;
    serverWideModules?: string[];
}

export interface KubernetesProgramOutputs {
    url: pulumi.Output<string>;
    databaseName: pulumi.Output<string>;
    adminLoginPassword: pulumi.Output<string>;
    namespace: pulumi.Output<string>;
    databaseHost: pulumi.Output<string>;
    /** The Mailpit UI (isolated namespaces) and its basic-auth password (secret). */
    mailCatcherUrl: pulumi.Output<string> | null;
    mailCatcherPassword: pulumi.Output<string> | null;
}

export function kubernetesProgram(input: KubernetesProgramInput): KubernetesProgramOutputs {
    const { cfg, slices } = input;
    const { settings: s, names, stage } = cfg;
    const { profile, plan } = slices;
    const kube = kubernetesSlice(cfg, slices);
    const retention = dataRetention(stage);
    const secret = <T>(value: T | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    const provider = new k8s.Provider("kubernetes", {
        kubeconfig: secret(s.kubeconfig),
        context: s.kubernetesContext,
        // Every object names its namespace: none lands in `default` by accident.
        namespace: undefined,
        enableServerSideApply: true,
    });
    const onCluster = { providers: { kubernetes: provider } };

    const namespace = new StackNamespace(
        "namespace",
        {
            decisions: { budgeted: kube.decisions.budgeted, isolated: profile.environment.isolated },
            namespace: kubernetesNamespace(cfg, s.kubernetesNamespace),
            labels: cfg.labels,
            budget: kube.budget,
            isolation: kube.isolation,
            // The mail host and TLS of the docker runtime's mail catcher route, on Odoo's ingress class.
            mailUi: kube.isolation
                ? { host: names.mailHost, ...kube.ingress, tlsSecret: kube.ingress.issuer ? `${names.prefix}-mail-tls` : undefined }
                : undefined,
            filestore: kube.filestore,
            retention,
        },
        onCluster,
    );

    // --- The database server: RDS for staging and production, the staging server for PR stacks.
    let server: {
        host: pulumi.Input<string>;
        port: number;
        adminUser: string;
        adminPassword: pulumi.Input<string> | undefined;
        sslMode: string;
        sslRootCert?: string;
    };
    if (kube.databaseServer.kind === "managed") {
        const { instance, sslMode, sslRootCert } = kube.databaseServer;
        if (!input.awsProvider) throw new Error("kubernetesProgram: input.awsProvider is required for the stage's RDS instance (odoo-platform:awsRegion)");
        const rds = new ManagedDatabase(
            "rds",
            {
                prefix: names.prefix,
                tags: stableLabels(cfg.labels),
                ...instance,
                adminPassword: secret(instance.adminPassword),
                retention,
            },
            { providers: { aws: input.awsProvider } },
        );
        server = { host: rds.address, port: rds.port, adminUser: rds.adminUser, adminPassword: rds.adminPassword, sslMode, sslRootCert };
        // The docker runtime's postgres-exporter, scraped by the cluster's Prometheus: the PostgreSQL dashboard and alerts.
        if (kube.databaseMetrics) {
            new PostgresExporter(
                "postgres-exporter",
                {
                    namespace: namespace.name,
                    labels: cfg.labels,
                    image: images.postgresExporter,
                    server,
                    scrapeIntervalSeconds: kube.databaseMetrics.scrapeIntervalSeconds,
                    isolation: kube.isolation ? { databaseCidrs: kube.isolation.databaseCidrs, monitoringNamespace: addonNamespaces.monitoring } : undefined,
                    retention,
                },
                onCluster,
            );
        }
    } else {
        const shared = kube.databaseServer.server;
        server = { ...shared, adminPassword: secret(shared.adminPassword) };
    }
    const owned =
        plan.database === "production"
            ? new ProductionDatabase("database", { server, database: names.database, owner: names.databaseOwner })
            : new ServerDatabase("database", { server, database: names.database, owner: names.databaseOwner, retention });

    const baseUrl = `https://${names.host}`;
    const mailCatcher = namespace.mailCatcher;
    let ready: pulumi.Resource[] = [owned];
    if (input.snapshotUri && mailCatcher && kube.refreshImage) {
        const refresh = new KubernetesRefresh(
            "refresh",
            {
                namespace: namespace.name,
                labels: cfg.labels,
                image: kube.refreshImage,
                server: {
                    host: server.host,
                    port: server.port,
                    adminUser: server.adminUser,
                    adminPassword: server.adminPassword ?? "",
                    sslMode: server.sslMode,
                },
                database: names.database,
                owner: names.databaseOwner,
                snapshotUri: input.snapshotUri,
                baseUrl,
                mailCatcher,
                allowedDomains: ["example.com", names.host],
                claim: namespace.claimName,
                env: input.runnerEnv,
                dependsOn: [owned],
            },
            onCluster,
        );
        ready = [refresh.ready];
    }

    const environment = new KubernetesEnvironment(
        "odoo",
        {
            stage,
            decisions: profile.environment,
            scalesOut: kube.decisions.scalesOut,
            names,
            namespace: namespace.name,
            labels: cfg.labels,
            image: s.odooImage,
            addonsPath: s.addonsPath,
            workers: s.odooWorkers,
            replicas: s.odooReplicas,
            maxReplicas: s.odooMaxReplicas,
            resources: { cpu: s.odooCpus, memoryMb: s.odooMemoryMb, cpuRequest: s.odooCpuRequest, memoryRequestMb: s.odooMemoryRequestMb },
            database: {
                host: server.host,
                port: server.port,
                user: names.databaseOwner,
                password: owned.ownerPassword,
                sslMode: s.dbSslMode,
                sslRootCert: s.dbSslRootCert,
                name: names.database,
            },
            smtp: mailCatcher
                ? { host: mailCatcher.host, port: mailCatcher.port }
                : { host: s.smtpHost!, port: s.smtpPort, user: s.smtpUser, password: secret(s.smtpPassword) },
            adminPassword: secret(s.odooAdminPassword),
            extraEnv: s.odooExtraEnv,
            secretEnv: Object.fromEntries(Object.entries(s.odooSecretEnv).map(([k, v]) => [k, pulumi.secret(v)])),
            proxyEnv: mailCatcher ? kubernetesProxyEnv() : undefined,
            conf: { serverWideModules: input.serverWideModules, extraOptions: s.odooConfOptions, sections: s.odooConfSections },
            cronThreads: s.odooCronThreads,
            // PR hosts are served by the controller's wildcard certificate (the cluster's default certificate).
            ingress: kube.ingress,
            claim: namespace.claimName,
            init:
                plan.init === "install"
                    ? {
                          kind: "install",
                          baseUrl,
                          modules: {
                              install: input.modules.install,
                              unverified: input.modules.unverified,
                              excluded: input.modules.excluded,
                              missingDependencies: s.missingDependencies,
                          },
                      }
                    : { kind: "update", baseUrl, install: input.modules.install, exclude: s.moduleChecksumExclude },
            dependsOn: ready,
        },
        onCluster,
    );

    // --- DNS: the environment's records, held like the docker runtime's (production protected, staging retained).
    if (kube.dns) {
        const cloudflareProvider = new cloudflare.Provider("cloudflare", {});
        for (const host of sharedDnsHosts({ stage, names, mailCatcher: namespace.mailCatcherUrl !== undefined })) {
            new cloudflare.DnsRecord(
                `dns-${recordSuffix(host)}`,
                {
                    zoneId: kube.dns.zoneId,
                    name: host,
                    type: "A",
                    content: kube.dns.publicIp,
                    proxied: true,
                    ttl: 1,
                    comment: `odoo-platform ${cfg.stack}: the cluster's ingress controller`,
                },
                { provider: cloudflareProvider, ...retention },
            );
        }
    }

    return {
        url: environment.url,
        databaseName: environment.databaseName,
        adminLoginPassword: environment.adminLoginPassword,
        namespace: namespace.name,
        databaseHost: pulumi.output(server.host),
        mailCatcherUrl: namespace.mailCatcherUrl ?? null,
        mailCatcherPassword: namespace.mailCatcherPassword ?? null,
    };
}
