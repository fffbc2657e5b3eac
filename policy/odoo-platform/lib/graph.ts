/**
 * The dependency graph of a stack as CrossGuard hands it to stack policies: each resource's direct
 * dependencies (explicit `dependsOn` plus the resources whose outputs feed its inputs). Depending on
 * a component already expands to its children, so following `dependencies` is enough.
 */
import type { PolicyResource } from "@pulumi/policy";

/** Every resource `from` waits for, directly or through others. */
export function transitiveDependencies(from: PolicyResource): Set<PolicyResource> {
    const seen = new Set<PolicyResource>();
    const stack = [...from.dependencies];
    while (stack.length) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...next.dependencies);
    }
    return seen;
}

export const dependsOn = (from: PolicyResource, on: PolicyResource): boolean => transitiveDependencies(from).has(on);

/** The component ancestors of a resource, nearest first. */
export function ancestors(resource: PolicyResource): PolicyResource[] {
    const out: PolicyResource[] = [];
    for (let p = resource.parent; p && !out.includes(p); p = p.parent) out.push(p);
    return out;
}
