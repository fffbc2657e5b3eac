/**
 * What `pr down` confirms about a PR stack's state (`pulumi stack export`), on either runtime: before
 * the destroy, that it will not keep anything (a resource with retainOnDelete leaves its object on
 * the Docker host, in the cluster or on the database server when it goes from the state; a protected
 * one stops the destroy half-way); after it, that nothing but the stack and its providers is left —
 * on Kubernetes the namespace (and everything in it) and the PR's database on the staging server are
 * then gone, as the Kubernetes provider waits for a deleted namespace to disappear. Pure.
 */

/** One resource of an exported deployment, as much of it as these checks read. */
export interface StateResource {
    urn?: string;
    type?: string;
    protect?: boolean;
    retainOnDelete?: boolean;
}

export interface ExportedDeployment {
    resources?: StateResource[];
}

/** `type name` of a resource, from its URN (`urn:pulumi:<stack>::<project>::<type path>::<name>`). */
export function describeStateResource(r: StateResource): string {
    const name = r.urn?.split("::").pop() ?? "?";
    return `${r.type ?? "?"} ${name}`;
}

const bookkeeping = (r: StateResource) => r.type === "pulumi:pulumi:Stack" || (r.type ?? "").startsWith("pulumi:providers:");

/** Resources a destroy would not remove: retained (left behind outside the state) or protected (the destroy fails). */
export function keptByDestroy(deployment: ExportedDeployment | undefined): string[] {
    return (deployment?.resources ?? [])
        .filter((r) => !bookkeeping(r) && (r.retainOnDelete === true || r.protect === true))
        .map((r) => `${describeStateResource(r)} (${r.protect ? "protect" : "retainOnDelete"})`);
}

/** Resources still in the state after a destroy: anything but the stack itself and its providers. */
export function leftInState(deployment: ExportedDeployment | undefined): string[] {
    return (deployment?.resources ?? []).filter((r) => !bookkeeping(r)).map(describeStateResource);
}
