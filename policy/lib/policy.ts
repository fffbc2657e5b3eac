/**
 * Small helpers every pack shares: where a policy applies (by stage), and typed access to the
 * resources of a stack policy.
 */
import type {
    PolicyResource,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { StackIdentity } from "../../config/stage";
import { identityFromUrn, identityOfResources } from "./stack";
import { dockerTypes } from "./types";
import { roleOf, runsOdoo } from "./docker";

/** The stack identity of a resource under validation; not applicable outside odoo-platform stacks or `stages`. */
export function resourceStage(args: ResourceValidationArgs, stages?: readonly string[]): StackIdentity {
    const identity = identityFromUrn(args.urn);
    if (!identity) return args.notApplicable("the stack name does not name an odoo-platform stage");
    if (stages && !stages.includes(identity.stage)) return args.notApplicable(`applies to ${stages.join(", ")} stacks only`);
    return identity;
}

/** The stack identity of a whole stack; not applicable outside odoo-platform stacks or `stages`. */
export function stackStage(args: StackValidationArgs, stages?: readonly string[]): StackIdentity {
    const identity = identityOfResources(args.resources);
    if (!identity) return args.notApplicable("the stack name does not name an odoo-platform stage");
    if (stages && !stages.includes(identity.stage)) return args.notApplicable(`applies to ${stages.join(", ")} stacks only`);
    return identity;
}

export const containersOf = (resources: readonly PolicyResource[]): PolicyResource[] => resources.filter((r) => r.type === dockerTypes.container);

export const containersWithRole = (resources: readonly PolicyResource[], roles: readonly string[]): PolicyResource[] =>
    containersOf(resources).filter((c) => {
        const role = roleOf(c.props);
        return role !== undefined && roles.includes(role);
    });

/**
 * CrossGuard passes a policy only the configuration the engine sent (nothing when the pack is not
 * configured); this makes `getConfig()` always start from the policy's schema defaults, so a
 * policy behaves the same under `pulumi preview --policy-pack` and in the offline plan.
 */
export function withConfigDefaults<P extends ResourceValidationPolicy | StackValidationPolicy>(policy: P): P {
    const defaults = (): Record<string, unknown> => {
        const out: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            const value = (schema as { default?: unknown }).default;
            if (value !== undefined) out[key] = structuredClone(value);
        }
        return out;
    };
    const complete = <A extends { getConfig<T extends object>(): T }>(args: A): A => ({
        ...args,
        getConfig: <T extends object>() => ({ ...defaults(), ...args.getConfig<Record<string, unknown>>() }) as T,
    });
    if ("validateStack" in policy) {
        const validate = policy.validateStack;
        return { ...policy, validateStack: (args: StackValidationArgs, report) => validate(complete(args), report) };
    }
    const wrap = (validate: ResourceValidation): ResourceValidation => (args, report) => validate(complete(args), report);
    const validators = (policy as ResourceValidationPolicy).validateResource;
    return { ...policy, validateResource: Array.isArray(validators) ? validators.map(wrap) : validators && wrap(validators) };
}

/** Containers that run Odoo against the environment's database (see runsOdoo). */
export const odooContainersOf = (resources: readonly PolicyResource[]): PolicyResource[] => containersOf(resources).filter((c) => runsOdoo(c.props));

/**
 * During a real preview CrossGuard hands policies a proxy that throws UnknownValueError when a
 * value is not known yet (it depends on a resource still to be created). Such a value is computed
 * by the program, never a literal: `known` turns it into undefined for the checks where that matters.
 */
export const isUnknownValueError = (err: unknown): boolean => (err as { constructor?: { name?: string } })?.constructor?.name === "UnknownValueError";

export function known<T>(read: () => T): T | undefined {
    const result = readKnown(read);
    return result.known ? result.value : undefined;
}

/** Like `known`, but tells an unknown value apart from an absent one. */
export function readKnown<T>(read: () => T): { known: true; value: T } | { known: false } {
    try {
        return { known: true, value: read() };
    } catch (err) {
        if (isUnknownValueError(err)) return { known: false };
        throw err;
    }
}

/** Every known string inside a value, with its property path (`envs[2]`, `uploads[0].content`); unknown values are skipped. */
export function stringsIn(value: unknown, path = ""): { path: string; text: string }[] {
    if (typeof value === "string") return [{ path, text: value }];
    const out: { path: string; text: string }[] = [];
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const item = known(() => value[i]);
            if (item !== undefined) out.push(...stringsIn(item, `${path}[${i}]`));
        }
    } else if (value && typeof value === "object") {
        for (const k of Object.keys(value)) {
            const item = known(() => (value as Record<string, unknown>)[k]);
            if (item !== undefined) out.push(...stringsIn(item, path ? `${path}.${k}` : k));
        }
    }
    return out;
}
