/**
 * Which stack (and so which stage) a resource belongs to, read from its URN
 * (`urn:pulumi:<stack>::<project>::<type>::<name>`). The stack name decides the stage
 * (config/stage.ts), so a policy needs nothing else to know where it runs.
 */
import { StackIdentity, stackIdentity } from "../platform";

export function stackNameFromUrn(urn: string): string | undefined {
    const match = /^urn:pulumi:([^:]+)::/.exec(urn);
    return match?.[1];
}

/** The stack identity of a URN, or undefined when the stack name does not name one of our stages. */
export function identityFromUrn(urn: string): StackIdentity | undefined {
    const stack = stackNameFromUrn(urn);
    return stack ? stackIdentity(stack) : undefined;
}

/** The identity of the stack a set of resources belongs to (stack policies). */
export function identityOfResources(resources: readonly { urn: string }[]): StackIdentity | undefined {
    for (const r of resources) {
        const identity = identityFromUrn(r.urn);
        if (identity) return identity;
    }
    return undefined;
}
