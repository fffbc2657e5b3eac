/**
 * The test step as the one-shot container runs it: ops/build/odoo_steps.py `test` against a real
 * PostgreSQL, with tests/support/fake-odoo.py in Odoo's place printing a real Odoo log. Its output
 * is what `pr up` parses.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { parseOdooTestLog } from "../../../ops/build/testLog";
import { stepResults } from "../../../ops/promotion/checksums";
import { testPostgres } from "../../support/postgres";
import { fakeOdooBin, python, stepScript } from "../../support/odooSteps";

const fixture = (name: string) => path.resolve(__dirname, "../../fixtures/odoo-logs", name);

describe("odoo_steps.py test (the one-shot test container's program)", () => {
    let py: string | undefined;
    let conf: string;
    let odoo: string;
    let pgUrl: string;

    before(async function () {
        py = python();
        if (!py) {
            console.log("      (python3 with psycopg2 not found: install python3-psycopg2; skipped)");
            return this.skip();
        }
        const pg = await testPostgres();
        pgUrl = pg.url;
        const url = new URL(pg.url);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-step-"));
        conf = path.join(dir, "odoo.conf");
        fs.writeFileSync(
            conf,
            `[options]\naddons_path = ${dir}\ndb_host = ${url.hostname}\ndb_port = ${url.port}\ndb_user = ${decodeURIComponent(url.username)}\ndb_password = ${decodeURIComponent(url.password) || "False"}\ndb_sslmode = disable\n`,
        );
        odoo = fakeOdooBin(py, fs.mkdtempSync(path.join(os.tmpdir(), "fake-odoo-")));
    });

    const run = (database: string, env: Record<string, string>, timeout = 60) => {
        const calls = path.join(os.tmpdir(), `calls-${process.pid}-${Math.random().toString(36).slice(2)}.jsonl`);
        const out = spawnSync(
            py!,
            [
                stepScript,
                "test",
                "--conf",
                conf,
                "--database",
                database,
                "--modules",
                "sale_custom,invoice_layout",
                "--tags",
                "at_install/sale_custom,post_install/sale_custom",
                "--timeout",
                String(timeout),
                "--odoo-bin",
                odoo,
            ],
            {
                encoding: "utf8",
                env: { ...process.env, FAKE_ODOO_CALLS: calls, ...env },
            },
        );
        const argv = fs.existsSync(calls) ? (JSON.parse(fs.readFileSync(calls, "utf8").split("\n")[0]) as string[]) : [];
        return { ...out, argv, result: stepResults(out.stdout)[0] as Record<string, any> };
    };

    it("tests in a fresh database with Odoo's test options, and passes Odoo's output and exit code through", async () => {
        const database = `pr_tests_${process.pid}`;
        const admin = new Client({ connectionString: pgUrl });
        await admin.connect();
        try {
            await admin.query(`CREATE DATABASE "${database}"`);
            const leftover = new Client({ connectionString: pgUrl.replace(/\/[^/?]+(\?|$)/, `/${database}$1`) });
            await leftover.connect();
            await leftover.query("CREATE TABLE leftover_from_last_build (id int)");
            await leftover.end();
        } finally {
            await admin.end();
        }
        const r = run(database, { FAKE_ODOO_LOG: fixture("odoo17-odoosh-bus-test-postcommit.log"), FAKE_ODOO_EXIT: "1" });
        assert.equal(r.status, 1, r.stderr);
        assert.deepEqual(r.argv.slice(2), [
            "-d",
            database,
            "-i",
            "sale_custom,invoice_layout",
            "--test-enable",
            "--test-tags",
            "at_install/sale_custom,post_install/sale_custom",
            "--stop-after-init",
            "--log-level=test",
            "--workers=0",
            "--max-cron-threads=0",
        ]);
        assert.deepEqual(r.result, { ok: false, exitCode: 1, timedOut: false, seconds: r.result.seconds, database });
        const parsed = parseOdooTestLog(r.stdout, { exitCode: r.status ?? undefined });
        assert.equal(parsed.verdict, "red");
        assert.equal(parsed.firstFailure?.test, "NotifyTests.test_postcommit");
        const check = new Client({ connectionString: pgUrl.replace(/\/[^/?]+(\?|$)/, `/${database}$1`) });
        await check.connect();
        try {
            const { rows } = await check.query("SELECT to_regclass('leftover_from_last_build') AS t");
            assert.equal(rows[0].t, null, "the database was dropped and created anew");
        } finally {
            await check.end();
        }
    });

    it("stops Odoo at the time limit and says so in the log", () => {
        const r = run(`pr_tests_timeout_${process.pid}`, { FAKE_ODOO_SLEEP: "30" }, 1);
        assert.equal(r.status, 124);
        assert.equal(r.result.timedOut, true);
        const parsed = parseOdooTestLog(r.stdout, { exitCode: 124 });
        assert.equal(parsed.timedOut, true);
        assert.equal(parsed.verdict, "red");
        assert.ok(Number(r.result.seconds) < 20, `stopped after ${r.result.seconds} s, not after the sleep`);
    });
});
