/**
 * A policy pack as plain data: what the offline plan runs directly and what each pack's entry file
 * (policy/<pack>/index.ts) hands to `new PolicyPack(...)` for `pulumi preview --policy-pack`.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";

export interface PolicyPackDefinition {
    name: string;
    /** Shown by `pulumi policy` and in the docs. */
    description?: string;
    /** Default enforcement of the pack's policies that set none. */
    enforcementLevel: EnforcementLevel;
    policies: Policies;
}
