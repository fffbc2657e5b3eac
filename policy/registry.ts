/**
 * The policy packs of the platform, as plain data: the offline plan (`npm run plan`, `npm run guard`)
 * and the tests run them directly; each pack's entry file (policy/<pack>/index.ts) wraps the same
 * objects in a `new PolicyPack(...)` for `pulumi preview --policy-pack policy/<pack>`.
 */
import { contractsPack } from "./contracts/policies";
import type { PolicyPackDefinition } from "./lib/pack";
import { neutralizationPack } from "./neutralization/policies";
import { prLimitsPack } from "./pr-limits/policies";
import { securityPack } from "./security/policies";

export type { PolicyPackDefinition } from "./lib/pack";

/** Every pack the plan and `npm run guard` evaluate. Policy names are unique across packs. */
export const policyPacks: PolicyPackDefinition[] = [contractsPack, neutralizationPack, securityPack, prLimitsPack];
