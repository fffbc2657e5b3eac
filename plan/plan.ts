/**
 * The offline plan: evaluates the program (program.ts: index.ts, or cluster.ts for the shared cluster
 * stack) for one stack under Pulumi's mock runtime with that stack's configuration (no CLI, no
 * credentials, no network), then runs every policy pack on the result.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { encryptedPlaceholder, readStackConfigFile } from "../config/files";
import { ConfigError } from "../config/load";
import { configKeys, projectName } from "../config/schema";
import { clusterStackName, isClusterStack } from "../config/cluster";
import { StackIdentity, stackIdentity, StackNameError } from "../config/stage";
import { policyPacks as registeredPacks, PolicyPackDefinition } from "../policy/registry";
import { isSecretValue, isUnknownValue, RecordedResource, runUnderMocks } from "./mockRuntime";
import { blocks, PolicyConfig, PolicyConfigError, PolicyVerdict, runPolicyPacks } from "./policies";
import { mergePolicyConfig, stackPolicyConfig } from "./policyConfig";

export { projectDir } from "../config/projectDir";
import { projectDir } from "../config/projectDir";
const programPath = path.join(projectDir, "program.ts");

export interface PlanOptions {
    stack: string;
    /** Evaluate against this file instead of Pulumi.<stack>.yaml. */
    configFile?: string;
    /** Environment the program sees (CI variables); defaults to process.env. */
    env?: Record<string, string | undefined>;
    /** Fill gitSha / gitBranch from the checkout when CI did not set them (default true). */
    gitDefaults?: boolean;
    policyPacks?: PolicyPackDefinition[];
    policyConfig?: PolicyConfig;
    /** Config values set on top of the file (`odoo-platform:odooImage` → "…"), as `pulumi config set` would. */
    configOverrides?: Record<string, string>;
    /** Evaluate as `pulumi preview` does: outputs of the resources `unknownOutputs` selects are unknown. */
    preview?: boolean;
    unknownOutputs?: (urn: string) => boolean;
}

export interface PlannedResource {
    type: string;
    name: string;
    /** Name of the parent component, or null at the top level. */
    parent: string | null;
    /** Inputs with secrets shown as "[secret]". */
    inputs: Record<string, unknown>;
}

export interface PlanResult {
    exitCode: 0 | 1 | 2;
    stack: string;
    stage?: string;
    configFile?: string;
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
    policies: PolicyVerdict[];
    /** Problems that stopped the plan (invalid configuration): exit 2. */
    errors: string[];
    /** What the plan assumed (e.g. the git SHA taken from the checkout). */
    notes: string[];
    /** The raw recording, for tests that assert on dependencies. */
    recorded: RecordedResource[];
}

export const secretMarker = "[secret]";
export const unknownMarker = "[unknown]";

/** Replaces secret values with "[secret]" (and values unknown in a preview with "[unknown]") for display. */
export function displayValue(value: unknown): unknown {
    if (isSecretValue(value)) return secretMarker;
    if (isUnknownValue(value)) return unknownMarker;
    if (Array.isArray(value)) return value.map(displayValue);
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = displayValue(v);
        return out;
    }
    return value;
}

function git(args: string[]): string | undefined {
    try {
        return execFileSync("git", args, { cwd: projectDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || undefined;
    } catch {
        return undefined;
    }
}

/** An environment stack's stage, or the shared cluster stack (no stage: it has its own keys). */
type PlannedStack = StackIdentity | { stack: typeof clusterStackName; stage: "cluster" };

function defaultConfigFile(identity: PlannedStack): string | undefined {
    // A PR stack has no file of its own: Pulumi.pr.yaml (read by the program) plus CI values.
    return identity.stage === "pr" ? undefined : path.join(projectDir, `Pulumi.${identity.stack}.yaml`);
}

/** The program's own modules: forgotten before each plan so the program is evaluated afresh. */
const programModuleRoots = [
    programPath,
    ...["index.ts", "cluster.ts"].map((f) => path.join(projectDir, f)),
    path.join(projectDir, "components") + path.sep,
    path.join(projectDir, "config") + path.sep,
];

function clearProgramModules(): void {
    for (const id of Object.keys(require.cache)) {
        if (programModuleRoots.some((root) => id.startsWith(root))) delete require.cache[id];
    }
}

export async function planStack(options: PlanOptions): Promise<PlanResult> {
    const result: PlanResult = { exitCode: 0, stack: options.stack, resources: [], outputs: {}, policies: [], errors: [], notes: [], recorded: [] };
    let identity: PlannedStack;
    try {
        identity = isClusterStack(options.stack) ? { stack: clusterStackName, stage: "cluster" } : stackIdentity(options.stack);
    } catch (err) {
        if (!(err instanceof StackNameError)) throw err;
        return { ...result, exitCode: 2, errors: [err.message] };
    }
    result.stack = identity.stack;
    result.stage = identity.stage;

    const configFile = options.configFile ? path.resolve(options.configFile) : defaultConfigFile(identity);
    let values: Record<string, string> = {};
    let secretKeys: string[] = [];
    if (configFile) {
        if (!fs.existsSync(configFile)) {
            return {
                ...result,
                exitCode: 2,
                errors: [
                    `configuration file ${path.relative(process.cwd(), configFile) || configFile} does not exist: create it, or pass --config-file <path>`,
                ],
            };
        }
        try {
            ({ values, secretKeys } = readStackConfigFile(configFile));
        } catch (err) {
            return { ...result, exitCode: 2, errors: [(err as Error).message] };
        }
        result.configFile = path.relative(projectDir, configFile) || configFile;
    }
    values = { ...values, ...(options.configOverrides ?? {}) };
    if (secretKeys.length)
        result.notes.push(`secret values (${secretKeys.join(", ")}) are encrypted in the file; the plan uses the placeholder "${encryptedPlaceholder}"`);

    const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
    const has = (key: "gitSha" | "gitBranch") => values[`${projectName}:${key}`] !== undefined || !!env[configKeys[key].env!];
    // The cluster stack records no commit: it has no gitSha key.
    if (options.gitDefaults !== false && identity.stage !== "cluster") {
        if (!has("gitSha")) {
            const sha = git(["rev-parse", "HEAD"]);
            if (sha) {
                env[configKeys.gitSha.env!] = sha;
                result.notes.push(`gitSha taken from this checkout's HEAD (${sha.slice(0, 12)}); CI sets ${configKeys.gitSha.env}`);
            }
        }
        if (identity.stage === "pr" && !has("gitBranch")) {
            const branch = git(["rev-parse", "--abbrev-ref", "HEAD"]);
            const chosen = branch && branch !== "HEAD" ? branch : "main";
            env[configKeys.gitBranch.env!] = chosen;
            result.notes.push(`gitBranch taken from this checkout (${chosen}); CI sets ${configKeys.gitBranch.env}`);
        }
    }

    const savedEnv = { ...process.env };
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    for (const [k, v] of Object.entries(env))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    process.env.ODOO_PLATFORM_CONFIG_FILE =
        result.configFile ?? (identity.stage === "pr" ? `Pulumi.pr.yaml or the CI environment` : `Pulumi.${identity.stack}.yaml`);
    clearProgramModules();
    try {
        const run = await runUnderMocks({
            project: projectName,
            stack: identity.stack,
            config: values,
            secretKeys,
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            program: () => require(programPath),
            preview: options.preview,
            unknownOutputs: options.unknownOutputs,
        });
        result.recorded = run.resources;
        const nameOf = new Map(run.resources.map((r) => [r.urn, r.name]));
        result.resources = run.resources.map((r) => ({
            type: r.type,
            name: r.name,
            parent: r.parentUrn ? (nameOf.get(r.parentUrn) ?? null) : null,
            inputs: displayValue(r.inputs) as Record<string, unknown>,
        }));
        result.outputs = displayValue(run.outputs) as Record<string, unknown>;
    } catch (err) {
        // The program's modules were re-required, so its ConfigError is not this module's class.
        const problems =
            (err as ConfigError).name === "ConfigError" && Array.isArray((err as ConfigError).problems)
                ? (err as ConfigError).problems
                : [(err as Error).message];
        return { ...result, exitCode: 2, errors: problems };
    } finally {
        for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
        Object.assign(process.env, savedEnv);
    }

    try {
        // What `npm run policy-config` writes for this stack, under the caller's own configuration.
        const policyConfig = mergePolicyConfig(stackPolicyConfig(identity.stack, { configFile }), options.policyConfig);
        result.policies = await runPolicyPacks(options.policyPacks ?? registeredPacks, result.recorded, policyConfig);
    } catch (err) {
        if (!(err instanceof PolicyConfigError)) throw err;
        return { ...result, exitCode: 2, errors: [err.message] };
    }
    result.exitCode = blocks(result.policies) ? 1 : 0;
    return result;
}

/** The `--json` document. */
export function planDocument(result: PlanResult) {
    return {
        stack: result.stack,
        stage: result.stage ?? null,
        configFile: result.configFile ?? null,
        exitCode: result.exitCode,
        errors: result.errors,
        notes: result.notes,
        resources: result.resources,
        outputs: result.outputs,
        policies: result.policies.map((p) => ({
            pack: p.pack,
            name: p.name,
            enforcement: p.enforcement,
            violations: p.violations.map((v) => ({ resource: v.resource, message: v.message })),
        })),
    };
}
