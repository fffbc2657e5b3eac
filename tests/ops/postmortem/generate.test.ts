import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { InvalidInputError } from "../../../ops/core/errors";
import { generatePostmortems } from "../../../ops/postmortem/generate";
import { parseDatabaseUrl } from "../../../ops/postgres/connect";
import { recordDeployments } from "../../support/deployments";
import { evidenceDatabase } from "../../support/evidence";

const projectDir = path.resolve(__dirname, "../../..");
const good = "1111111111111111111111111111111111111111";
const bad = "2222222222222222222222222222222222222222";
const worse = "3333333333333333333333333333333333333333";

describe("postmortem on recorded deployments", function () {
    this.timeout(60_000);
    let readerUrl: string;
    let ids: number[];
    let cwd: string;

    before(async () => {
        const db = await evidenceDatabase("postmortem");
        readerUrl = db.readerUrl;
        cwd = fs.mkdtempSync(path.join(os.tmpdir(), "postmortem-"));
        const logs = path.join(cwd, "evidence/20261125T100000Z/deploy/logs");
        fs.mkdirSync(logs, { recursive: true });
        fs.writeFileSync(
            path.join(logs, "deploy.log"),
            [
                "2026-11-25T10:00:05Z pulumi up --stack staging",
                "2026-11-25 10:02:40,120 1 INFO odoo_staging odoo.modules.loading: updating modules list",
                "2026-11-25 10:03:10,500 1 ERROR odoo_staging odoo.sql_db: bad query: ALTER TABLE sale_order ADD COLUMN x",
                'psycopg2.errors.DuplicateColumn: column "x" of relation "sale_order" already exists',
                "export PGPASSWORD=hunter2",
            ].join("\n"),
        );
        fs.writeFileSync(path.join(cwd, "evidence/20261125T100000Z/deploy/outputs.json"), "{}");
        // A compressed log (evidence prune) of the second failure, found by its stamp.
        const later = path.join(cwd, "evidence/20261126T080100Z/deploy/logs");
        fs.mkdirSync(later, { recursive: true });
        fs.writeFileSync(path.join(later, "deploy.log.gz"), gzipSync("2026-11-26T08:01:30Z ERROR: image pull failed\n"));

        ids = await recordDeployments(db.url, [
            {
                environment: "staging",
                git_sha: good,
                status: "succeeded",
                started_at: "2026-11-24T09:00:00Z",
                finished_at: "2026-11-24T09:04:00Z",
                run_url: "https://github.com/insightpulseai/odoo/actions/runs/100",
            },
            {
                environment: "staging",
                git_sha: bad,
                status: "failed",
                started_at: "2026-11-25T10:00:00Z",
                finished_at: "2026-11-25T10:05:00Z",
                evidence_uri: "evidence/20261125T100000Z/deploy",
                run_url: "https://github.com/insightpulseai/odoo/actions/runs/101",
                actor: "alice",
                migrations: [
                    {
                        module: "sale",
                        version_before: "17.0.1.2",
                        version_after: "17.0.1.3",
                        scripts: ["sale/migrations/17.0.1.3/pre-migrate.py"],
                        seconds: 41.2,
                    },
                ],
                health: { http_status: 500, http_ok: false, database_ok: true, detail: { error: "HTTP 500" } },
            },
            {
                environment: "staging",
                git_sha: good,
                status: "rolled_back",
                rollback_of_sha: bad,
                started_at: "2026-11-25T10:20:00Z",
                finished_at: "2026-11-25T10:24:00Z",
            },
            { environment: "production", git_sha: good, status: "succeeded", started_at: "2026-11-25T12:00:00Z", finished_at: "2026-11-25T12:05:00Z" },
            { environment: "staging", git_sha: worse, status: "failed", started_at: "2026-11-26T08:00:00Z", finished_at: "2026-11-26T08:02:00Z" },
        ]);
    });
    after(() => fs.rmSync(cwd, { recursive: true, force: true }));

    const run = (selection: { deploymentId: number } | { since: Date }) =>
        generatePostmortems({ db: parseDatabaseUrl(readerUrl), selection, evidenceDir: "evidence", outDir: "docs/postmortems", cwd });

    it("a failed deployment yields a postmortem file with its timeline, what changed, health and logs", async () => {
        const report = await run({ deploymentId: ids[1] });
        assert.deepEqual(
            report.postmortems.map((p) => [p.file, p.outcome]),
            [["docs/postmortems/20261125-staging-deploy-222222222222.md", "created"]],
        );
        const doc = fs.readFileSync(path.join(cwd, report.postmortems[0].file), "utf8");
        const timeline = doc.split("## Timeline (UTC)")[1].split("## What changed")[0];
        const events = timeline.split("\n").filter((l) => /^\| 20/.test(l));
        const times = events.map((e) => e.slice(2, 21));
        assert.deepEqual(times, [...times].sort(), "in time order");
        assert.match(events[0], /Previous succeeded deployment #\d+ of `111111111111`/);
        assert.match(events[1], /Deployment #\d+ of `222222222222` to staging started by alice/);
        // The migration row is stamped now() by the database (append-only), outside this 2026-11-25
        // run: it is listed under "What changed", not on the timeline.
        assert.ok(!events.some((e) => /Module `sale`/.test(e)));
        assert.ok(events.some((e) => /2026-11-25 10:03:10 \| `deploy\.log`: .*bad query/.test(e)));
        assert.ok(events.some((e) => /Health check FAILED: HTTP 500/.test(e)));
        assert.ok(events.some((e) => /2026-11-25 10:05:00 \| Deployment #\d+ finished: \*\*failed\*\* after 5 min/.test(e)));
        assert.match(events[events.length - 1], /2026-11-25 10:24:00 \| Rollback #\d+ to `111111111111` \(undoing `222222222222`\): rolled_back/);
        assert.ok(!events.some((e) => /production/.test(e)), "other environments stay out");
        assert.match(doc, /Commits: `111111111111\.\.222222222222` \(\[compare\]\(https:\/\/github\.com\/insightpulseai\/odoo\/compare\/1{40}\.\.\.2{40}\)\)/);
        assert.match(doc, /\| `sale` \| 17\.0\.1\.2 \| 17\.0\.1\.3 \| 41\.2 \| `sale\/migrations\/17\.0\.1\.3\/pre-migrate\.py` \|/);
        assert.match(doc, /Time to recovery \| 19 min \(rollback/);
        assert.match(doc, /### `evidence\/20261125T100000Z\/deploy\/logs\/deploy\.log`/);
        assert.match(doc, /- `evidence\/20261125T100000Z\/deploy\/outputs\.json` \(2 bytes\)/);
        assert.ok(!doc.includes("hunter2"), "secrets in logs are masked");
        assert.match(doc, /## Root cause\n\n_Why it failed/);
    });

    it("is idempotent, and never overwrites a postmortem someone edited", async () => {
        const again = await run({ deploymentId: ids[1] });
        assert.equal(again.postmortems[0].outcome, "unchanged");
        const file = path.join(cwd, "docs/postmortems/20261125-staging-deploy-222222222222.md");
        const edited = fs
            .readFileSync(file, "utf8")
            .replace("_What happened and who noticed, in two or three sentences._", "A duplicate column broke the sale upgrade.");
        fs.writeFileSync(file, edited);
        const afterEdit = await run({ deploymentId: ids[1] });
        assert.deepEqual(
            afterEdit.postmortems.map((p) => [p.file, p.outcome, p.keptEdited]),
            [["docs/postmortems/20261125-staging-deploy-222222222222-2.md", "created", ["docs/postmortems/20261125-staging-deploy-222222222222.md"]]],
        );
        assert.equal(fs.readFileSync(file, "utf8"), edited, "the edited file is untouched");
        assert.equal((await run({ deploymentId: ids[1] })).postmortems[0].outcome, "unchanged");
        assert.ok(!fs.readdirSync(path.dirname(file)).some((f) => f.endsWith(".partial")));
    });

    it("--since drafts every failed deployment since the date, finding compressed logs by their stamp", async () => {
        const report = await run({ since: new Date("2026-11-26T00:00:00Z") });
        assert.deepEqual(
            report.postmortems.map((p) => [p.deployment, p.file, p.outcome]),
            [[ids[4], "docs/postmortems/20261126-staging-deploy-333333333333.md", "created"]],
        );
        const doc = fs.readFileSync(path.join(cwd, report.postmortems[0].file), "utf8");
        assert.match(doc, /### `evidence\/20261126T080100Z\/deploy\/logs\/deploy\.log\.gz`/);
        assert.match(doc, /2026-11-26 08:01:30 \| `deploy\.log\.gz`: .*image pull failed/);
        assert.match(doc, /Previous succeeded deployment #\d+ of `111111111111`/);
        assert.match(doc, /not recovered yet/);
        assert.equal((await run({ since: new Date("2026-11-01T00:00:00Z") })).postmortems.length, 2);
        assert.deepEqual((await run({ since: new Date("2026-12-01T00:00:00Z") })).postmortems, []);
    });

    it("refuses a deployment that did not fail or does not exist", async () => {
        await assert.rejects(
            run({ deploymentId: ids[0] }),
            (err: Error) => err instanceof InvalidInputError && /succeeded: postmortems are drafted for failed deployments/.test(err.message),
        );
        await assert.rejects(run({ deploymentId: 999999 }), /deployment 999999 is not in ops.deployments/);
    });

    it("runs from the CLI and rejects bad usage with exit 2", () => {
        const cli = (...args: string[]) =>
            spawnSync("node", [path.join(projectDir, "bin/odoo-platform.js"), "postmortem", ...args], {
                cwd,
                encoding: "utf8",
                env: { ...process.env, ODOO_PLATFORM_QUIET: "1" },
            });
        const ok = cli("--evidence-db", readerUrl, "--deployment", String(ids[4]), "--json");
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(JSON.parse(ok.stdout).postmortems[0].outcome, "unchanged");
        const both = cli("--evidence-db", readerUrl, "--deployment", "1", "--since", "2026-11-01");
        assert.equal(both.status, 2);
        assert.match(both.stderr, /exactly one of --deployment/);
        assert.equal(cli("--evidence-db", readerUrl, "--since", "yesterday").status, 2);
        assert.equal(cli("--evidence-db", readerUrl, "--deployment", String(ids[0])).status, 2);
        const noDb = spawnSync("node", [path.join(projectDir, "bin/odoo-platform.js"), "postmortem", "--since", "2026-11-01"], {
            cwd,
            encoding: "utf8",
            env: { ...process.env, EVIDENCE_DB_URL: "" },
        });
        assert.equal(noDb.status, 2);
        assert.match(noDb.stderr, /--evidence-db \(or EVIDENCE_DB_URL\) is required/);
        // --db is the Odoo database in every command: given here, it is refused with where the URL goes.
        const misplaced = cli("--db", readerUrl, "--deployment", String(ids[4]));
        assert.equal(misplaced.status, 2);
        assert.match(misplaced.stderr, /postmortem reads the evidence database: give it as --evidence-db <url>/);
    });
});
