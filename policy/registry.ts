/**
 * The policy packs of the platform, as plain data: the offline plan and the tests run them
 * directly; each pack's own entry file (policy/<pack>/index.ts) wraps the same list in a
 * `new PolicyPack(...)` for `pulumi preview --policy-pack policy/<pack>`.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";

export interface PolicyPackDefinition {
    name: string;
    /** Default enforcement of the pack's policies that set none. */
    enforcementLevel: EnforcementLevel;
    policies: Policies;
}

/** Every pack the plan and `npm run guard` evaluate. Filled by the packs under policy/. */
export const policyPacks: PolicyPackDefinition[] = [];
