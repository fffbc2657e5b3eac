import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { lintWorkflow, lintWorkflows, workflowsDir } from "../support/actionlint";

type Job = {
    permissions?: Record<string, string>;
    environment?: string | { name: string };
    uses?: string;
    steps?: { uses?: string; run?: string; if?: string }[];
    needs?: string[] | string;
};
type Workflow = {
    on: Record<string, any>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    jobs: Record<string, Job>;
};

const promotionWorkflows = ["staging-deploy.yml", "production-promote.yml", "rollback.yml", "production-backup.yml", "staging-snapshot.yml"];
const read = (file: string) => fs.readFileSync(path.join(workflowsDir, file), "utf8");
const load = (file: string) => parse(read(file)) as Workflow;
const runs = (wf: Workflow) =>
    Object.values(wf.jobs)
        .flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ""))
        .join("\n");
const envName = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

describe("GitHub workflows", () => {
    it("every workflow in .github/workflows passes actionlint", async () => {
        const results = await lintWorkflows();
        assert.ok(results.length >= promotionWorkflows.length);
        assert.deepEqual(
            results.flatMap((r) => r.problems),
            [],
        );
    });

    it("actionlint does catch a broken workflow (the check can fail)", async () => {
        const problems = await lintWorkflow(
            "broken.yml",
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n",
        );
        assert.match(problems.join("\n"), /property "nope" is not defined/);
    });

    for (const file of promotionWorkflows) {
        describe(file, () => {
            it("grants nothing by default and declares least-privilege permissions on every job", () => {
                const wf = load(file);
                assert.deepEqual(wf.permissions, {});
                for (const [name, job] of Object.entries(wf.jobs)) {
                    assert.ok(job.permissions, `job ${name} must declare permissions`);
                    for (const [scope, level] of Object.entries(job.permissions)) {
                        assert.ok(["read", "write", "none"].includes(level), `${name}: ${scope}: ${level}`);
                    }
                    assert.ok(!Object.values(job.permissions).includes("write-all"));
                }
            });

            it("pins every third-party action by commit SHA", () => {
                for (const job of Object.values(load(file).jobs)) {
                    for (const step of job.steps ?? []) {
                        if (step.uses && !step.uses.startsWith("./")) assert.match(step.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, step.uses);
                    }
                }
            });

            it("takes credentials only from secrets.*, never inline", () => {
                const text = read(file);
                assert.doesNotMatch(text, /(ghp_|github_pat_|xox[bp]-|AKIA[0-9A-Z]{16}|hooks\.slack\.com)/);
                assert.doesNotMatch(text, /postgres(ql)?:\/\/[^$\s"]*:[^@\s"]+@(?!127\.0\.0\.1)/, "no database password outside the throwaway dry-run server");
            });

            it("serializes with a concurrency group and never cancels a run in progress", () => {
                const wf = load(file);
                assert.ok(wf.concurrency?.group);
                assert.equal(wf.concurrency?.["cancel-in-progress"], false);
            });
        });
    }

    it("staging-deploy: on push to main; tests, both scans, guard, policy packs, the update step, evidence, health, commit status", () => {
        const wf = load("staging-deploy.yml");
        assert.deepEqual(wf.on.push.branches, ["main"]);
        const text = read("staging-deploy.yml");
        for (const needle of [
            "bash .ci/run",
            "npm audit --omit=dev --audit-level=high",
            "aquasecurity/trivy-action@",
            "npm run guard",
            "--policy-pack",
            "pulumi up --stack staging",
            "modules plan --db",
            "docker logs odoo-staging-update",
            "evidence build",
            "evidence deployment",
            "evidence migrations",
            "odoo-platform health",
            "status set --environment staging",
        ]) {
            assert.ok(text.includes(needle), `staging-deploy.yml must contain ${needle}`);
        }
        assert.ok((wf.jobs.build.needs as string[]).includes("guard"));
        assert.doesNotMatch(text, /docker exec odoo-staging-odoo odoo/, "no -u in the running container: the update step does it before the new Odoo starts");
    });

    it("production-promote: manual dispatch of a SHA; gates before the production environment; fast-forward, backup, safe update", () => {
        const wf = load("production-promote.yml");
        assert.equal(wf.on.workflow_dispatch.inputs.sha.required, true);
        const promote = wf.jobs.promote;
        assert.equal(envName(promote), "production", "required reviewers approve the promotion job");
        assert.deepEqual(promote.needs, ["verify", "image-scan", "migration-dry-run"]);
        const text = runs(wf);
        assert.match(text, /snapshot restore --from "\$latest"/);
        assert.match(text, /odoo_steps.py update --conf \/tmp\/dry-run.conf --database promotion_dry_run/, "the dry run runs the real update step");
        assert.match(text, /git push origin "\$SHA:refs\/heads\/production"/);
        assert.match(text, /merge-base --is-ancestor origin\/production "\$SHA"/);
        assert.match(text, /SLACK_WEBHOOK_URL/);
        // The backup a revert restores is taken after the approval, right before the update.
        const steps = promote.steps!.map((s) => s.run ?? "");
        const backupAt = steps.findIndex((r) => /snapshot create --db "\$ODOO_DB_URL" --filestore filestore --to "s3:\/\/\$SNAPSHOT_BUCKET\/\$prefix"/.test(r));
        const promoteAt = steps.findIndex((r) => /odoo-platform promote --environment production --sha "\$SHA" --image "\$IMAGE" --backup "\$BACKUP"/.test(r));
        assert.ok(backupAt > 0 && promoteAt > backupAt, "backup, then promote");
        assert.match(steps[promoteAt], /--health-window "\$window" --filestore-volume odoo-production-filestore/);
        // Every job that can change production waits for the approval.
        for (const [name, job] of Object.entries(wf.jobs)) {
            if ((job.steps ?? []).some((s) => /pulumi up|git push|odoo-platform promote/.test(s.run ?? ""))) assert.equal(envName(job), "production", name);
        }
    });

    it("rollback: manual dispatch running odoo-platform rollback, sharing the deploy concurrency group", () => {
        const wf = load("rollback.yml");
        assert.equal(wf.on.workflow_dispatch.inputs.to.default, "previous");
        assert.match(runs(wf), /odoo-platform rollback --to "\$TO" --environment "\$ENVIRONMENT" --dry-run/);
        assert.match(runs(wf), /odoo-platform rollback --to "\$TARGET"/);
        assert.equal(wf.concurrency?.group, "deploy-${{ inputs.environment }}");
        assert.equal(load("production-promote.yml").concurrency?.group, "deploy-production");
        assert.equal(load("staging-deploy.yml").concurrency?.group, "deploy-staging");
    });

    for (const [file, stack] of [
        ["staging-deploy.yml", "staging"],
        ["staging-snapshot.yml", "staging"],
    ] as const) {
        it(`${file}: a pulumi preview with the policy pack gates the update, and the update does not skip its own preview`, () => {
            const wf = load(file);
            const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
            const preview = steps.findIndex((st) => /pulumi preview --stack/.test(st.run ?? ""));
            const up = steps.findIndex((st) => /pulumi up --stack/.test(st.run ?? ""));
            assert.ok(preview >= 0 && up > preview, "pulumi preview runs before pulumi up");
            for (const i of [preview, up]) {
                const run = steps[i].run!;
                assert.match(run, new RegExp(`--stack ${stack} `));
                assert.match(run, /--policy-pack policy\/odoo-platform --policy-pack-config policy-config\.json/);
                assert.match(run, /--parallel 4/, "Docker over ssh:// at Pulumi's default parallelism exceeds sshd's MaxStartups");
            }
            assert.match(
                steps
                    .slice(0, preview + 1)
                    .map((st) => st.run ?? "")
                    .join("\n"),
                new RegExp(`npm run --silent policy-config -- --stack ${stack} > policy-config\.json`),
            );
            assert.doesNotMatch(read(file), /--skip-preview/);
        });
    }

    it("production-promote.yml: the update is odoo-platform promote, whose Automation API deploy is gated by a policy preview (tests/plan/deployGate.test.ts)", () => {
        const text = read("production-promote.yml");
        assert.match(text, /npx odoo-platform promote --environment production/);
        assert.doesNotMatch(text, /pulumi up\b/, "production changes only through odoo-platform promote");
        assert.doesNotMatch(text, /--skip-preview/);
        assert.match(
            fs.readFileSync(path.join(__dirname, "..", "..", "ops", "promotion", "deployer.ts"), "utf8"),
            /previewThenUp\(stack, deployGate\(request\.stack/,
        );
    });

    it("staging-snapshot: weekly and on demand, snapshot create --sanitize --latest in a container on the production host, then a staging deploy", () => {
        const wf = load("staging-snapshot.yml");
        assert.match(wf.on.schedule[0].cron, /^\d+ \d+ \* \* [0-6]$/, "weekly");
        assert.ok("workflow_dispatch" in wf.on);
        const snapshot = wf.jobs.snapshot;
        const runText = (snapshot.steps ?? []).map((st) => st.run ?? "").join("\n");
        assert.match(runText, /docker build --file ops\.Dockerfile/);
        assert.match(runText, /docker run --rm [^\n]*\\\n[^\n]*\\\n[^\n]*--volume odoo-production-filestore:\/filestore:ro/);
        assert.match(runText, /exec odoo-platform snapshot create --db "\$DB_URL" --filestore [^']*--sanitize --latest/);
        assert.doesNotMatch(runText, /npx odoo-platform snapshot create/, "the snapshot must not run on the runner");
        assert.equal((snapshot as unknown as { env: Record<string, string> }).env.DOCKER_HOST, "${{ vars.PRODUCTION_DOCKER_HOST }}");
        assert.deepEqual(wf.jobs.refresh.needs, "snapshot");
        assert.equal(envName(wf.jobs.refresh), "staging");
    });

    it("pr-environment: PR stacks restored from a snapshot get the database server and the bucket reader (deploy and cleanup)", () => {
        const text = read("pr-environment.yml") + read("pr-environment-cleanup.yml");
        for (const needle of ["PGPASSWORD: ${{ secrets.STAGING_PGPASSWORD }}", "AWS_ACCESS_KEY_ID: ${{ secrets.STAGING_SNAPSHOT_READER_AWS_ACCESS_KEY_ID }}"]) {
            assert.ok(text.includes(needle), needle);
        }
        assert.equal((read("pr-environment-cleanup.yml").match(/PGPASSWORD: \$\{\{ secrets.STAGING_PGPASSWORD \}\}/g) ?? []).length, 2, "pr down and pr sweep");
    });

    it("production-backup: daily schedule, tiered keys, callable before a promotion", () => {
        const wf = load("production-backup.yml");
        assert.ok(wf.on.schedule[0].cron);
        assert.ok(wf.on.workflow_call.inputs.kind);
        assert.match(runs(wf), /backup prefix --kind "\$KIND"/);
        assert.match(runs(wf), /snapshot create --db "\$ODOO_DB_URL" --filestore filestore --to "s3:\/\/\$SNAPSHOT_BUCKET\/\$prefix"/);
    });
});
