/**
 * Entry point of the `neutralization` policy pack for the Pulumi CLI:
 *   pulumi preview --policy-pack policy/neutralization [--policy-pack-config <file>]
 * Constructing a PolicyPack starts the CrossGuard gRPC server, so only the CLI loads this file; the
 * offline plan and the tests import ./policies directly (see policy/registry.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { neutralizationPack } from "./policies";

new PolicyPack(neutralizationPack.name, {
    description: neutralizationPack.description,
    enforcementLevel: neutralizationPack.enforcementLevel,
    policies: neutralizationPack.policies,
});
