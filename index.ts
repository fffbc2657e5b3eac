/**
 * The odoo-platform Pulumi program. The stack name decides the stage (config/stage.ts), the stage
 * profile table what the stage gets (config/stageProfile.ts, looked up once here); the validated
 * settings (config/schema.ts) decide everything else. Data flows one way:
 * stack config → settings → components → stack outputs → evidence.
 */
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as docker from "@pulumi/docker";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { EdgeRouter, observabilityRouteNetworkName } from "./components/EdgeRouter";
import { EnvironmentVolumes } from "./components/EnvironmentVolumes";
import { OpsImage } from "./components/OpsImage";
import { dataRetention } from "./components/retention";
import { resolveSnapshot } from "./components/snapshotSource";
import { EvidenceSchema } from "./components/EvidenceSchema";
import { resolveActionsSettings } from "./components/githubActions";
import { NeutralizedDatabase } from "./components/NeutralizedDatabase";
import { ProductionDatabase } from "./components/ProductionDatabase";
import { DatabaseTarget, mailpitSmtpPort, OdooEnvironment } from "./components/OdooEnvironment";
import { ObservabilityStack } from "./components/ObservabilityStack";
import { RepositorySettings } from "./components/RepositorySettings";
import { serverWideModules } from "./components/odooRoles";
import { EdgeEndpoint } from "./components/routing";
import { kubernetesProgram, KubernetesProgramOutputs } from "./components/kubernetesProgram";
import { imageRegistry, routesPrs, sharedDnsHosts, SharedEdge, sharedEdgeOutput, sharedEdgeProblems } from "./components/shared";
import { SnapshotBucket } from "./components/SnapshotBucket";
import { stableLabels } from "./config/naming";
import { loadStackSettings, projectDir } from "./config/pulumi";
import { environmentPlan, stageProfile } from "./config/stageProfile";
import { selectForStack } from "./ops/repo/environment";

const cfg = loadStackSettings();
const { settings: s, names, stage } = cfg;
/** What this stage gets: the only place the program looks at the stage. */
const profile = stageProfile(stage);
const secret = <T>(value: T | undefined) => (value === undefined ? undefined : pulumi.secret(value));
/** How this stage keeps what holds data (production protected, staging retained on destroy). */
const retention = dataRetention(stage);
/** The environment's database and init: the stage's, with a PR's requested snapshot applied. */
const envPlan = environmentPlan(profile, s.snapshotId !== undefined);

// --- Data. Each of staging and production owns its own snapshot bucket: production's holds its
// --- backups, staging's holds only sanitized snapshots, so staging never has access to production
// --- data. Staging (and PR stacks asking for it) restore a neutralized copy; dev and other PR
// --- stacks start from a fresh database with demo data.
let snapshotBucket: SnapshotBucket | undefined;
const restoresSnapshot = envPlan.restoresSnapshot;
const awsProvider = profile.snapshots !== "none" || restoresSnapshot
    ? new aws.Provider("aws", { region: s.awsRegion as aws.Region, defaultTags: { tags: stableLabels(cfg.labels) } })
    : undefined;
if (profile.snapshots !== "none") {
    snapshotBucket = new SnapshotBucket("snapshots", {
        bucketName: s.snapshotBucket!,
        tags: stableLabels(cfg.labels),
        keep: retention,
        blockPublicAccess: s.snapshotBlockPublicAccess,
        kmsKeyId: s.snapshotKmsKeyId,
        retention: { dailyKeep: s.snapshotKeepDaily, weeklyKeep: s.snapshotKeepWeekly, monthlyKeep: s.snapshotKeepMonthly, stagingSnapshotDays: s.stagingSnapshotDays },
    }, { providers: { aws: awsProvider! } });
}

// --- The modules of the repository at odoo-platform:repoDir (CI: the checkout being deployed, read as
// --- data): dev and PR databases install them, builds test them, staging and production update
// --- those whose checksum changed and install new ones.
const modules = selectForStack(s, projectDir);
for (const warning of modules.warnings) pulumi.log.warn(warning);

// --- Shared per-host and per-project pieces.
let evidenceSchema: EvidenceSchema | undefined;
if (profile.evidenceSchema) {
    evidenceSchema = new EvidenceSchema("evidence", {
        host: s.evidenceDbHost!,
        port: s.evidenceDbPort,
        database: s.evidenceDbName ?? "postgres",
        adminUser: s.evidenceDbAdminUser,
        adminPassword: secret(s.evidenceDbAdminPassword),
        sslMode: s.evidenceDbSslMode,
        workDir: projectDir,
        retention,
    });
}

// --- Docker or Kubernetes (odoo-platform:runtime): the same settings, the runtime's own resources.
let edgeRouter: EdgeRouter | undefined;
let sharedEdge: pulumi.Output<SharedEdge> | undefined;
let neutralized: NeutralizedDatabase | undefined;
let environment: OdooEnvironment | undefined;
let kube: KubernetesProgramOutputs | undefined;
let observability: ObservabilityStack | undefined;
if (s.runtime === "kubernetes") {
    kube = kubernetesProgram({
        cfg,
        modules,
        snapshotUri: restoresSnapshot ? resolveSnapshot({ bucket: s.snapshotBucket!, id: s.snapshotId!, provider: awsProvider }) : undefined,
        awsProvider,
        snapshotBucket,
        runnerEnv: stagingRunnerEnv(),
        serverWideModules: s.serverWideModules || s.odooQueueJobRunner ? serverWideModules(s.odooVersion, s.serverWideModules, s.odooQueueJobRunner) : undefined,
    });
} else {
    // Pulls from a private registry (GHCR) authenticate with the runner's `docker login` credentials.
    const registry = imageRegistry(s.odooImage);
    const dockerProvider = new docker.Provider("docker", {
        host: s.dockerHost,
        registryAuth: registry ? [{ address: registry }] : undefined,
        sshOpts: dockerSshOptions(s.dockerHost),
    });
    const onDocker = { providers: { docker: dockerProvider } };

    // --- Routing. One stack per Docker host owns the router, its networks and the DNS records
    // --- (staging on the non-production host, production on its own, dev on the developer's
    // --- machine); PR stacks read the owner's `edge` output through a StackReference.
    let edgeEndpoint: pulumi.Input<EdgeEndpoint>;
    let edgeNetwork: pulumi.Input<string> | undefined;
    const edgeProfile = profile.edge;
    if (edgeProfile.owner === "shared") {
        const shared = new pulumi.StackReference("shared", { name: s.sharedStack! });
        sharedEdge = shared.requireOutput("edge") as pulumi.Output<SharedEdge>;
        edgeEndpoint = sharedEdge.apply((e) => {
            const problems = sharedEdgeProblems(e, { sharedStack: s.sharedStack!, dockerHost: s.dockerHost, host: names.host, prSlot: s.prSlot });
            if (problems.length) throw new Error(`cannot use the shared edge of ${s.sharedStack}:\n  - ${problems.join("\n  - ")}`);
            // The network of this PR's slot: no other running PR environment is on it.
            return { network: e.prNetworks[s.prSlot! - 1], entrypoint: e.entrypoint, certResolver: e.certResolver ?? undefined };
        });
    } else {
        // A local router (dev) has no DNS records and no certificates, and listens on the loopback only.
        const local = edgeProfile.exposure === "local";
        const cloudflareProvider = local ? undefined : new cloudflare.Provider("cloudflare", {});
        edgeRouter = new EdgeRouter("edge", {
            labels: cfg.labels,
            retention,
            // The non-production host routes the PR environments: one network per slot.
            prSlots: edgeProfile.routesPrs ? s.prConcurrencyLimit : 0,
            acmeEmail: local ? undefined : s.acmeEmail,
            bindAddress: local ? "127.0.0.1" : undefined,
            dns: local ? undefined : {
                zoneId: s.cloudflareZoneId!,
                publicIp: s.publicIp!,
                hosts: sharedDnsHosts({ stage, names, mailCatcher: s.mailCatcher, grafanaHost: s.observability ? `grafana-${cfg.stack}.${s.domain}` : undefined }),
            },
        }, { providers: { docker: dockerProvider, ...(cloudflareProvider ? { cloudflare: cloudflareProvider } : {}) } });
        edgeEndpoint = edgeRouter.endpoint;
        edgeNetwork = edgeRouter.networkName;
    }
    // PR hosts sit behind the shared edge, which always terminates TLS; a router-owning stack knows its own.
    const edgeTls = edgeRouter ? !!edgeRouter.endpoint.certResolver : true;

    const baseUrl = `https://${names.host}`;
    const serverDatabase = (owner: { user: pulumi.Input<string>; password: pulumi.Input<string> }, ready?: { resources: pulumi.Resource[]; gate: pulumi.Input<string> }): DatabaseTarget => ({
        kind: "server",
        host: s.dbHost!,
        port: s.dbPort,
        user: owner.user,
        knownUser: names.databaseOwner,
        password: owner.password,
        sslMode: s.dbSslMode,
        sslRootCert: s.dbSslRootCert,
        ready: ready?.resources,
        readyGate: ready?.gate,
    });
    const databaseServer = { host: s.dbHost!, port: s.dbPort, adminUser: s.dbAdminUser, adminPassword: secret(s.dbAdminPassword), sslMode: s.dbSslMode, sslRootCert: s.dbSslRootCert };

    // --- The environment's filestore and sessions: restored into by the refresh, mounted by Odoo.
    const volumes = new EnvironmentVolumes("odoo", { names, labels: cfg.labels, retention }, onDocker);

    let database: DatabaseTarget;
    if (envPlan.database === "neutralized-copy") {
        // `latest` is resolved to the snapshot it names now, so a new snapshot changes the steps' inputs.
        const snapshot = resolveSnapshot({ bucket: s.snapshotBucket!, id: s.snapshotId!, provider: awsProvider });
        neutralized = new NeutralizedDatabase("database", {
            stage,
            prefix: names.prefix,
            labels: cfg.labels,
            server: databaseServer,
            database: names.database,
            owner: names.databaseOwner,
            snapshotUri: snapshot,
            baseUrl,
            mailCatcher: { host: "mailpit", port: mailpitSmtpPort },
            // The environment's own host, where neutralize moved the catchall and alias domains — not
            // the production domain, whose addresses (staff, customers) are exactly what must not remain.
            allowedDomains: ["example.com", names.host],
            runner: {
                image: new OpsImage("ops", { projectDir }, onDocker).imageName,
                filestoreVolume: volumes.filestore,
                env: stagingRunnerEnv(),
            },
            workDir: projectDir,
            retention,
        }, onDocker);
        database = serverDatabase({ user: neutralized.ownerRole, password: neutralized.ownerPassword }, { resources: [neutralized.verified, neutralized.ready], gate: neutralized.gate });
    } else if (envPlan.database === "production") {
        const production = new ProductionDatabase("database", { server: databaseServer, database: names.database, owner: names.databaseOwner });
        database = serverDatabase({ user: production.ownerRole, password: production.ownerPassword });
    } else {
        database = { kind: "container", image: s.postgresImage, slowQueryMs: s.slowQueryMs };
    }

    // --- The Odoo environment itself.
    environment = new OdooEnvironment("odoo", {
        stage,
        decisions: profile.environment,
        names,
        labels: cfg.labels,
        gitSha: cfg.gitSha,
        image: s.odooImage,
        buildContext: s.odooBuildContext ? path.resolve(projectDir, s.odooBuildContext) : undefined,
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
        edge: edgeEndpoint,
        edgeNetwork,
        edgeTls,
        volumes,
        egressAllowlist: s.egressAllowlist,
        odooVersion: s.odooVersion,
        secretEnv: Object.fromEntries(Object.entries(s.odooSecretEnv).map(([k, v]) => [k, pulumi.secret(v)])),
        conf: {
            serverWideModules: s.serverWideModules || s.odooQueueJobRunner ? serverWideModules(s.odooVersion, s.serverWideModules, s.odooQueueJobRunner) : undefined,
            extraOptions: s.odooConfOptions,
            sections: s.odooConfSections,
        },
        roles: { splitRoles: s.odooSplitRoles, cronThreads: s.odooCronThreads, queueJobRunner: s.odooQueueJobRunner },
        init: envPlan.init === "install"
            ? { kind: "install", modules: { install: modules.install, unverified: modules.unverified, excluded: modules.excluded, missingDependencies: s.missingDependencies } }
            : { kind: "update", install: modules.install, exclude: s.moduleChecksumExclude },
        tests: s.testsEnabled ? { modules: modules.install, tags: s.testTags, timeoutMinutes: s.testTimeoutMinutes } : undefined,
    }, onDocker);

    if (s.observability) {
        observability = new ObservabilityStack("observability", {
            prefix: `obs-${cfg.stack}`,
            labels: cfg.labels,
            scrapeIntervalSeconds: s.metricsScrapeSeconds,
            logRetentionDays: s.logRetentionDays,
            slowQueryMs: s.slowQueryMs,
            edge: {
                routeNetworkName: observabilityRouteNetworkName,
                routeNetwork: edgeRouter!.observabilityNetworkName,
                metricsNetwork: edgeRouter!.metricsNetworkName,
                entrypoint: edgeRouter!.endpoint.entrypoint,
                certResolver: edgeRouter!.endpoint.certResolver,
            },
            retention,
            grafanaHost: `grafana-${cfg.stack}.${s.domain}`,
            // The stage's database server (staging/production); dev and PR databases are containers,
            // covered by cAdvisor and their slow-query logs.
            database: s.dbHost
                ? { host: s.dbHost, port: s.dbPort, database: "postgres", user: s.dbAdminUser, password: secret(s.dbAdminPassword) ?? "", sslMode: s.dbSslMode, sslRootCert: s.dbSslRootCert }
                : undefined,
            evidence: evidenceSchema
                ? {
                      host: s.evidenceDbHost!,
                      port: s.evidenceDbPort,
                      database: s.evidenceDbName ?? "postgres",
                      user: evidenceSchema.readerLogin,
                      password: evidenceSchema.readerPassword,
                      sslMode: s.evidenceDbSslMode,
                  }
                : undefined,
        }, onDocker);
    }

}

// --- GitHub repository settings: owned by the production stack alone.
let repositorySettings: RepositorySettings | undefined;
let githubActionsMissing: string[] = [];
if (profile.repositorySettings) {
    const [owner] = s.githubRepository!.split("/");
    const actions = resolveActionsSettings(s);
    githubActionsMissing = actions.missing;
    if (actions.missing.length) {
        pulumi.log.warn(`GitHub Actions: ${actions.missing.length} secret(s)/variable(s) the workflows need are not configured — see the githubSettings.missing output`);
    }
    repositorySettings = new RepositorySettings("github", {
        repository: s.githubRepository!,
        productionReviewers: s.githubProductionReviewers,
        secrets: actions.secrets.map((row) => ({ name: row.name, scope: row.scope, value: pulumi.secret(s[row.configKey] as string) })),
        variables: actions.variables,
    }, { providers: { github: new github.Provider("github", { owner }) } });
}

// --- Stack outputs: the deployment evidence.
export const stageName = stage;
export const stackName = cfg.stack;
export const prNumber = cfg.prNumber ?? null;
export const gitSha = cfg.gitSha;
export const gitBranch = s.gitBranch ?? null;
export const url = environment?.url ?? kube!.url;
export const mailCatcherUrl = environment?.mailCatcherUrl ?? null;
export const databaseName = environment?.databaseName ?? kube!.databaseName;
export const imageReference = environment?.imageReference ?? s.odooImage;
export const imageDigest = environment?.imageDigest ?? (s.odooImage.match(/@(sha256:[0-9a-f]{64})$/)?.[1] ?? null);
export const adminLogin = environment?.adminLogin ?? "admin";
/** Secret: `pulumi stack output --show-secrets adminLoginPassword -s <stack>`. */
export const adminLoginPassword = environment?.adminLoginPassword ?? kube!.adminLoginPassword;
/** Secret: the mail catcher UI's basic-auth password (user `mail`). */
export const mailCatcherPassword = environment?.mailCatcherPassword ?? null;
/** The build's test step (container, exit code, modules, tags): `pr up` reads its log and posts the commit status. */
export const tests = environment?.tests ?? null;
export const updateContainerName = environment?.updateContainerName ?? null;
/** What environments on this Docker host read through a StackReference (owners of a router only). */
export const edge = edgeRouter
    ? sharedEdgeOutput({ endpoint: edgeRouter.sharedEndpoint, dockerHost: s.dockerHost, prParentDomain: routesPrs(stage) ? names.prParentDomain : undefined, prNetworks: edgeRouter.prNetworks })
    : null;
export const sharedStack = profile.edge.owner === "shared" ? s.sharedStack : null;
export const runtime = s.runtime;
/** The stack's namespace (runtime kubernetes). */
export const kubernetesNamespace = kube?.namespace ?? null;
export const githubSettings = repositorySettings ? { repository: repositorySettings.repository, secrets: repositorySettings.secretNames, missing: githubActionsMissing } : null;
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
    url,
    mailCatcherUrl,
    database: databaseName,
    image: { reference: imageReference, digest: imageDigest },
    neutralized: neutralized !== undefined,
    addonsPath: s.addonsPath,
    odooVersion: s.odooVersion,
    labels: cfg.labels,
    evidenceSchema: evidenceSchema?.schemaName ?? null,
};
/** Volume on the Docker host holding the staging admin password the last refresh set (never in the state). */
export const adminPasswordVolume = neutralized?.secretsVolume ?? null;

/**
 * Docker over ssh:// opens one SSH connection per API client, and Pulumi runs many resource
 * operations at once: beyond sshd's MaxStartups (10 unauthenticated connections by default) the
 * host drops them. One multiplexed connection carries them all.
 */
function dockerSshOptions(host: string): string[] | undefined {
    if (!host.startsWith("ssh://")) return undefined;
    return ["-o", "ControlMaster=auto", "-o", "ControlPath=/tmp/odoo-platform-ssh-%C", "-o", "ControlPersist=120", "-o", "ServerAliveInterval=30"];
}

/** What the refresh steps on the Docker host need from CI to read the staging bucket (secrets stay secret). */
function stagingRunnerEnv(): Record<string, pulumi.Input<string>> {
    const env: Record<string, pulumi.Input<string>> = { AWS_REGION: s.awsRegion };
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
        const value = process.env[name];
        if (value) env[name] = pulumi.secret(value);
    }
    if (process.env.ODOO_PLATFORM_S3_ENDPOINT) env.ODOO_PLATFORM_S3_ENDPOINT = process.env.ODOO_PLATFORM_S3_ENDPOINT;
    return env;
}
