/**
 * What the GitHub repository must hold for the workflows in .github/workflows/ to run, as data:
 * environments, required checks, Actions secrets and variables. The RepositorySettings component
 * turns these rows into `@pulumi/github` resources; a test cross-checks them against the workflow
 * files so a workflow never references a secret nobody manages.
 *
 * Secret values come only from Pulumi secret config (config/schema.ts keys whose source is
 * "secret"); a row whose key is unset is reported as missing, never created empty.
 */
import type { ConfigKeyName, Settings } from "../config/schema";

/** GitHub deployment environments the workflows use. */
export const githubEnvironments = {
    /** PR deploy jobs: shows "View deployment" on the PR; no secrets, no approval. */
    preview: "preview",
    /** staging-deploy (from main only). */
    staging: "staging",
    /** Promotion and rollback jobs: required reviewers; the production-only secrets live here. */
    production: "production",
    /** The daily production backup: production read access without a reviewer, main only. */
    productionBackup: "production-backup",
} as const;

/** Branches the platform protects. */
export const protectedBranches = { main: "main", production: "production" } as const;

/**
 * Status checks a change must pass before it lands on main or production: the job names of
 * .github/workflows/ci.yml (tests/workflows.test.ts keeps the two in step).
 */
export const requiredChecks = ["test", "plan", "actionlint"] as const;

/** Where a secret or variable is visible: every workflow of the repository, or one environment's jobs. */
export type ActionsScope = "repository" | (typeof githubEnvironments)[keyof typeof githubEnvironments];

export interface ActionsSecretRow {
    name: string;
    scope: ActionsScope;
    /** The Pulumi secret config key holding the value. */
    configKey: ConfigKeyName;
    /** Why the workflows need it. */
    purpose: string;
    usedBy: string[];
}

export interface ActionsVariableRow {
    name: string;
    scope: ActionsScope;
    purpose: string;
    usedBy: string[];
    /** How to give it a value when it has none. */
    fix: string;
    /** The value, derived from the production stack's settings; undefined when not configured. */
    value: (settings: Settings) => string | undefined;
}

const prWorkflows = ["pr-environment.yml", "pr-environment-cleanup.yml"];
const productionWorkflows = ["production-promote.yml", "rollback.yml"];

/*
 * Names are shared with the promotion workflows (.github/workflows/production-promote.yml, rollback.yml). One name, several scopes: a job in the
 * `production` environment sees that environment's DEPLOY_SSH_KEY / PULUMI_ACCESS_TOKEN instead of
 * the repository's, so PR and staging jobs can never read the production ones.
 */
export const actionsSecrets: ActionsSecretRow[] = [
    {
        name: "PULUMI_ACCESS_TOKEN",
        scope: "repository",
        configKey: "ciPulumiAccessToken",
        purpose: "Pulumi Cloud token for the pr-* and staging stacks (a team token without access to production).",
        usedBy: [...prWorkflows, "staging-deploy.yml"],
    },
    {
        name: "PULUMI_ACCESS_TOKEN",
        scope: "production",
        configKey: "ciProductionPulumiAccessToken",
        purpose: "Pulumi Cloud token for the production stack, released only to approved production jobs.",
        usedBy: productionWorkflows,
    },
    {
        name: "DEPLOY_SSH_KEY",
        scope: "repository",
        configKey: "ciNonprodSshKey",
        purpose: "SSH key of the deploy user on the non-production Docker host (ssh:// dockerHost).",
        usedBy: [...prWorkflows, "staging-deploy.yml"],
    },
    {
        name: "DEPLOY_SSH_KEY",
        scope: "production",
        configKey: "ciProductionSshKey",
        purpose: "SSH key of the deploy user on the production Docker host; PR workflows can never read it.",
        usedBy: productionWorkflows,
    },
    {
        name: "DEPLOY_SSH_KEY",
        scope: "production-backup",
        configKey: "ciProductionSshKey",
        purpose: "The production host's key for the backup job (it reads the filestore volume).",
        usedBy: ["production-backup.yml"],
    },
    {
        name: "DEPLOY_KNOWN_HOSTS",
        scope: "repository",
        configKey: "ciSshKnownHosts",
        purpose: "Host keys of the Docker hosts, so ssh:// connections verify the server.",
        usedBy: [...prWorkflows, "staging-deploy.yml", ...productionWorkflows, "production-backup.yml"],
    },
    {
        name: "PLATFORM_GITHUB_TOKEN",
        scope: "production",
        configKey: "ciPlatformGithubToken",
        purpose: "Admin token for the github provider: the production stack manages these very settings.",
        usedBy: productionWorkflows,
    },
    {
        name: "PRODUCTION_PGPASSWORD",
        scope: "production",
        configKey: "dbAdminPassword",
        purpose: "Password of the production database admin (the production stack's own dbAdminPassword).",
        usedBy: productionWorkflows,
    },
    {
        name: "EVIDENCE_PGPASSWORD",
        scope: "production",
        configKey: "evidenceDbAdminPassword",
        purpose: "Password of the evidence database admin (the production stack's own evidenceDbAdminPassword).",
        usedBy: productionWorkflows,
    },
    {
        name: "STAGING_PGPASSWORD",
        scope: "repository",
        configKey: "ciStagingPgPassword",
        purpose: "Password of the non-production database server's admin, for PR stacks restored from a snapshot (Pulumi.pr.yaml snapshotId).",
        usedBy: prWorkflows,
    },
    {
        name: "STAGING_SNAPSHOT_READER_AWS_ACCESS_KEY_ID",
        scope: "repository",
        configKey: "ciSnapshotReaderAwsAccessKeyId",
        purpose: "Access key of an IAM user holding the staging bucket's reader policy (staging/* only), for PR stacks restored from a snapshot.",
        usedBy: ["pr-environment.yml"],
    },
    {
        name: "STAGING_SNAPSHOT_READER_AWS_SECRET_ACCESS_KEY",
        scope: "repository",
        configKey: "ciSnapshotReaderAwsSecretAccessKey",
        purpose: "Its secret access key.",
        usedBy: ["pr-environment.yml"],
    },
];

export const actionsVariables: ActionsVariableRow[] = [
    {
        name: "PR_IMAGE_REPOSITORY",
        scope: "repository",
        purpose: "Container repository the PR images are pushed to (GHCR, lower case).",
        usedBy: ["pr-environment.yml"],
        fix: "set odoo-platform:githubRepository",
        value: (s) => (s.githubRepository ? prImageRepository(s.githubRepository) : undefined),
    },
    {
        name: "ODOO_IMAGE_REPOSITORY",
        scope: "repository",
        purpose: "Container repository of reviewed images (staging and production), separate from the PR images.",
        usedBy: ["staging-deploy.yml"],
        fix: "set odoo-platform:githubRepository",
        value: (s) => (s.githubRepository ? `ghcr.io/${s.githubRepository.toLowerCase()}` : undefined),
    },
    {
        name: "ODOO_BUILD_CONTEXT",
        scope: "repository",
        purpose: "Build context of the Odoo image: the repository root, where the Dockerfile is.",
        usedBy: ["staging-deploy.yml"],
        fix: "(always set)",
        value: () => ".",
    },
    {
        name: "AWS_REGION",
        scope: "repository",
        purpose: "Region of the snapshot buckets.",
        usedBy: ["production-backup.yml"],
        fix: "set odoo-platform:awsRegion",
        value: (s) => s.awsRegion,
    },
    {
        name: "SNAPSHOT_BUCKET",
        scope: "repository",
        purpose: "Production's backup bucket (the production stack's SnapshotBucket).",
        usedBy: ["production-backup.yml"],
        fix: "set odoo-platform:snapshotBucket",
        value: (s) => s.snapshotBucket,
    },
    {
        name: "PRODUCTION_DOCKER_HOST",
        scope: "repository",
        purpose: "Docker host of the production stack (the promotion and rollback workflows run docker against it).",
        usedBy: [...productionWorkflows, "production-backup.yml"],
        fix: "set odoo-platform:dockerHost",
        value: (s) => s.dockerHost,
    },
];

/** `ghcr.io/<owner>/<name>-pr`, lower case as GHCR requires. */
export function prImageRepository(repository: string): string {
    return `ghcr.io/${repository.toLowerCase()}-pr`;
}

export interface ResolvedActionsSettings {
    secrets: { name: string; scope: ActionsScope; configKey: ConfigKeyName }[];
    variables: { name: string; scope: ActionsScope; value: string }[];
    /** Rows without a value: the workflows that use them will fail until they are configured. */
    missing: string[];
}

/** Which rows can be created from these settings, and which are missing (with the key to set). */
export function resolveActionsSettings(settings: Settings): ResolvedActionsSettings {
    const out: ResolvedActionsSettings = { secrets: [], variables: [], missing: [] };
    for (const row of actionsSecrets) {
        if (settings[row.configKey] === undefined) out.missing.push(`secret ${row.name} (${row.scope}): pulumi config set --secret ${row.configKey} <value>`);
        else out.secrets.push({ name: row.name, scope: row.scope, configKey: row.configKey });
    }
    for (const row of actionsVariables) {
        const value = row.value(settings);
        if (value === undefined) out.missing.push(`variable ${row.name} (${row.scope}): ${row.fix}`);
        else out.variables.push({ name: row.name, scope: row.scope, value });
    }
    return out;
}

/** `secrets.X` and `vars.X` a workflow file references (GITHUB_TOKEN is GitHub's own). */
export function workflowReferences(text: string): { secrets: string[]; variables: string[] } {
    const collect = (re: RegExp) => [...new Set([...text.matchAll(re)].map((m) => m[1]))].sort();
    return {
        secrets: collect(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g).filter((s) => s !== "GITHUB_TOKEN"),
        variables: collect(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g),
    };
}
