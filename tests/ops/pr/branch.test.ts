/**
 * Branch environments with the PR lifecycle: patterns decide which branches get one; the same
 * slots, queue, tests, commit statuses and sweep as PRs (in-memory fakes of Pulumi and GitHub).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { branchDown, branchUp } from "../../../ops/pr/branch";
import { prDown, prSweep, prUp } from "../../../ops/pr/lifecycle";
import { branchEnvironmentId, branchGetsEnvironment, environmentOfStack, environmentStackName, matchesBranchPattern } from "../../../ops/pr/naming";
import { world, World } from "./fakes";

const log = (name: string) => {
    const lines = fs.readFileSync(path.join(__dirname, "../../fixtures/odoo-logs", name), "utf8").split("\n");
    return lines.slice(lines.findIndex((l) => !l.startsWith("#"))).join("\n");
};
const sha = (c: string) => c.repeat(40);

function branchWorld(limit = 5): World {
    return world({ limit, branchEnvironments: ["feature/*", "release/**"] });
}

describe("branch environments", () => {
    it("which branches get one: * within a path segment, ** across", () => {
        assert.ok(matchesBranchPattern("feature/invoice", "feature/*"));
        assert.ok(!matchesBranchPattern("feature/invoice/v2", "feature/*"));
        assert.ok(matchesBranchPattern("release/17.0/hotfix", "release/**"));
        assert.ok(!matchesBranchPattern("main", "feature/*"));
        assert.ok(matchesBranchPattern("v1.2", "v1.2"));
        assert.ok(!matchesBranchPattern("v102", "v1.2"), "a dot is literal");
        assert.ok(!branchGetsEnvironment("feature/x", []), "no pattern, no branch environment");
        assert.equal(branchEnvironmentId("feature/Invoice Layout"), "br-feature-invoice-layout");
        assert.equal(branchEnvironmentId(`feature/${"x".repeat(80)}`).length, 43);
        assert.equal(environmentStackName("br-feature-x", "org/odoo-platform/staging"), "org/odoo-platform/br-feature-x");
        assert.equal(environmentOfStack("org/odoo-platform/br-feature-x"), "br-feature-x");
        assert.equal(environmentOfStack("org/odoo-platform/pr-7"), 7);
        assert.equal(environmentOfStack("staging"), undefined);
    });

    it("a branch matching no pattern gets nothing, and nothing is reserved", async () => {
        const w = branchWorld();
        const report = await branchUp(w.deps, { branch: "main", sha: sha("1") });
        assert.equal(report.outcome, "skipped");
        assert.match(report.reason!, /branch main matches none of odoo-platform:branchEnvironments: feature\/\*, release\/\*\*/);
        assert.equal(w.backend.stacks.size, 0);
        assert.equal(w.github.statuses.length, 0);
    });

    it("a matching push is deployed and tested, with its own commit status, URL and database", async () => {
        const w = branchWorld();
        w.backend.testRuns.set("br-feature-invoice", { log: log("composed-odoo17-yellow.log"), exitCode: 0 });
        const report = await branchUp(w.deps, { branch: "feature/invoice", sha: sha("2") });
        assert.equal(report.outcome, "deployed");
        assert.equal(report.environment, "br-feature-invoice");
        assert.equal(report.url, "https://br-feature-invoice.dev.example.com");
        assert.equal(report.tests?.verdict, "yellow");
        assert.deepEqual(
            w.backend.deploys.map((d) => d.pr),
            ["br-feature-invoice"],
        );
        const statuses = w.github.statusesOf("odoo-platform/branch-feature-invoice");
        assert.deepEqual(
            statuses.map((s) => s.state),
            ["pending", "success"],
        );
        assert.equal(statuses[1].description, "3 tests, 0 failed, 1 warning · br-feature-invoice.dev.example.com");
        assert.equal(statuses[1].sha, sha("2"));
    });

    it("gets a routing slot on docker and none on kubernetes, as a PR does", async () => {
        const docker = branchWorld();
        await branchUp(docker.deps, { branch: "feature/invoice", sha: sha("2") });
        assert.equal(docker.backend.deploys[0].config.slot, 1);
        const kubernetes = world({ branchEnvironments: ["feature/*"], runtime: "kubernetes" });
        const report = await branchUp(kubernetes.deps, { branch: "feature/invoice", sha: sha("2") });
        assert.equal(report.outcome, "deployed");
        assert.equal(kubernetes.backend.deploys[0].config.slot, undefined);
    });

    it("a red build is a failure status", async () => {
        const w = branchWorld();
        w.backend.testRuns.set("br-feature-invoice", { log: log("odoo18-odoosh-project-tour.log"), exitCode: 1 });
        const report = await branchUp(w.deps, { branch: "feature/invoice", sha: sha("3") });
        assert.equal(report.tests?.verdict, "red");
        assert.equal(report.tests?.firstFailure?.test, "TestProjectUpdateUi.test_01_project_tour");
        assert.equal(w.github.statusesOf("odoo-platform/branch-feature-invoice").at(-1)?.state, "failure");
    });

    it("shares the slots with PRs: queued when they are full, deployed when a PR goes", async () => {
        const w = branchWorld(2);
        for (const pr of [1, 2]) {
            w.github.openPull(pr);
            await prUp(w.deps, { pr, sha: sha(String(pr)), branch: `feature/pr-${pr}` });
        }
        w.github.branches.set("feature/invoice", sha("4"));
        const queued = await branchUp(w.deps, { branch: "feature/invoice", sha: sha("4") });
        assert.equal(queued.outcome, "queued");
        assert.deepEqual(queued.holders, [1, 2]);
        const status = w.github.statusesOf("odoo-platform/branch-feature-invoice").at(-1)!;
        assert.equal(status.state, "pending");
        assert.match(status.description, /^queued: all 2 environment slots are in use \(held by #1, #2\)$/);
        assert.ok(!w.backend.stacks.has("br-feature-invoice"), "a queued branch holds no slot");

        w.github.close(1);
        const down = await prDown(w.deps, { pr: 1 });
        assert.deepEqual(down.promoted, ["br-feature-invoice"]);
        assert.deepEqual(w.github.dispatchedBranches, ["feature/invoice"], "its workflow is dispatched on the branch");
    });

    it("the queue is first come, first served across PRs and branches", async () => {
        const w = branchWorld(1);
        w.github.openPull(1);
        await prUp(w.deps, { pr: 1, sha: sha("1"), branch: "feature/pr-1" });
        w.github.branches.set("feature/early", sha("5"));
        await branchUp(w.deps, { branch: "feature/early", sha: sha("5") });
        w.clock.advanceHours(1);
        w.github.openPull(2);
        await prUp(w.deps, { pr: 2, sha: sha("2"), branch: "feature/pr-2" });
        w.github.close(1);
        const down = await prDown(w.deps, { pr: 1 });
        assert.deepEqual(down.promoted, ["br-feature-early"], "the branch queued first gets the slot");
        assert.deepEqual(w.github.dispatched, []);

        const v = branchWorld(1);
        v.github.openPull(1);
        await prUp(v.deps, { pr: 1, sha: sha("1"), branch: "feature/pr-1" });
        v.github.openPull(2);
        await prUp(v.deps, { pr: 2, sha: sha("2"), branch: "feature/pr-2" });
        v.clock.advanceHours(1);
        v.github.branches.set("feature/late", sha("5"));
        await branchUp(v.deps, { branch: "feature/late", sha: sha("5") });
        v.github.close(1);
        assert.deepEqual((await prDown(v.deps, { pr: 1 })).promoted, [2], "the PR queued first gets the slot");
    });

    it("the sweep removes a branch environment whose branch is gone, no longer matches, or idles past the TTL", async () => {
        const w = branchWorld();
        w.backend.seed("br-feature-deleted");
        w.backend.seed("br-hotfix-x");
        w.backend.seed("br-feature-idle", { lastUpdate: new Date(w.clock.now().getTime() - 80 * 3_600_000) });
        w.backend.seed("br-feature-active");
        w.github.branches.set("hotfix/x", sha("6"));
        w.github.branches.set("feature/idle", sha("7"));
        w.github.branches.set("feature/active", sha("8"));
        const report = await prSweep(w.deps, { dryRun: false });
        assert.deepEqual(
            report.actions.map((a) => [a.pr, a.reason]),
            [
                ["br-feature-deleted", "branch-deleted"],
                ["br-feature-idle", "idle"],
                ["br-hotfix-x", "branch-unmatched"],
            ],
        );
        assert.deepEqual([...w.backend.stacks.keys()], ["br-feature-active"]);
        assert.deepEqual(report.failures, []);
    });

    it("branch down (a deleted branch) destroys the environment and is idempotent", async () => {
        const w = branchWorld();
        await branchUp(w.deps, { branch: "feature/invoice", sha: sha("9") });
        assert.equal((await branchDown(w.deps, { branch: "feature/invoice" })).destroyed, true);
        assert.equal((await branchDown(w.deps, { branch: "feature/invoice" })).destroyed, false);
    });
});
