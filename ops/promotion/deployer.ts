/**
 * The one thing a rollback does to infrastructure: `pulumi up` of the stack with `odooImage` set to
 * a pinned image, through the Pulumi Automation API (`@pulumi/pulumi/automation`). Kept behind the
 * Deployer type so the rollback decision and its recording are tested with a fake; the real one
 * needs the Pulumi CLI and the stack's credentials (CI has both).
 */
import * as fs from "node:fs";
import type * as automation from "@pulumi/pulumi/automation";
import * as path from "node:path";
import { projectName } from "../../config/schema";
import { deployGate, previewThenUp } from "../../plan/policyConfig";

/** Every CrossGuard pack of the project (`policy/<pack>/PulumiPolicy.yaml`): a rollback is gated like any update. */
export function policyPackDirs(workDir: string): string[] {
    const root = path.join(workDir, "policy");
    if (!fs.existsSync(root)) return [];
    return fs
        .readdirSync(root)
        .sort()
        .map((entry) => path.join(root, entry))
        .filter((dir) => fs.existsSync(path.join(dir, "PulumiPolicy.yaml")));
}

export interface RedeployRequest {
    /** Stack name (may be org/project/stack). */
    stack: string;
    /** Directory holding Pulumi.yaml (a checkout of the target SHA). */
    workDir: string;
    /** Pinned image reference: repository@sha256:… */
    image: string;
    /** Recorded on every resource and in the outputs (ODOO_PLATFORM_GIT_SHA). */
    gitSha: string;
    onOutput?: (text: string) => void;
}

export interface RedeployResult {
    /** Stack outputs after the update, secrets replaced by "[secret]". */
    outputs: Record<string, unknown>;
    summary: { result: string; resourceChanges?: Record<string, number> };
}

export type Deployer = (request: RedeployRequest) => Promise<RedeployResult>;

export const automationDeployer: Deployer = async (request) => {
    // Loaded on use: the Automation API is only needed for a real redeploy.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof automation;
    const stack = await LocalWorkspace.selectStack(
        { stackName: request.stack, workDir: request.workDir },
        { envVars: { ODOO_PLATFORM_GIT_SHA: request.gitSha } },
    );
    await stack.setConfig(`${projectName}:odooImage`, { value: request.image, secret: false });
    // The Automation API's `up` skips its preview: the gate is this preview, with the policy pack.
    const result = await previewThenUp(stack, deployGate(request.stack, request.workDir), { onOutput: request.onOutput, color: "never" });
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(result.outputs)) outputs[key] = value.secret ? "[secret]" : value.value;
    return { outputs, summary: { result: result.summary.result, resourceChanges: result.summary.resourceChanges } };
};
