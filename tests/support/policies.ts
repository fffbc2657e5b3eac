/**
 * Hand-built resource sets for policy tests: the same shape the mock runtime records
 * (RecordedResource), run through the same offline runner as `npm run plan`, plus a way to call a
 * resource policy's `validateResource` directly with CrossGuard-shaped args.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { containerLabels, ContainerRole, dockerLabels, resourceLabels, stableLabels } from "../../config/naming";
import { Stage, stackIdentity } from "../../config/stage";
import type { RecordedResource } from "../../plan/mockRuntime";
import { PolicyConfig, runPolicyPacks } from "../../plan/policies";
import { mergePolicyConfig, stackPolicyConfig } from "../../plan/policyConfig";
import { dockerTypes } from "../../policy/odoo-platform/lib/types";

export const project = "odoo-platform";

export interface ResourceOptions {
    parent?: RecordedResource;
    dependsOn?: RecordedResource[];
    propertyDependencies?: Record<string, RecordedResource[]>;
    outputs?: Record<string, unknown>;
    provider?: RecordedResource;
}

export function resource(stack: string, type: string, name: string, inputs: Record<string, unknown>, opts: ResourceOptions = {}): RecordedResource {
    const parentType = opts.parent ? `${opts.parent.type}$` : "";
    const propertyDependencies: Record<string, string[]> = {};
    for (const [k, deps] of Object.entries(opts.propertyDependencies ?? {})) propertyDependencies[k] = deps.map((d) => d.urn);
    const dependencies = [...new Set([...(opts.dependsOn ?? []).map((d) => d.urn), ...Object.values(propertyDependencies).flat()])];
    return {
        urn: `urn:pulumi:${stack}::${project}::${parentType}${type}::${name}`,
        type,
        name,
        custom: !type.startsWith("odoo-platform:"),
        parentUrn: opts.parent?.urn,
        dependencies,
        propertyDependencies,
        inputs,
        outputs: opts.outputs,
        provider: opts.provider ? `${opts.provider.urn}::${opts.provider.name}-id` : undefined,
        options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], additionalSecretOutputs: [] },
    };
}

/** The labels the program puts on every object of a stack. */
export function stackLabels(stack: string, gitSha = "3f2c1e9aa0"): Record<string, string> {
    const identity = stackIdentity(stack);
    return resourceLabels({ stage: identity.stage, stack, gitSha, prNumber: identity.prNumber, prTtlHours: identity.stage === "pr" ? 72 : undefined });
}

export const odooConf = (options: Record<string, string | number>): string =>
    `[options]\n${Object.entries(options)
        .map(([k, v]) => `${k} = ${v}`)
        .join("\n")}\n`;

export const defaultOdooConf = (stage: Stage) => ({
    addons_path: "/mnt/extra-addons",
    db_host: "db",
    db_user: "odoo_owner",
    db_password: "generated-0123456789abcdef",
    smtp_server: stage === "production" ? "smtp.example.net" : "mailpit",
    smtp_port: stage === "production" ? 587 : 1025,
    max_cron_threads: stage === "production" ? 2 : 0,
});

/** A container as OdooEnvironment declares it, with its role label; `inputs` override. */
export function container(
    stack: string,
    name: string,
    role: ContainerRole,
    inputs: Record<string, unknown> = {},
    opts: ResourceOptions = {},
): RecordedResource {
    return resource(
        stack,
        dockerTypes.container,
        name,
        { name: `odoo-${stack}-${name}`, image: "postgres:15", memory: 512, cpus: "0.5", labels: containerLabels(stackLabels(stack), role), ...inputs },
        opts,
    );
}

export function odooContainer(
    stack: string,
    inputs: Record<string, unknown> = {},
    conf: Record<string, string | number> = {},
    opts: ResourceOptions = {},
): RecordedResource {
    const stage = stackIdentity(stack).stage;
    return container(
        stack,
        "odoo",
        "odoo",
        {
            image: "ghcr.io/example/odoo@sha256:" + "a".repeat(64),
            command: ["odoo", "--config=/etc/odoo/odoo.conf"],
            envs: [`ODOO_STAGE=${stage}`],
            uploads: [{ file: "/etc/odoo/odoo.conf", content: odooConf({ ...defaultOdooConf(stage), ...conf }) }],
            memory: 1536,
            cpus: "1",
            ...inputs,
        },
        opts,
    );
}

export function mailCatcher(stack: string, inputs: Record<string, unknown> = {}): RecordedResource {
    return container(stack, "mailpit", "mail-catcher", {
        image: "axllent/mailpit:v1.21",
        networksAdvanced: [{ name: "internal", aliases: ["mailpit"] }],
        memory: 128,
        cpus: "0.25",
        ...inputs,
    });
}

/** The labels of a volume or network: the stack's, without the per-commit one. */
export const labelled = (stack: string) => ({ labels: dockerLabels(stableLabels(stackLabels(stack))) });

/** Runs one policy through the offline runner with the stack's policy configuration (npm run policy-config) under `config`; returns its violation messages. */
export async function violations(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    resources: RecordedResource[],
    config: PolicyConfig = {},
): Promise<string[]> {
    const stack = /^urn:pulumi:([^:]+)::/.exec(resources[0]?.urn ?? "")?.[1];
    const identity = stack ? safeIdentity(stack) : undefined;
    const own = identity ? Object.fromEntries(Object.entries(stackPolicyConfig(identity.stack)).filter(([name]) => name === policy.name)) : {};
    const [verdict] = await runPolicyPacks([{ name: "test", enforcementLevel: "mandatory", policies: [policy] }], resources, mergePolicyConfig(own, config));
    return verdict.violations.map((v) => v.message);
}

const safeIdentity = (stack: string) => {
    try {
        return stackIdentity(stack);
    } catch {
        return undefined;
    }
};

/** Calls a resource policy's validateResource directly, as CrossGuard does, with hand-built args. */
export async function validateDirectly(
    policy: ResourceValidationPolicy,
    r: RecordedResource,
    config: Record<string, unknown> = {},
): Promise<{ messages: string[]; notApplicable?: string }> {
    const messages: string[] = [];
    const defaults = Object.fromEntries(Object.entries(policy.configSchema?.properties ?? {}).map(([k, s]) => [k, (s as { default?: unknown }).default]));
    class NotApplicable extends Error {}
    const args: ResourceValidationArgs = {
        type: r.type,
        props: r.inputs,
        urn: r.urn,
        name: r.name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        isType: () => false,
        asType: (() => undefined) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({ ...defaults, ...config }) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    try {
        for (const validate of validators) await validate(args, (m) => messages.push(m));
    } catch (err) {
        if (err instanceof NotApplicable) return { messages, notApplicable: err.message };
        throw err;
    }
    return { messages };
}
