/**
 * The second deploy, modelled: two plans of one stack diffed resource by resource through the
 * providers' replacement table (plan/providers.ts), with the engine's resource options applied
 * (ignoreChanges, replaceOnChanges, deleteBeforeReplace, protect, retainOnDelete), and the
 * invariants a deploy must keep: no stateful object replaced or deleted, every replacement possible
 * (no name conflict, no network deleted under its members), every stateful object of staging and
 * production protected or retained. In the spirit of Pulumi's ProgramTest edit steps: re-running
 * with a new commit must not destroy anything.
 */
import { isUnknownValue, RecordedResource, unwrapSecrets } from "./mockRuntime";
import { networkType, providerTypePrefix, replacementRuleFor, statefulTypes } from "./providers";

export type Change = "create" | "delete" | "replace" | "update" | "same";

export interface ResourceDiff {
    urn: string;
    type: string;
    name: string;
    change: Change;
    /** Input properties whose value differs. */
    changed: string[];
    /** The ones that force the replacement. */
    replaceBecause: string[];
    /** The old object is deleted before the new one is created (option or provider default). */
    deleteBeforeReplace: boolean;
    /** The resource as planned second (as planned first when deleted). */
    resource: RecordedResource;
}

export class IncompleteTableError extends Error {}

const stable = (value: unknown): string =>
    JSON.stringify(value, (_k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));

const valueAt = (value: unknown, path: string[]): unknown =>
    path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), value);

/**
 * How the engine and the provider treat a change of `property` on a resource of `type`: the
 * property itself when it forces the replacement, the nested paths (`spec.template`) that do, or
 * nothing when the change is made in place.
 */
function replacementReasons(resource: RecordedResource, property: string, before: unknown, after: unknown): string[] {
    if (resource.options.replaceOnChanges.includes(property) || resource.options.replaceOnChanges.includes("*")) return [property];
    if (resource.type.startsWith(providerTypePrefix) || resource.type === "pulumi:pulumi:StackReference") return [];
    const rule = replacementRuleFor(resource.type);
    if (!rule)
        throw new IncompleteTableError(
            `plan/providers.ts has no replacement rule for ${resource.type} (resource ${resource.name}): read the provider's source and add one`,
        );
    if (rule.replaceOn === "*") return [property];
    if (rule.replaceOn.includes(property)) return [property];
    const nested = (rule.replaceOnPaths ?? []).filter((p) => p === property || p.startsWith(`${property}.`));
    const changedPaths = nested.filter((p) => {
        const path = p.split(".").slice(1);
        const a = valueAt(before, path);
        const b = valueAt(after, path);
        return isUnknownValue(b) || stable(a) !== stable(b);
    });
    if (changedPaths.length) return changedPaths;
    if (rule.inPlace.includes(property)) return [];
    throw new IncompleteTableError(
        `plan/providers.ts does not say whether a change of ${resource.type} ${property} (resource ${resource.name}) replaces it: read the provider's source and add it to replaceOn or inPlace`,
    );
}

/** The provider deletes a replaced object with a fixed name first (pulumi-kubernetes: metadata.name set). */
function namedDeleteBeforeReplace(resource: RecordedResource): boolean {
    if (!replacementRuleFor(resource.type)?.deleteBeforeReplaceWhenNamed) return false;
    const name = valueAt(unwrapSecrets(resource.inputs), ["metadata", "name"]);
    return typeof name === "string" && name !== "";
}

/** Diffs two recordings of the same stack, as the engine diffs the new program against the last state. */
export function diffPlans(before: readonly RecordedResource[], after: readonly RecordedResource[]): ResourceDiff[] {
    const old = new Map(before.filter((r) => r.custom).map((r) => [r.urn, r]));
    const diffs: ResourceDiff[] = [];
    for (const next of after.filter((r) => r.custom)) {
        const previous = old.get(next.urn);
        old.delete(next.urn);
        const deleteBeforeReplace = next.options.deleteBeforeReplace || !!replacementRuleFor(next.type)?.deleteBeforeReplace || namedDeleteBeforeReplace(next);
        const base = { urn: next.urn, type: next.type, name: next.name, deleteBeforeReplace, resource: next };
        if (!previous) {
            diffs.push({ ...base, change: "create", changed: [], replaceBecause: [] });
            continue;
        }
        const a = unwrapSecrets(previous.inputs) as Record<string, unknown>;
        const b = unwrapSecrets(next.inputs) as Record<string, unknown>;
        const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])]
            .filter((k) => !next.options.ignoreChanges.includes(k))
            .filter((k) => isUnknownValue(b[k]) || stable(a[k]) !== stable(b[k]))
            .sort();
        const replaceBecause = changed.flatMap((k) => replacementReasons(next, k, a[k], b[k]));
        diffs.push({ ...base, change: replaceBecause.length ? "replace" : changed.length ? "update" : "same", changed, replaceBecause });
    }
    for (const gone of old.values()) {
        diffs.push({
            urn: gone.urn,
            type: gone.type,
            name: gone.name,
            change: "delete",
            changed: [],
            replaceBecause: [],
            deleteBeforeReplace: false,
            resource: gone,
        });
    }
    return diffs;
}

/** Docker network names a container joins (`networksAdvanced[].name`, `networkMode`). */
export function joinedNetworks(container: RecordedResource): string[] {
    const inputs = unwrapSecrets(container.inputs) as { networksAdvanced?: { name?: unknown }[]; networkMode?: unknown };
    const names = (inputs.networksAdvanced ?? []).map((n) => n?.name).filter((n): n is string => typeof n === "string");
    if (typeof inputs.networkMode === "string") names.push(inputs.networkMode);
    return names;
}

const nameOf = (r: RecordedResource, property: string): string | undefined => {
    const v = (unwrapSecrets(r.inputs) as Record<string, unknown>)[property];
    return typeof v === "string" && !isUnknownValue(v) ? v : undefined;
};

export interface SecondDeployContext {
    stage: string;
    /** Networks other stacks' containers join by name (the shared edge): never replaceable from here. */
    sharedNetworks: readonly string[];
}

/** What would go wrong in the second deploy; empty when it is safe. */
export function secondDeployProblems(diffs: readonly ResourceDiff[], context: SecondDeployContext): string[] {
    const problems: string[] = [];
    const byUrn = new Map(diffs.map((d) => [d.urn, d]));
    const containers = diffs.filter((d) => d.type === "docker:index/container:Container" && d.change !== "delete");
    const what = (d: ResourceDiff) =>
        `${d.type.split(":").pop()} "${d.name}"${nameOf(d.resource, replacementRuleFor(d.type)?.uniqueName ?? "") ? ` (${nameOf(d.resource, replacementRuleFor(d.type)!.uniqueName!)})` : ""}`;
    const because = (d: ResourceDiff) => `because ${d.replaceBecause.join(", ")} changed`;

    for (const d of diffs) {
        const replacedOrDeleted = d.change === "replace" || d.change === "delete";
        if (!replacedOrDeleted) continue;
        const stateful = statefulTypes.includes(d.type);
        const members = d.type === networkType ? containers.filter((c) => joinedNetworks(c.resource).includes(nameOf(d.resource, "name") ?? "\u0000")) : [];
        const sharedNetwork = d.type === networkType && context.sharedNetworks.includes(nameOf(d.resource, "name") ?? "");
        if (stateful) problems.push(`${what(d)} would be ${d.change === "delete" ? "deleted" : `replaced ${because(d)}`}: its data would be lost`);
        if (d.resource.options.protect) problems.push(`${what(d)} is protected, so the deploy would stop at its ${d.change}`);
        if (d.change === "delete") continue;
        const unique = replacementRuleFor(d.type)?.uniqueName;
        if (unique && nameOf(d.resource, unique) && !d.deleteBeforeReplace) {
            problems.push(
                `${what(d)} would be replaced ${because(d)} while the old one still holds the name ${nameOf(d.resource, unique)}: set deleteBeforeReplace`,
            );
        }
        if (sharedNetwork)
            problems.push(
                `${what(d)} would be replaced ${because(d)}, but containers of other stacks join it by name: Docker refuses to delete a network with active endpoints`,
            );
        for (const member of members) {
            const follows = member.change === "replace" && member.resource.dependencies.includes(d.urn);
            if (!follows) {
                problems.push(
                    `${what(d)} would be replaced ${because(d)} while ${what(member)} stays attached` +
                        `${member.resource.dependencies.includes(d.urn) ? "" : " (it joins the network by name, not through a dependency the engine can follow)"}: Docker refuses to delete a network with active endpoints`,
                );
            }
        }
    }
    if (context.stage === "staging" || context.stage === "production") {
        for (const d of diffs) {
            if (d.change === "delete" || !statefulTypes.includes(d.type)) continue;
            const { protect, retainOnDelete } = d.resource.options;
            if (!protect && !retainOnDelete)
                problems.push(
                    `${what(d)} holds ${context.stage} data but is neither protected nor retainOnDelete: a destroy or a mistaken change would delete it`,
                );
        }
    }
    void byUrn;
    return problems;
}

/**
 * The order the engine would act in, for a failure message: for a delete-before-replace, the old
 * object goes first (with the dependents that must go with it), then the new one is created.
 */
export function replacementSteps(diffs: readonly ResourceDiff[]): string[] {
    const steps: string[] = [];
    for (const d of diffs.filter((x) => x.change === "replace")) {
        steps.push(
            d.deleteBeforeReplace
                ? `delete ${d.name}, then create it (${d.replaceBecause.join(", ")})`
                : `create the new ${d.name}, then delete the old one (${d.replaceBecause.join(", ")})`,
        );
    }
    return steps;
}
