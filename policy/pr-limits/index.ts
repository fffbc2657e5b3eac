/**
 * Entry point of the `pr-limits` policy pack for the Pulumi CLI:
 *   pulumi preview --policy-pack policy/pr-limits [--policy-pack-config <file>]
 * Constructing a PolicyPack starts the CrossGuard gRPC server, so only the CLI loads this file; the
 * offline plan and the tests import ./policies directly (see policy/registry.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { prLimitsPack } from "./policies";

new PolicyPack(prLimitsPack.name, {
    description: prLimitsPack.description,
    enforcementLevel: prLimitsPack.enforcementLevel,
    policies: prLimitsPack.policies,
});
