/**
 * The shared cluster stack: the stack named `cluster` installs a cluster's add-ons once (ingress
 * controller, cert-manager with its ClusterIssuer and the PR wildcard certificate, the observability
 * charts) for every environment stack on that cluster. It has no stage: config/stage.ts keeps the
 * stage names, this file the one name that is not a stage, and the validation of its keys
 * (config/schema.ts clusterConfigKeys) with the same rules as the environment stacks' keys.
 */
import { z } from "zod";
import { encryptedPlaceholder } from "./files";
import { ConfigError, RawConfig } from "./load";
import { labelKeys } from "./naming";
import { ClusterConfigKey, ClusterConfigKeyName, clusterConfigKeyNames, clusterConfigKeys, ClusterSettings, qualified } from "./schema";

export const clusterStackName = "cluster";

/** Is this (possibly `org/project/`-qualified) stack name the shared cluster stack? */
export const isClusterStack = (stack: string): boolean => (stack.split("/").pop() ?? stack) === clusterStackName;

export interface ResolvedClusterSettings {
    stack: typeof clusterStackName;
    settings: ClusterSettings;
    /** Labels of every object the stack creates. */
    labels: Record<string, string>;
}

function coerce(spec: ClusterConfigKey<unknown>, raw: string): unknown {
    const trimmed = raw.trim();
    switch (spec.coerce) {
        case "number":
            return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : raw;
        case "boolean":
            return trimmed === "true" ? true : trimmed === "false" ? false : raw;
        default:
            return raw;
    }
}

/** Validates the cluster stack's raw configuration; every problem at once, each naming the key and the file. */
export function resolveClusterSettings(stack: RawConfig): ResolvedClusterSettings {
    const problems: string[] = [];
    const values: Partial<Record<ClusterConfigKeyName, unknown>> = {};
    for (const name of Object.keys(stack.values)) {
        if (!(name in clusterConfigKeys)) {
            problems.push(
                `${qualified(name)} is not a key of the cluster stack (${stack.file}): its keys are ${clusterConfigKeyNames.join(", ")} — see docs/architecture/ENVIRONMENT_VARIABLES.md`,
            );
        }
    }
    for (const name of clusterConfigKeyNames) {
        const spec = clusterConfigKeys[name] as ClusterConfigKey<unknown>;
        const fromStack = stack.values[name];
        let raw: unknown;
        if (fromStack !== undefined) {
            if (spec.source === "secret" && !stack.secretKeys.has(name)) {
                problems.push(`${qualified(name)} is a secret but is stored in plain text: run \`pulumi config set --secret ${name} <value>\` (${stack.file})`);
                continue;
            }
            raw = fromStack === encryptedPlaceholder ? fromStack : coerce(spec, fromStack);
        } else if (spec.default !== undefined) {
            raw = spec.default;
        }
        if (raw === undefined) {
            if (spec.required)
                problems.push(
                    `${qualified(name)} is required for the cluster stack: add \`${qualified(name)}: <value>\` to ${stack.file}${spec.source === "secret" ? " with `pulumi config set --secret`" : ""}`,
                );
            continue;
        }
        const parsed = (spec.schema as z.ZodType).safeParse(raw);
        if (!parsed.success) {
            const issue = parsed.error.issues[0];
            problems.push(`${qualified(name)} ${issue.message} (${stack.file})`);
            continue;
        }
        values[name] = parsed.data;
    }
    if (problems.length) throw new ConfigError(problems);
    return {
        stack: clusterStackName,
        settings: values as ClusterSettings,
        labels: { [labelKeys.stack]: clusterStackName, [labelKeys.managedBy]: "pulumi" },
    };
}
