/**
 * Runs CrossGuard policies (the same objects a `PolicyPack` serves to `pulumi preview`) against the
 * resources recorded by the mock runtime, offline. It mirrors what the CrossGuard server does for a
 * real preview: per-policy configuration with the schema's defaults and the `all` key, enforcement
 * overrides, `remediate` treated as mandatory for validation, resource options, providers, parents,
 * dependencies and property dependencies.
 */
import * as fs from "node:fs";
import type { EnforcementLevel, Policy, PolicyProviderResource, PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { PolicyPackDefinition } from "../policy/registry";
import { RecordedResource, unwrapSecrets } from "./mockRuntime";

// CrossGuard's own proxy (an internal module of the pinned @pulumi/policy 1.21): a value unknown in a
// preview plan throws UnknownValueError when a policy reads it, exactly as in `pulumi preview`.
/* eslint-disable @typescript-eslint/no-require-imports */
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: never[]) => Error;
};
/* eslint-enable @typescript-eslint/no-require-imports */

export interface Violation {
    /** Name of the resource the violation is about (or the stack). */
    resource: string;
    urn?: string;
    message: string;
}

export interface PolicyVerdict {
    pack: string;
    name: string;
    description: string;
    enforcement: EnforcementLevel;
    violations: Violation[];
    /** A preview left a value it read unknown: CrossGuard reports it as advisory and the policy gates nothing. */
    cannotRun?: Violation[];
}

class NotApplicable extends Error {}

/**
 * Policy configuration as `pulumi preview --policy-pack-config <file>` takes it: per policy name an
 * enforcement level, or an object with `enforcementLevel` and the policy's own properties; the key
 * `all` sets the enforcement level of every policy.
 */
export type PolicyConfig = Record<string, EnforcementLevel | (Record<string, unknown> & { enforcementLevel?: EnforcementLevel })>;

const enforcementLevels: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {}

const typeOf = (cls: unknown): string | undefined => (cls as { __pulumiType?: string }).__pulumiType;

const emptyOpts = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** `urn::id` (how the engine names a provider reference) → the provider's URN. */
const providerUrn = (reference: string | undefined): string | undefined => (reference ? reference.slice(0, reference.lastIndexOf("::")) : undefined);

/**
 * CrossGuard hands resource policies a resource's inputs, and stack policies its state after the
 * (here: mock) provider ran — inputs plus computed outputs such as a RandomPassword's `result`.
 */
type PropsView = "inputs" | "outputs";

function toPolicyResources(resources: RecordedResource[], view: PropsView): Map<string, PolicyResource> {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of resources) {
        const props = unknownCheckingProxy(unwrapSecrets(view === "outputs" ? { ...r.inputs, ...(r.outputs ?? {}) } : r.inputs) as Record<string, unknown>);
        byUrn.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: { ...emptyOpts, parent: r.parentUrn },
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => typeOf(cls) === r.type,
            asType: ((cls: unknown) => (typeOf(cls) === r.type ? props : undefined)) as PolicyResource["asType"],
        });
    }
    const resolve = (urns: string[] | undefined) => (urns ?? []).map((d) => byUrn.get(d)).filter((d): d is PolicyResource => !!d);
    for (const r of resources) {
        const pr = byUrn.get(r.urn)!;
        pr.parent = r.parentUrn ? byUrn.get(r.parentUrn) : undefined;
        pr.dependencies = resolve(r.dependencies);
        for (const [property, urns] of Object.entries(r.propertyDependencies ?? {})) pr.propertyDependencies[property] = resolve(urns);
        const provider = byUrn.get(providerUrn(r.provider) ?? "");
        if (provider) pr.provider = { type: provider.type, props: provider.props, urn: provider.urn, name: provider.name };
    }
    return byUrn;
}

/** Enforcement level and properties of one policy: schema defaults < `all` < the policy's own entry. */
export function resolvePolicyConfig(
    pack: PolicyPackDefinition,
    policy: Policy,
    config: PolicyConfig,
): { enforcement: EnforcementLevel; properties: Record<string, unknown> } {
    const properties: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if ((schema as { default?: unknown }).default !== undefined) properties[key] = structuredClone((schema as { default?: unknown }).default);
    }
    let enforcement = policy.enforcementLevel ?? pack.enforcementLevel;
    const all = config.all;
    if (typeof all === "string") enforcement = all;
    else if (all?.enforcementLevel) enforcement = all.enforcementLevel;
    const own = config[policy.name];
    if (typeof own === "string") enforcement = own;
    else if (own) {
        const { enforcementLevel, ...rest } = own;
        if (enforcementLevel) enforcement = enforcementLevel;
        Object.assign(properties, rest);
    }
    for (const key of policy.configSchema?.required ?? []) {
        if (properties[key] === undefined) throw new PolicyConfigError(`policy ${policy.name} requires configuration property "${key}"`);
    }
    return { enforcement, properties };
}

/** Checks a policy configuration against the packs: unknown policies, levels and property types are errors, as in the CLI. */
export function validatePolicyConfig(packs: PolicyPackDefinition[], config: PolicyConfig): string[] {
    const problems: string[] = [];
    const policies = new Map(packs.flatMap((p) => p.policies.map((policy) => [policy.name, policy] as const)));
    for (const [name, entry] of Object.entries(config)) {
        const level = typeof entry === "string" ? entry : entry?.enforcementLevel;
        if (level !== undefined && !enforcementLevels.includes(level))
            problems.push(`${name}: enforcementLevel must be one of ${enforcementLevels.join(", ")}, got "${level}"`);
        if (name === "all") continue;
        const policy = policies.get(name);
        if (!policy) {
            problems.push(`${name} is not a policy of the registered packs (${[...policies.keys()].join(", ")})`);
            continue;
        }
        if (typeof entry !== "object" || entry === null) continue;
        for (const [key, value] of Object.entries(entry)) {
            if (key === "enforcementLevel") continue;
            const schema = policy.configSchema?.properties?.[key] as { type?: string } | undefined;
            if (!schema)
                problems.push(
                    `${name}.${key} is not a configuration property of ${name} (${Object.keys(policy.configSchema?.properties ?? {}).join(", ") || "none"})`,
                );
            else if (schema.type && !matchesJsonType(value, schema.type)) problems.push(`${name}.${key} must be of type ${schema.type}`);
        }
    }
    return problems;
}

function matchesJsonType(value: unknown, type: string): boolean {
    switch (type) {
        case "array":
            return Array.isArray(value);
        case "object":
            return typeof value === "object" && value !== null && !Array.isArray(value);
        case "integer":
            return Number.isInteger(value);
        case "number":
            return typeof value === "number";
        default:
            return typeof value === type;
    }
}

/** Reads a `--policy-pack-config` style JSON file. */
export function loadPolicyConfig(file: string): PolicyConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new PolicyConfigError(`cannot read policy configuration ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (err) {
        throw new PolicyConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new PolicyConfigError(`${file} must be a JSON object keyed by policy name`);
    return doc as PolicyConfig;
}

export async function runPolicyPacks(packs: PolicyPackDefinition[], resources: RecordedResource[], config: PolicyConfig = {}): Promise<PolicyVerdict[]> {
    const problems = validatePolicyConfig(packs, config);
    if (problems.length) throw new PolicyConfigError(`invalid policy configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    const resourceInputs = [...toPolicyResources(resources, "inputs").values()];
    const stackResources = [...toPolicyResources(resources, "outputs").values()];
    const verdicts: PolicyVerdict[] = [];
    for (const pack of packs) {
        for (const policy of pack.policies) {
            const resolved = resolvePolicyConfig(pack, policy, config);
            // CrossGuard validates a `remediate` policy like a mandatory one.
            const enforcement = resolved.enforcement === "remediate" ? "mandatory" : resolved.enforcement;
            const verdict: PolicyVerdict = { pack: pack.name, name: policy.name, description: policy.description, enforcement, violations: [] };
            verdicts.push(verdict);
            if (enforcement === "disabled") continue;
            const getConfig = <T extends object>() => structuredClone(resolved.properties) as T;
            const notApplicable = (reason?: string): never => {
                throw new NotApplicable(reason);
            };

            if ("validateResource" in policy && policy.validateResource) {
                const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
                for (const resource of resourceInputs) {
                    const args: ResourceValidationArgs = {
                        type: resource.type,
                        props: resource.props,
                        urn: resource.urn,
                        name: resource.name,
                        opts: resource.opts,
                        provider: resource.provider as PolicyProviderResource | undefined,
                        stackTags: new Map(),
                        isType: resource.isType,
                        asType: ((cls: unknown) => (typeOf(cls) === resource.type ? resource.props : undefined)) as ResourceValidationArgs["asType"],
                        getConfig,
                        notApplicable,
                    };
                    const report = (message: string) => verdict.violations.push({ resource: resource.name, urn: resource.urn, message });
                    for (const validate of validators) {
                        try {
                            await validate(args, report);
                        } catch (err) {
                            if (err instanceof UnknownValueError) cantRun(verdict, err, resource);
                            else if (!(err instanceof NotApplicable)) throw err;
                        }
                    }
                }
            }
            if ("validateStack" in policy && policy.validateStack) {
                const args: StackValidationArgs = { resources: stackResources, stackTags: new Map(), getConfig, notApplicable };
                const report = (message: string, urn?: string) => verdict.violations.push({ resource: urn ? urn.split("::").pop()! : "(stack)", urn, message });
                try {
                    await policy.validateStack(args, report);
                } catch (err) {
                    if (err instanceof UnknownValueError) cantRun(verdict, err);
                    else if (!(err instanceof NotApplicable)) throw err;
                }
            }
        }
    }
    return verdicts;
}

/** What CrossGuard does with a policy that reads an unknown value: an advisory "can't run" note (verdicts keep it apart). */
function cantRun(verdict: PolicyVerdict, err: Error, resource?: PolicyResource): void {
    verdict.cannotRun = [
        ...(verdict.cannotRun ?? []),
        { resource: resource?.name ?? "(stack)", urn: resource?.urn, message: `can't run policy ${verdict.name} during preview: ${err.message}` },
    ];
}

/** A mandatory policy with at least one violation blocks the deployment. */
export const blocks = (verdicts: PolicyVerdict[]): boolean => verdicts.some((v) => v.enforcement === "mandatory" && v.violations.length > 0);
