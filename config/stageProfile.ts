/**
 * What each stage gets, in one table: the decisions the program (index.ts) and its components make
 * per stage. The stack name decides the stage (config/stage.ts); this table decides what that
 * stage means. Components take these decisions as arguments and never compare stage names, so a
 * stage's behaviour is read here and nowhere else.
 *
 * Settings with per-stage defaults (sizes, retention days, sslmode …) stay in config/schema.ts:
 * a stack may change those. Nothing here can be configured — a copied config file cannot give a
 * PR stack production's crons or real mail.
 */
import type { Stage } from "./stage";

/** What the stage decides about one Odoo environment (components/OdooEnvironment.ts, its arguments). */
export interface EnvironmentDecisions {
    /**
     * The environment's network is internal (no route out): whatever neutralization missed still
     * cannot reach a real API. A database server is then reached through a relay.
     */
    isolated: boolean;
    /**
     * How Odoo reaches other hosts: only the allow-listed ones through the egress proxy, none at all
     * (an isolated network without the proxy), or directly (a network that is not isolated).
     */
    egress: "allowlist-proxy" | "none" | "direct";
    /** `--dev=all`, debug logging, and the source directory bind-mounted over the addons (devSourceDir). */
    devMode: boolean;
    /** A fresh database gets demo data (odoo.conf `without_demo` off). */
    demoData: boolean;
    /** Crons (and the queue_job runner) run: only where the data is real. */
    runsCrons: boolean;
    /** The image may be built from the repository's Dockerfile; otherwise it is pulled, pinned by digest. */
    buildsImage: boolean;
    /** The routes ask search engines not to index the host. */
    noIndex: boolean;
}

/**
 * What the stage decides on the Kubernetes runtime (components/kubernetesProgram.ts). The host's
 * DNS records and certificate follow `edge`: a stage with a public edge of its own has its records
 * and a cert-manager certificate; one on another stack's edge is served by the staging stack's PR
 * wildcard record and the ingress controller's wildcard certificate.
 */
export interface KubernetesDecisions {
    /**
     * The namespace: one per stack, named after it (pr-<n>, br-<slug>: the stage has many stacks),
     * or the stage's own (odoo-<stage>, or odoo-platform:kubernetesNamespace).
     */
    namespace: "per-stack" | "per-stage";
    /** The namespace gets a ResourceQuota and a LimitRange from the PR budget (prMaxCpus, prMaxMemoryMb, filestoreGb). */
    budgeted: boolean;
    /**
     * The PostgreSQL server: an RDS instance the stack creates (components/ManagedDatabase.ts, its
     * address an output), or the staging stack's, at odoo-platform:dbHost.
     */
    databaseServer: "managed" | "staging-server";
    /** The HTTP pods scale between odooReplicas and odooMaxReplicas (HorizontalPodAutoscaler) and a node drain keeps one serving (PodDisruptionBudget). */
    scalesOut: boolean;
}

/** How the objects holding data are kept (resource options of volumes, databases, buckets, DNS records). */
export interface RetentionDecision {
    /** Refuse any replacement or deletion. */
    protect?: boolean;
    /** Keep the object when the stack is destroyed. */
    retainOnDelete?: boolean;
}

export interface StageProfile {
    stage: Stage;
    /**
     * Where the environment's database comes from: a PostgreSQL container of its own (fresh, demo
     * data), a neutralized copy of a snapshot on the stage's server, or production's own database.
     */
    database: "container" | "neutralized-copy" | "production";
    /** A configured snapshotId turns the container database into a neutralized copy (a PR asking for one). */
    restoresOnRequest: boolean;
    /**
     * How modules reach the database: the prepare step installs them on a fresh database (and sets
     * the admin login), or the update step updates those whose checksum changed on one that lives on.
     * A restored copy is always updated.
     */
    init: "install" | "update";
    environment: EnvironmentDecisions;
    /** Default of odoo-platform:mailCatcher: every non-production stage sends mail only to Mailpit. */
    mailCatcher: boolean;
    /**
     * The Docker host's router: the one another stack owns (read through a StackReference), or one
     * of its own — on the local machine only (no DNS, no certificates) or public, and routing the
     * PR environments' slots (one network each, a wildcard DNS record) or not.
     */
    edge: { owner: "shared" } | { owner: "self"; exposure: "local" | "public"; routesPrs: boolean };
    /**
     * The stage's own snapshot bucket: production's holds its backups, staging's only sanitized
     * snapshots (staging never reads production's); other stages have none.
     */
    snapshots: "backups" | "sanitized" | "none";
    /** The deployment evidence schema (ops/evidence) lives with this stage. */
    evidenceSchema: boolean;
    /** The GitHub repository's settings (environments, secrets, variables) are owned by this stage. */
    repositorySettings: boolean;
    retention: RetentionDecision;
    /** Unset where the stage does not run on Kubernetes (dev runs on the local Docker engine). */
    kubernetes?: KubernetesDecisions;
}

const isolatedEnvironment = { isolated: true, egress: "allowlist-proxy", noIndex: true, runsCrons: false } as const;

/** The table. */
export const stageProfiles: Readonly<Record<Stage, Readonly<StageProfile>>> = {
    dev: {
        stage: "dev",
        database: "container",
        restoresOnRequest: false,
        init: "install",
        environment: { ...isolatedEnvironment, devMode: true, demoData: true, buildsImage: true },
        mailCatcher: true,
        edge: { owner: "self", exposure: "local", routesPrs: false },
        snapshots: "none",
        evidenceSchema: false,
        repositorySettings: false,
        retention: {},
    },
    pr: {
        stage: "pr",
        database: "container",
        restoresOnRequest: true,
        init: "install",
        environment: { ...isolatedEnvironment, devMode: false, demoData: true, buildsImage: true },
        mailCatcher: true,
        edge: { owner: "shared" },
        snapshots: "none",
        evidenceSchema: false,
        repositorySettings: false,
        retention: {},
        kubernetes: { namespace: "per-stack", budgeted: true, databaseServer: "staging-server", scalesOut: false },
    },
    staging: {
        stage: "staging",
        database: "neutralized-copy",
        restoresOnRequest: false,
        init: "update",
        environment: { ...isolatedEnvironment, devMode: false, demoData: false, buildsImage: false },
        mailCatcher: true,
        edge: { owner: "self", exposure: "public", routesPrs: true },
        snapshots: "sanitized",
        evidenceSchema: false,
        repositorySettings: false,
        // A sanitized copy, but hours to rebuild, and its certificates count against Let's Encrypt's limits.
        retention: { retainOnDelete: true },
        kubernetes: { namespace: "per-stage", budgeted: false, databaseServer: "managed", scalesOut: false },
    },
    production: {
        stage: "production",
        database: "production",
        restoresOnRequest: false,
        init: "update",
        environment: { isolated: false, egress: "direct", devMode: false, demoData: false, runsCrons: true, buildsImage: false, noIndex: false },
        mailCatcher: false,
        edge: { owner: "self", exposure: "public", routesPrs: false },
        snapshots: "backups",
        evidenceSchema: true,
        repositorySettings: true,
        retention: { protect: true, retainOnDelete: true },
        kubernetes: { namespace: "per-stage", budgeted: false, databaseServer: "managed", scalesOut: true },
    },
};

export const stageProfile = (stage: Stage): Readonly<StageProfile> => stageProfiles[stage];

/** What one stack's environment gets: its stage's profile, with a PR's requested snapshot applied. */
export interface EnvironmentPlan {
    database: StageProfile["database"];
    init: StageProfile["init"];
    /** The database is a neutralized copy restored from the stage's snapshots. */
    restoresSnapshot: boolean;
}

export function environmentPlan(profile: Readonly<StageProfile>, snapshotRequested: boolean): EnvironmentPlan {
    if (profile.restoresOnRequest && snapshotRequested) return { database: "neutralized-copy", init: "update", restoresSnapshot: true };
    return { database: profile.database, init: profile.init, restoresSnapshot: profile.database === "neutralized-copy" };
}
