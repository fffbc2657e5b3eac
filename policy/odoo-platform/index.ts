/**
 * Entry point of the odoo-platform policy pack for the Pulumi CLI:
 *   pulumi preview --policy-pack policy/odoo-platform --policy-pack-config <file from `npm run policy-config`>
 *   pulumi policy publish policy/odoo-platform
 * Constructing a PolicyPack starts the CrossGuard gRPC server, so only the CLI loads this file; the
 * offline plan and the tests import ./policies directly.
 */
import { PolicyPack } from "@pulumi/policy";
import { platformPack } from "./policies";

new PolicyPack(platformPack.name, {
    description: platformPack.description,
    enforcementLevel: platformPack.enforcementLevel,
    policies: platformPack.policies,
});
