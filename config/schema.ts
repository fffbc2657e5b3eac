/**
 * Every configuration key of the program, in one table: its type (a zod schema), what it means,
 * where its value comes from, the stages that require it and its per-stage default.
 *
 * Rules are data: the loader (load.ts), the offline plan and the generated docs
 * (docs/architecture/ENVIRONMENT_VARIABLES.md) all read this table, so they cannot drift apart.
 * Keys live in Pulumi config under the project namespace: `odoo-platform:<key>`.
 */
import { z } from "zod";
import { runtimeContract } from "./contract";
import { isDnsName, postgresIdentifierPattern } from "./naming";
import type { Stage } from "./stage";
import { stageProfiles } from "./stageProfile";

export const projectName = "odoo-platform";

/** Odoo series the platform deploys (each has its core addons list in ops/repo/core-addons/). */
export const odooSeries = ["16.0", "17.0", "18.0", "19.0"] as const;
export type OdooSeries = (typeof odooSeries)[number];

/** Where a value is expected to come from (documented in the inventory). */
export type ValueSource = "config" | "secret" | "ci";

/** How a raw Pulumi config string is turned into a value before validation. */
type Coercion = "string" | "number" | "boolean" | "list" | "map";

export interface ConfigKey<T> {
    description: string;
    schema: z.ZodType<T>;
    coerce: Coercion;
    source: ValueSource;
    /** Environment variable CI may set instead of the config key (stack config wins when both are set). */
    env?: string;
    /** Stages where the key must have a value after defaults. */
    requiredIn?: readonly Stage[];
    /** Default per stage (or for every stage). */
    defaults?: Partial<Record<Stage, T>>;
    /** Shown in the docs. */
    example?: string;
}

/** libpq sslmode values the platform supports (odoo-platform:dbSslMode). */
export const sslModes = ["disable", "require", "verify-ca", "verify-full"] as const;
/** RDS instance classes, PostgreSQL majors and AWS VPC ids: the config keys and components/ManagedDatabase.ts share them. */
export const rdsInstanceClassPattern = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
export const rdsEngineVersionPattern = /^1[3-7]$/;
export const awsIdPatterns = { subnet: /^subnet-[0-9a-f]{8,17}$/, vpc: /^vpc-[0-9a-f]{8,17}$/, securityGroup: /^sg-[0-9a-f]{8,17}$/ } as const;
/** RDS for PostgreSQL (CreateDBInstance): gp2/gp3 storage from 20 GiB; automated backups kept 0–35 days (0 turns them off, which the platform refuses). */
export const rdsMinStorageGb = 20;
export const rdsMaxBackupRetentionDays = 35;

const key = <T>(spec: ConfigKey<T>): ConfigKey<T> => spec;
const everyStage = <T>(value: T): Record<Stage, T> => ({ dev: value, pr: value, staging: value, production: value });

const dnsName = z.string().refine(isDnsName, "must be a DNS name (letters, digits, dashes and dots, e.g. example.com)");
const hostList = z.array(dnsName);
const positiveInt = z.number().int("must be a whole number").positive("must be greater than 0");
const gitSha = z.string().regex(/^[0-9a-f]{7,40}$/, "must be a git commit SHA (7–40 lower-case hex characters)");
const containerPath = z.string().regex(/^\/[^,\s]*$/, "must be an absolute path inside the container");
const dockerHost = z
    .string()
    .regex(/^(unix|ssh|tcp|npipe):\/\/\S+$/, "must be a Docker host URL: unix:///var/run/docker.sock, ssh://user@host or tcp://host:2376");
const stackRef = z.string().regex(/^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, "must be a stack name, optionally qualified as org/project/stack");
const envName = /^[A-Z_][A-Z0-9_]*$/;
const confValue = z.union([z.string().refine((v) => !/[\r\n]/.test(v), "must not contain a line break"), z.number(), z.boolean()]);
const moduleName = z.string().regex(/^\w{1,256}$/, "must be an Odoo module name (letters, digits, underscores)");
const modulePattern = z.string().regex(/^[\w*?[\]!-]{1,256}$/, "must be a module name or a glob pattern such as l10n_*");
const repoGlob = z
    .string()
    .min(1)
    .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a path inside the repository (relative, no ..)");

/** odoo.conf options the platform writes itself, and the key that decides each one. */
export const platformOdooOptions: Record<string, string> = {
    addons_path: "set odoo-platform:addonsPath",
    data_dir: "the platform mounts the filestore and sessions volumes there",
    admin_passwd: "set odoo-platform:odooAdminPassword (secret)",
    db_host: "set odoo-platform:dbHost",
    db_port: "set odoo-platform:dbPort",
    db_user: "the platform creates the database owner role",
    db_password: "the platform generates it",
    db_name: "set odoo-platform:dbName",
    db_sslmode: "set odoo-platform:dbSslMode",
    dbfilter: "one database per environment, always",
    list_db: "the database manager stays off",
    proxy_mode: "Odoo runs behind Traefik",
    http_port: "the router expects 8069",
    gevent_port: "the router expects 8072",
    workers: "set odoo-platform:odooWorkers",
    max_cron_threads: "crons run in production only: set odoo-platform:odooCronThreads",
    limit_memory_soft: "derived from odoo-platform:odooMemoryMb",
    limit_memory_hard: "derived from odoo-platform:odooMemoryMb",
    smtp_server: "set odoo-platform:smtpHost (production) — every other stage sends to its mail catcher",
    smtp_port: "set odoo-platform:smtpPort",
    smtp_ssl: "derived from odoo-platform:smtpPort",
    smtp_user: "set odoo-platform:smtpUser",
    smtp_password: "set odoo-platform:smtpPassword (secret)",
    server_wide_modules: "set odoo-platform:serverWideModules",
    without_demo: "decided by the stage",
};

const imageRef = z
    .string()
    .regex(
        /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$/,
        "must be a Docker image reference such as odoo:17.0 or ghcr.io/org/odoo@sha256:<64 hex>",
    );

export const configKeys = {
    // --- Identity of the deployment (set by CI) ---------------------------------------------
    gitSha: key({
        description: "Commit deployed by this stack; labels every resource and is recorded as evidence.",
        schema: gitSha.optional(),
        coerce: "string",
        source: "ci",
        env: "ODOO_PLATFORM_GIT_SHA",
        requiredIn: ["pr", "staging", "production"],
        example: "3f2c1e9",
    }),
    gitBranch: key({
        description: "Branch deployed by this stack; a PR stack's host name is derived from it.",
        schema: z.string().min(1, "must not be empty").optional(),
        coerce: "string",
        source: "ci",
        env: "ODOO_PLATFORM_GIT_BRANCH",
        requiredIn: ["pr"],
        defaults: { staging: "main", production: "production" },
        example: "feature/invoice-layout",
    }),

    // --- Where it runs ------------------------------------------------------------------------
    domain: key({
        description: "Base DNS domain. Hosts: erp.<domain> (production), staging.<domain>, pr-<n>-<slug>.dev.<domain>.",
        schema: dnsName,
        coerce: "string",
        source: "config",
        requiredIn: ["dev", "pr", "staging", "production"],
        defaults: { dev: "localhost" },
        example: "example.com",
    }),
    host: key({
        description: "Public host of the Odoo environment, overriding the stage's default host.",
        schema: dnsName.optional(),
        coerce: "string",
        source: "config",
        example: "erp.example.com",
    }),
    dockerHost: key({
        description: "Docker daemon the stack deploys to: the local socket in dev, ssh:// for remote hosts.",
        schema: dockerHost,
        coerce: "string",
        source: "config",
        defaults: everyStage("unix:///var/run/docker.sock"),
        example: "ssh://deploy@nonprod-1.example.com",
    }),
    sharedStack: key({
        description:
            "Stack that owns the shared Traefik, wildcard DNS record and observability of this Docker host; PR stacks read it through a StackReference.",
        schema: stackRef.optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["pr"],
        example: "example/odoo-platform/staging",
    }),

    // --- Kubernetes runtime (odoo-platform:runtime kubernetes) --------------------------------
    runtime: key({
        description:
            "Where the stack runs: `docker` (one Docker host over dockerHost) or `kubernetes` (an existing cluster: EKS, AKS, GKE; see docs/architecture/KUBERNETES.md).",
        schema: z.enum(["docker", "kubernetes"], "must be docker or kubernetes"),
        coerce: "string",
        source: "config",
        defaults: everyStage("docker" as const),
    }),
    kubeconfig: key({
        description:
            "Kubeconfig of the existing cluster (runtime kubernetes); when unset the provider reads KUBECONFIG / ~/.kube/config of the environment. Never printed.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    kubernetesContext: key({
        description: "Context of the kubeconfig to use (runtime kubernetes); its current context when unset.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "config",
    }),
    kubernetesNamespace: key({
        description: "Namespace of the stack (runtime kubernetes), overriding odoo-<stage>; PR stacks always get pr-<n> (br-<slug> for branch environments).",
        schema: z
            .string()
            .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name (lower-case letters, digits, dashes; at most 63)")
            .optional(),
        coerce: "string",
        source: "config",
        example: "odoo-production",
    }),
    ingressClass: key({
        description: "IngressClass of the cluster's ingress controller the environment's Ingress uses (runtime kubernetes).",
        schema: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "must be an IngressClass name"),
        coerce: "string",
        source: "config",
        defaults: everyStage("nginx"),
    }),
    certIssuer: key({
        description:
            "cert-manager ClusterIssuer (Cloudflare DNS-01) that issues the environment's certificate (runtime kubernetes); PR hosts use the wildcard certificate of the ingress controller.",
        schema: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "must be a ClusterIssuer name"),
        coerce: "string",
        source: "config",
        defaults: everyStage("letsencrypt-cloudflare"),
    }),
    storageClass: key({
        description: "StorageClass of the ReadWriteMany volume holding the filestore and sessions (runtime kubernetes): EFS, Azure Files, Filestore …",
        schema: z
            .string()
            .regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "must be a StorageClass name")
            .optional(),
        coerce: "string",
        source: "config",
        example: "efs-sc",
    }),
    filestoreGb: key({
        description: "Size of the filestore claim in GiB (runtime kubernetes).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: { dev: 5, pr: 5, staging: 50, production: 200 },
    }),
    odooReplicas: key({
        description: "HTTP worker pods (runtime kubernetes); in production the HorizontalPodAutoscaler's minimum.",
        schema: positiveInt.max(50, "must be at most 50"),
        coerce: "number",
        source: "config",
        defaults: { dev: 1, pr: 1, staging: 1, production: 2 },
    }),
    odooMaxReplicas: key({
        description: "Most HTTP worker pods the production HorizontalPodAutoscaler scales to (runtime kubernetes).",
        schema: positiveInt.max(50, "must be at most 50"),
        coerce: "number",
        source: "config",
        defaults: everyStage(6),
    }),
    odooCpuRequest: key({
        description: "CPU request of an Odoo pod (runtime kubernetes; the limit is odooCpus).",
        schema: z.number().positive("must be greater than 0").max(64, "must be at most 64"),
        coerce: "number",
        source: "config",
        defaults: { dev: 0.25, pr: 0.25, staging: 0.5, production: 2 },
    }),
    odooMemoryRequestMb: key({
        description: "Memory request of an Odoo pod in MiB (runtime kubernetes; the limit is odooMemoryMb).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: { dev: 1024, pr: 768, staging: 1536, production: 6144 },
    }),
    opsImage: key({
        description:
            "Image of the operations CLI (built from ops.Dockerfile and pushed) that runs the data-plane Jobs (runtime kubernetes); by digest in staging and production.",
        schema: imageRef.optional(),
        coerce: "string",
        source: "config",
        example: "ghcr.io/example/odoo-platform-ops@sha256:<digest>",
    }),
    databaseCidrs: key({
        description:
            "CIDR blocks of the database server (the RDS subnets), the only database egress a PR namespace's NetworkPolicy allows (runtime kubernetes).",
        schema: z.array(z.cidrv4("must be an IPv4 CIDR such as 10.0.32.0/20")),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: "[10.0.32.0/20, 10.0.48.0/20]",
    }),

    // --- Managed PostgreSQL (AWS RDS, runtime kubernetes) -------------------------------------
    rdsInstanceClass: key({
        description: "RDS instance class of the stage's PostgreSQL (runtime kubernetes, staging and production).",
        schema: z.string().regex(rdsInstanceClassPattern, "must be an RDS instance class such as db.m6g.large"),
        coerce: "string",
        source: "config",
        defaults: { dev: "db.t4g.micro", pr: "db.t4g.micro", staging: "db.t4g.medium", production: "db.m6g.large" },
    }),
    rdsEngineVersion: key({
        description: "PostgreSQL major version of the RDS instance (the parameter group family follows it).",
        schema: z.string().regex(rdsEngineVersionPattern, "must be a PostgreSQL major version from 13 to 17"),
        coerce: "string",
        source: "config",
        defaults: everyStage("15"),
    }),
    rdsAllocatedStorageGb: key({
        description: "Storage of the RDS instance in GiB (storage autoscaling up to 4× this).",
        schema: positiveInt.min(rdsMinStorageGb, `must be at least ${rdsMinStorageGb} GiB (the RDS minimum)`),
        coerce: "number",
        source: "config",
        defaults: { dev: 20, pr: 20, staging: 50, production: 200 },
    }),
    rdsMultiAz: key({
        description: "Run the RDS instance Multi-AZ (a standby in a second zone).",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        defaults: { dev: false, pr: false, staging: false, production: true },
    }),
    rdsBackupRetentionDays: key({
        description: "Days RDS keeps automated backups (point-in-time recovery window).",
        schema: z
            .number()
            .int("must be a whole number")
            .min(1, "must be at least 1 (0 turns backups off)")
            .max(rdsMaxBackupRetentionDays, `must be at most ${rdsMaxBackupRetentionDays}`),
        coerce: "number",
        source: "config",
        defaults: { dev: 1, pr: 1, staging: 7, production: 14 },
    }),
    rdsSubnetIds: key({
        description: "Private subnets (at least two zones) of the RDS instance: the cluster's VPC.",
        schema: z.array(z.string().regex(awsIdPatterns.subnet, "must be subnet ids (subnet-…)")),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: "[subnet-0a1b2c3d, subnet-4e5f6a7b]",
    }),
    rdsVpcId: key({
        description: "VPC of the cluster and the RDS instance.",
        schema: z.string().regex(awsIdPatterns.vpc, "must be a VPC id (vpc-…)").optional(),
        coerce: "string",
        source: "config",
    }),
    clusterSecurityGroupId: key({
        description: "Security group of the cluster's nodes: the only source the RDS security group admits.",
        schema: z.string().regex(awsIdPatterns.securityGroup, "must be a security group id (sg-…)").optional(),
        coerce: "string",
        source: "config",
    }),

    // --- Odoo ---------------------------------------------------------------------------------
    odooVersion: key({
        description: "Odoo series deployed (decides table and column names the data tools expect).",
        schema: z.enum(odooSeries, `must be one of ${odooSeries.join(", ")}`),
        coerce: "string",
        source: "config",
        defaults: everyStage("17.0" as const),
    }),
    odooImage: key({
        description: "Odoo image reference. Staging and production must pin it by digest (@sha256:…).",
        schema: imageRef,
        coerce: "string",
        source: "config",
        env: "ODOO_PLATFORM_ODOO_IMAGE",
        requiredIn: ["dev", "pr", "staging", "production"],
        defaults: { dev: "odoo:17.0", pr: "odoo:17.0" },
        example: "ghcr.io/example/odoo@sha256:<digest>",
    }),
    odooBuildContext: key({
        description: "Build the Odoo image from this directory's Dockerfile, tagged with the git SHA, instead of pulling odooImage (dev and PR stacks).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "config",
        example: ".",
    }),
    addonsPath: key({
        description: "Addons path inside the Odoo container: the runtime contract every stage must match (config/runtime-contract.yaml).",
        schema: z.array(containerPath).min(1, "must list at least one directory"),
        coerce: "list",
        source: "config",
        defaults: everyStage(runtimeContract.addonsPath),
        example: "[/mnt/extra-addons, /mnt/oca-addons]",
    }),
    devSourceDir: key({
        description: "Dev only: host directory with the addons sources, bind-mounted over the addons path for hot reload (--dev=all).",
        schema: z.string().regex(/^\//, "must be an absolute host path").optional(),
        coerce: "string",
        source: "config",
        example: "/home/me/src/odoo-addons",
    }),
    odooWorkers: key({
        description: "Odoo HTTP workers (0 = threaded mode, used in dev).",
        schema: z.number().int("must be a whole number").min(0, "must be 0 or more").max(64, "must be at most 64"),
        coerce: "number",
        source: "config",
        defaults: { dev: 0, pr: 2, staging: 2, production: 4 },
    }),
    odooMemoryMb: key({
        description: "Memory limit of the Odoo container in MiB.",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: { dev: 2048, pr: 1536, staging: 3072, production: 8192 },
    }),
    odooCpus: key({
        description: "CPU limit of the Odoo container (number of CPUs, fractions allowed).",
        schema: z.number().positive("must be greater than 0").max(64, "must be at most 64"),
        coerce: "number",
        source: "config",
        defaults: { dev: 2, pr: 1, staging: 2, production: 4 },
    }),
    odooExtraEnv: key({
        description: "Extra environment variables for the Odoo container (policies check them: ODOO_STAGE cannot be overridden to another stage).",
        schema: z.record(z.string().regex(envName, "names must be upper-case environment variable names"), z.string()),
        coerce: "map",
        source: "config",
        defaults: everyStage({}),
        example: "{ LOG_LEVEL: info }",
    }),
    odooAdminPassword: key({
        description: "Odoo master password (admin_passwd in odoo.conf). Generated when unset.",
        schema: z.string().min(12, "must be at least 12 characters").optional(),
        coerce: "string",
        source: "secret",
    }),
    odooSecretEnv: key({
        description:
            'Environment variables with credentials for modules (API keys, connection strings): set with `pulumi config set --secret odooSecretEnv \'{"NAME": "value"}\'` (or CI\'s secret ODOO_PLATFORM_SECRET_ENV, JSON); never printed by plan, outputs or logs.',
        schema: z.record(z.string().regex(envName, "names must be upper-case environment variable names"), z.string()),
        coerce: "map",
        source: "secret",
        env: "ODOO_PLATFORM_SECRET_ENV",
        defaults: everyStage({}),
        example: "{ AZURE_OPENAI_API_KEY: …, AZURE_STORAGE_CONNECTION_STRING: … }",
    }),
    odooConfOptions: key({
        description:
            "Extra [options] of odoo.conf (Odoo's own names, e.g. unaccent, limit_time_real_cron); options the platform sets itself are refused with the key that sets them.",
        schema: z
            .record(z.string().regex(/^[a-z][a-z0-9_]*$/, "option names are lower-case (Odoo's odoo/tools/config.py names)"), confValue)
            .superRefine((options, ctx) => {
                for (const name of Object.keys(options)) {
                    const owner = platformOdooOptions[name];
                    if (owner) ctx.addIssue({ code: "custom", message: `${name} is set by the platform: ${owner}`, path: [name] });
                }
            }),
        coerce: "map",
        source: "config",
        defaults: everyStage({}),
        example: "{ unaccent: true, limit_time_real_cron: 1800 }",
    }),
    odooConfSections: key({
        description: "Extra sections of odoo.conf, each a map of options (e.g. queue_job's [queue_job] channels).",
        schema: z.record(
            z
                .string()
                .regex(/^[a-z][a-z0-9_.-]*$/, "section names are lower-case")
                .refine((s) => s !== "options", "use odooConfOptions for [options]"),
            z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, "option names are lower-case"), confValue),
        ),
        coerce: "map",
        source: "config",
        defaults: everyStage({}),
        example: '{ queue_job: { channels: "root:2" } }',
    }),
    serverWideModules: key({
        description:
            "server_wide_modules of odoo.conf (Odoo's default for the series when unset: base,web; base,rpc,web from 19.0); queue_job is added when odooQueueJobRunner is on.",
        schema: z.array(moduleName).min(1, "must list at least one module").optional(),
        coerce: "list",
        source: "config",
        example: "[base, web, queue_job]",
    }),
    odooSplitRoles: key({
        description: "Run Odoo as separate containers: HTTP workers (max_cron_threads = 0) and one cron runner (production only: crons stay off elsewhere).",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        defaults: everyStage(false),
    }),
    odooCronThreads: key({
        description: "max_cron_threads of production's cron runner (every other stage runs no cron).",
        schema: z.number().int("must be a whole number").min(1, "must be at least 1").max(16, "must be at most 16"),
        coerce: "number",
        source: "config",
        defaults: everyStage(2),
    }),
    odooQueueJobRunner: key({
        description:
            "Run OCA queue_job's job runner in a container of its own (production only; jobs wait elsewhere, like crons). Adds queue_job to server_wide_modules.",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        defaults: everyStage(false),
    }),

    // --- The Odoo repository (addons, module selection) ---------------------------------------
    repoDir: key({
        description:
            "The Odoo repository, relative to the Pulumi project (or absolute): where addons are discovered and modules selected. CI points it at the pull request's checkout.",
        schema: z.string().min(1, "must not be empty"),
        coerce: "string",
        source: "ci",
        env: "ODOO_PLATFORM_REPO_DIR",
        defaults: everyStage("."),
        example: "pr-head",
    }),
    addonsRoots: key({
        description:
            "Directories (globs, relative to the repository) holding the repository's own modules, searched for __manifest__.py down to addonsMaxDepth; PR environments install these modules.",
        schema: z.array(repoGlob).min(1, "must list at least one directory"),
        coerce: "list",
        source: "config",
        defaults: everyStage(["addons"]),
        example: "[addons/ipai]",
    }),
    thirdPartyAddonsRoots: key({
        description:
            "Directories (globs) of third-party addons besides git submodules and the repos file's repositories (which count as third-party by themselves): on the addons path, not installed unless a module needs them.",
        schema: z.array(repoGlob),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: "[vendor/*]",
    }),
    addonsMaxDepth: key({
        description: "How deep below an addons root a module directory may be (addons/ipai/<module> is depth 2 below addons).",
        schema: z.number().int("must be a whole number").min(1, "must be at least 1").max(8, "must be at most 8"),
        coerce: "number",
        source: "config",
        defaults: everyStage(4),
    }),
    reposFile: key({
        description: "git-aggregator repos file (relative to the repository) whose repositories the image build fetches; each becomes an addons-path entry.",
        schema: z.string().regex(/\.ya?ml$/, "must be a .yaml or .yml file (git-aggregator reads only YAML)"),
        coerce: "string",
        source: "config",
        defaults: everyStage("repos.yaml"),
    }),
    installModules: key({
        description: "Modules to install besides the repository's own: names or glob patterns (fnmatch style, e.g. l10n_*).",
        schema: z.array(modulePattern),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: "[queue_job, web_responsive]",
    }),
    excludeModules: key({
        description: "Modules never installed, names or patterns; wins over installModules and the repository's own modules.",
        schema: z.array(modulePattern),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: "[ipai_enterprise_bridge, *_demo]",
    }),
    missingDependencies: key({
        description: "A selected module whose dependency is not available: exclude it with a warning naming the missing module, or fail the deployment.",
        schema: z.enum(["exclude", "fail"], "must be exclude or fail"),
        coerce: "string",
        source: "config",
        defaults: everyStage("exclude" as const),
    }),
    odooDockerfile: key({
        description: "The repository's Dockerfile the Odoo image is built from (relative to the repository); repo check reads its COPY lines and base image.",
        schema: z.string().min(1),
        coerce: "string",
        source: "config",
        defaults: everyStage("Dockerfile"),
    }),

    // --- Database -----------------------------------------------------------------------------
    dbHost: key({
        description: "PostgreSQL server of staging/production. Dev and PR stacks run their own PostgreSQL container.",
        schema: dnsName.optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["staging", "production"],
        example: "db.internal.example.com",
    }),
    dbPort: key({
        description: "PostgreSQL port.",
        schema: positiveInt.max(65535, "must be a TCP port (1–65535)"),
        coerce: "number",
        source: "config",
        defaults: everyStage(5432),
    }),
    dbSslMode: key({
        description: "libpq sslmode used to reach the database server.",
        schema: z.enum(sslModes, "must be one of disable, require, verify-ca, verify-full"),
        coerce: "string",
        source: "config",
        defaults: { dev: "disable", pr: "disable", staging: "require", production: "verify-full" },
    }),
    dbSslRootCert: key({
        description:
            "CA certificate the database server's certificate is checked against (dbSslMode verify-ca / verify-full): its PEM text, or `system` for the CA bundle of the Odoo image (a publicly issued certificate).",
        schema: z
            .string()
            .refine(
                (v) => v === "system" || /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/.test(v),
                "must be `system` or a PEM certificate (-----BEGIN CERTIFICATE----- …)",
            )
            .optional(),
        coerce: "string",
        source: "config",
        example: "system",
    }),
    dbAdminUser: key({
        description: "Role the postgresql provider connects as to create databases and roles.",
        schema: z.string().min(1),
        coerce: "string",
        source: "config",
        defaults: everyStage("postgres"),
    }),
    dbAdminPassword: key({
        description: "Password of dbAdminUser (or set PGPASSWORD in CI). Never printed.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
        env: "PGPASSWORD",
    }),
    dbName: key({
        description: "Odoo database name, overriding odoo_<stage> / odoo_pr_<n>.",
        schema: z.string().regex(postgresIdentifierPattern, "must be a lower-case PostgreSQL identifier (a-z, 0-9, _; at most 63)").optional(),
        coerce: "string",
        source: "config",
    }),
    postgresImage: key({
        description: "Image of the per-environment PostgreSQL container (dev and PR stacks).",
        schema: imageRef,
        coerce: "string",
        source: "config",
        defaults: everyStage("postgres:15"),
    }),

    // --- Data: snapshots and neutralization ---------------------------------------------------
    snapshotBucket: key({
        description: "S3 bucket this stack owns: production backups (production stack) or sanitized snapshots for restores (staging stack).",
        schema: z
            .string()
            .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3–63 lower-case letters, digits, dots, dashes)")
            .optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["staging", "production"],
        example: "example-odoo-snapshots",
    }),
    snapshotBlockPublicAccess: key({
        description: "Turn on all four S3 public-access blocks of the snapshot bucket (the security policy requires true).",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        defaults: everyStage(true),
    }),
    snapshotKmsKeyId: key({
        description: "KMS key (ARN) encrypting the snapshot bucket (SSE-KMS); AES256 (SSE-S3) when unset.",
        schema: z
            .string()
            .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/\S+$/, "must be a KMS key or alias ARN")
            .optional(),
        coerce: "string",
        source: "config",
        example: "arn:aws:kms:eu-west-1:123456789012:key/0b1c…",
    }),
    snapshotKeepDaily: key({
        description: "Daily production backups kept in the snapshot bucket (Odoo.sh keeps 7).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: everyStage(7),
    }),
    snapshotKeepWeekly: key({
        description: "Weekly production backups kept (Odoo.sh keeps 4).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: everyStage(4),
    }),
    snapshotKeepMonthly: key({
        description: "Monthly production backups kept (Odoo.sh keeps 3).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: everyStage(3),
    }),
    stagingSnapshotDays: key({
        description: "Days a sanitized staging snapshot stays in the bucket before it expires.",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: everyStage(30),
    }),
    awsRegion: key({
        description: "AWS region of the snapshot bucket.",
        schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-west-1"),
        coerce: "string",
        source: "config",
        defaults: everyStage("eu-west-1"),
    }),
    snapshotId: key({
        description: "Snapshot a staging (or PR) database is restored from: 'latest' or a snapshot id; unset in PR/dev means a fresh database with demo data.",
        schema: z
            .string()
            .regex(/^(latest|[A-Za-z0-9][A-Za-z0-9._-]*)$/, "must be 'latest' or a snapshot id")
            .optional(),
        coerce: "string",
        source: "config",
        defaults: { staging: "latest" },
    }),

    // --- Mail and egress ----------------------------------------------------------------------
    mailCatcher: key({
        description: "Run Mailpit and point every outgoing mail server at it (required in every non-production stage).",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        // What each stage gets by default is the stage profile's call (config/stageProfile.ts).
        defaults: {
            dev: stageProfiles.dev.mailCatcher,
            pr: stageProfiles.pr.mailCatcher,
            staging: stageProfiles.staging.mailCatcher,
            production: stageProfiles.production.mailCatcher,
        },
    }),
    smtpHost: key({
        description: "Real SMTP relay (production only; any other stage sends only to its mail catcher).",
        schema: dnsName.optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["production"],
        example: "smtp.postmarkapp.com",
    }),
    smtpPort: key({
        description: "Port of the SMTP relay.",
        schema: positiveInt.max(65535, "must be a TCP port (1–65535)"),
        coerce: "number",
        source: "config",
        defaults: everyStage(587),
    }),
    smtpUser: key({
        description: "User of the SMTP relay.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "config",
    }),
    smtpPassword: key({
        description: "Password of the SMTP relay. Never printed.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    egressAllowlist: key({
        description: "Hosts a non-production Odoo may reach through the egress proxy; everything else has no route out.",
        schema: hostList,
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: "[apps.odoo.com, pypi.org]",
    }),

    // --- DNS, TLS and routing -----------------------------------------------------------------
    cloudflareZoneId: key({
        description: "Cloudflare zone of the domain (DNS records are created there). Token: CLOUDFLARE_API_TOKEN.",
        schema: z
            .string()
            .regex(/^[0-9a-f]{32}$/, "must be a Cloudflare zone id (32 hex characters)")
            .optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["staging", "production"],
    }),
    publicIp: key({
        description: "Public IPv4 address of the Docker host the DNS records point at.",
        schema: z.ipv4("must be an IPv4 address").optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["staging", "production"],
        example: "203.0.113.10",
    }),
    acmeEmail: key({
        description: "Contact e-mail for Let's Encrypt certificates issued by Traefik.",
        schema: z.email("must be an e-mail address").optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["staging", "production"],
    }),

    // --- GitHub repository settings -----------------------------------------------------------
    githubRepository: key({
        description: "GitHub repository (owner/name) whose environments, branch protection and Actions settings the stack manages. Token: GITHUB_TOKEN.",
        schema: z
            .string()
            .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "must be owner/name")
            .optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["production"],
        example: "example/odoo",
    }),
    githubProductionReviewers: key({
        description: "GitHub user ids who must approve production deployments (the 'production' environment).",
        schema: z.array(z.number().int().positive("must be numeric GitHub user ids")),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as number[]),
        example: "[1234567]",
    }),
    ciPulumiAccessToken: key({
        description:
            "Pulumi token the PR and staging workflows use (repository secret PULUMI_ACCESS_TOKEN): a team token with access to the staging and pr-* stacks only.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    ciProductionPulumiAccessToken: key({
        description: "Pulumi token for production jobs: the `production` environment's own PULUMI_ACCESS_TOKEN, readable only after a reviewer approves.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    ciNonprodSshKey: key({
        description: "Private SSH key of the non-production Docker host's deploy user (repository secret DEPLOY_SSH_KEY).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    ciProductionSshKey: key({
        description:
            "Private SSH key of the production Docker host's deploy user (DEPLOY_SSH_KEY of the `production` and `production-backup` environments only).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    ciSshKnownHosts: key({
        description: "known_hosts lines of the Docker hosts the workflows reach over ssh:// (repository secret DEPLOY_KNOWN_HOSTS).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
        example: "nonprod-1.example.com ssh-ed25519 AAAA…",
    }),
    ciStagingPgPassword: key({
        description: "Password of the non-production database server's admin, for PR stacks restored from a snapshot (repository secret STAGING_PGPASSWORD).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    ciSnapshotReaderAwsAccessKeyId: key({
        description:
            "Access key id of an IAM user with the staging bucket's reader policy, for PR stacks restored from a snapshot (STAGING_SNAPSHOT_READER_AWS_ACCESS_KEY_ID).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    ciSnapshotReaderAwsSecretAccessKey: key({
        description: "Its secret access key (STAGING_SNAPSHOT_READER_AWS_SECRET_ACCESS_KEY).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    ciPlatformGithubToken: key({
        description:
            "GitHub token with admin rights on the repository, for production jobs whose github provider manages these settings (PLATFORM_GITHUB_TOKEN of the `production` environment).",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),

    // --- Evidence database (ops schema) -------------------------------------------------------
    evidenceDbHost: key({
        description: "PostgreSQL server holding the ops evidence schema (Supabase or any PostgreSQL); the production stack manages the schema.",
        schema: dnsName.optional(),
        coerce: "string",
        source: "config",
        requiredIn: ["production"],
        example: "db.abcdefghijklmnop.supabase.co",
    }),
    evidenceDbPort: key({
        description: "Port of the evidence database server.",
        schema: positiveInt.max(65535, "must be a TCP port (1–65535)"),
        coerce: "number",
        source: "config",
        defaults: everyStage(5432),
    }),
    evidenceDbName: key({
        description: "Database holding the ops schema.",
        schema: z.string().regex(postgresIdentifierPattern, "must be a lower-case PostgreSQL identifier").optional(),
        coerce: "string",
        source: "config",
        defaults: { production: "postgres" },
    }),
    evidenceDbSslMode: key({
        description: "libpq sslmode used to reach the evidence database (Supabase requires TLS).",
        schema: z.enum(sslModes, "must be one of disable, require, verify-ca, verify-full"),
        coerce: "string",
        source: "config",
        defaults: everyStage("require" as const),
    }),
    evidenceDbAdminUser: key({
        description: "Role that owns the ops schema and creates ops_writer / ops_reader.",
        schema: z.string().min(1),
        coerce: "string",
        source: "config",
        defaults: everyStage("postgres"),
    }),
    evidenceDbAdminPassword: key({
        description: "Password of evidenceDbAdminUser (or EVIDENCE_PGPASSWORD in CI). Never printed.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
        env: "EVIDENCE_PGPASSWORD",
    }),

    // --- Observability ------------------------------------------------------------------------
    observability: key({
        description:
            "Deploy the ObservabilityStack (Prometheus, Loki, Grafana) on this stack's Docker host; runtime kubernetes: postgres-exporter and its ServiceMonitor for the stack's RDS instance (the cluster stack runs Prometheus).",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        defaults: { dev: false, pr: false, staging: true, production: true },
    }),
    metricsScrapeSeconds: key({
        description: "Prometheus scrape interval in seconds (parity target: under 10 s of lag).",
        schema: positiveInt.max(10, "must be at most 10 seconds"),
        coerce: "number",
        source: "config",
        defaults: everyStage(10),
    }),
    logRetentionDays: key({
        description: "Days Loki keeps logs.",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: { dev: 3, pr: 7, staging: 14, production: 31 },
    }),
    slowQueryMs: key({
        description: "PostgreSQL log_min_duration_statement: queries slower than this are logged (Odoo.sh's pg_long_queries.log).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: everyStage(500),
    }),

    // --- Builds: tests, module updates, branch environments -----------------------------------
    testsEnabled: key({
        description: "Run the selected modules' Odoo tests on every build, in a one-shot container against a fresh database (PR and branch environments).",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        defaults: { dev: false, pr: true, staging: false, production: false },
    }),
    testTags: key({
        description:
            "Odoo --test-tags of a build: a bare tag is applied to each tested module (at_install → at_install/<module>); a full spec ([-][tag][/module][:class][.method]) is passed as written.",
        schema: z
            .array(
                z
                    .string()
                    .regex(
                        /^[+-]?(\*|\w*)(\/[\w/.]*)?(:\w*)?(\.\w*)?$/,
                        "must be an Odoo test tag or spec such as post_install, -at_install or /sale:TestSale.test_x",
                    ),
            )
            .min(1, "must list at least one tag"),
        coerce: "list",
        source: "config",
        defaults: everyStage(["at_install", "post_install"]),
        example: "[post_install, -/website:TestUi]",
    }),
    testTimeoutMinutes: key({
        description: "Time limit of a build's test run; a run still going is stopped and the build is red.",
        schema: positiveInt.max(240, "must be at most 240 minutes"),
        coerce: "number",
        source: "config",
        defaults: everyStage(30),
    }),
    testLogIgnore: key({
        description: "Regular expressions of log records that do not count as warnings or errors in a test run (checklog-odoo's --ignore).",
        schema: z.array(
            z.string().refine((p) => {
                try {
                    new RegExp(p);
                    return true;
                } catch {
                    return false;
                }
            }, "must be a valid regular expression"),
        ),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: "[\"WARNING .* unknown parameter 'tracking'\"]",
    }),
    moduleChecksumExclude: key({
        description:
            "Extra fnmatch patterns (relative to a module) left out of its update checksum, besides compiled files, .pot, static/, tests/ and hidden files.",
        schema: z.array(z.string().min(1)),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: '["data/demo_*.xml"]',
    }),
    healthWindowSeconds: key({
        description:
            "After an update, the new version must pass every health check for this long, or the update is reverted (backup restored, previous image redeployed).",
        schema: positiveInt.max(3600, "must be at most 3600 seconds"),
        coerce: "number",
        source: "config",
        defaults: { dev: 60, pr: 60, staging: 120, production: 300 },
    }),
    branchEnvironments: key({
        description:
            "Branch name patterns (* matches within a segment, ** across /) whose pushes get an environment with the PR lifecycle; no branch does when empty.",
        schema: z.array(z.string().regex(/^[A-Za-z0-9._\/*-]+$/, "must be a branch name pattern such as feature/* or release-**")),
        coerce: "list",
        source: "config",
        defaults: everyStage([] as string[]),
        example: '["feature/*", "hotfix/**"]',
    }),

    // --- PR environments ----------------------------------------------------------------------
    prTtlHours: key({
        description: "A PR environment idle longer than this is swept.",
        schema: positiveInt.max(24 * 30, "must be at most 720 hours"),
        coerce: "number",
        source: "config",
        defaults: everyStage(72),
    }),
    prConcurrencyLimit: key({
        description: "At most this many PR environments run at once; the next PRs queue.",
        schema: positiveInt.max(100, "must be at most 100"),
        coerce: "number",
        source: "config",
        defaults: everyStage(5),
    }),
    prSlot: key({
        description:
            "Which of the Docker host's PR routing networks (odoo-edge-pr-<slot>, 1…prConcurrencyLimit) this PR stack uses: `pr up` sets a slot no other running PR holds, so PR environments cannot reach each other.",
        schema: positiveInt.max(100, "must be at most 100"),
        coerce: "number",
        source: "ci",
        defaults: { pr: 1 },
    }),
    prMaxMemoryMb: key({
        description: "Budget: the largest memory limit a PR stack's container may ask for (MiB).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        defaults: everyStage(2048),
    }),
    prMaxCpus: key({
        description: "Budget: the largest CPU limit a PR stack's container may ask for.",
        schema: z.number().positive("must be greater than 0"),
        coerce: "number",
        source: "config",
        defaults: everyStage(2),
    }),
} as const;

export type ConfigKeyName = keyof typeof configKeys;

/** The validated configuration of one stack. */
export type Settings = { [K in ConfigKeyName]: z.output<(typeof configKeys)[K]["schema"]> };

export const configKeyNames = Object.keys(configKeys) as ConfigKeyName[];

/** `odoo-platform:<key>`: how the key is spelled in Pulumi config and in error messages. */
export const qualified = (name: string): string => `${projectName}:${name}`;

// --- The shared cluster stack (`cluster`) ------------------------------------------------------
// Its own table: the stack installs the cluster's add-ons once (components/ClusterAddons.ts) and
// has no stage, so its keys are neither required nor defaulted per stage. The environment stacks
// name what it installs by their own keys (ingressClass, certIssuer), which default to its defaults.

export interface ClusterConfigKey<T> {
    description: string;
    schema: z.ZodType<T>;
    coerce: Coercion;
    source: ValueSource;
    required?: boolean;
    default?: T;
    example?: string;
}

const clusterKey = <T>(spec: ClusterConfigKey<T>): ClusterConfigKey<T> => spec;
const kubernetesName = (what: string) =>
    z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, `must be ${what} (lower-case letters, digits, dots, dashes; at most 63)`);
/** A chart version exactly as its repository's index lists it: pinned, never a range. */
const chartVersion = z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "must be an exact chart version such as 4.12.1 or v1.17.2 (no range)");

export const clusterConfigKeys = {
    kubeconfig: clusterKey({
        description: "Kubeconfig of the existing cluster; when unset the provider reads KUBECONFIG / ~/.kube/config of the environment. Never printed.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "secret",
    }),
    kubernetesContext: clusterKey({
        description: "Context of the kubeconfig to use; its current context when unset.",
        schema: z.string().min(1).optional(),
        coerce: "string",
        source: "config",
    }),
    domain: clusterKey({
        description:
            "Base DNS domain of the environments on this cluster: the wildcard certificate covers the PR hosts, *.dev.<domain>, and the issuer solves DNS-01 in this zone.",
        schema: dnsName,
        coerce: "string",
        source: "config",
        required: true,
        example: "example.com",
    }),
    acmeEmail: clusterKey({
        description: "Contact e-mail of the ACME account the ClusterIssuer registers.",
        schema: z.email("must be an e-mail address"),
        coerce: "string",
        source: "config",
        required: true,
    }),
    acmeServer: clusterKey({
        description: "ACME directory the ClusterIssuer uses (Let's Encrypt's staging directory while trying the cluster out).",
        schema: z.url({ protocol: /^https$/, error: "must be an https URL" }),
        coerce: "string",
        source: "config",
        default: "https://acme-v02.api.letsencrypt.org/directory",
    }),
    cloudflareApiToken: clusterKey({
        description:
            "Cloudflare API token (Zone:DNS:Edit on the domain's zone) cert-manager solves DNS-01 with; stored in a Secret in cert-manager's namespace. Secret config only.",
        schema: z.string().min(1, "must not be empty"),
        coerce: "string",
        source: "secret",
        required: true,
    }),
    ingressClass: clusterKey({
        description: "IngressClass the ingress controller serves: the environment stacks' odoo-platform:ingressClass.",
        schema: kubernetesName("an IngressClass name"),
        coerce: "string",
        source: "config",
        default: "nginx",
    }),
    certIssuer: clusterKey({
        description: "Name of the cert-manager ClusterIssuer (Cloudflare DNS-01): the environment stacks' odoo-platform:certIssuer.",
        schema: kubernetesName("a ClusterIssuer name"),
        coerce: "string",
        source: "config",
        default: "letsencrypt-cloudflare",
    }),
    ingressReplicas: clusterKey({
        description: "Pods of the ingress controller (at least 2 keeps the environments reachable through a node drain).",
        schema: positiveInt.max(20, "must be at most 20"),
        coerce: "number",
        source: "config",
        default: 2,
    }),
    observability: clusterKey({
        description:
            "Install kube-prometheus-stack, Loki and the Alloy DaemonSet shipping the environments' pod logs in the monitoring namespace (the environments' dashboards and alerts are delivered to them).",
        schema: z.boolean(),
        coerce: "boolean",
        source: "config",
        default: true,
    }),
    metricsScrapeSeconds: clusterKey({
        description: "Prometheus scrape and rule evaluation interval in seconds (as the docker runtime's odoo-platform:metricsScrapeSeconds).",
        schema: positiveInt.max(10, "must be at most 10 seconds"),
        coerce: "number",
        source: "config",
        default: 10,
    }),
    metricsRetentionDays: clusterKey({
        description: "Days Prometheus keeps metrics.",
        schema: positiveInt.max(365, "must be at most 365"),
        coerce: "number",
        source: "config",
        default: 15,
    }),
    logRetentionDays: clusterKey({
        description: "Days Loki keeps logs.",
        schema: positiveInt.max(365, "must be at most 365"),
        coerce: "number",
        source: "config",
        default: 31,
    }),
    slowQueryMs: clusterKey({
        description:
            "The environments' PostgreSQL log_min_duration_statement, as the dashboards' titles show it (the environment stacks' odoo-platform:slowQueryMs).",
        schema: positiveInt,
        coerce: "number",
        source: "config",
        default: 500,
    }),
    monitoringStorageClass: clusterKey({
        description: "StorageClass of the Prometheus and Loki volumes (ReadWriteOnce); the cluster's default class when unset.",
        schema: kubernetesName("a StorageClass name").optional(),
        coerce: "string",
        source: "config",
        example: "gp3",
    }),
    ingressNginxChartVersion: clusterKey({
        description: "Version of the ingress-nginx chart (https://kubernetes.github.io/ingress-nginx).",
        schema: chartVersion,
        coerce: "string",
        source: "config",
        default: "4.12.1",
    }),
    certManagerChartVersion: clusterKey({
        description: "Version of the cert-manager chart (https://charts.jetstack.io).",
        schema: chartVersion,
        coerce: "string",
        source: "config",
        default: "v1.17.2",
    }),
    kubePrometheusStackChartVersion: clusterKey({
        description: "Version of the kube-prometheus-stack chart (https://prometheus-community.github.io/helm-charts).",
        schema: chartVersion,
        coerce: "string",
        source: "config",
        default: "70.4.2",
    }),
    lokiChartVersion: clusterKey({
        description: "Version of the Loki chart (https://grafana.github.io/helm-charts).",
        schema: chartVersion,
        coerce: "string",
        source: "config",
        default: "6.29.0",
    }),
    alloyChartVersion: clusterKey({
        description: "Version of the Grafana Alloy chart (https://grafana.github.io/helm-charts), the DaemonSet shipping the environments' pod logs to Loki.",
        schema: chartVersion,
        coerce: "string",
        source: "config",
        default: "1.11.1",
    }),
} as const;

export type ClusterConfigKeyName = keyof typeof clusterConfigKeys;
/** The validated configuration of the shared cluster stack. */
export type ClusterSettings = { [K in ClusterConfigKeyName]: z.output<(typeof clusterConfigKeys)[K]["schema"]> };
export const clusterConfigKeyNames = Object.keys(clusterConfigKeys) as ClusterConfigKeyName[];
