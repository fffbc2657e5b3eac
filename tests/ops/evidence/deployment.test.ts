import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDeploymentOutputs } from "../../../ops/evidence/outputs";
import { planStack } from "../../../plan/plan";
import { runCli } from "../../support/cli";
import { evidenceCounts, evidenceDatabase, query } from "../../support/evidence";

const sha = "0123456789abcdef0123456789abcdef01234567";

function tmpDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "evidence-test-"));
}

function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name));
}

describe("evidence deployment", () => {
    let outputs: Record<string, unknown>;
    before(async () => {
        // The outputs the real program exports for production, from the offline plan.
        const plan = await planStack({ stack: "production", env: { ...process.env, ODOO_PLATFORM_GIT_SHA: sha } });
        assert.equal(plan.exitCode, 0, plan.errors.join("\n"));
        outputs = plan.outputs;
    });

    it("reads the keys index.ts exports", () => {
        const parsed = parseDeploymentOutputs(outputs, "plan");
        assert.equal(parsed.environment, "production");
        assert.equal(parsed.gitSha, sha);
        assert.match(parsed.image.reference, /^ghcr\.io\/insightpulseai\/odoo@sha256:[0-9a-f]{64}$/);
    });

    it("writes one row saying what the outputs say, plus its evidence files", async () => {
        const db = await evidenceDatabase("deploy_row");
        const dir = tmpDir();
        const file = path.join(dir, "outputs.json");
        fs.writeFileSync(file, JSON.stringify(outputs));
        const log = path.join(dir, "pulumi-up.log");
        fs.writeFileSync(log, "Updating (production)\nResources: 12 unchanged\n");
        const health = path.join(dir, "health.json");
        fs.writeFileSync(health, JSON.stringify({ id: null, ok: true, attempts: 1, http: { status: 200 } }));

        const run = await runCli([
            "evidence",
            "deployment",
            "--evidence-db",
            db.writerUrl,
            "--outputs",
            file,
            "--status",
            "succeeded",
            "--expect-sha",
            sha.slice(0, 12),
            "--environment",
            "production",
            "--started-at",
            "2026-11-24T10:00:00Z",
            "--health",
            health,
            "--upgraded-modules",
            "sale,account",
            "--log-file",
            log,
            "--evidence-dir",
            path.join(dir, "evidence"),
            "--stamp",
            "20261124T100000Z",
            "--actor",
            "alice",
            "--json",
        ]);
        assert.equal(run.code, 0, run.stderr);
        const [row] = await query<Record<string, any>>(db.url, "SELECT * FROM ops.deployments");
        assert.equal(run.json.id, Number(row.id));
        assert.equal(row.environment, "production");
        assert.equal(row.stack, "production");
        assert.equal(row.git_sha, outputs.gitSha);
        assert.equal(row.git_branch, outputs.gitBranch);
        assert.equal(row.url, outputs.url);
        assert.equal(row.database_name, outputs.databaseName);
        assert.equal(row.image_reference, outputs.imageDigest);
        assert.equal(row.image_digest, String(outputs.imageDigest).split("@")[1]);
        assert.equal(row.status, "succeeded");
        assert.deepEqual(row.migrations_executed, ["sale", "account"]);
        assert.equal(row.health.ok, true);
        assert.equal(row.actor, "alice");
        assert.equal(row.recorded_by, "ops_writer");
        assert.deepEqual(row.outputs.evidence, outputs.evidence);
        assert.equal(row.started_at.toISOString(), "2026-11-24T10:00:00.000Z");
        const deployDir = path.join(dir, "evidence", "20261124T100000Z", "deploy");
        assert.equal(row.evidence_uri, deployDir, "outside the working directory the URI is the absolute path");
        assert.equal(fs.readFileSync(path.join(deployDir, "logs", "deploy.log"), "utf8"), fs.readFileSync(log, "utf8"));
        assert.equal(JSON.parse(fs.readFileSync(path.join(deployDir, `deployment-${row.id}.json`), "utf8")).git_sha, sha);
    });

    it("a failed deployment records the SHA it attempted", async () => {
        const db = await evidenceDatabase("deploy_failed");
        const dir = tmpDir();
        const file = path.join(dir, "outputs.json");
        fs.writeFileSync(file, JSON.stringify(outputs));
        const attempted = "fedcba9876543210fedcba9876543210fedcba98";
        const run = await runCli([
            "evidence",
            "deployment",
            "--evidence-db",
            db.writerUrl,
            "--outputs",
            file,
            "--status",
            "failed",
            "--expect-sha",
            attempted,
            "--evidence-dir",
            path.join(dir, "evidence"),
            "--json",
        ]);
        assert.equal(run.code, 0, run.stderr);
        const [row] = await query<Record<string, any>>(db.url, "SELECT git_sha, status, image_digest FROM ops.deployments");
        assert.deepEqual({ ...row }, { git_sha: attempted, status: "failed", image_digest: null });
    });

    describe("bad input: a clear message, exit 2, nothing written", () => {
        const cases: { name: string; content?: string; args?: string[]; message: RegExp }[] = [
            { name: "missing outputs file", message: /outputs file .*missing\.json does not exist.*pulumi stack output --json/ },
            { name: "malformed JSON", content: "{ not json", message: /is not valid JSON/ },
            { name: "unknown environment", content: "qa", message: /unknown environment "qa"/ },
            { name: "missing keys", content: "missing", message: /missing outputs imageDigest, gitSha/ },
            {
                name: "outputs of another SHA",
                args: ["--expect-sha", "fedcba9876543210"],
                message: /the outputs say gitSha 0123456789ab.* but this deployment was of fedcba9876543210/,
            },
            { name: "unknown status", args: ["--status", "done"], message: /--status must be one of succeeded, failed, rolled_back/ },
            {
                name: "--environment of another stack",
                args: ["--environment", "staging"],
                message: /--environment staging but the outputs are from stack production/,
            },
        ];
        for (const c of cases) {
            it(c.name, async () => {
                const db = await evidenceDatabase("deploy_bad");
                const dir = tmpDir();
                const file = path.join(dir, c.content === undefined && !c.args ? "missing.json" : "outputs.json");
                if (c.content === "qa")
                    fs.writeFileSync(file, JSON.stringify({ ...outputs, stackName: "qa", evidence: { ...(outputs.evidence as object), stack: "qa" } }));
                else if (c.content === "missing") {
                    const { imageDigest: _d, gitSha: _g, ...rest } = outputs;
                    fs.writeFileSync(file, JSON.stringify(rest));
                } else if (c.content !== undefined) fs.writeFileSync(file, c.content);
                else if (c.args) fs.writeFileSync(file, JSON.stringify(outputs));
                const args = [
                    "evidence",
                    "deployment",
                    "--evidence-db",
                    db.writerUrl,
                    "--outputs",
                    file,
                    "--status",
                    "succeeded",
                    "--evidence-dir",
                    path.join(dir, "evidence"),
                    ...(c.args ?? []),
                ];
                const before = await evidenceCounts(db.url);
                const run = await runCli(args);
                assert.equal(run.code, 2, `${run.stdout}${run.stderr}`);
                assert.match(run.stderr, c.message);
                assert.deepEqual(await evidenceCounts(db.url), before);
                assert.deepEqual(filesUnder(path.join(dir, "evidence")), []);
            });
        }
    });
});
