/**
 * The environment variables that are not stack configuration keys: what the program sets inside
 * containers and commands (runtime), and the credentials CI hands the Pulumi CLI and the providers.
 * Together with config/schema.ts this is the whole inventory: docs/architecture/ENVIRONMENT_VARIABLES.md
 * is generated from both (`npm run docs`), and the `required-variables-set` policy checks the
 * runtime rows against every planned container.
 */
import { ContainerRole, containerRoles } from "./naming";
import { Stage, stages } from "./stage";

export type VariableSource = "config" | "secret" | "ci" | "runtime";

/** ODOO_STAGE's value in a stage (Odoo.sh's convention: the stage name; production is `production`). */
export const odooStageValue = (stage: Stage): string => stage;

const nonProduction: readonly Stage[] = stages.filter((s) => s !== "production");

/** A variable the program sets inside a container or a deployment command. */
export interface RuntimeVariable {
    name: string;
    description: string;
    /** Where it is set, for the docs. */
    where: string;
    /** Containers (by `odoo-platform.role`) that must carry it; unset for command environments. */
    roles?: readonly ContainerRole[];
    /** Stages where every such container must carry a non-empty value. */
    requiredIn: readonly Stage[];
    /** …and only when a container with this role runs in the same stack. */
    requiredWhenRolePresent?: ContainerRole;
    /** Its value is a credential: never printed. */
    secret?: boolean;
    /** The image also accepts `<name>_FILE`, naming a file that holds the value (the official postgres image does). */
    fileVariant?: boolean;
}

export const runtimeVariables: readonly RuntimeVariable[] = [
    {
        name: "ODOO_STAGE",
        description: `The stage Odoo runs in: ${stages.map((s) => `\`${odooStageValue(s)}\``).join(", ")} (the stack's stage, never configurable to another). Custom modules switch on it the way they do on Odoo.sh.`,
        where: "Odoo container (OdooEnvironment)",
        roles: [containerRoles.odoo],
        requiredIn: stages,
    },
    {
        name: "HTTP_PROXY",
        description:
            "The environment's egress proxy: outside production the only way out of the internal network, for allow-listed hosts (odoo-platform:egressAllowlist).",
        where: "Odoo container, when the stack runs an egress proxy",
        roles: [containerRoles.odoo],
        requiredIn: nonProduction,
        requiredWhenRolePresent: containerRoles.egressProxy,
    },
    {
        name: "HTTPS_PROXY",
        description: "As HTTP_PROXY, for HTTPS (CONNECT) requests.",
        where: "Odoo container, when the stack runs an egress proxy",
        roles: [containerRoles.odoo],
        requiredIn: nonProduction,
        requiredWhenRolePresent: containerRoles.egressProxy,
    },
    {
        name: "NO_PROXY",
        description: "Hosts reached directly on the internal network (database, mail catcher), bypassing the egress proxy.",
        where: "Odoo container, when the stack runs an egress proxy",
        roles: [containerRoles.odoo],
        requiredIn: [],
    },
    {
        name: "POSTGRES_DB",
        description: "Database the per-environment PostgreSQL container creates (odoo_<stage> / odoo_pr_<n>).",
        where: "PostgreSQL container (dev and PR stacks)",
        roles: [containerRoles.postgres],
        requiredIn: ["dev", "pr"],
        fileVariant: true,
    },
    {
        name: "POSTGRES_USER",
        description: "Owner role of that database (<database>_owner).",
        where: "PostgreSQL container (dev and PR stacks)",
        roles: [containerRoles.postgres],
        requiredIn: ["dev", "pr"],
        fileVariant: true,
    },
    {
        name: "POSTGRES_PASSWORD",
        description:
            "Password of the owner role: a RandomPassword generated per stack (policy `database-passwords-generated`). Usually given as POSTGRES_PASSWORD_FILE, an uploaded file, so `docker inspect` does not show it.",
        where: "PostgreSQL container (dev and PR stacks)",
        roles: [containerRoles.postgres],
        requiredIn: ["dev", "pr"],
        secret: true,
        fileVariant: true,
    },
    {
        name: "MP_SMTP_AUTH_ACCEPT_ANY",
        description: "Mailpit accepts any SMTP login, so mail servers restored with production credentials still deliver to the catcher.",
        where: "Mail catcher container (every non-production stage)",
        roles: [containerRoles.mailCatcher],
        requiredIn: [],
    },
    {
        name: "GF_SECURITY_ADMIN_PASSWORD",
        description: "Grafana's admin password: a RandomPassword generated per stack.",
        where: "Grafana container (ObservabilityStack)",
        requiredIn: [],
        secret: true,
    },
    {
        name: "PGSSLROOTCERT",
        description:
            "CA certificate libpq checks the database server's certificate against when dbSslMode is verify-ca or verify-full (odoo-platform:dbSslRootCert).",
        where: "Odoo and prepare containers, refresh steps (staging/production database servers)",
        requiredIn: [],
    },
    {
        name: "ODOO_PLATFORM_SNAPSHOT",
        description:
            "The concrete sanitized snapshot a refresh restores (s3://<staging bucket>/staging/<id>; `latest` resolved at deploy time): a new one re-runs the steps.",
        where: "NeutralizedDatabase refresh steps (one-shot containers on the Docker host)",
        requiredIn: [],
    },
    {
        name: "TARGET_DB_URL",
        description: "libpq URL of the live staging database (no password in it): what the cleanup on destroy clears the pending and kept previous copies of.",
        where: "NeutralizedDatabase cleanup command (on the runner, at destroy)",
        requiredIn: [],
    },
];

/** A credential or value CI passes to the Pulumi CLI, the providers or the operations CLI. */
export interface CiVariable {
    name: string;
    description: string;
    /** What reads it. */
    usedBy: string;
    source: Extract<VariableSource, "ci" | "secret">;
    requiredIn: readonly Stage[];
}

export const ciVariables: readonly CiVariable[] = [
    {
        name: "PULUMI_ACCESS_TOKEN",
        description: "Pulumi Cloud backend token. With a self-managed backend (`pulumi login s3://…`) use PULUMI_CONFIG_PASSPHRASE instead.",
        usedBy: "Pulumi CLI and Automation API",
        source: "secret",
        requiredIn: ["pr", "staging", "production"],
    },
    {
        name: "ODOO_PLATFORM_SANITIZE_SEED",
        description:
            "Seed of the deterministic fake data `db sanitize`, `snapshot create --sanitize` and `staging refresh` write when --seed is not given (same seed → refreshes that diff cleanly). Secret: with it the anonymized amounts can be divided back into the real ones; unset means a random seed. Never stored in a snapshot (only its fingerprint).",
        usedBy: "`odoo-platform db sanitize`, `snapshot create --sanitize`, `staging refresh` (ops/sanitize/cli.ts)",
        source: "secret",
        requiredIn: [],
    },
    {
        name: "PULUMI_CONFIG_PASSPHRASE",
        description: "Passphrase of the `passphrase` secrets provider (self-managed backends; dev stacks on `pulumi login --local`).",
        usedBy: "Pulumi CLI",
        source: "secret",
        requiredIn: [],
    },
    {
        name: "AWS_ACCESS_KEY_ID",
        description: "AWS credentials for the snapshot bucket (or AWS_PROFILE, or GitHub OIDC via AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE).",
        usedBy: "@pulumi/aws, `odoo-platform snapshot` (@aws-sdk/client-s3)",
        source: "secret",
        requiredIn: ["staging", "production"],
    },
    {
        name: "AWS_SECRET_ACCESS_KEY",
        description: "Secret half of AWS_ACCESS_KEY_ID.",
        usedBy: "@pulumi/aws, `odoo-platform snapshot`",
        source: "secret",
        requiredIn: ["staging", "production"],
    },
    {
        name: "AWS_SESSION_TOKEN",
        description: "Session token of temporary AWS credentials (OIDC or assumed roles).",
        usedBy: "@pulumi/aws, `odoo-platform snapshot`",
        source: "secret",
        requiredIn: [],
    },
    {
        name: "CLOUDFLARE_API_TOKEN",
        description: "Cloudflare token allowed to edit DNS records of the zone (odoo-platform:cloudflareZoneId).",
        usedBy: "@pulumi/cloudflare",
        source: "secret",
        requiredIn: ["staging", "production"],
    },
    {
        name: "GITHUB_TOKEN",
        description: "GitHub token: repository environments and branch protection (production stack), the sticky PR comment (PR stacks).",
        usedBy: "@pulumi/github, `odoo-platform pr` (Octokit)",
        source: "secret",
        requiredIn: ["pr", "production"],
    },
    {
        name: "DEPLOY_SSH_KEY",
        description:
            "Private deploy key of the Docker host (odoo-platform:dockerHost ssh://…); the workflows write it to ~/.ssh for the ssh client. Locally, an ssh-agent (SSH_AUTH_SOCK) holding the key does the same.",
        usedBy: "@pulumi/docker over ssh://",
        source: "secret",
        requiredIn: ["pr", "staging", "production"],
    },
    {
        name: "DEPLOY_KNOWN_HOSTS",
        description: "known_hosts line(s) of the Docker host, so the ssh connection is verified rather than trusted on first use.",
        usedBy: "@pulumi/docker over ssh://",
        source: "secret",
        requiredIn: ["pr", "staging", "production"],
    },
    {
        name: "EVIDENCE_DB_URL",
        description:
            "libpq URL of the evidence database (ops schema) for the evidence, health and postmortem commands; the writer role (ops_writer) records, ops_reader reads.",
        usedBy: "`odoo-platform evidence …`, `health`, `promote`, `rollback`, `postmortem` (default of --evidence-db)",
        source: "secret",
        requiredIn: ["staging", "production"],
    },
    {
        name: "AWS_REGION",
        description:
            "Default S3 region of the commands that take --s3-region (the stacks use odoo-platform:awsRegion); us-east-1 when neither it nor AWS_DEFAULT_REGION is set.",
        usedBy: "`odoo-platform snapshot`, `staging`, `backup`, `evidence prune` (ops/s3/client.ts)",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "ODOO_PLATFORM_PR_NUMBER",
        description: "Pull request number; when set it must match the stack name (pr-<n>), so CI cannot deploy one PR into another's stack.",
        usedBy: "config/load.ts",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "AWS_DEFAULT_REGION",
        description: "Fallback for AWS_REGION (the AWS CLI's name for it).",
        usedBy: "`odoo-platform snapshot` / `staging` commands (ops/s3/client.ts)",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "ODOO_PLATFORM_S3_ENDPOINT",
        description: "S3-compatible server to use instead of AWS (path-style addressing), like --s3-endpoint.",
        usedBy: "`odoo-platform snapshot` / `staging` commands (ops/s3/client.ts)",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "AWS_ENDPOINT_URL_S3",
        description: "The AWS SDKs' own S3 endpoint override; read when ODOO_PLATFORM_S3_ENDPOINT is unset.",
        usedBy: "`odoo-platform snapshot` / `staging` commands (ops/s3/client.ts)",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "AWS_ENDPOINT_URL",
        description: "The AWS SDKs' endpoint override for every service; read last.",
        usedBy: "`odoo-platform snapshot` / `staging` commands (ops/s3/client.ts)",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "ODOO_PLATFORM_FROM_SOURCE",
        description:
            "Any value makes bin/odoo-platform.js run the TypeScript sources (through tsx) instead of the bundle dist/odoo-platform.js that `npm ci` / `npm run build` compile; the launcher also falls back to the sources when the bundle is missing or older than a source.",
        usedBy: "bin/odoo-platform.js",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "ODOO_PLATFORM_QUIET",
        description: "Any value turns off the progress lines long operations print on stderr.",
        usedBy: "`odoo-platform` commands",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "PG_BIN",
        description:
            "Directory of the PostgreSQL programs: pg_dump/pg_restore/psql for snapshots and refreshes (at least the server's major version), initdb/pg_ctl for the throwaway servers of tests and benchmarks; found automatically on Debian.",
        usedBy: "`odoo-platform snapshot` / `staging` (ops/postgres/tools.ts), tests, bench/ (testing/throwawayPostgres.ts)",
        source: "ci",
        requiredIn: [],
    },
    {
        name: "ODOO_PLATFORM_CONFIG_FILE",
        description: "Set by the offline plan (`npm run plan`) so configuration errors name the file it evaluated; never set by hand.",
        usedBy: "config/pulumi.ts",
        source: "ci",
        requiredIn: [],
    },
];
