/**
 * Faults that end a run half-way: a full disk (a real tmpfs, or — where mounting is refused — a
 * file-size limit), a PostgreSQL server stopping mid-run (two real clusters: the production one
 * and the staging one), a reader that closes the pipe (EPIPE), a client program killed under the
 * CLI. Each must end with ONE error line naming what failed and how to recover, an exit code by
 * class, nothing half-built left behind, and no session of ours left on production.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { createOdooSchema, seedOdooFixture } from "../../../testing/odooFixture";
import { startThrowawayPostgres, ThrowawayPostgres } from "../../../testing/throwawayPostgres";
import { createSnapshot } from "../../../ops/snapshot/create";
import { errorLines, projectDir, runCliProcess, startCli } from "../../support/cliProcess";
import { fixtureDatabase } from "../../support/odoo";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { query, seedSmallDb } from "../../support/smallDb";

const staging = ["--base-url", "https://staging.example.com", "--mail-host", "mailpit", "--mail-port", "1025", "--seed", "faults"];

/** Sessions the CLI (application_name odoo-platform…) still holds on a server, other than ours. */
async function ourSessions(url: string): Promise<{ datname: string; state: string; application_name: string }[]> {
    return query(
        url,
        "SELECT datname, state, application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'odoo-platform%' AND pid <> pg_backend_pid()",
    );
}

/** No session of the CLI left on production once it exited (the server may take a moment to notice a killed client). */
async function productionReleased(url: string): Promise<void> {
    const until = Date.now() + 5000;
    for (;;) {
        const left = await ourSessions(url);
        if (!left.length) return;
        if (Date.now() > until) assert.fail(`sessions left on production after the CLI exited: ${JSON.stringify(left)}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 60000): Promise<void> {
    for (const until = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 20))) {
        if (await probe()) return;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    }
}

async function databasesLike(url: string, prefix: string): Promise<string[]> {
    return (await query<{ datname: string }>(url, `SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}') ORDER BY 1`)).map((r) => r.datname);
}

/** A small full disk: a real tmpfs (we are root in CI), or null where mounting is refused. */
function smallDisk(bytes: number): { dir: string; release(): void } | null {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-full-"));
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]);
    if (mounted.status !== 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        return null;
    }
    return {
        dir,
        release: () => {
            spawnSync("umount", [dir]);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

describe("faults end cleanly (real processes, real servers)", function () {
    this.timeout(300000);
    let prod: { name: string; url: string };

    before(async () => {
        prod = await fixtureDatabase("flt_prod", { scale: 0.03 });
    });

    describe("disk full", () => {
        let disk: ReturnType<typeof smallDisk>;
        before(function () {
            disk = smallDisk(1024 * 1024);
            if (!disk) {
                console.log("    (skipped: mount -t tmpfs is refused here; the file-size-limit variant below still runs)");
                this.skip();
            }
        });
        after(() => disk?.release());

        it("snapshot create --sanitize into a full disk: one line, exit 4, the half-written snapshot removed, production released", async () => {
            const to = path.join(disk!.dir, "snap");
            const run = await runCliProcess(["snapshot", "create", "--db", prod.url, "--to", to, "--sanitize", "--seed", "x"], { timeoutMs: 90000 });
            assert.equal(run.timedOut, false, `the CLI did not exit: ${run.stderr}`);
            assert.equal(run.code, 4, run.stderr);
            const lines = errorLines(run.stderr);
            assert.equal(lines.length, 1, run.stderr);
            assert.match(lines[0], /no space left on device/i);
            assert.match(lines[0], /free space|another --to/);
            assert.equal(fs.existsSync(to), false, "the half-written snapshot is gone");
            await productionReleased(prod.url);
        });

        it("staging refresh --via a full disk: one line, exit 4, nothing swapped, nothing left", async () => {
            const pg = await testPostgres();
            const target = `flt_via_${process.pid}`;
            const run = await runCliProcess(["staging", "refresh", "--from-db", prod.url, "--to-db", pg.urlFor(target), "--via", disk!.dir, ...staging], {
                timeoutMs: 90000,
            });
            assert.equal(run.timedOut, false, `the CLI did not exit: ${run.stderr}`);
            assert.equal(run.code, 4, run.stderr);
            assert.equal(errorLines(run.stderr).length, 1, run.stderr);
            assert.match(run.stderr, /no space left on device/i);
            assert.deepEqual(fs.readdirSync(disk!.dir), []);
            assert.deepEqual(await databasesLike(pg.url, target), []);
            await productionReleased(prod.url);
        });
    });

    it("a file-size limit (ulimit -f) cut: the same clean end", async () => {
        const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-fsize-")), "snap");
        const script = `ulimit -f 256; exec "${process.execPath}" bin/odoo-platform.js snapshot create --db "${prod.url}" --to "${to}" --sanitize --seed x`;
        const started = spawnSync("bash", ["-c", script], {
            cwd: projectDir,
            encoding: "utf8",
            timeout: 90000,
            env: { ...process.env, ODOO_PLATFORM_QUIET: "1" },
        });
        assert.equal(started.error, undefined, "the CLI exited in time");
        assert.equal(started.status, 4, started.stderr);
        assert.equal(errorLines(started.stderr).length, 1, started.stderr);
        assert.match(started.stderr, /file too large|EFBIG/i);
        assert.equal(fs.existsSync(to), false);
        await productionReleased(prod.url);
    });

    it("snapshot create --to a place that cannot hold files is refused before production is read", async () => {
        for (const to of ["/proc/odoo-platform-snapshot", "/etc/hostname/snap"]) {
            const run = await runCliProcess(["snapshot", "create", "--db", prod.url, "--to", to], { timeoutMs: 30000 });
            assert.equal(run.timedOut, false);
            assert.equal(run.code, 2, `${to}: ${run.stderr}`);
            assert.equal(errorLines(run.stderr).length, 1, run.stderr);
            assert.match(run.stderr, /--to/);
        }
    });

    describe("a server stops mid-run (two clusters)", () => {
        let source: ThrowawayPostgres;
        let sourceUrl: string;

        beforeEach(async () => {
            source = await startThrowawayPostgres();
            const c = new Client({ connectionString: source.url });
            await c.connect();
            await c.query("CREATE DATABASE prod");
            await c.end();
            sourceUrl = source.urlFor("prod");
            const p = new Client({ connectionString: sourceUrl });
            await p.connect();
            await createOdooSchema(p, { version: "17.0" });
            await seedOdooFixture(p, { scale: 0.05, seed: "faults", version: "17.0" });
            await p.end();
        });
        afterEach(() => source?.stop());

        it("production stops: one line naming it, exit 4, the half-built copy dropped, staging untouched", async () => {
            const pg = await testPostgres();
            const target = await freshDatabase("flt_src_down");
            await query(target.url, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('live')");
            const run = startCli(["staging", "refresh", "--from-db", sourceUrl, "--to-db", target.url, ...staging, "--confirm", target.name, "--jobs", "1"], {
                timeoutMs: 90000,
            });
            await waitUntil(
                "the copy to start",
                async () =>
                    (await query(pg.url, `SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, '${target.name}__restore_') AND query ILIKE 'COPY %'`))
                        .length > 0 || run.child.exitCode !== null,
            );
            source.halt("immediate");
            const done = await run.done;
            assert.equal(done.timedOut, false, done.stderr);
            assert.equal(done.code, 4, done.stderr);
            assert.doesNotMatch(done.stderr, /Unhandled 'error' event|\n\s+at /);
            const lines = errorLines(done.stderr);
            assert.equal(lines.length, 1, done.stderr);
            assert.match(lines[0], /production|--from-db|source/i);
            assert.deepEqual(await databasesLike(pg.url, `${target.name}__`), [], "the half-built copy was dropped");
            assert.deepEqual(await query(target.url, "SELECT note FROM marker"), [{ note: "live" }]);
        });

        it("staging's server stops: one line naming it, exit 4, production released; the next run drops the leftover", async () => {
            // Roles swapped: production on the test cluster, staging on the second one.
            const target = "stg";
            const targetUrl = source.urlFor(target);
            await query(source.url, "DROP DATABASE prod");
            const run = startCli(["staging", "refresh", "--from-db", prod.url, "--to-db", targetUrl, ...staging, "--jobs", "1"], { timeoutMs: 90000 });
            await waitUntil(
                "the copy to start",
                async () => (await databasesLike(source.url, `${target}__restore_`)).length > 0 || run.child.exitCode !== null,
            );
            await waitUntil(
                "rows to flow",
                async () =>
                    (
                        await query(
                            source.url,
                            `SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, '${target}__restore_') AND query ILIKE 'COPY %'`,
                        ).catch(() => [])
                    ).length > 0 || run.child.exitCode !== null,
            );
            source.halt("immediate");
            const done = await run.done;
            assert.equal(done.timedOut, false, done.stderr);
            assert.equal(done.code, 4, done.stderr);
            assert.doesNotMatch(done.stderr, /Unhandled 'error' event|\n\s+at /);
            assert.equal(errorLines(done.stderr).length, 1, done.stderr);
            assert.match(done.stderr, /staging cleanup|next run/);
            await productionReleased(prod.url);

            source.resume();
            const leftover = await databasesLike(source.url, `${target}__restore_`);
            assert.equal(leftover.length, 1);
            const cleanup = await runCliProcess(["staging", "cleanup", "--db", targetUrl, "--json"]);
            assert.equal(cleanup.code, 0, cleanup.stderr);
            assert.deepEqual(JSON.parse(cleanup.stdout).droppedDatabases, leftover);
        });
    });

    it("a client program killed under the CLI: one line naming it, exit 1, nothing left, production released", async () => {
        const pg = await testPostgres();
        const target = `flt_child_${process.pid}`;
        const run = startCli(["staging", "refresh", "--from-db", prod.url, "--to-db", pg.urlFor(target), ...staging, "--jobs", "1"], { timeoutMs: 90000 });
        let victim: number | undefined;
        await waitUntil("a psql pump", async () => {
            if (!(await databasesLike(pg.url, `${target}__restore_`)).length) return run.child.exitCode !== null;
            // ps exits 1 when the CLI has no child at this instant.
            const listed = spawnSync("ps", ["-o", "pid=,comm=", "--ppid", String(run.child.pid)], { encoding: "utf8" }).stdout ?? "";
            const children = listed.trim().split("\n").filter(Boolean);
            const psql = children.map((l) => l.trim().split(/\s+/)).find(([, comm]) => comm === "psql");
            victim = psql ? Number(psql[0]) : undefined;
            return victim !== undefined || run.child.exitCode !== null;
        }).catch(() => undefined);
        if (!victim) assert.fail(`no psql child caught: ${JSON.stringify(await run.done)}`);
        process.kill(victim!, "SIGKILL");
        const done = await run.done;
        assert.equal(done.timedOut, false, done.stderr);
        assert.equal(done.code, 1, done.stderr);
        assert.equal(errorLines(done.stderr).length, 1, done.stderr);
        assert.match(done.stderr, /psql .*killed by SIGKILL/);
        assert.deepEqual(await databasesLike(pg.url, target), []);
        await productionReleased(prod.url);
    });

    it("a reader that closes the pipe (EPIPE) does not crash the CLI with a stack trace", async () => {
        const small = await freshDatabase("flt_epipe");
        await seedSmallDb(small.url, { partners: 20, lines: 20 });
        const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-epipe-")), "snap");
        await createSnapshot({ dbUrl: small.url, to: dir });
        const child = spawn(
            "bash",
            ["-c", `"${process.execPath}" bin/odoo-platform.js snapshot verify --from "${dir}" --json | true; echo "\${PIPESTATUS[0]}" >&2`],
            { cwd: projectDir, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ODOO_PLATFORM_QUIET: "1" } },
        );
        let stderr = "";
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
        await new Promise((r) => child.on("close", r));
        assert.doesNotMatch(stderr, /Unhandled 'error' event|\n\s+at |EPIPE.*\n.*at /);
        const status = Number(stderr.trim().split("\n").pop());
        assert.ok([0, 1].includes(status), `exit ${status}: ${stderr}`);
    });
});
