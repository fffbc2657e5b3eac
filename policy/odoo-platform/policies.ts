/**
 * The platform's policies in their four groups, every one failing closed on a value a preview
 * cannot know (lib/policy.ts failClosed). One pack, published alone: index.ts serves it to
 * `pulumi preview --policy-pack policy/odoo-platform`; the offline plan runs the same objects.
 */
import type { Policies } from "@pulumi/policy";
import { contractsPack } from "./contracts";
import type { PolicyPackDefinition } from "./lib/pack";
import { failClosed } from "./lib/policy";
import { kubernetesPack } from "./kubernetes";
import { neutralizationPack } from "./neutralization";
import { prLimitsPack } from "./prLimits";
import { securityPack } from "./security";

export type { PolicyPackDefinition } from "./lib/pack";

const closed = (group: PolicyPackDefinition): PolicyPackDefinition => ({ ...group, policies: group.policies.map((p) => failClosed(p)) as Policies });

/** contracts, neutralization, security, pr-limits, kubernetes: policy names are unique across them. */
export const policyGroups: PolicyPackDefinition[] = [contractsPack, neutralizationPack, securityPack, prLimitsPack, kubernetesPack].map(closed);

export const platformPack: PolicyPackDefinition = {
    name: "odoo-platform",
    description: "odoo-platform: runtime contracts, neutralization of non-production stages, security, PR limits, Kubernetes objects.",
    enforcementLevel: "mandatory",
    policies: policyGroups.flatMap((g) => g.policies),
};
