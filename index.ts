/**
 * The odoo-platform Pulumi program. The stack name decides the stage (config/stage.ts); the
 * validated settings (config/schema.ts) decide everything else. Data flows one way:
 * stack config → settings → components → stack outputs → evidence.
 */
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { EvidenceSchema } from "./components/EvidenceSchema";
import { NeutralizedDatabase } from "./components/NeutralizedDatabase";
import { DatabaseTarget, mailpitSmtpPort, OdooEnvironment } from "./components/OdooEnvironment";
import { ObservabilityStack } from "./components/ObservabilityStack";
import { SnapshotBucket } from "./components/SnapshotBucket";
import { loadStackSettings, projectDir } from "./config/pulumi";

const cfg = loadStackSettings();
const { settings: s, names, stage } = cfg;
const secret = <T>(value: T | undefined) => (value === undefined ? undefined : pulumi.secret(value));

/** Docker network shared by the host's router (Traefik), mail catchers and Odoo containers. */
const edgeNetwork = "odoo-edge";

const dockerProvider = new docker.Provider("docker", { host: s.dockerHost });
const onDocker = { providers: { docker: dockerProvider } };

const baseUrl = `https://${names.host}`;
const serverDatabase = (ready?: pulumi.Resource[], owner?: { user: pulumi.Input<string>; password: pulumi.Input<string> }): DatabaseTarget => ({
    kind: "server",
    host: s.dbHost!,
    port: s.dbPort,
    user: owner?.user ?? s.dbAdminUser,
    password: owner?.password ?? secret(s.dbAdminPassword) ?? "",
    sslMode: s.dbSslMode,
    ready,
});

// --- Data. Each of staging and production owns its own snapshot bucket: production's holds its
// --- backups, staging's holds only sanitized snapshots, so staging never has access to production
// --- data. Staging (and PR stacks asking for it) restore a neutralized copy; dev and other PR
// --- stacks start from a fresh database with demo data.
let snapshotBucket: SnapshotBucket | undefined;
if (stage === "production" || stage === "staging") {
    const awsProvider = new aws.Provider("aws", { region: s.awsRegion as aws.Region, defaultTags: { tags: cfg.labels } });
    snapshotBucket = new SnapshotBucket("snapshots", {
        bucketName: s.snapshotBucket!,
        tags: cfg.labels,
        blockPublicAccess: s.snapshotBlockPublicAccess,
    }, { providers: { aws: awsProvider } });
}

let neutralized: NeutralizedDatabase | undefined;
let database: DatabaseTarget;
if (stage === "staging" || (stage === "pr" && s.snapshotId)) {
    neutralized = new NeutralizedDatabase("database", {
        stage,
        server: { host: s.dbHost!, port: s.dbPort, adminUser: s.dbAdminUser, adminPassword: secret(s.dbAdminPassword), sslMode: s.dbSslMode },
        database: names.database,
        owner: names.databaseOwner,
        snapshotUri: `s3://${s.snapshotBucket}/staging/${s.snapshotId ?? "latest"}`,
        baseUrl,
        mailCatcher: { host: "mailpit", port: mailpitSmtpPort },
        allowedDomains: ["example.com", s.domain],
        sanitizeSeed: s.sanitizeSeed,
        workDir: projectDir,
    });
    database = serverDatabase([neutralized.ready], { user: neutralized.ownerRole, password: neutralized.ownerPassword });
} else if (stage === "production") {
    database = serverDatabase();
} else {
    database = { kind: "container", image: s.postgresImage, slowQueryMs: s.slowQueryMs };
}

// --- The Odoo environment itself.
const environment = new OdooEnvironment("odoo", {
    stage,
    names,
    labels: cfg.labels,
    gitSha: cfg.gitSha,
    image: s.odooImage,
    buildContext: s.odooBuildContext,
    addonsPath: s.addonsPath,
    workers: s.odooWorkers,
    memoryMb: s.odooMemoryMb,
    cpus: s.odooCpus,
    extraEnv: s.odooExtraEnv,
    database,
    mailCatcher: s.mailCatcher,
    smtp: s.smtpHost ? { host: s.smtpHost, port: s.smtpPort, user: s.smtpUser, password: secret(s.smtpPassword) } : undefined,
    adminPassword: secret(s.odooAdminPassword),
    devSourceDir: s.devSourceDir,
    edgeNetwork,
}, onDocker);

// --- Shared per-host and per-project pieces.
let evidenceSchema: EvidenceSchema | undefined;
if (stage === "production") {
    evidenceSchema = new EvidenceSchema("evidence", {
        host: s.evidenceDbHost!,
        port: s.evidenceDbPort,
        database: s.evidenceDbName ?? "postgres",
        adminUser: s.evidenceDbAdminUser,
        adminPassword: secret(s.evidenceDbAdminPassword),
        sslMode: s.evidenceDbSslMode,
        workDir: projectDir,
    });
}

let observability: ObservabilityStack | undefined;
if (s.observability) {
    observability = new ObservabilityStack("observability", {
        prefix: `obs-${cfg.stack}`,
        labels: cfg.labels,
        scrapeIntervalSeconds: s.metricsScrapeSeconds,
        logRetentionDays: s.logRetentionDays,
        slowQueryMs: s.slowQueryMs,
        edgeNetwork,
        grafanaHost: `grafana-${cfg.stack}.${s.domain}`,
        // The stage's database server (staging/production); dev and PR databases are containers,
        // covered by cAdvisor and their slow-query logs.
        database: s.dbHost
            ? { host: s.dbHost, port: s.dbPort, database: "postgres", user: s.dbAdminUser, password: secret(s.dbAdminPassword) ?? "", sslMode: s.dbSslMode }
            : undefined,
        evidence: evidenceSchema
            ? {
                  host: s.evidenceDbHost!,
                  port: s.evidenceDbPort,
                  database: s.evidenceDbName ?? "postgres",
                  user: evidenceSchema.readerRole,
                  password: evidenceSchema.readerPassword,
                  sslMode: s.evidenceDbSslMode,
              }
            : undefined,
    }, onDocker);
}

// --- Stack outputs: the deployment evidence.
export const stageName = stage;
export const stackName = cfg.stack;
export const prNumber = cfg.prNumber ?? null;
export const gitSha = cfg.gitSha;
export const gitBranch = s.gitBranch ?? null;
export const url = environment.url;
export const mailCatcherUrl = environment.mailCatcherUrl;
export const databaseName = environment.databaseName;
export const imageReference = environment.imageReference;
export const imageDigest = environment.imageDigest;
export const snapshotBucketName = snapshotBucket?.bucketName ?? null;
export const grafanaUrl = observability?.grafanaUrl ?? null;
export const grafanaAdminPassword = observability?.grafanaAdminPassword ?? null;
/** Secret: the ops_writer URL CI stores as EVIDENCE_DB_URL (production stack only). */
export const evidenceWriterUrl = evidenceSchema?.writerUrl ?? null;
export const evidence = {
    schemaVersion: 1,
    stage,
    stack: cfg.stack,
    prNumber: cfg.prNumber ?? null,
    gitSha: cfg.gitSha,
    gitBranch: s.gitBranch ?? null,
    url: environment.url,
    mailCatcherUrl: environment.mailCatcherUrl,
    database: environment.databaseName,
    image: { reference: environment.imageReference, digest: environment.imageDigest },
    neutralized: neutralized !== undefined,
    addonsPath: s.addonsPath,
    odooVersion: s.odooVersion,
    labels: cfg.labels,
    evidenceSchema: evidenceSchema?.schemaName ?? null,
};
