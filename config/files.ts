/**
 * Reads a Pulumi stack configuration file (`Pulumi.<stack>.yaml`) into the raw string map Pulumi's
 * runtime hands a program: structured values become JSON, `secure:` values become secrets.
 */
import * as fs from "node:fs";
import { parse } from "yaml";
import { projectName } from "./schema";

export interface StackConfigFile {
    /** Full keys (`odoo-platform:domain`, `aws:region`) → value as Pulumi passes it (a string). */
    values: Record<string, string>;
    /** Full keys whose value is `secure:` in the file. */
    secretKeys: string[];
}

/** Placeholder for an encrypted value: the offline plan cannot (and must not) decrypt secrets. */
export const encryptedPlaceholder = "[secret]";

export function readStackConfigFile(file: string): StackConfigFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new Error(`cannot read configuration file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let doc: unknown;
    try {
        doc = parse(text);
    } catch (err) {
        throw new Error(`${file} is not valid YAML: ${(err as Error).message}`);
    }
    if (doc === null || doc === undefined) return { values: {}, secretKeys: [] };
    if (typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${file} must be a YAML mapping with a top-level "config:" key`);
    const config = (doc as Record<string, unknown>).config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new Error(`${file}: "config:" must be a mapping of key: value`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries(config as Record<string, unknown>)) {
        // Pulumi accepts bare keys for the project namespace.
        const fullKey = rawKey.includes(":") ? rawKey : `${projectName}:${rawKey}`;
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            values[fullKey] = encryptedPlaceholder;
            secretKeys.push(fullKey);
        } else if (typeof value === "string") {
            values[fullKey] = value;
        } else {
            values[fullKey] = JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}
