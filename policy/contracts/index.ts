/**
 * Entry point of the `contracts` policy pack for the Pulumi CLI:
 *   pulumi preview --policy-pack policy/contracts [--policy-pack-config <file>]
 * Constructing a PolicyPack starts the CrossGuard gRPC server, so only the CLI loads this file; the
 * offline plan and the tests import ./policies directly (see policy/registry.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { contractsPack } from "./policies";

new PolicyPack(contractsPack.name, {
    description: contractsPack.description,
    enforcementLevel: contractsPack.enforcementLevel,
    policies: contractsPack.policies,
});
