/**
 * Plans of a second deploy: the same stack at a first commit and image, then at a second commit,
 * a new image digest and a changed config value — known, as the engine records it after `up`, or
 * as `pulumi preview` sees it, with every output of a resource that changes unknown.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isUnknownValue, RecordedResource, unwrapSecrets } from "../../plan/mockRuntime";
import { planStack, PlanOptions, PlanResult } from "../../plan/plan";
import { diffPlans } from "../../plan/secondDeploy";

export interface Commit {
    sha: string;
    digest: string;
}
export const firstCommit: Commit = { sha: "3f2c1e9aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", digest: `sha256:${"1".repeat(64)}` };
export const secondCommit: Commit = { sha: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291817", digest: `sha256:${"2".repeat(64)}` };

/** The stacks of the project, and the config value each second deploy changes. */
export const secondDeployStacks: { stack: string; change: Record<string, string> }[] = [
    { stack: "dev", change: { "odoo-platform:odooMemoryMb": "2560" } },
    { stack: "pr-7", change: { "odoo-platform:odooWorkers": "3" } },
    // A branch environment (br-<slug> of ODOO_PLATFORM_GIT_BRANCH below): a PR-like stack with its test step.
    { stack: "br-feature-invoice-layout", change: { "odoo-platform:odooWorkers": "3" } },
    { stack: "staging", change: { "odoo-platform:logRetentionDays": "21" } },
    { stack: "production", change: { "odoo-platform:odooMemoryMb": "9216" } },
];

let checkout: string | undefined;
/**
 * The repository being deployed: two of our own modules, so PR and branch plans hold their test step
 * and staging and production their module update step (components/odooSteps.ts), as a real build does.
 */
export function sourceCheckout(): string {
    if (checkout) return checkout;
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), "second-deploy-source-"));
    for (const m of ["sale_custom", "invoice_layout"]) {
        fs.mkdirSync(path.join(checkout, "addons", m), { recursive: true });
        fs.writeFileSync(path.join(checkout, "addons", m, "__manifest__.py"), `{"name": "${m}", "version": "17.0.1.0.0"}\n`);
    }
    return checkout;
}

export type Variant = Pick<PlanOptions, "configFile" | "env"> & { configOverrides?: Record<string, string> };

export async function deployPlan(stack: string, at: Commit, change: Record<string, string> = {}, extra: Partial<PlanOptions> = {}): Promise<PlanResult> {
    const image = `ghcr.io/insightpulseai/odoo@${at.digest}`;
    const { env, configOverrides, ...rest } = extra;
    const result = await planStack({
        stack,
        env: {
            ...process.env,
            ODOO_PLATFORM_REPO_DIR: sourceCheckout(),
            ODOO_PLATFORM_GIT_SHA: at.sha,
            ODOO_PLATFORM_GIT_BRANCH: "feature/invoice-layout",
            ODOO_PLATFORM_ODOO_IMAGE: image,
            ...env,
        },
        configOverrides: { "odoo-platform:odooImage": image, ...change, ...configOverrides },
        ...rest,
    });
    if (result.errors.length) throw new Error(`plan of ${stack} failed:\n${result.errors.join("\n")}`);
    return result;
}

const hasUnknown = (value: unknown): boolean =>
    isUnknownValue(value) || (Array.isArray(value) ? value.some(hasUnknown) : !!value && typeof value === "object" && Object.values(value).some(hasUnknown));

/** Adds to `changing` every resource whose inputs are computed from one in it (unknowns flow along property dependencies). */
function propagate(changing: Set<string>, resources: readonly RecordedResource[]): Set<string> {
    for (let grew = true; grew;) {
        grew = false;
        for (const r of resources) {
            if (!r.custom || changing.has(r.urn)) continue;
            if (
                Object.values(r.propertyDependencies)
                    .flat()
                    .some((u) => changing.has(u))
            ) {
                changing.add(r.urn);
                grew = true;
            }
        }
    }
    return changing;
}

/**
 * The second deploy as `pulumi preview` sees it: every output of a resource that differs from the
 * first deploy is unknown — and so every output of a resource whose inputs are computed from one,
 * as in the engine. Give `like` (the preview of the same stack without `variant`) to start from its
 * changing resources: one plan less when the variant changes only what nothing depends on.
 */
export async function previewPlan(
    stack: string,
    change: Record<string, string>,
    variant: Variant = {},
    base?: PlanResult,
    like?: PlanResult,
): Promise<PlanResult> {
    const before = base ?? (await deployPlan(stack, firstCommit));
    let changing: Set<string>;
    if (like) {
        changing = new Set(like.recorded.filter((r) => r.custom && hasUnknown(unwrapSecrets(r.inputs))).map((r) => r.urn));
        for (const d of diffPlans(before.recorded, like.recorded)) if (d.change !== "same") changing.add(d.urn);
    } else {
        const after = await deployPlan(stack, secondCommit, change, variant);
        changing = propagate(
            new Set(
                diffPlans(before.recorded, after.recorded)
                    .filter((d) => d.change !== "same")
                    .map((d) => d.urn),
            ),
            after.recorded,
        );
    }
    for (let round = 0; round < 5; round++) {
        const preview = await deployPlan(stack, secondCommit, change, { ...variant, preview: true, unknownOutputs: (urn) => changing.has(urn) });
        const size = changing.size;
        for (const d of diffPlans(before.recorded, preview.recorded)) if (d.change !== "same") changing.add(d.urn);
        propagate(changing, preview.recorded);
        if (changing.size === size) return preview;
    }
    throw new Error(`the preview of ${stack} did not reach a fixed point`);
}
