/**
 * Entry point of the `security` policy pack for the Pulumi CLI:
 *   pulumi preview --policy-pack policy/security [--policy-pack-config <file>]
 * Constructing a PolicyPack starts the CrossGuard gRPC server, so only the CLI loads this file; the
 * offline plan and the tests import ./policies directly (see policy/registry.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { securityPack } from "./policies";

new PolicyPack(securityPack.name, {
    description: securityPack.description,
    enforcementLevel: securityPack.enforcementLevel,
    policies: securityPack.policies,
});
