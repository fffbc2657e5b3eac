import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { platformDataRules } from "../../../ops/staging/dataRules";
import { refreshStaging, RefreshOptions } from "../../../ops/staging/refresh";
import { fixtureDatabase } from "../../support/odoo";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { managedDatabase } from "../../support/managed";
import { query } from "../../support/smallDb";

const projectDir = path.resolve(__dirname, "../../..");

describe("staging refresh on the Odoo-shaped fixture (platform rules)", function () {
    this.timeout(240000);

    const options = (fromDb: string, toDb: string, extra: Partial<RefreshOptions> = {}): RefreshOptions => ({
        fromDb,
        toDb,
        baseUrl: "https://staging.example.com",
        seed: "e2e",
        mailHost: "mailpit",
        mailPort: 1025,
        allowDomains: ["example.com", "staging.example.com"],
        rules: platformDataRules(),
        jobs: 2,
        ...extra,
    });

    async function oldStaging(prefix: string) {
        return managedDatabase(prefix, "old staging");
    }

    it("turns production into a clean staging database: verify passes, the old one is replaced, production is untouched", async () => {
        const prod = await fixtureDatabase("e2e_prod");
        const [before] = await query<{ n: string }>(prod.url, "SELECT count(*)::text AS n FROM ir_cron WHERE active");
        const target = await oldStaging("e2e_stg");
        const report = await refreshStaging(options(prod.url, target.url));
        assert.equal(report.ok, true, report.verify.findings.join("\n"));
        assert.deepEqual(
            report.steps.map((s) => s.step),
            ["prepare", "known values", "schema", "copy + sanitize", "indexes", "neutralize", "verify", "swap"],
        );
        // Production's snapshot is held through the schema and the data (and the plan before them), not through the index builds.
        const step = (name: string) => report.steps.find((s) => s.step === name)!.seconds;
        const held = report.sourceSnapshotSeconds!;
        const copying = step("schema") + step("copy + sanitize");
        assert.ok(held >= copying - 0.05 && held <= report.totalSeconds - step("indexes") - step("known values"), `${held} ${JSON.stringify(report.steps)}`);
        assert.match(
            report.steps.find((s) => s.step === "copy + sanitize")!.detail!,
            /production's snapshot held \d+\.\d s, \d+ MiB of temporary files written there/,
        );
        // The financial parts keep their hashes in work_mem: nothing spills on production.
        assert.deepEqual(report.sourceTempFiles, { files: 0, bytes: 0 });
        const names = report.sanitizedTables.map((t) => t.table);
        for (const t of ["public.res_partner", "public.mail_message", "public.account_move_line", "public.res_users"]) assert.ok(names.includes(t), t);
        const [url] = await query<{ value: string }>(target.url, "SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'");
        assert.equal(url.value, "https://staging.example.com");
        const [crons] = await query<{ n: string }>(target.url, "SELECT count(*)::text AS n FROM ir_cron WHERE active");
        assert.ok(Number(crons.n) <= 1, "only the autovacuum cron may stay active");
        const [marked] = await query<{ n: string }>(
            target.url,
            "SELECT count(*)::text AS n FROM ir_config_parameter WHERE key LIKE 'odoo_platform.sanitize.%'",
        );
        assert.equal(marked.n, "2", "sanitized (and amounts scaled) recorded on the copy");
        const [after] = await query<{ n: string }>(prod.url, "SELECT count(*)::text AS n FROM ir_cron WHERE active");
        assert.deepEqual(after, before, "production is only read");
        const left = await query<{ datname: string }>(
            target.url.replace(/\/[^/]+$/, "/postgres"),
            `SELECT datname FROM pg_database WHERE datname LIKE '${target.name}__%'`,
        );
        assert.deepEqual(
            left.map((r) => r.datname),
            [report.swap!.previous],
            "only the previous generation is kept",
        );
    });

    it("refuses to swap a copy that still holds an e-mail in an undeclared custom table; --strict scrubs it", async () => {
        const prod = await fixtureDatabase("e2e_custom");
        await query(
            prod.url,
            "CREATE TABLE x_custom_notes (id serial PRIMARY KEY, note text); INSERT INTO x_custom_notes (note) VALUES ('call jane.doe@realcustomer.org tomorrow')",
        );
        const target = await oldStaging("e2e_custom_stg");
        const report = await refreshStaging(options(prod.url, target.url));
        assert.equal(report.exitCode, 1);
        assert.equal(report.swap, null);
        assert.ok(
            report.verify.findings.some((f) => f.includes("x_custom_notes.note")),
            report.verify.findings.join("\n"),
        );
        const [marker] = await query<{ note: string }>(target.url, "SELECT note FROM marker");
        assert.equal(marker.note, "old staging", "the live staging database is unchanged");

        const strict = await refreshStaging(options(prod.url, target.url, { strict: true }));
        assert.equal(strict.ok, true, strict.verify.findings.join("\n"));
        const [note] = await query<{ note: string }>(target.url, "SELECT note FROM x_custom_notes");
        assert.ok(!note.note.includes("realcustomer.org"), note.note);
    }).timeout(600_000); // two whole refreshes, the second with --strict's scrub of every text column

    it("fails on every kind of planted leak found on the copy's stream, and on one in a table neutralize writes, found when it is read back", async () => {
        const prod = await fixtureDatabase("e2e_leaks");
        const [person] = await query<{ name: string }>(prod.url, "SELECT name FROM res_partner WHERE NOT is_company AND id > 4 ORDER BY id LIMIT 1");
        await query(
            prod.url,
            `CREATE TABLE x_leaks (id serial PRIMARY KEY, note text, info jsonb);
            INSERT INTO x_leaks (note, info) VALUES ('write to jane.doe@realcustomer.org', NULL), ('call +32 470 12 34 56', NULL),
                ('pay to BE68 5390 0754 7034', NULL), ('card 4111 1111 1111 1111', NULL), ('VAT DE136695976', NULL),
                (NULL, jsonb_build_object('en_US', '${person.name.replace(/'/g, "''")}'));
            CREATE TABLE x_tokens (id serial PRIMARY KEY, api_token varchar); INSERT INTO x_tokens (api_token) VALUES ('ghp_16C7e42F292c6912E7710c838347Ae178B4a');
            ALTER TABLE website ADD COLUMN x_contact text; UPDATE website SET x_contact = 'boss@realcustomer.org'`,
        );
        const target = await oldStaging("e2e_leaks_stg");
        const report = await refreshStaging(options(prod.url, target.url));
        assert.equal(report.exitCode, 1);
        assert.equal(report.swap, null);
        const found = report.verify.findings.join("\n");
        for (const leak of [
            "pii: x_leaks.note (1) — 1 row(s) of x_leaks.note hold an e-mail",
            "x_leaks.note (1) — 1 row(s) of x_leaks.note hold a phone number",
            "x_leaks.note (1) — 1 row(s) of x_leaks.note hold a valid IBAN",
            "x_leaks.note (1) — 1 row(s) of x_leaks.note hold a payment card",
            "x_leaks.note (1) — 1 row(s) of x_leaks.note hold a valid VAT",
            "known-values: x_leaks.info (1)",
            "pii: website.x_contact",
        ]) {
            assert.ok(found.includes(leak), `${leak}\n${found}`);
        }
        // The token is revoked in the stream itself (ops/neutralize/revoke.ts): the copy never holds it, so the stream scan finds nothing there.
        assert.ok(!found.includes("x_tokens"), found);
        const path = (t: string) => report.scan.tables.find((p) => p.table === t);
        assert.deepEqual(path("x_leaks"), { table: "x_leaks", path: "stream" });
        assert.deepEqual(path("website"), { table: "website", path: "reread", reason: "written after the copy" });
        assert.deepEqual(path("x_tokens"), { table: "x_tokens", path: "stream" });
        // Everything the stream did not see is read back and scanned in Node: nothing in the database.
        assert.ok(report.scan.stream > 10 && report.scan.reread > 5 && report.scan.database === 0, JSON.stringify(report.scan));
        assert.ok(report.scan.writtenAfterCopy!.includes("ir_config_parameter"), "the sanitize marker's table is read again");
    });

    it("killed with -9 in the middle of the copy, leaves the live staging database serving; the next run cleans up", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("e2e_kill", { scale: 0.05 });
        const target = await oldStaging("e2e_kill_stg");
        const child = spawn(
            process.execPath,
            [
                "bin/odoo-platform.js",
                "staging",
                "refresh",
                "--from-db",
                prod.url,
                "--to-db",
                target.url,
                "--base-url",
                "https://staging.example.com",
                "--mail-host",
                "mailpit",
                "--mail-port",
                "1025",
                "--jobs",
                "1",
            ],
            { cwd: projectDir, detached: true, stdio: "ignore", env: { ...process.env, ODOO_PLATFORM_QUIET: "1" } },
        );
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        try {
            let candidate: string | undefined;
            for (const until = Date.now() + 60000; !candidate && Date.now() < until; await new Promise((r) => setTimeout(r, 10))) {
                const rows = await query<{ datname: string }>(
                    pg.url,
                    `SELECT datname FROM pg_stat_activity WHERE datname LIKE '${target.name}__restore_%' AND query ILIKE 'COPY %' LIMIT 1`,
                );
                candidate = rows[0]?.datname;
                if (child.exitCode !== null) throw new Error("the refresh ended before it could be interrupted");
            }
            assert.ok(candidate, "caught the refresh while it copied");
            process.kill(child.pid!, "SIGKILL");
            await exited;
            const [marker] = await query<{ note: string }>(target.url, "SELECT note FROM marker");
            assert.equal(marker.note, "old staging");

            const report = await refreshStaging(options(prod.url, target.url));
            assert.equal(report.ok, true, report.verify.findings.join("\n"));
            assert.ok(report.cleanup.droppedDatabases.includes(candidate!), `cleaned ${report.cleanup.droppedDatabases.join(", ")}`);
        } finally {
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                // the group is gone
            }
        }
    });
});
