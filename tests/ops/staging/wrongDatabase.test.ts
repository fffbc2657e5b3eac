/**
 * "Never the wrong database": ordinary mistakes an operator makes with `staging refresh`,
 * `staging swap`, `db sanitize` and `db neutralize`, each run through the real CLI against a real
 * PostgreSQL server. Every one must be refused (exit 3) or rejected as bad input (exit 2) with the
 * databases exactly as they were: same OID under the same name, same content. The CLI runs
 * in-process (same parsing, messages and exit codes) except where a second process or the progress
 * output is the point.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { managedDatabase } from "../../support/managed";
import { fixtureDatabase } from "../../support/odoo";
import { runCli } from "../../support/cli";
import { errorLines, runCliProcess, startCli } from "../../support/cliProcess";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { startTestS3 } from "../../support/s3";
import { freePort } from "../../../testing/throwawayPostgres";
import { query } from "../../support/smallDb";

const staging = ["--base-url", "https://staging.example.com", "--mail-host", "mailpit", "--mail-port", "1025", "--seed", "wrong-db", "--jobs", "2"];

async function oidOf(name: string): Promise<string | null> {
    const pg = await testPostgres();
    const rows = await query<{ oid: string }>(pg.url, `SELECT oid::text FROM pg_database WHERE datname = '${name.replace(/'/g, "''")}'`);
    return rows[0]?.oid ?? null;
}

async function workDatabases(name: string): Promise<string[]> {
    const pg = await testPostgres();
    const rows = await query<{ datname: string }>(
        pg.url,
        `SELECT datname FROM pg_database WHERE starts_with(datname, '${name.replace(/'/g, "''")}__') ORDER BY 1`,
    );
    return rows.map((r) => r.datname);
}

/** The CLI in this process; `--from-db` … as an operator would type them. */
const cli = (args: string[]) => runCli(args);

const activeCrons = async (url: string) => Number((await query<{ n: string }>(url, "SELECT count(*)::text AS n FROM ir_cron WHERE active"))[0].n);

describe("never the wrong database (real CLI, real server)", function () {
    this.timeout(300000);

    it("refuses a target that is the source, however the URL spells the server or the name", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("wdb_prod");
        const oid = await oidOf(prod.name);
        const encodedFirst = `%${prod.name.charCodeAt(0).toString(16)}${prod.name.slice(1)}`;
        const spellings = [
            `postgresql://postgres@localhost:${pg.port}/${prod.name}`,
            `postgresql://postgres@LOCALHOST:${pg.port}/${prod.name}`,
            `postgresql:///${prod.name}?host=${encodeURIComponent(pg.socketDir)}&port=${pg.port}&user=postgres`,
            `postgres://postgres@127.0.0.1:${pg.port}/${encodedFirst}`,
            `postgresql://127.0.0.1:${pg.port}/${prod.name}?user=postgres&application_name=staging`,
        ];
        for (const toDb of spellings) {
            const run = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", toDb, ...staging]);
            assert.equal(run.code, 3, `${toDb}: exit ${run.code}\n${run.stderr}`);
            assert.match(run.stderr, /is the source database/, toDb);
            assert.equal(errorLines(run.stderr).length, 1, run.stderr);
            assert.equal(await oidOf(prod.name), oid, `${toDb}: production is still the same database`);
            assert.deepEqual(await workDatabases(prod.name), [], toDb);
        }
        assert.ok((await activeCrons(prod.url)) > 1, "production untouched");
    });

    it("decodes a database name once: refreshing stg%41 never touches stgA", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("wdb_pct");
        const suffix = `${process.pid}`;
        const plain = `stgA_${suffix}`;
        const percent = `stg%41_${suffix}`;
        await query(pg.url, `CREATE DATABASE "${plain}"`);
        await query(pg.urlFor(plain), "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('the other stgA')");
        await query(pg.url, `CREATE DATABASE "${percent}"`);
        const plainOid = await oidOf(plain);
        const run = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", pg.urlFor(percent), ...staging]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(await oidOf(plain), plainOid, "stgA is the same database");
        assert.deepEqual(await query(pg.urlFor(plain), "SELECT note FROM marker"), [{ note: "the other stgA" }]);
        const [copied] = await query<{ n: string }>(pg.urlFor(percent), "SELECT count(*)::text AS n FROM res_partner");
        assert.ok(Number(copied.n) > 0, "the copy went to stg%41");
    });

    describe("with a managed staging database", () => {
        let prod: { name: string; url: string };
        let target: { name: string; url: string };
        let firstOid: string | null;

        before(async () => {
            prod = await fixtureDatabase("wdb_src");
            const pg = await testPostgres();
            target = { name: `wdb_stg_${process.pid}`, url: pg.urlFor(`wdb_stg_${process.pid}`) };
            const first = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", target.url, ...staging]);
            assert.equal(first.code, 0, first.stderr);
            firstOid = await oidOf(target.name);
        });

        it("refuses an empty or non-Odoo source before anything changes, and keeps staging", async () => {
            const pg = await testPostgres();
            const empty = await freshDatabase("wdb_empty");
            for (const fromDb of [empty.url, pg.url]) {
                const run = await cli(["staging", "refresh", "--from-db", fromDb, "--to-db", target.url, ...staging]);
                assert.equal(run.code, 3, `${fromDb}: exit ${run.code}\n${run.stderr}`);
                assert.match(run.stderr, /is not an Odoo database/);
                assert.equal(await oidOf(target.name), firstOid, "staging is the same database");
                assert.deepEqual(await workDatabases(target.name), []);
            }
        });

        it("keeps the previous staging by default, and staging rollback puts it back", async () => {
            const second = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", target.url, ...staging, "--json"]);
            assert.equal(second.code, 0, second.stderr);
            const report = JSON.parse(second.stdout);
            assert.equal(report.swap.previousKept, true);
            const kept = await workDatabases(target.name);
            assert.equal(kept.length, 1, kept.join(", "));
            assert.match(kept[0], /__previous_\d{14}$/);
            assert.equal(await oidOf(kept[0]), firstOid, "the kept copy is the staging database that served before");

            const rollback = await cli(["staging", "rollback", "--db", target.url, "--json"]);
            assert.equal(rollback.code, 0, rollback.stderr);
            assert.equal(await oidOf(target.name), firstOid, "the previous staging serves again");
        });

        it("swap accepts only a verified copy this tool produced: not a production copy, not template1, not postgres", async () => {
            const unsanitized = await fixtureDatabase("wdb_cand");
            const before = await oidOf(target.name);
            for (const candidate of [unsanitized.name, "template1", "postgres"]) {
                const run = await cli(["staging", "swap", "--db", target.url, "--candidate", candidate]);
                assert.equal(run.code, 3, `${candidate}: exit ${run.code}\n${run.stderr}`);
                assert.match(run.stderr, /refused/);
                assert.equal(await oidOf(target.name), before, `${candidate}: staging untouched`);
            }
            assert.ok(await oidOf(unsanitized.name), "the candidate is still there under its name");
            const pg = await testPostgres();
            const [template] = await query<{ datistemplate: boolean }>(pg.url, "SELECT datistemplate FROM pg_database WHERE datname = 'template1'");
            assert.deepEqual(template, { datistemplate: true });
            await query(pg.url, `CREATE DATABASE "wdb_after_${process.pid}"`);
        });

        it("checks before the copy that the role can finish: create the copy, rename staging away at the swap, give the copy to --owner", async () => {
            const pg = await testPostgres();
            const stranger = `wdb_stranger_${process.pid}`;
            const noCreate = `wdb_nocreate_${process.pid}`;
            await query(
                pg.url,
                `DROP ROLE IF EXISTS ${stranger}; DROP ROLE IF EXISTS ${noCreate}; CREATE ROLE ${stranger} LOGIN CREATEDB; CREATE ROLE ${noCreate} LOGIN`,
            );
            const as = (role: string) => target.url.replace("postgres@", `${role}@`);
            const before = await oidOf(target.name);
            // The previous generation an earlier test kept (and rolled back to) stays; nothing is added.
            const generations = await workDatabases(target.name);
            const cases: [string[], RegExp][] = [
                // Owns nothing: the copy would be built and the swap's RENAME refused after it.
                [
                    ["--to-db", as(stranger)],
                    new RegExp(`role ${stranger} in --to-db does not own database ${target.name} \\(its owner is postgres\\).*GRANT postgres TO ${stranger}`),
                ],
                [["--to-db", as(noCreate)], new RegExp(`role ${noCreate} in --to-db cannot create or rename databases .*CREATEDB`)],
                [["--to-db", target.url, "--owner", `wdb_nobody_${process.pid}`], /--owner wdb_nobody_\d+: no such role on the target server/],
            ];
            for (const [args, message] of cases) {
                const run = await cli(["staging", "refresh", "--from-db", prod.url, ...args, ...staging, "--json"]);
                assert.equal(run.code, 2, `${args.join(" ")}: exit ${run.code}\n${run.stderr}`);
                assert.match(run.stderr, message);
                assert.equal(errorLines(run.stderr).length, 1, run.stderr);
                assert.equal(await oidOf(target.name), before, "staging is the same database");
                assert.deepEqual(await workDatabases(target.name), generations, "no copy was started");
            }
            // staging swap makes the same check (it renames the target and the candidate).
            const candidate = await managedDatabase("wdb_verified", "a verified copy");
            const swap = await cli(["staging", "swap", "--db", as(stranger), "--candidate", candidate.name]);
            assert.equal(swap.code, 2, swap.stderr);
            assert.match(
                swap.stderr,
                new RegExp(
                    `does not own database ${candidate.name} \\(its owner is postgres\\).*does not own database ${target.name}|does not own database ${target.name}.*does not own database ${candidate.name}`,
                ),
            );
            assert.equal(await oidOf(target.name), before, "staging is the same database");
            assert.ok(await oidOf(candidate.name), "the candidate keeps its name");
        });

        it("db sanitize and db neutralize run on a managed copy without --confirm", async () => {
            const run = await cli([
                "db",
                "neutralize",
                "--db",
                target.url,
                "--base-url",
                "https://staging.example.com",
                "--mail-host",
                "mailpit",
                "--mail-port",
                "1025",
                "--admin-password-file",
                path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wdb-")), "pw"),
            ]);
            assert.equal(run.code, 0, run.stderr);
        });
    });

    it("refuses to refresh into a database it never managed unless --confirm repeats its name", async () => {
        const prod = await fixtureDatabase("wdb_other_src");
        const other = await freshDatabase("wdb_other_app");
        await query(other.url, "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1), (2)");
        const oid = await oidOf(other.name);
        const refused = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", other.url, ...staging]);
        assert.equal(refused.code, 3, refused.stderr);
        assert.match(refused.stderr, new RegExp(`${other.name}\\b.*not created by odoo-platform.*--confirm ${other.name}`));
        const wrongName = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", other.url, ...staging, "--confirm", "something_else"]);
        assert.equal(wrongName.code, 3, wrongName.stderr);
        assert.equal(await oidOf(other.name), oid);
        assert.deepEqual(await query(other.url, "SELECT count(*)::int AS n FROM invoices"), [{ n: 2 }]);

        const confirmed = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", other.url, ...staging, "--confirm", other.name]);
        assert.equal(confirmed.code, 0, confirmed.stderr);
        assert.notEqual(await oidOf(other.name), oid);
    });

    it("db sanitize and db neutralize refuse a database that looks like production unless --confirm repeats its name", async () => {
        const prod = await fixtureDatabase("wdb_prodlike");
        const crons = await activeCrons(prod.url);
        const sanitize = await cli(["db", "sanitize", "--db", prod.url, "--seed", "x"]);
        assert.equal(sanitize.code, 3, sanitize.stderr);
        assert.match(sanitize.stderr, /looks like production .*--confirm/);
        const neutralize = await cli(["db", "neutralize", "--db", prod.url, "--base-url", "https://staging.example.com"]);
        assert.equal(neutralize.code, 3, neutralize.stderr);
        assert.match(neutralize.stderr, /looks like production .*--confirm/);
        assert.equal(await activeCrons(prod.url), crons, "nothing changed");
        const [partner] = await query<{ n: string }>(prod.url, "SELECT count(*)::text AS n FROM res_partner WHERE email LIKE 'test+%@example.com'");
        assert.equal(partner.n, "0", "nothing sanitized");

        const confirmed = await cli([
            "db",
            "neutralize",
            "--db",
            prod.url,
            "--base-url",
            "https://staging.example.com",
            "--confirm",
            prod.name,
            "--admin-password-file",
            path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wdb-")), "pw"),
        ]);
        assert.equal(confirmed.code, 0, confirmed.stderr);
        assert.ok((await activeCrons(prod.url)) <= 1);
    });

    it("takes one lock per target on its own server, whatever --maintenance-db says", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("wdb_lock_src", { scale: 0.03 });
        const target = { name: `wdb_lock_${process.pid}`, url: pg.urlFor(`wdb_lock_${process.pid}`) };
        const first = startCli(["staging", "refresh", "--from-db", prod.url, "--to-db", target.url, ...staging, "--maintenance-db", "postgres", "--jobs", "1"]);
        for (const until = Date.now() + 60000; ; await new Promise((r) => setTimeout(r, 20))) {
            if ((await workDatabases(target.name)).length) break;
            if (Date.now() > until || first.child.exitCode !== null) throw new Error(`the first refresh did not start: ${first.stderr()}`);
        }
        const second = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", target.url, ...staging, "--maintenance-db", "template1"]);
        assert.equal(second.code, 4, second.stderr);
        assert.match(second.stderr, /another restore or refresh of database .* is running/);
        const done = await first.done;
        assert.equal(done.code, 0, done.stderr);
    });

    it("refuses --base-url, --mail-host, --allow-domain and --s3-endpoint mistakes before the first byte is copied", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("wdb_input_src");
        const target = `wdb_input_${process.pid}`;
        const cases: [string[], RegExp][] = [
            [["--base-url", "https://staging.example.com:99999", "--mail-host", "mailpit", "--mail-port", "1025"], /--base-url/],
            [["--base-url", "https://staging.example.com", "--mail-host", "mail pit", "--mail-port", "1025"], /--mail-host/],
            [
                ["--base-url", "https://staging.example.com", "--mail-host", "mailpit", "--mail-port", "1025", "--allow-domain", "https://example.org/"],
                /--allow-domain/,
            ],
            [
                [
                    "--base-url",
                    "https://staging.example.com",
                    "--mail-host",
                    "mailpit",
                    "--mail-port",
                    "1025",
                    "--via",
                    "s3://snapshots/staging",
                    "--s3-endpoint",
                    "minio:9000",
                ],
                /--s3-endpoint must be an http\(s\) URL/,
            ],
        ];
        for (const [args, message] of cases) {
            const run = await runCliProcess(["staging", "refresh", "--from-db", prod.url, "--to-db", pg.urlFor(target), ...args, "--seed", "x"], {
                quiet: false,
            });
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr, message);
            assert.doesNotMatch(run.stderr, /copy \+ sanitize|schema/, "refused before the copy started");
            assert.equal(await oidOf(target), null);
        }
    });

    it("checks an S3 --via / --to before production is read: a missing bucket or an unreachable endpoint is refused, a real bucket works", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("wdb_s3_src");
        const target = `wdb_s3_${process.pid}`;
        const s3 = await startTestS3("snapshots");
        const env = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" };
        try {
            const closed = `http://127.0.0.1:${await freePort()}`;
            const refused: [string[], RegExp][] = [
                [
                    [
                        "staging",
                        "refresh",
                        "--from-db",
                        prod.url,
                        "--to-db",
                        pg.urlFor(target),
                        ...staging,
                        "--via",
                        "s3://no-such-bucket/staging",
                        "--s3-endpoint",
                        s3.endpoint,
                    ],
                    /--via s3:\/\/no-such-bucket\/staging: bucket "no-such-bucket" does not exist/,
                ],
                [
                    [
                        "staging",
                        "refresh",
                        "--from-db",
                        prod.url,
                        "--to-db",
                        pg.urlFor(target),
                        ...staging,
                        "--via",
                        "s3://snapshots/staging",
                        "--s3-endpoint",
                        closed,
                    ],
                    /--via s3:\/\/snapshots\/staging: .* cannot be reached/,
                ],
                [
                    ["snapshot", "create", "--db", prod.url, "--to", "s3://no-such-bucket/prod-1", "--sanitize", "--seed", "x", "--s3-endpoint", s3.endpoint],
                    /--to s3:\/\/no-such-bucket\/prod-1: bucket "no-such-bucket" does not exist/,
                ],
            ];
            for (const [args, message] of refused) {
                const run = await runCliProcess(args, { quiet: false, env });
                assert.equal(run.code, 2, `${args.join(" ")}\n${run.stderr}`);
                assert.match(run.stderr, message);
                // The AWS SDK itself warns about the Node version on stderr; the CLI's own error is one line.
                assert.equal(errorLines(run.stderr).filter((l) => /^error: /.test(l)).length, 1, run.stderr);
                assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
                assert.doesNotMatch(
                    run.stderr,
                    /prepare|copy \+ sanitize|snapshot \+ sanitize|opening a consistent snapshot/,
                    "refused before production was read",
                );
                assert.equal(await oidOf(target), null, "nothing was created");
                assert.deepEqual(await workDatabases(target), []);
            }
            const through = await runCliProcess(
                [
                    "staging",
                    "refresh",
                    "--from-db",
                    prod.url,
                    "--to-db",
                    pg.urlFor(target),
                    ...staging,
                    "--via",
                    "s3://snapshots/staging",
                    "--s3-endpoint",
                    s3.endpoint,
                ],
                { env },
            );
            assert.equal(through.code, 0, through.stderr);
            assert.ok(fs.readdirSync(path.join(s3.directory, "snapshots", "staging")).length > 0, "the snapshot went to the bucket");
        } finally {
            await s3.stop();
        }
    });

    it("refuses a source with large objects for the streaming copy before the copy is created, pointing at --via", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("wdb_lo_src");
        await query(prod.url, "SELECT lo_from_bytea(0, 'an attachment kept the old way'::bytea)");
        const target = `wdb_lo_${process.pid}`;
        const run = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", pg.urlFor(target), ...staging]);
        assert.equal(run.code, 3, run.stderr);
        assert.match(run.stderr, /holds 1 large objects.*--via/);
        assert.equal(await oidOf(target), null);
        assert.deepEqual(await workDatabases(target), []);
    });

    it("checks --admin-password-file before the swap, and writes it 0600 (tightening an existing file)", async () => {
        const pg = await testPostgres();
        const prod = await fixtureDatabase("wdb_pw_src");
        const target = { name: `wdb_pw_${process.pid}`, url: pg.urlFor(`wdb_pw_${process.pid}`) };
        const unwritable = await cli([
            "staging",
            "refresh",
            "--from-db",
            prod.url,
            "--to-db",
            target.url,
            ...staging,
            "--admin-password-file",
            "/proc/odoo-platform/admin-password",
        ]);
        assert.equal(unwritable.code, 2, unwritable.stderr);
        assert.match(unwritable.stderr, /--admin-password-file/);
        assert.equal(await oidOf(target.name), null, "nothing was swapped in");

        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wdb-pw-")), "admin-password");
        fs.writeFileSync(file, "old\n", { mode: 0o644 });
        fs.chmodSync(file, 0o644);
        const ok = await cli(["staging", "refresh", "--from-db", prod.url, "--to-db", target.url, ...staging, "--admin-password-file", file]);
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.notEqual(fs.readFileSync(file, "utf8"), "old\n");
    });
});
