import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DeploymentStatus } from "../../../ops/evidence/schema";
import type { Deployer } from "../../../ops/promotion/deployer";
import { decideRollback, DeploymentEntry, RollbackRefused, runningDeployment, runRollback } from "../../../ops/promotion/rollback";
import { runCli } from "../../support/cli";
import { evidenceDatabase, query } from "../../support/evidence";

const sha = (c: string) => c.repeat(40);
const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
const image = (c: string) => `ghcr.io/o/odoo@${digestOf(c)}`;

let nextId = 0;
function entry(c: string, status: DeploymentStatus, extra: Partial<DeploymentEntry> = {}): DeploymentEntry {
    nextId++;
    return {
        id: nextId,
        gitSha: sha(c),
        imageReference: status === "failed" ? null : image(c),
        imageDigest: status === "failed" ? null : digestOf(c),
        status,
        rollbackOfSha: null,
        finishedAt: new Date(Date.UTC(2026, 10, 1, 0, nextId)),
        ...extra,
    };
}

describe("rollback decision", () => {
    it("previous: the last succeeded deployment before the current one", () => {
        const d = decideRollback("production", [entry("a", "succeeded"), entry("b", "succeeded"), entry("c", "succeeded")], { kind: "previous" });
        assert.equal(d.current.gitSha, sha("c"));
        assert.equal(d.target.gitSha, sha("b"));
        assert.equal(d.target.imageReference, image("b"));
    });

    it("skips failed deployments and earlier rollbacks, and SHAs that were rolled back", () => {
        const history = [
            entry("a", "succeeded"),
            entry("b", "succeeded"),
            entry("c", "succeeded"),
            entry("b", "rolled_back", { rollbackOfSha: sha("c") }), // c was bad: back to b
            entry("d", "failed"),
            entry("e", "succeeded"),
        ];
        const d = decideRollback("production", history, { kind: "previous" });
        assert.equal(d.target.gitSha, sha("b"));
        assert.deepEqual(
            d.skipped.map((s) => [s.gitSha[0], s.reason.split(" ")[0]]),
            [
                ["d", "failed"],
                ["b", "a"],
                ["c", "it"],
            ],
        );

        // Rolling back again from the rollback row itself: b runs, c is bad, so a.
        const again = decideRollback("production", history.slice(0, 4), { kind: "previous" });
        assert.equal(again.current.status, "rolled_back");
        assert.equal(again.target.gitSha, sha("a"));
    });

    it("a failed current deployment rolls back to the last one that succeeded", () => {
        const d = decideRollback("production", [entry("a", "succeeded"), entry("b", "succeeded"), entry("c", "failed")], { kind: "previous" });
        assert.equal(d.target.gitSha, sha("b"));
    });

    it("refuses when nothing is left, naming what it skipped", () => {
        assert.throws(() => decideRollback("production", [], { kind: "previous" }), /no deployment of production is recorded/);
        assert.throws(
            () => decideRollback("production", [entry("a", "failed"), entry("b", "succeeded")], { kind: "previous" }),
            (err: Error) => err instanceof RollbackRefused && /no succeeded deployment of production before #\d+ .*failed deployment/.test(err.message),
        );
    });

    it("--to <sha>: a version that worked, by prefix; never the current one; rolled-back SHAs only with --force", () => {
        const history = [
            entry("a", "succeeded"),
            entry("b", "succeeded"),
            entry("c", "succeeded"),
            entry("b", "rolled_back", { rollbackOfSha: sha("c") }),
            entry("d", "failed"),
        ];
        assert.equal(decideRollback("production", history, { kind: "sha", sha: "aaaaaaa" }).target.gitSha, sha("a"));
        assert.throws(() => decideRollback("production", history, { kind: "sha", sha: "1234567" }), /1234567 was never deployed to production/);
        assert.throws(() => decideRollback("production", history, { kind: "sha", sha: sha("d") }), /never succeeded there/);
        assert.throws(() => decideRollback("production", history, { kind: "sha", sha: sha("c") }), /it was rolled back on 2026-11-01 .*--force/);
        assert.equal(decideRollback("production", history, { kind: "sha", sha: sha("c") }, { force: true }).target.gitSha, sha("c"));
        const running = [entry("a", "succeeded"), entry("b", "succeeded")];
        assert.throws(() => decideRollback("production", running, { kind: "sha", sha: sha("b") }), /already runs bbbbbbbbbbbb/);
    });

    it("knows which deployment runs now", () => {
        assert.equal(
            runningDeployment([entry("a", "succeeded"), entry("b", "rolled_back", { rollbackOfSha: sha("c") }), entry("d", "failed")])?.gitSha,
            sha("b"),
        );
        assert.equal(runningDeployment([entry("a", "failed")]), undefined);
    });
});

/** Records a deployment history the way the workflows would. */
async function recordHistory(url: string, rows: [string, DeploymentStatus, string?][]): Promise<void> {
    let minute = 0;
    for (const [c, status, rollbackOf] of rows) {
        minute++;
        await query(
            url,
            `INSERT INTO ops.deployments (environment, stack, git_sha, image_reference, image_digest, status, rollback_of_sha, started_at, finished_at)
            VALUES ('production', 'production', $1, $2, $3, $4, $5, $6, $6)`,
            [
                sha(c),
                status === "failed" ? null : image(c),
                status === "failed" ? null : digestOf(c),
                status,
                rollbackOf ? sha(rollbackOf) : null,
                new Date(Date.UTC(2026, 10, 24, 10, minute)),
            ],
        );
    }
}

function outputsFor(c: string): Record<string, unknown> {
    return {
        stackName: "production",
        stageName: "production",
        gitSha: sha(c),
        gitBranch: "production",
        url: "https://erp.example.com",
        databaseName: "odoo_production",
        imageReference: image(c),
        imageDigest: image(c),
        evidence: { stack: "production", gitSha: sha(c) },
    };
}

describe("rollback against recorded deployments", () => {
    it("`rollback --to previous --dry-run` names the expected SHA and image, and changes nothing", async () => {
        const db = await evidenceDatabase("rollback_dry");
        await recordHistory(db.writerUrl, [
            ["a", "succeeded"],
            ["b", "succeeded"],
            ["c", "succeeded"],
            ["b", "rolled_back", "c"],
            ["d", "failed"],
            ["e", "succeeded"],
        ]);
        const run = await runCli(["rollback", "--to", "previous", "--dry-run", "--environment", "production", "--evidence-db", db.writerUrl]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(
            run.stdout,
            new RegExp(`would roll back production\\n  from  #6 ${sha("e")} \\(succeeded\\)\\n  to    #2 ${sha("b")}\\n  image ${image("b")}`),
        );
        const json = await runCli(["rollback", "--dry-run", "--evidence-db", db.writerUrl, "--json"]);
        assert.equal(json.json.to.gitSha, sha("b"));
        assert.deepEqual(
            json.json.skipped.map((s: { id: number }) => s.id),
            [5, 4, 3],
        );
        const [{ n }] = await query<{ n: string }>(db.url, "SELECT count(*) AS n FROM ops.deployments");
        assert.equal(Number(n), 6);
    });

    it("redeploys through the deployer and records a rolled_back deployment; the next rollback goes further back", async () => {
        const db = await evidenceDatabase("rollback_run");
        await recordHistory(db.writerUrl, [
            ["a", "succeeded"],
            ["b", "succeeded"],
            ["c", "succeeded"],
        ]);
        const calls: Parameters<Deployer>[0][] = [];
        const deployer: Deployer = async (request) => {
            calls.push(request);
            request.onOutput?.("Updating (production)\n");
            return { outputs: outputsFor(request.gitSha[0]), summary: { result: "succeeded" } };
        };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollback-"));
        const opts = {
            evidenceDb: db.writerUrl,
            to: "previous",
            environment: "production",
            workDir: "/checkout",
            evidenceDir: path.join(dir, "evidence"),
            actor: "oncall",
        };
        const report = await runRollback(opts, { deployer, env: {} });
        assert.deepEqual(
            calls.map((c) => [c.stack, c.image, c.gitSha, c.workDir]),
            [["production", image("b"), sha("b"), "/checkout"]],
        );
        assert.equal(report.status, "rolled_back");
        const [row] = await query<Record<string, any>>(db.url, "SELECT * FROM ops.deployments WHERE id = $1", [report.deploymentId]);
        assert.deepEqual(
            [row.git_sha, row.status, row.rollback_of_sha, row.image_reference, row.actor, row.url],
            [sha("b"), "rolled_back", sha("c"), image("b"), "oncall", "https://erp.example.com"],
        );
        assert.match(fs.readFileSync(path.join(row.evidence_uri, "logs", `rollback-${row.id}.log`), "utf8"), /Updating \(production\)/);

        const second = await runRollback({ ...opts, stamp: "20261124T120000Z" }, { deployer, env: {} });
        assert.equal(second.to.gitSha, sha("a"), "b runs and c was rolled back: a is next");
    });

    it("a redeploy that fails is recorded as failed (naming what it tried to roll back) and exits 1", async () => {
        const db = await evidenceDatabase("rollback_fail");
        await recordHistory(db.writerUrl, [
            ["a", "succeeded"],
            ["b", "succeeded"],
        ]);
        const deployer: Deployer = async () => {
            throw new Error("docker: pull access denied");
        };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollback-"));
        await assert.rejects(
            runRollback({ evidenceDb: db.writerUrl, workDir: ".", evidenceDir: path.join(dir, "evidence") }, { deployer, env: {} }),
            /rollback of production to aaaaaaaaaaaa failed \(recorded as deployment #3, status failed\): docker: pull access denied/,
        );
        const [row] = await query<Record<string, any>>(db.url, "SELECT git_sha, status, rollback_of_sha FROM ops.deployments WHERE id = 3");
        assert.deepEqual({ ...row }, { git_sha: sha("a"), status: "failed", rollback_of_sha: sha("b") });
    });

    it("`evidence current` and `evidence image` answer from the same history", async () => {
        const db = await evidenceDatabase("rollback_queries");
        await recordHistory(db.writerUrl, [
            ["a", "succeeded"],
            ["b", "succeeded"],
            ["c", "failed"],
        ]);
        const current = await runCli(["evidence", "current", "--environment", "production", "--evidence-db", db.readerUrl]);
        assert.equal(current.stdout, `${sha("b")}\n`, "a failed deployment does not run");
        const img = await runCli(["evidence", "image", "--environment", "production", "--sha", "aaaaaaaa", "--evidence-db", db.readerUrl]);
        assert.equal(img.stdout, `${image("a")}\n`);
        const never = await runCli(["evidence", "image", "--environment", "production", "--sha", sha("c"), "--evidence-db", db.readerUrl]);
        assert.equal(never.code, 1);
        assert.match(never.stderr, /has no succeeded deployment in production: deploy it there first/);
        const empty = await runCli(["evidence", "current", "--environment", "staging", "--evidence-db", db.readerUrl]);
        assert.equal(empty.stdout, "", "nothing runs there yet: an empty answer for `--from`");
    });

    it("refusals are exit 1 with the reason; bad usage is exit 2", async () => {
        const db = await evidenceDatabase("rollback_refuse");
        await recordHistory(db.writerUrl, [["a", "succeeded"]]);
        const refused = await runCli(["rollback", "--dry-run", "--evidence-db", db.writerUrl]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /no succeeded deployment of production before #1/);
        const badEnv = await runCli(["rollback", "--dry-run", "--environment", "qa", "--evidence-db", db.writerUrl]);
        assert.equal(badEnv.code, 2);
        assert.match(badEnv.stderr, /unknown environment "qa"/);
        const badSha = await runCli(["rollback", "--to", "HEAD~1", "--dry-run", "--evidence-db", db.writerUrl]);
        assert.equal(badSha.code, 2);
        assert.match(badSha.stderr, /--to must be a git commit SHA/);
    });
});
