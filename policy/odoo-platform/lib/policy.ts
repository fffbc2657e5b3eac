/**
 * Small helpers every policy shares: where a policy applies (by stage), typed access to the
 * resources of a stack policy, and what a policy does with a value a preview cannot know.
 */
import type {
    PolicyResource,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { StackIdentity } from "../platform";
import { identityFromUrn, identityOfResources } from "./stack";
import { dockerTypes } from "./types";
import { roleOf, runsOdoo } from "./docker";
import { isUnknownValueError, known } from "./unknown";

export { isUnknownValueError, known, readKnown } from "./unknown";

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
    const wrap =
        (validate: ResourceValidation): ResourceValidation =>
        (args, report) =>
            validate(complete(args), report);
    const validators = (policy as ResourceValidationPolicy).validateResource;
    return { ...policy, validateResource: Array.isArray(validators) ? validators.map(wrap) : validators && wrap(validators) };
}

/** Containers that run Odoo against the environment's database (see runsOdoo). */
export const odooContainersOf = (resources: readonly PolicyResource[]): PolicyResource[] => containersOf(resources).filter((c) => runsOdoo(c.props));

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

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Does `text` mention `value` as a whole name? `erp.example.com` is found in
 * `https://erp.example.com/web` but not in `staging-erp.example.com` or `erp.example.com.evil.io`.
 */
export function mentions(text: string, value: string): boolean {
    return new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(value)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, "i").test(text);
}

/**
 * A policy that meets a value it needs but cannot know during a preview (it is computed from the
 * output of a resource still to be created or changed) must not pass: CrossGuard would downgrade it
 * to "advisory: can't run … during preview", and the preview would gate nothing. Wrapped, the
 * policy reports a violation instead, naming the value, so the deploy stops before anything changes.
 * Policies read the values they judge from configuration-built inputs, which every preview knows.
 */
export function failClosed<P extends ResourceValidationPolicy | StackValidationPolicy>(policy: P): P {
    const message = (err: unknown) =>
        `${policy.name} cannot decide during this preview: ${(err as Error).message}. ` +
        `The program must build what this policy judges from configuration (known to every preview), not from another resource's outputs.`;
    if ("validateStack" in policy) {
        const validate = policy.validateStack;
        return {
            ...policy,
            validateStack: async (args: StackValidationArgs, report) => {
                try {
                    await validate(args, report);
                } catch (err) {
                    if (!isUnknownValueError(err)) throw err;
                    report(message(err));
                }
            },
        };
    }
    const wrap =
        (validate: ResourceValidation): ResourceValidation =>
        async (args, report) => {
            try {
                await validate(args, report);
            } catch (err) {
                if (!isUnknownValueError(err)) throw err;
                report(message(err));
            }
        };
    const validators = (policy as ResourceValidationPolicy).validateResource;
    return { ...policy, validateResource: Array.isArray(validators) ? validators.map(wrap) : validators && wrap(validators) };
}
