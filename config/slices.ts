/**
 * The stack's settings cut into typed slices, one per concern (the database server, the evidence
 * database, the snapshot bucket, the router, the GitHub repository …). A slice exists exactly when
 * the stage profile (config/stageProfile.ts) says the stack uses it, and its fields are then
 * non-optional: the program reads `slices.evidenceDatabase.host`, never `settings.evidenceDbHost!`.
 *
 * The loader (config/load.ts) already refuses a stack that lacks a required key (`requiredIn`, the
 * PR snapshot rules); a slice that still finds one missing names the key, as the loader would.
 * Values are plain: the program marks the secret ones secret.
 */
import { ConfigError, StackSettings } from "./load";
import { ConfigKeyName, qualified, Settings } from "./schema";
import { environmentPlan, EnvironmentPlan, KubernetesDecisions, StageProfile, stageProfile } from "./stageProfile";

/** The stage's PostgreSQL server, as its admin reaches it. */
export interface DatabaseServerSlice {
    host: string;
    port: number;
    adminUser: string;
    /** Unset: the provider and the CLI read PGPASSWORD from the environment. */
    adminPassword?: string;
    sslMode: Settings["dbSslMode"];
    /** CA of the server's certificate (verify-ca / verify-full): PEM, or "system". */
    sslRootCert?: string;
}

/** The database holding the deployment evidence (ops/evidence). */
export interface EvidenceDatabaseSlice {
    host: string;
    port: number;
    database: string;
    adminUser: string;
    adminPassword?: string;
    sslMode: Settings["evidenceDbSslMode"];
}

/** The stage's own snapshot bucket (production's backups, staging's sanitized snapshots). */
export interface SnapshotBucketSlice {
    bucketName: string;
    blockPublicAccess: boolean;
    kmsKeyId?: string;
    retention: { dailyKeep: number; weeklyKeep: number; monthlyKeep: number; stagingSnapshotDays: number };
}

/** The snapshot a neutralized copy is restored from (`latest` is resolved by the program). */
export interface SnapshotRef {
    bucket: string;
    id: string;
}

/** Where the environment's database comes from (the stage profile's `database`, a PR's snapshot applied). */
export type DatabaseSlice =
    | { kind: "container"; image: string; slowQueryMs: number }
    | { kind: "neutralized-copy"; server: DatabaseServerSlice; snapshot: SnapshotRef }
    | { kind: "production"; server: DatabaseServerSlice };

/** The Docker host's router, as the stage profile's `edge` says. */
export type EdgeSlice =
    /** Another stack's router (read through a StackReference), and the PR routing slot this stack uses. */
    | { owner: "shared"; stack: string; slot: number }
    /** A router on the local machine: no DNS records, no certificates, the loopback only. */
    | { owner: "self"; exposure: "local"; prSlots: 0 }
    | { owner: "self"; exposure: "public"; prSlots: number; acmeEmail: string; dns: { zoneId: string; publicIp: string } };

export interface GithubSlice {
    /** owner/name */
    repository: string;
    owner: string;
    /** GitHub user ids who approve production deployments. */
    productionReviewers: number[];
}

/** The RDS instance a stack on Kubernetes creates for its stage (components/ManagedDatabase.ts). */
export interface ManagedDatabaseSlice {
    instanceClass: string;
    engineVersion: string;
    allocatedStorageGb: number;
    multiAz: boolean;
    backupRetentionDays: number;
    subnetIds: string[];
    vpcId: string;
    /** The cluster's node security group: the only source the instance admits. */
    clusterSecurityGroupId: string;
    port: number;
    adminUser: string;
    /** Unset: generated. */
    adminPassword?: string;
    slowQueryMs: number;
}

/** What a stack on the Kubernetes runtime reads besides the slices every runtime reads. */
export interface KubernetesSlice {
    decisions: KubernetesDecisions;
    /** The ReadWriteMany claim of the filestore and sessions. */
    filestore: { storageClass: string; sizeGb: number };
    /** The namespace's quota and largest container; unset unless the profile budgets the namespace. */
    budget?: { maxCpus: number; maxMemoryMb: number; storageGb: number };
    /** The default-deny NetworkPolicies' database egress and the egress proxy's allow-list; unset where the environment is not isolated. */
    isolation?: { databaseCidrs: string[]; databasePort: number; egressAllowlist: string[] };
    /** The stack's own RDS instance (its address an output), or the staging stack's server. */
    databaseServer:
        | { kind: "managed"; instance: ManagedDatabaseSlice; sslMode: Settings["dbSslMode"]; sslRootCert?: string }
        | { kind: "staging-server"; server: DatabaseServerSlice };
    /** No issuer: the host is served by the ingress controller's wildcard certificate (a stage on another stack's edge). */
    ingress: { className: string; issuer?: string };
    /** The host's Cloudflare records; unset unless the stage has a public edge of its own. */
    dns?: { zoneId: string; publicIp: string };
    /** The operations CLI image of the refresh Jobs; unset unless the environment restores a snapshot. */
    refreshImage?: string;
    /** postgres-exporter for the stack's RDS instance (odoo-platform:observability); unset without a managed server. */
    databaseMetrics?: { scrapeIntervalSeconds: number };
}

/** The slices every runtime reads. */
export interface StackSlices {
    profile: Readonly<StageProfile>;
    plan: EnvironmentPlan;
    /** The stage's own snapshot bucket; unset where the profile gives it none. */
    snapshotBucket?: SnapshotBucketSlice;
    /** The snapshot the environment restores; unset unless its database is a neutralized copy. */
    snapshotRestore?: SnapshotRef;
    /** The stage's database server when one is configured (staging, production, a PR restoring a copy). */
    databaseServer?: DatabaseServerSlice;
    /** Where the evidence schema lives; unset where the profile keeps none. */
    evidenceDatabase?: EvidenceDatabaseSlice;
    /** The repository whose settings this stack owns; unset where the profile owns none. */
    github?: GithubSlice;
}

/** The value of a key the stage needs, or the loader's error for it. */
function needed<K extends ConfigKeyName>(cfg: StackSettings, key: K, why: string): NonNullable<Settings[K]> {
    const value = cfg.settings[key];
    if (value === undefined || value === null) throw new ConfigError([`${qualified(key)} is required ${why} (stack ${cfg.stack})`]);
    return value as NonNullable<Settings[K]>;
}

const databaseServerAt = (s: Settings, host: string): DatabaseServerSlice => ({
    host,
    port: s.dbPort,
    adminUser: s.dbAdminUser,
    adminPassword: s.dbAdminPassword,
    sslMode: s.dbSslMode,
    sslRootCert: s.dbSslRootCert,
});

export function stackSlices(cfg: StackSettings): StackSlices {
    const s = cfg.settings;
    const profile = stageProfile(cfg.stage);
    const plan = environmentPlan(profile, s.snapshotId !== undefined);
    const slices: StackSlices = { profile, plan, databaseServer: s.dbHost === undefined ? undefined : databaseServerAt(s, s.dbHost) };
    if (profile.snapshots !== "none") {
        slices.snapshotBucket = {
            bucketName: needed(cfg, "snapshotBucket", `in ${cfg.stage}, which keeps its own snapshots`),
            blockPublicAccess: s.snapshotBlockPublicAccess,
            kmsKeyId: s.snapshotKmsKeyId,
            retention: {
                dailyKeep: s.snapshotKeepDaily,
                weeklyKeep: s.snapshotKeepWeekly,
                monthlyKeep: s.snapshotKeepMonthly,
                stagingSnapshotDays: s.stagingSnapshotDays,
            },
        };
    }
    if (plan.restoresSnapshot) {
        const why = "for a neutralized copy restored from a snapshot";
        slices.snapshotRestore = { bucket: needed(cfg, "snapshotBucket", why), id: needed(cfg, "snapshotId", why) };
    }
    if (profile.evidenceSchema) {
        slices.evidenceDatabase = {
            host: needed(cfg, "evidenceDbHost", `in ${cfg.stage}, which holds the evidence schema`),
            port: s.evidenceDbPort,
            database: s.evidenceDbName ?? "postgres",
            adminUser: s.evidenceDbAdminUser,
            adminPassword: s.evidenceDbAdminPassword,
            sslMode: s.evidenceDbSslMode,
        };
    }
    if (profile.repositorySettings) {
        const repository = needed(cfg, "githubRepository", `in ${cfg.stage}, which owns the repository's settings`);
        slices.github = { repository, owner: repository.split("/")[0], productionReviewers: s.githubProductionReviewers };
    }
    return slices;
}

/** The environment's database (runtime docker): a container of its own, or the stage's server. */
export function databaseSlice(cfg: StackSettings, slices: StackSlices): DatabaseSlice {
    const s = cfg.settings;
    if (slices.plan.database === "container") return { kind: "container", image: s.postgresImage, slowQueryMs: s.slowQueryMs };
    const why = `for ${cfg.stage}'s database on the stage's server`;
    const server = slices.databaseServer ?? databaseServerAt(s, needed(cfg, "dbHost", why));
    if (slices.plan.database === "production") return { kind: "production", server };
    if (!slices.snapshotRestore) throw new ConfigError([`${qualified("snapshotId")} is required ${why} (stack ${cfg.stack})`]);
    return { kind: "neutralized-copy", server, snapshot: slices.snapshotRestore };
}

/** The router this stack routes through (runtime docker). */
export function edgeSlice(cfg: StackSettings, slices: StackSlices): EdgeSlice {
    const s = cfg.settings;
    const edge = slices.profile.edge;
    if (edge.owner === "shared") {
        return {
            owner: "shared",
            stack: needed(cfg, "sharedStack", "for the router another stack owns"),
            slot: needed(cfg, "prSlot", "for the PR routing network"),
        };
    }
    if (edge.exposure === "local") return { owner: "self", exposure: "local", prSlots: 0 };
    const why = `for ${cfg.stage}'s public router`;
    return {
        owner: "self",
        exposure: "public",
        // The host that routes the PR environments: one network per slot.
        prSlots: edge.routesPrs ? s.prConcurrencyLimit : 0,
        acmeEmail: needed(cfg, "acmeEmail", why),
        dns: { zoneId: needed(cfg, "cloudflareZoneId", why), publicIp: needed(cfg, "publicIp", why) },
    };
}

/** What the stack needs on the Kubernetes runtime, as the profile's `kubernetes` and `edge` say. */
export function kubernetesSlice(cfg: StackSettings, slices: StackSlices): KubernetesSlice {
    const s = cfg.settings;
    const { profile } = slices;
    const decisions = profile.kubernetes;
    if (!decisions)
        throw new ConfigError([
            `${qualified("runtime")} kubernetes is not for the ${cfg.stage} stage: it runs on the local Docker engine — remove the key (stack ${cfg.stack})`,
        ]);
    const edge = profile.edge;
    let databaseServer: KubernetesSlice["databaseServer"];
    if (decisions.databaseServer === "managed") {
        const why = `for ${cfg.stage}'s RDS instance`;
        databaseServer = {
            kind: "managed",
            instance: {
                instanceClass: s.rdsInstanceClass,
                engineVersion: s.rdsEngineVersion,
                allocatedStorageGb: s.rdsAllocatedStorageGb,
                multiAz: s.rdsMultiAz,
                backupRetentionDays: s.rdsBackupRetentionDays,
                subnetIds: s.rdsSubnetIds,
                vpcId: needed(cfg, "rdsVpcId", why),
                clusterSecurityGroupId: needed(cfg, "clusterSecurityGroupId", why),
                port: s.dbPort,
                adminUser: s.dbAdminUser,
                adminPassword: s.dbAdminPassword,
                slowQueryMs: s.slowQueryMs,
            },
            sslMode: s.dbSslMode,
            sslRootCert: s.dbSslRootCert,
        };
    } else {
        databaseServer = {
            kind: "staging-server",
            server: slices.databaseServer ?? databaseServerAt(s, needed(cfg, "dbHost", "for the staging database server PR databases live on")),
        };
    }
    const publicEdge = edge.owner === "self" && edge.exposure === "public";
    return {
        decisions,
        filestore: { storageClass: needed(cfg, "storageClass", "for the filestore's ReadWriteMany claim"), sizeGb: s.filestoreGb },
        budget: decisions.budgeted ? { maxCpus: s.prMaxCpus, maxMemoryMb: s.prMaxMemoryMb, storageGb: s.filestoreGb } : undefined,
        isolation:
            profile.environment.isolated && s.databaseCidrs.length
                ? { databaseCidrs: s.databaseCidrs, databasePort: s.dbPort, egressAllowlist: s.egressAllowlist }
                : undefined,
        databaseServer,
        ingress: { className: s.ingressClass, issuer: edge.owner === "shared" ? undefined : s.certIssuer },
        dns: publicEdge
            ? { zoneId: needed(cfg, "cloudflareZoneId", `for ${cfg.stage}'s DNS records`), publicIp: needed(cfg, "publicIp", `for ${cfg.stage}'s DNS records`) }
            : undefined,
        refreshImage: slices.plan.restoresSnapshot ? needed(cfg, "opsImage", "for the refresh Jobs of a neutralized copy") : undefined,
        databaseMetrics: databaseServer.kind === "managed" && s.observability ? { scrapeIntervalSeconds: s.metricsScrapeSeconds } : undefined,
    };
}
