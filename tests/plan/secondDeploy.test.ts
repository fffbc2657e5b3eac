/**
 * The second-deploy harness: every stack planned twice — the second time with a new git SHA, a new
 * image digest and a changed config value, as the next push or promotion does — and the two plans
 * diffed resource by resource through the providers' real replacement rules (plan/providers.ts).
 * A code-only change must replace what runs the code and nothing that holds data.
 */
import * as assert from "node:assert/strict";
import { edgeNetworkName } from "../../components/EdgeRouter";
import { diffPlans, ResourceDiff, secondDeployProblems } from "../../plan/secondDeploy";
import { deployPlan, firstCommit, secondCommit, secondDeployStacks } from "../support/secondDeploy";

const summary = (diffs: ResourceDiff[]) =>
    diffs.filter((d) => d.change !== "same").map((d) => `${d.change} ${d.name}${d.replaceBecause.length ? ` (${d.replaceBecause.join(", ")})` : ""}`);

describe("second deploy: a new commit, a new image digest and a changed config value", function () {
    this.timeout(120_000);
    for (const { stack, change } of secondDeployStacks) {
        describe(stack, () => {
            let diffs: ResourceDiff[];
            let stage: string;
            before(async () => {
                const a = await deployPlan(stack, firstCommit);
                const b = await deployPlan(stack, secondCommit, change);
                diffs = diffPlans(a.recorded, b.recorded);
                stage = b.stage!;
            });

            it("replaces the Odoo container (the harness sees the change reach the code)", () => {
                const odoo = diffs.find((d) => d.name === "odoo-odoo")!;
                assert.equal(odoo.change, "replace", summary(diffs).join("\n"));
                assert.ok(odoo.replaceBecause.includes("image"), odoo.replaceBecause.join(", "));
            });

            it("replaces or deletes no stateful resource, and every replacement can happen", () => {
                const problems = secondDeployProblems(diffs, { stage, sharedNetworks: [edgeNetworkName] });
                assert.deepEqual(problems, [], `changes:\n  ${summary(diffs).join("\n  ")}`);
            });

            it("replaces the build step containers with the code, and they run it: the test step in PR and branch environments, the module update in staging and production", () => {
                const step = stage === "staging" || stage === "production" ? "odoo-update" : stage === "dev" ? undefined : "odoo-tests";
                if (!step) return;
                const d = diffs.find((x) => x.name === step);
                assert.ok(d, `no ${step} container in the plan of ${stack}: ${summary(diffs).join(", ")}`);
                assert.equal(d.change, "replace", summary(diffs).join("\n"));
                assert.ok(d.replaceBecause.includes("image"), d.replaceBecause.join(", "));
                assert.ok(d.deleteBeforeReplace, "a fixed-name step container must be deleted before its replacement");
            });

            it("every Docker object with a fixed name is deleted before its replacement is created (no name conflict)", () => {
                const conflicts = diffs
                    .filter((d) => ["docker:index/container:Container", "docker:index/volume:Volume", "docker:index/network:Network"].includes(d.type))
                    .filter((d) => typeof (d.resource.inputs as { name?: unknown }).name === "string" && !d.deleteBeforeReplace)
                    .map((d) => `${d.type.split(":").pop()} ${d.name}`);
                assert.deepEqual(conflicts, []);
            });

            it("creates and deletes nothing: the same resources before and after", () => {
                assert.deepEqual(
                    diffs.filter((d) => d.change === "create" || d.change === "delete").map((d) => `${d.change} ${d.name}`),
                    [],
                );
            });
        });
    }
});
