/**
 * Commit statuses and the sticky comment's test summary, end to end through the real Octokit
 * adapter against a fake GitHub API (a real HTTP server): `pr up` posts pending when the build
 * starts, then success or failure with the one-line summary of the real Odoo log the build's test
 * step produced, linking the run that has the log.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildStatus, statusContext, statusDescription } from "../../../ops/build/status";
import { parseOdooTestLog } from "../../../ops/build/testLog";
import { githubFromEnvironment } from "../../../ops/pr/github";
import { prUp } from "../../../ops/pr/lifecycle";
import { parseMarker } from "../../../ops/pr/record";
import { startFakeGitHubApi, FakeGitHubApi } from "../../support/fakeGitHubApi";
import { world } from "../pr/fakes";

const log = (name: string) => {
    const lines = fs.readFileSync(path.join(__dirname, "../../fixtures/odoo-logs", name), "utf8").split("\n");
    return lines.slice(lines.findIndex((l) => !l.startsWith("#"))).join("\n");
};
const sha = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";
const image = "ghcr.io/acme/odoo-pr@sha256:" + "c".repeat(64);

describe("commit statuses", () => {
    it("one context per environment, descriptions within GitHub's 140 characters", () => {
        assert.equal(statusContext(7), "odoo-platform/pr-7");
        assert.equal(statusContext("br-feature-x"), "odoo-platform/branch-feature-x");
        assert.equal(statusContext("staging"), "odoo-platform/staging");
        assert.equal(statusContext("production"), "odoo-platform/production");
        assert.throws(() => statusContext("sandbox"), /no commit status context for environment "sandbox"/);
        const long = statusDescription("x".repeat(300));
        assert.equal(long.length, 140);
        assert.ok(long.endsWith("…"));
        const yellow = buildStatus({
            sha,
            environment: 7,
            tests: parseOdooTestLog(log("composed-odoo17-yellow.log"), { exitCode: 0 }),
            url: "https://pr-7-x.dev.example.com",
            runUrl: "https://github.com/acme/odoo/actions/runs/1",
        });
        assert.deepEqual(yellow, {
            sha,
            context: "odoo-platform/pr-7",
            state: "success",
            description: "3 tests, 0 failed, 1 warning · pr-7-x.dev.example.com",
            targetUrl: "https://github.com/acme/odoo/actions/runs/1",
        });
    });

    describe("pr up against a fake GitHub API", () => {
        let api: FakeGitHubApi;
        beforeEach(async () => {
            api = await startFakeGitHubApi();
            api.repo.pulls.set(7, {
                number: 7,
                state: "open",
                merged: false,
                head: { sha, ref: "feature/invoice", repo: { full_name: "acme/odoo" } },
                labels: [],
            });
        });
        afterEach(() => api.close());

        const deployWith = async (run?: { log: string; exitCode: number }, failDeploy?: Error) => {
            const w = world();
            w.deps.github = githubFromEnvironment(api.env);
            if (run) w.backend.testRuns.set(7, run);
            if (failDeploy) w.backend.failNextDeploy = failDeploy;
            let saved: string | undefined;
            w.deps.onTestLog = (text) => (saved = text);
            const report = await prUp(w.deps, { pr: 7, sha, branch: "feature/invoice", image }).catch((err: Error) => err);
            const statuses = api.repo.statuses.filter((s) => s.context === "odoo-platform/pr-7");
            const comment = api.repo.comments.find((c) => c.issue === 7)!;
            return { report, statuses, comment, saved };
        };

        it("green: pending, then success with the summary; the comment shows the tests row", async () => {
            const { report, statuses, comment, saved } = await deployWith({ log: log("composed-odoo17-green.log"), exitCode: 0 });
            assert.ok(!(report instanceof Error));
            assert.deepEqual(
                statuses.map((s) => s.state),
                ["pending", "success"],
            );
            assert.equal(statuses[0].description, `deploying and testing ${sha.slice(0, 12)}`);
            assert.equal(statuses[1].description, "3 tests, 0 failed, 0 warnings · pr-7-feature-invoice.dev.example.com");
            assert.equal(statuses[1].target_url, "https://github.com/acme/odoo/actions/runs/4242");
            assert.equal(statuses[1].sha, sha);
            assert.match(comment.body, /### 🟢 PR environment for #7 is up/);
            assert.match(
                comment.body,
                /\| \*\*Tests\*\* \| 🟢 3 tests, 0 failed, 0 warnings — \[log\]\(https:\/\/github.com\/acme\/odoo\/actions\/runs\/4242\) \|/,
            );
            assert.equal(parseMarker(comment.body)!.tests?.verdict, "green");
            assert.equal(saved, log("composed-odoo17-green.log"), "the full log goes to --test-log");
        });

        it("red on a real Odoo 17 failure: failure status, the first failing test and its traceback in the comment", async () => {
            const { report, statuses, comment } = await deployWith({ log: log("odoo17-odoosh-bus-test-postcommit.log"), exitCode: 1 });
            assert.ok(!(report instanceof Error) && report.tests?.verdict === "red");
            assert.deepEqual(
                statuses.map((s) => s.state),
                ["pending", "failure"],
            );
            assert.match(statuses[1].description!, /^did not finish: 8 tests, 1 failed, 0 warnings · pr-7-feature-invoice/);
            assert.match(comment.body, /### 🔴 PR environment for #7 is up, and its tests fail/);
            assert.match(comment.body, /\*\*First failure:\*\* `NotifyTests.test_postcommit`/);
            assert.match(
                comment.body,
                /```text\nTraceback \(most recent call last\):\n  File "\/home\/odoo\/src\/odoo\/addons\/bus\/tests\/test_notify.py", line 96/,
            );
            assert.match(comment.body, /docs\/deployment\/BUILDS.md/);
        });

        it("a failed deploy is a failure status naming the reason", async () => {
            const { report, statuses } = await deployWith(undefined, new Error("the prepare step (odoo-pr-7-prepare) exited with code 1"));
            assert.ok(report instanceof Error);
            assert.deepEqual(
                statuses.map((s) => s.state),
                ["pending", "failure"],
            );
            assert.equal(statuses[1].description, "deploy failed: the prepare step (odoo-pr-7-prepare) exited with code 1");
        });

        it("no module to test: success, said so", async () => {
            const { statuses, comment } = await deployWith();
            assert.equal(statuses[1].state, "success");
            assert.match(statuses[1].description!, /^deployed, no module to test/);
            assert.match(comment.body, /\| \*\*Tests\*\* \| no module of this repository to test \|/);
        });

        it("the fake enforces GitHub's rules: over 140 characters or an unknown state is refused (422)", async () => {
            const gh = githubFromEnvironment(api.env);
            await assert.rejects(
                gh.setCommitStatus({ sha, context: "odoo-platform/pr-7", state: "success", description: "x".repeat(141) }),
                /Validation Failed/,
            );
            await assert.rejects(gh.setCommitStatus({ sha, context: "odoo-platform/pr-7", state: "green" as never, description: "ok" }), /Validation Failed/);
        });
    });
});
