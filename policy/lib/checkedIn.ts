/**
 * What the checked-in stack files say, for policies that must know another stack's values
 * (neutralization: production's hosts, bucket and relays) or a stage's budget (PR limits). The
 * files are read with the program's own reader (config/files.ts) and validated with the program's
 * own schema, so a policy and the program can never read a value differently.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackConfigFile } from "../../config/files";
import { coerceRaw, projectValues } from "../../config/load";
import { environmentNames } from "../../config/naming";
import { ConfigKeyName, configKeys, Settings } from "../../config/schema";
import { StackIdentity, stackIdentity } from "../../config/stage";

/** The repository root: where Pulumi.yaml and the stack files live. */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** The file holding a stack's checked-in values: its own file, or the PR defaults for `pr-<n>`. */
export const stackFileOf = (identity: StackIdentity): string =>
    path.join(repoRoot, identity.stage === "pr" ? "Pulumi.pr.yaml" : `Pulumi.${identity.stack}.yaml`);

export class CheckedInConfigError extends Error {}

/** The raw project values of a stack file (`domain` → "…"), and which keys are `secure:`. */
export function readProjectFile(file: string): { values: Record<string, string>; secretKeys: Set<string> } {
    if (!fs.existsSync(file)) return { values: {}, secretKeys: new Set() };
    const parsed = readStackConfigFile(file);
    const values = projectValues(parsed.values);
    const secretKeys = new Set(parsed.secretKeys.map((k) => k.slice(k.indexOf(":") + 1)));
    return { values, secretKeys };
}

/**
 * The value a checked-in file gives `key` for a stage (validated with the key's schema), else the
 * stage's default. Throws CheckedInConfigError when the file holds an invalid value.
 */
export function checkedInSetting<K extends ConfigKeyName>(identity: StackIdentity, key: K, file = stackFileOf(identity)): Settings[K] | undefined {
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
    /** What it is, for messages: "production's database server (odoo-platform:dbHost)". */
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
export function productionValues(file = path.join(repoRoot, "Pulumi.production.yaml")): ProductionValue[] {
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
        const names = environmentNames(identity, { domain, hostOverride: checkedInSetting(identity, "host", file), databaseOverride: checkedInSetting(identity, "dbName", file) });
        out.unshift({ value: names.host, what: "production's public host" }, { value: names.database, what: "production's database name" });
    }
    return out;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Does `text` mention `value` as a whole name? `erp.example.com` is found in
 * `https://erp.example.com/web` but not in `staging-erp.example.com` or `erp.example.com.evil.io`.
 */
export function mentions(text: string, value: string): boolean {
    return new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(value)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, "i").test(text);
}
