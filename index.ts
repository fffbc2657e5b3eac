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
import { imageDigestOf, stableLabels } from "./config/naming";
import { loadStackSettings, projectDir } from "./config/pulumi";
import { ConfigError } from "./config/load";
import { databaseSlice, DatabaseServerSlice, edgeSlice, stackSlices } from "./config/slices";
import { selectForStack } from "./ops/repo/environment";

const cfg = loadStackSettings();
const { settings: s, names, stage } = cfg;
/**
 * What this stage gets (its profile, looked up here once) and the settings cut per concern: each
 * slice is there exactly when the profile uses it, with the values it needs.
 */
const slices = stackSlices(cfg);
const { profile, plan: envPlan } = slices;
const secret = <T>(value: T | undefined) => (value === undefined ? undefined : pulumi.secret(value));
/** How this stage keeps what holds data (production protected, staging retained on destroy). */
const retention = dataRetention(stage);

// --- Data. Each of staging and production owns its own snapshot bucket: production's holds its
// --- backups, staging's holds only sanitized snapshots, so staging never has access to production
// --- data. Staging (and PR stacks asking for it) restore a neutralized copy; dev and other PR
// --- stacks start from a fresh database with demo data.
const awsProvider =
    slices.snapshotBucket || slices.snapshotRestore
        ? new aws.Provider("aws", { region: s.awsRegion as aws.Region, defaultTags: { tags: stableLabels(cfg.labels) } })
        : undefined;
const snapshotBucket =
    slices.snapshotBucket && awsProvider
        ? new SnapshotBucket("snapshots", { ...slices.snapshotBucket, tags: stableLabels(cfg.labels), keep: retention }, { providers: { aws: awsProvider } })
        : undefined;
/** `latest` is resolved to the snapshot it names now, so a new snapshot changes the steps' inputs. */
const restoredSnapshot = () => (slices.snapshotRestore ? resolveSnapshot({ ...slices.snapshotRestore, provider: awsProvider }) : undefined);

// --- The modules of the repository at odoo-platform:repoDir (CI: the checkout being deployed, read as
// --- data): dev and PR databases install them, builds test them, staging and production update
// --- those whose checksum changed and install new ones.
const modules = selectForStack(s, projectDir);
for (const warning of modules.warnings) pulumi.log.warn(warning);

// --- Shared per-host and per-project pieces.
const evidenceDatabase = slices.evidenceDatabase;
const evidenceSchema = evidenceDatabase
    ? new EvidenceSchema("evidence", { ...evidenceDatabase, adminPassword: secret(evidenceDatabase.adminPassword), workDir: projectDir, retention })
    : undefined;
/** The stage's database server as its admin reaches it, the password kept secret. */
const databaseAdmin = (server: DatabaseServerSlice) => ({ ...server, adminPassword: secret(server.adminPassword) });

// --- Docker or Kubernetes (odoo-platform:runtime): the same settings, the runtime's own resources.
let edgeRouter: EdgeRouter | undefined;
let sharedEdge: pulumi.Output<SharedEdge> | undefined;
let neutralized: NeutralizedDatabase | undefined;
let environment: OdooEnvironment | undefined;
let observability: ObservabilityStack | undefined;
/** What either runtime serves: the environment's URL, database and admin login password. */
let served: { url: pulumi.Output<string>; databaseName: pulumi.Output<string>; adminLoginPassword: pulumi.Output<string | null> };
let kube: KubernetesProgramOutputs | undefined;
if (s.runtime === "kubernetes") {
    kube = kubernetesProgram({
        cfg,
        slices,
        modules,
        snapshotUri: restoredSnapshot(),
        awsProvider,
        snapshotBucket,
        runnerEnv: stagingRunnerEnv(),
        serverWideModules:
            s.serverWideModules || s.odooQueueJobRunner ? serverWideModules(s.odooVersion, s.serverWideModules, s.odooQueueJobRunner) : undefined,
    });
    served = kube;
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
    const edge = edgeSlice(cfg, slices);
    if (edge.owner === "shared") {
        const shared = new pulumi.StackReference("shared", { name: edge.stack });
        sharedEdge = shared.requireOutput("edge") as pulumi.Output<SharedEdge>;
        edgeEndpoint = sharedEdge.apply((e) => {
            const problems = sharedEdgeProblems(e, { sharedStack: edge.stack, dockerHost: s.dockerHost, host: names.host, prSlot: edge.slot });
            if (problems.length) throw new Error(`cannot use the shared edge of ${edge.stack}:\n  - ${problems.join("\n  - ")}`);
            // The network of this PR's slot: no other running PR environment is on it.
            return { network: e.prNetworks[edge.slot - 1], entrypoint: e.entrypoint, certResolver: e.certResolver ?? undefined };
        });
    } else {
        // A local router (dev) has no DNS records and no certificates, and listens on the loopback only.
        const cloudflareProvider = edge.exposure === "local" ? undefined : new cloudflare.Provider("cloudflare", {});
        edgeRouter = new EdgeRouter(
            "edge",
            {
                labels: cfg.labels,
                retention,
                prSlots: edge.prSlots,
                ...(edge.exposure === "local"
                    ? { acmeEmail: undefined, bindAddress: "127.0.0.1", dns: undefined }
                    : {
                          acmeEmail: edge.acmeEmail,
                          bindAddress: undefined,
                          dns: {
                              ...edge.dns,
                              hosts: sharedDnsHosts({
                                  stage,
                                  names,
                                  mailCatcher: s.mailCatcher,
                                  grafanaHost: s.observability ? `grafana-${cfg.stack}.${s.domain}` : undefined,
                              }),
                          },
                      }),
            },
            { providers: { docker: dockerProvider, ...(cloudflareProvider ? { cloudflare: cloudflareProvider } : {}) } },
        );
        edgeEndpoint = edgeRouter.endpoint;
        edgeNetwork = edgeRouter.networkName;
    }
    // PR hosts sit behind the shared edge, which always terminates TLS; a router-owning stack knows its own.
    const edgeTls = edgeRouter ? !!edgeRouter.endpoint.certResolver : true;

    const baseUrl = `https://${names.host}`;
    const source = databaseSlice(cfg, slices);
    const serverDatabase = (
        server: DatabaseServerSlice,
        owner: { user: pulumi.Input<string>; password: pulumi.Input<string> },
        ready?: { resources: pulumi.Resource[]; gate: pulumi.Input<string> },
    ): DatabaseTarget => ({
        kind: "server",
        host: server.host,
        port: server.port,
        user: owner.user,
        knownUser: names.databaseOwner,
        password: owner.password,
        sslMode: server.sslMode,
        sslRootCert: server.sslRootCert,
        ready: ready?.resources,
        readyGate: ready?.gate,
    });

    // --- The environment's filestore and sessions: restored into by the refresh, mounted by Odoo.
    const volumes = new EnvironmentVolumes("odoo", { names, labels: cfg.labels, retention }, onDocker);

    let database: DatabaseTarget;
    if (source.kind === "neutralized-copy") {
        neutralized = new NeutralizedDatabase(
            "database",
            {
                stage,
                prefix: names.prefix,
                labels: cfg.labels,
                server: databaseAdmin(source.server),
                database: names.database,
                owner: names.databaseOwner,
                snapshotUri: resolveSnapshot({ ...source.snapshot, provider: awsProvider }),
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
            },
            onDocker,
        );
        database = serverDatabase(
            source.server,
            { user: neutralized.ownerRole, password: neutralized.ownerPassword },
            { resources: [neutralized.verified, neutralized.ready], gate: neutralized.gate },
        );
    } else if (source.kind === "production") {
        const production = new ProductionDatabase("database", { server: databaseAdmin(source.server), database: names.database, owner: names.databaseOwner });
        database = serverDatabase(source.server, { user: production.ownerRole, password: production.ownerPassword });
    } else {
        database = source;
    }

    // --- The Odoo environment itself.
    environment = new OdooEnvironment(
        "odoo",
        {
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
                serverWideModules:
                    s.serverWideModules || s.odooQueueJobRunner ? serverWideModules(s.odooVersion, s.serverWideModules, s.odooQueueJobRunner) : undefined,
                extraOptions: s.odooConfOptions,
                sections: s.odooConfSections,
            },
            roles: { splitRoles: s.odooSplitRoles, cronThreads: s.odooCronThreads, queueJobRunner: s.odooQueueJobRunner },
            init:
                envPlan.init === "install"
                    ? {
                          kind: "install",
                          modules: {
                              install: modules.install,
                              unverified: modules.unverified,
                              excluded: modules.excluded,
                              missingDependencies: s.missingDependencies,
                          },
                      }
                    : { kind: "update", install: modules.install, exclude: s.moduleChecksumExclude },
            tests: s.testsEnabled ? { modules: modules.install, tags: s.testTags, timeoutMinutes: s.testTimeoutMinutes } : undefined,
        },
        onDocker,
    );
    served = environment;

    if (s.observability) {
        // Grafana is routed by the stack's own router, on the networks it creates for it.
        const observedRouter = edgeRouter;
        if (!observedRouter)
            throw new ConfigError([
                `odoo-platform:observability needs a router of the stack's own: a ${stage} stack routes through ${s.sharedStack ?? "another stack"}'s, whose stack runs the observability (${process.env.ODOO_PLATFORM_CONFIG_FILE ?? `Pulumi.${cfg.stack}.yaml`})`,
            ]);
        observability = new ObservabilityStack(
            "observability",
            {
                prefix: `obs-${cfg.stack}`,
                labels: cfg.labels,
                scrapeIntervalSeconds: s.metricsScrapeSeconds,
                logRetentionDays: s.logRetentionDays,
                slowQueryMs: s.slowQueryMs,
                edge: {
                    routeNetworkName: observabilityRouteNetworkName,
                    routeNetwork: observedRouter.observabilityNetworkName,
                    metricsNetwork: observedRouter.metricsNetworkName,
                    entrypoint: observedRouter.endpoint.entrypoint,
                    certResolver: observedRouter.endpoint.certResolver,
                },
                retention,
                grafanaHost: `grafana-${cfg.stack}.${s.domain}`,
                // The stage's database server (staging/production); dev and PR databases are containers,
                // covered by cAdvisor and their slow-query logs.
                database: slices.databaseServer ? observedDatabase(databaseAdmin(slices.databaseServer)) : undefined,
                evidence:
                    evidenceSchema && evidenceDatabase
                        ? {
                              host: evidenceDatabase.host,
                              port: evidenceDatabase.port,
                              database: evidenceDatabase.database,
                              user: evidenceSchema.readerLogin,
                              password: evidenceSchema.readerPassword,
                              sslMode: evidenceDatabase.sslMode,
                          }
                        : undefined,
            },
            onDocker,
        );
    }
}

// --- GitHub repository settings: owned by the production stack alone.
let repositorySettings: RepositorySettings | undefined;
let githubActionsMissing: string[] = [];
if (slices.github) {
    const { owner, repository, productionReviewers } = slices.github;
    const actions = resolveActionsSettings(s);
    githubActionsMissing = actions.missing;
    if (actions.missing.length) {
        pulumi.log.warn(
            `GitHub Actions: ${actions.missing.length} secret(s)/variable(s) the workflows need are not configured — see the githubSettings.missing output`,
        );
    }
    repositorySettings = new RepositorySettings(
        "github",
        {
            repository,
            productionReviewers,
            secrets: actions.secrets.map((row) => ({ name: row.name, scope: row.scope, value: pulumi.secret(s[row.configKey] as string) })),
            variables: actions.variables,
        },
        { providers: { github: new github.Provider("github", { owner }) } },
    );
}

// --- Stack outputs: the deployment evidence.
export const stageName = stage;
export const stackName = cfg.stack;
export const prNumber = cfg.prNumber ?? null;
export const gitSha = cfg.gitSha;
export const gitBranch = s.gitBranch ?? null;
export const url = served.url;
export const mailCatcherUrl = environment?.mailCatcherUrl ?? kube?.mailCatcherUrl ?? null;
export const databaseName = served.databaseName;
export const imageReference = environment?.imageReference ?? s.odooImage;
export const imageDigest = environment?.imageDigest ?? imageDigestOf(s.odooImage) ?? null;
export const adminLogin = environment?.adminLogin ?? "admin";
/** Secret: `pulumi stack output --show-secrets adminLoginPassword -s <stack>`. */
export const adminLoginPassword = served.adminLoginPassword;
/** Secret: the mail catcher UI's basic-auth password (user `mail`). */
export const mailCatcherPassword = environment?.mailCatcherPassword ?? kube?.mailCatcherPassword ?? null;
/** The build's test step (container, exit code, modules, tags): `pr up` reads its log and posts the commit status. */
export const tests = environment?.tests ?? null;
export const updateContainerName = environment?.updateContainerName ?? null;
/** What environments on this Docker host read through a StackReference (owners of a router only). */
export const edge = edgeRouter
    ? sharedEdgeOutput({
          endpoint: edgeRouter.sharedEndpoint,
          dockerHost: s.dockerHost,
          prParentDomain: routesPrs(stage) ? names.prParentDomain : undefined,
          prNetworks: edgeRouter.prNetworks,
      })
    : null;
export const sharedStack = profile.edge.owner === "shared" ? s.sharedStack : null;
export const runtime = s.runtime;
/** The stack's namespace (runtime kubernetes). */
export const kubernetesNamespace = kube?.namespace ?? null;
export const githubSettings = repositorySettings
    ? { repository: repositorySettings.repository, secrets: repositorySettings.secretNames, missing: githubActionsMissing }
    : null;
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

/** The database server as the observability stack's exporter reads it (the admin, on the maintenance database). */
function observedDatabase(server: ReturnType<typeof databaseAdmin>) {
    return {
        host: server.host,
        port: server.port,
        database: "postgres",
        user: server.adminUser,
        password: server.adminPassword ?? "",
        sslMode: server.sslMode,
        sslRootCert: server.sslRootCert,
    };
}
