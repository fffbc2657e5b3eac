/**
 * The policy configuration a stack is checked with: what the policy pack must know but may not read
 * from disk itself (it is published alone) — production's identifying values, the values the stack
 * file holds in plain text, the PR budget. Written from the checked-in stack files with the
 * program's own reader and schema, so a policy and the program never read a value differently.
 *
 *   npm run policy-config -- --stack staging > policy-config.json
 *   pulumi preview --stack staging --policy-pack policy/odoo-platform --policy-pack-config policy-config.json
 *
 * The offline plan uses the same configuration (plan/plan.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfigFile } from "../config/files";
import { coerceRaw, projectValues } from "../config/load";
import { environmentNames } from "../config/naming";
import { ConfigKeyName, configKeys, Settings } from "../config/schema";
import { clusterStackName, isClusterStack } from "../config/cluster";
import { StackIdentity, stackIdentity } from "../config/stage";
import type { PolicyConfig } from "./policies";

export { projectDir } from "../config/projectDir";
import { projectDir } from "../config/projectDir";

/** The file holding a stack's checked-in values: its own file, or the PR defaults for `pr-<n>`. */
export const stackFileOf = (identity: StackIdentity, dir = projectDir): string =>
    path.join(dir, identity.stage === "pr" ? "Pulumi.pr.yaml" : `Pulumi.${identity.stack}.yaml`);

export class CheckedInConfigError extends Error {}

/** The raw project values of a stack file (`domain` → "…"), and which keys are `secure:`. */
export function readProjectFile(file: string): { values: Record<string, string>; secretKeys: Set<string> } {
    if (!fs.existsSync(file)) return { values: {}, secretKeys: new Set() };
    const parsed = readStackConfigFile(file);
    return { values: projectValues(parsed.values), secretKeys: new Set(parsed.secretKeys.map((k) => k.slice(k.indexOf(":") + 1))) };
}

/** The value a checked-in file gives `key` for a stage (validated with the key's schema), else the stage's default. */
export function checkedInSetting<K extends ConfigKeyName>(identity: StackIdentity, key: K, file: string): Settings[K] | undefined {
    const spec = configKeys[key];
    const raw = readProjectFile(file).values[key];
    if (raw === undefined) return (spec.defaults as Partial<Record<string, Settings[K]>> | undefined)?.[identity.stage];
    const parsed = spec.schema.safeParse(coerceRaw(key, raw));
    if (!parsed.success) throw new CheckedInConfigError(`${path.basename(file)}: odoo-platform:${key} is invalid (${parsed.error.issues[0]?.message})`);
    return parsed.data as Settings[K];
}

/** One value that identifies production: no other stage may mention it. */
export interface ProductionValue {
    value: string;
    what: string;
}

const hostOfUrl = (url: string): string | undefined => /^[a-z]+:\/\/(?:[^@/]*@)?([^:/]+)/.exec(url)?.[1];

/** Production's identifying values, as rules: config key → what it is → the strings to look for. */
const productionKeys: readonly { key: ConfigKeyName; what: string; values: (raw: unknown) => (string | undefined)[] }[] = [
    { key: "dbHost", what: "production's database server", values: (v) => [v as string] },
    { key: "smtpHost", what: "production's SMTP relay", values: (v) => [v as string] },
    { key: "snapshotBucket", what: "production's backup bucket", values: (v) => [v as string] },
    { key: "dockerHost", what: "production's Docker host", values: (v) => [hostOfUrl(v as string)] },
    { key: "publicIp", what: "production's public IP address", values: (v) => [v as string] },
];

/**
 * Values that identify production, from Pulumi.production.yaml: its public host, database name,
 * database server, SMTP relay, backup bucket, Docker host and public IP. Values shared by design
 * (the base domain, the Cloudflare zone, the GitHub repository) are not listed.
 */
export function productionValues(file = path.join(projectDir, "Pulumi.production.yaml")): ProductionValue[] {
    if (!fs.existsSync(file)) return [];
    const identity = stackIdentity("production");
    const out: ProductionValue[] = [];
    for (const { key, what, values } of productionKeys) {
        const v = checkedInSetting(identity, key, file);
        if (v === undefined || v === "") continue;
        // A local Docker socket or localhost identifies nothing.
        for (const value of values(v)) if (value && !/^(localhost|127\.0\.0\.1|\/.*)$/.test(value)) out.push({ value, what: `${what} (odoo-platform:${key})` });
    }
    const domain = checkedInSetting(identity, "domain", file);
    if (domain) {
        const names = environmentNames(identity, {
            domain,
            hostOverride: checkedInSetting(identity, "host", file),
            databaseOverride: checkedInSetting(identity, "dbName", file),
        });
        out.unshift({ value: names.host, what: "production's public host" }, { value: names.database, what: "production's database name" });
    }
    return out;
}

/** The policy configuration of `stack`, evaluated against `configFile` (default: its checked-in file). */
export function stackPolicyConfig(stack: string, opts: { configFile?: string; dir?: string } = {}): PolicyConfig {
    if (isClusterStack(stack)) {
        // The shared cluster stack has no stage and no database: only the plain values no secret may equal.
        const { values, secretKeys } = readProjectFile(opts.configFile ?? path.join(opts.dir ?? projectDir, `Pulumi.${clusterStackName}.yaml`));
        return {
            "database-passwords-generated": {
                plainConfigValues: [
                    ...new Set(
                        Object.entries(values)
                            .filter(([k]) => !secretKeys.has(k))
                            .map(([, v]) => v),
                    ),
                ].sort(),
            },
        };
    }
    const identity = stackIdentity(stack);
    const file = opts.configFile ?? stackFileOf(identity, opts.dir);
    const { values, secretKeys } = readProjectFile(file);
    const plain = Object.entries(values)
        .filter(([k]) => !secretKeys.has(k))
        .map(([, v]) => v);
    // Properties only: each policy keeps its declared level (the CLI fills it in when it configures the pack).
    const config: PolicyConfig = {
        "database-passwords-generated": { plainConfigValues: [...new Set(plain)].sort() },
    };
    if (identity.stage !== "production") {
        config["no-production-references"] = { productionValues: productionValues(path.join(opts.dir ?? projectDir, "Pulumi.production.yaml")) };
    }
    if (identity.stage === "pr") {
        config["pr-resource-budget"] = {
            prMaxMemoryMb: checkedInSetting(identity, "prMaxMemoryMb", file)!,
            prMaxCpus: checkedInSetting(identity, "prMaxCpus", file)!,
        };
    }
    return config;
}

/** Merges a user's `--policy-pack-config` over the stack's: per policy, the user's properties win. */
export function mergePolicyConfig(base: PolicyConfig, over: PolicyConfig = {}): PolicyConfig {
    const out: PolicyConfig = { ...base };
    for (const [name, entry] of Object.entries(over)) {
        const mine = out[name];
        if (typeof entry === "string") out[name] = typeof mine === "object" ? { ...mine, enforcementLevel: entry } : entry;
        else out[name] = typeof mine === "object" ? { ...mine, ...entry } : typeof mine === "string" ? { enforcementLevel: mine, ...entry } : entry;
    }
    return out;
}

/** The one policy pack every deploy is gated by. */
export const policyPackDir = (dir = projectDir): string => path.join(dir, "policy", "odoo-platform");

/**
 * At most this many resource operations at once: Docker over ssh:// opens a connection per API
 * client, and sshd's MaxStartups drops unauthenticated ones beyond 10 (the provider's ssh options
 * multiplex them too; see index.ts).
 */
export const deployParallelism = 4;

/**
 * What an Automation API deploy passes to `preview` (the gate) and `up`: the pack, the stack's
 * policy configuration written to a file, the parallelism. The Automation API's `up` always skips
 * its own preview, so the caller runs `preview` first.
 */
export function deployGate(stack: string, dir = projectDir): { policyPacks: string[]; policyPackConfigs: string[]; parallel: number } {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-policy-")), "policy-config.json");
    fs.writeFileSync(file, `${JSON.stringify(stackPolicyConfig(stack, { dir }), null, 2)}\n`);
    return { policyPacks: [policyPackDir(dir)], policyPackConfigs: [file], parallel: deployParallelism };
}

/** The two calls of an Automation API stack a gated deploy makes (a fake records them in tests). */
export interface GatedStack<R> {
    preview(options: Record<string, unknown>): Promise<unknown>;
    up(options: Record<string, unknown>): Promise<R>;
}

/**
 * `preview` with the policy pack, and only when it passed, `up` with the same pack and configuration:
 * the Automation API's `up` skips its own preview, so without this a stack policy would only run
 * after the resources had changed. `options` go to both calls, `upOptions` to `up` alone.
 */
export async function previewThenUp<R>(
    stack: GatedStack<R>,
    gate: ReturnType<typeof deployGate>,
    options: Record<string, unknown> = {},
    upOptions: Record<string, unknown> = {},
): Promise<R> {
    await stack.preview({ ...options, ...gate });
    return stack.up({ ...options, ...upOptions, ...gate });
}

function main(argv: string[]): number {
    const at = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
    const stack = at("--stack");
    if (!stack) {
        process.stderr.write("usage: npm run policy-config -- --stack <dev|staging|production|pr-<n>> [--config-file <file>]\n");
        return 2;
    }
    try {
        process.stdout.write(`${JSON.stringify(stackPolicyConfig(stack, { configFile: at("--config-file") }), null, 2)}\n`);
        return 0;
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n`);
        return 2;
    }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
