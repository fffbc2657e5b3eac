/**
 * Turns raw stack configuration into validated, typed settings — before any resource is declared.
 *
 * Precedence for each key: the stack's own config (Pulumi.<stack>.yaml or `pulumi config set`)
 * > the CI environment variable the key declares > the checked-in PR defaults (Pulumi.pr.yaml, PR
 * stacks only) > the stage's built-in default. Every problem is collected and reported at once, each
 * naming the key and the file (or variable) to fix.
 */
import { z } from "zod";
import { credentialInValue, isCredentialName } from "./credentials";
import { encryptedPlaceholder } from "./files";
import { environmentNames, EnvironmentNames, isPinnedByDigest, maxDnsName, resourceLabels } from "./naming";
import { ConfigKeyName, configKeyNames, configKeys, projectName, qualified, Settings } from "./schema";
import type { StackIdentity } from "./stage";
import { environmentPlan, stageProfile } from "./stageProfile";

export interface RawConfig {
    /** Values keyed by short name (`domain`, not `odoo-platform:domain`), as Pulumi hands them: strings. */
    values: Record<string, string>;
    /** Short names of the keys Pulumi holds as secrets. */
    secretKeys: ReadonlySet<string>;
    /** The file a person edits to change these values, for messages (e.g. `Pulumi.staging.yaml`). */
    file: string;
}

export interface ConfigInput {
    identity: StackIdentity;
    stack: RawConfig;
    /** Checked-in defaults of every PR stack (PR stacks only). */
    prDefaults?: RawConfig;
    env?: Record<string, string | undefined>;
}

export type ValueOrigin = { kind: "stack" | "prDefaults"; file: string } | { kind: "env"; variable: string } | { kind: "default" };

export interface StackSettings extends StackIdentity {
    settings: Settings;
    /** Keys whose value must stay secret (Pulumi secret config, or a secret-sourced key). */
    secretKeys: ReadonlySet<ConfigKeyName>;
    origins: Partial<Record<ConfigKeyName, ValueOrigin>>;
    names: EnvironmentNames;
    /** Stage/stack/git-SHA labels for every resource. */
    labels: Record<string, string>;
    /** The commit recorded on resources; `uncommitted` for a dev stack without one. */
    gitSha: string;
}

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

/** Reads a raw config string into the shape the key's schema expects; leaves it as-is when it cannot. */
export function coerceRaw(name: ConfigKeyName, raw: string): unknown {
    const trimmed = raw.trim();
    switch (configKeys[name].coerce) {
        case "string":
            return raw;
        case "number":
            return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : raw;
        case "boolean":
            return trimmed === "true" ? true : trimmed === "false" ? false : raw;
        case "list": {
            const parsed = tryJson(trimmed);
            if (Array.isArray(parsed)) return parsed;
            if (trimmed === "") return [];
            return trimmed.split(",").map((item) => {
                const t = item.trim();
                return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
            });
        }
        case "map": {
            const parsed = tryJson(trimmed);
            return parsed !== undefined ? parsed : raw;
        }
    }
}

function tryJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

function describeOrigin(origin: ValueOrigin): string {
    switch (origin.kind) {
        case "stack":
        case "prDefaults":
            return origin.file;
        case "env":
            return `environment variable ${origin.variable}`;
        case "default":
            return "built-in default";
    }
}

/** Levenshtein distance, to suggest the key a typo meant. */
function distance(a: string, b: string): number {
    const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) dp[0][j] = j;
    for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++)
            dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    return dp[a.length][b.length];
}

function suggestion(unknown: string): string {
    const best = configKeyNames.map((k) => ({ k, d: distance(unknown, k) })).sort((x, y) => x.d - y.d)[0];
    return best && best.d <= 3 ? ` — did you mean ${qualified(best.k)}?` : ` — see docs/architecture/ENVIRONMENT_VARIABLES.md for the keys`;
}

function firstIssueMessage(error: z.ZodError): string {
    const issue = error.issues[0];
    const where = issue.path.length ? ` (at ${issue.path.join(".")})` : "";
    return `${issue.message}${where}`;
}

export function resolveSettings(input: ConfigInput): StackSettings {
    const { identity } = input;
    const env = input.env ?? {};
    const problems: string[] = [];
    const values: Partial<Record<ConfigKeyName, unknown>> = {};
    const origins: Partial<Record<ConfigKeyName, ValueOrigin>> = {};
    const secretKeys = new Set<ConfigKeyName>();

    for (const layer of [input.stack, input.prDefaults]) {
        if (!layer) continue;
        for (const name of Object.keys(layer.values)) {
            if (!(name in configKeys)) problems.push(`${qualified(name)} is not a known key${suggestion(name)} (${layer.file})`);
        }
    }

    for (const name of configKeyNames) {
        const spec = configKeys[name] as (typeof configKeys)[ConfigKeyName];
        let raw: unknown;
        let origin: ValueOrigin | undefined;
        const fromStack = input.stack.values[name];
        const fromEnv = spec.env ? env[spec.env] : undefined;
        const fromPr = identity.stage === "pr" ? input.prDefaults?.values[name] : undefined;
        if (fromStack !== undefined) {
            // An encrypted map the offline plan cannot decrypt: its names are unknown, its values secret.
            raw = spec.coerce === "map" && fromStack === encryptedPlaceholder ? {} : coerceRaw(name, fromStack);
            origin = { kind: "stack", file: input.stack.file };
            if (input.stack.secretKeys.has(name)) secretKeys.add(name);
            else if (spec.source === "secret") {
                problems.push(
                    `${qualified(name)} is a secret but is stored in plain text: run \`pulumi config set --secret ${name} <value>\` (${input.stack.file})`,
                );
            }
        } else if (fromEnv !== undefined && fromEnv !== "") {
            raw = coerceRaw(name, fromEnv);
            origin = { kind: "env", variable: spec.env! };
        } else if (fromPr !== undefined) {
            raw = coerceRaw(name, fromPr);
            origin = { kind: "prDefaults", file: input.prDefaults!.file };
            if (input.prDefaults!.secretKeys.has(name)) secretKeys.add(name);
        } else if (spec.defaults && identity.stage in spec.defaults) {
            raw = spec.defaults[identity.stage];
            origin = { kind: "default" };
        }
        if (spec.source === "secret") secretKeys.add(name);

        if (raw === undefined) {
            // On Kubernetes, a stage with a managed server (staging, production) creates it (RDS): its address is an output.
            const managedServer = name === "dbHost" && values.runtime === "kubernetes" && stageProfile(identity.stage).kubernetes?.databaseServer === "managed";
            if (spec.requiredIn?.includes(identity.stage) && !managedServer) {
                const how = spec.env
                    ? `set ${spec.env} in CI or run \`pulumi config set ${name} <value>\``
                    : `add \`${qualified(name)}: <value>\` to ${input.stack.file}`;
                problems.push(`${qualified(name)} is required for the ${identity.stage} stage: ${how} (${input.stack.file})`);
            }
            continue;
        }
        const parsed = (spec.schema as z.ZodType).safeParse(raw);
        if (!parsed.success) {
            problems.push(`${qualified(name)} ${firstIssueMessage(parsed.error)} (${describeOrigin(origin!)})`);
            continue;
        }
        values[name] = parsed.data;
        origins[name] = origin;
    }

    const prFromEnv = env.ODOO_PLATFORM_PR_NUMBER;
    if (identity.stage === "pr" && identity.prNumber !== undefined && prFromEnv && Number(prFromEnv) !== identity.prNumber) {
        problems.push(`ODOO_PLATFORM_PR_NUMBER=${prFromEnv} does not match stack ${identity.stack}: select stack pr-${prFromEnv} instead`);
    }
    if (values.odooBuildContext !== undefined && (identity.stage === "staging" || identity.stage === "production")) {
        problems.push(
            `${qualified("odooBuildContext")} is only for dev and PR stacks: ${identity.stage} deploys a pinned image — set ${qualified("odooImage")} to <image>@sha256:<digest> instead (${input.stack.file})`,
        );
    }

    if (typeof values.dbSslMode === "string" && /^verify-/.test(values.dbSslMode) && values.dbHost !== undefined && values.dbSslRootCert === undefined) {
        problems.push(
            `${qualified("dbSslRootCert")} is required with ${qualified("dbSslMode")} ${values.dbSslMode}: libpq checks the server's certificate against it — set the CA's PEM, ` +
                `or \`system\` when the certificate is publicly issued (${input.stack.file})`,
        );
    }
    for (const [hostKey, portKey] of [
        ["dbHost", "dbPort"],
        ["evidenceDbHost", "evidenceDbPort"],
    ] as const) {
        const host = values[hostKey];
        if (typeof host === "string" && /^db\.[a-z0-9]{20}\.supabase\.co$/.test(host)) {
            problems.push(
                `${qualified(hostKey)} ${host} is a Supabase direct host, which has only an IPv6 address (GitHub-hosted runners and most Docker hosts have no IPv6): ` +
                    `use the project's session pooler instead — host aws-0-<region>.pooler.supabase.com, ${qualified(portKey)} 5432, user postgres.${host.split(".")[1]} (${input.stack.file})`,
            );
        }
    }
    if (identity.stage === "pr" && values.snapshotId !== undefined) {
        for (const needed of ["dbHost", "snapshotBucket"] as const) {
            if (values[needed] === undefined) {
                problems.push(
                    `${qualified(needed)} is required when ${qualified("snapshotId")} asks a PR stack for a neutralized copy: set it, or unset snapshotId for a fresh database with demo data (${input.stack.file})`,
                );
            }
        }
    }
    if (values.runtime === "kubernetes") problems.push(...kubernetesProblems(identity, values, input.stack.file));
    // Credentials in plain config would be printed by the plan and stored in clear in the state.
    for (const [k, v] of Object.entries((values.odooExtraEnv ?? {}) as Record<string, string>)) {
        const byValue = credentialInValue(v);
        if (isCredentialName(k) || byValue) {
            problems.push(
                `${qualified("odooExtraEnv")} ${k} ${byValue ? `holds ${byValue}` : "is a credential"}: move it to the secret map — \`pulumi config set --secret odooSecretEnv '{"${k}": "…"}'\` (${describeOrigin(origins.odooExtraEnv!)})`,
            );
        }
    }
    if (problems.length) throw new ConfigError(problems);
    const settings = values as Settings;

    const names = environmentNames(identity, {
        domain: settings.domain,
        branch: settings.gitBranch,
        hostOverride: settings.host,
        databaseOverride: settings.dbName,
    });
    for (const host of [names.host, names.mailHost]) {
        if (host.length > maxDnsName)
            problems.push(`host ${host} is longer than ${maxDnsName} characters: shorten ${qualified("domain")} (${input.stack.file})`);
    }
    if (problems.length) throw new ConfigError(problems);

    const gitSha = settings.gitSha ?? "uncommitted";
    const labels = resourceLabels({
        stage: identity.stage,
        stack: identity.stack,
        gitSha,
        prNumber: identity.prNumber,
        branchEnvironment: identity.branchEnvironment,
        prTtlHours: identity.stage === "pr" ? settings.prTtlHours : undefined,
    });
    return { ...identity, settings, secretKeys, origins, names, labels, gitSha };
}

/** Splits a Pulumi config map (`odoo-platform:domain` → value) into this project's short keys. */
export function projectValues(all: Record<string, string>): Record<string, string> {
    const prefix = `${projectName}:`;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
}

/** What a stack on the Kubernetes runtime needs besides the per-key rules, each with the fix. */
export function kubernetesProblems(identity: StackIdentity, values: Partial<Record<ConfigKeyName, unknown>>, file: string): string[] {
    const problems: string[] = [];
    const { stage } = identity;
    // What the stage gets on Kubernetes is the stage profile's (config/stageProfile.ts).
    const profile = stageProfile(stage);
    const need = (k: ConfigKeyName, why: string) => {
        if (values[k] === undefined) problems.push(`${qualified(k)} is required with ${qualified("runtime")} kubernetes: ${why} (${file})`);
    };
    if (!profile.kubernetes) {
        problems.push(`${qualified("runtime")} kubernetes is not for the ${stage} stage: ${stage} runs on the local Docker engine — remove the key (${file})`);
        return problems;
    }
    need("storageClass", "the filestore and sessions live on a ReadWriteMany claim of this StorageClass (EFS, Azure Files, Filestore)");
    if (profile.environment.isolated) {
        if (!(values.databaseCidrs as string[] | undefined)?.length) {
            problems.push(
                `${qualified("databaseCidrs")} is required for a ${stage} stack with ${qualified("runtime")} kubernetes: the namespace's default-deny NetworkPolicy allows database egress only to these CIDRs — list the database subnets (${file})`,
            );
        }
    }
    if (profile.kubernetes.databaseServer === "staging-server") {
        need("dbHost", "PR databases live on the staging database server — set its address (the staging stack's RDS endpoint)");
    }
    if (profile.kubernetes.databaseServer === "managed") {
        need("rdsVpcId", "the RDS instance and its security group are created in the cluster's VPC");
        need("clusterSecurityGroupId", "the RDS security group admits PostgreSQL only from the cluster's nodes");
        if (((values.rdsSubnetIds as string[] | undefined) ?? []).length < 2) {
            problems.push(
                `${qualified("rdsSubnetIds")} must list at least two private subnets (two availability zones, as RDS requires) with ${qualified("runtime")} kubernetes (${file})`,
            );
        }
        if (values.dbHost !== undefined) {
            problems.push(
                `${qualified("dbHost")} is not used with ${qualified("runtime")} kubernetes in ${stage}: the stack creates its RDS instance and connects to its endpoint — remove the key (${file})`,
            );
        }
    }
    if (environmentPlan(profile, values.snapshotId !== undefined).restoresSnapshot) {
        need("opsImage", "the refresh steps (restore, neutralize, verify, swap) run as Jobs of the operations CLI image built from ops.Dockerfile");
    }
    // A stage that does not build its images runs them pinned by digest (staging, production).
    if (!profile.environment.buildsImage && typeof values.opsImage === "string" && !isPinnedByDigest(values.opsImage)) {
        problems.push(`${qualified("opsImage")} must be pinned by digest in ${stage} (<image>@sha256:<digest>), as the Odoo image is (${file})`);
    }
    return problems;
}
