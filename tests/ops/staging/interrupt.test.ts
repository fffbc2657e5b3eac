import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createSnapshot } from "../../../ops/snapshot/create";
import { restoreSnapshot } from "../../../ops/snapshot/restore";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { markManaged } from "../../support/managed";
import { query, seedSmallDb } from "../../support/smallDb";

const projectDir = path.resolve(__dirname, "../../..");

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

describe("interrupted restore (kill -9)", function () {
    this.timeout(180000);

    it("leaves the live database intact and serving; the next run drops the leftover and succeeds", async () => {
        const pg = await testPostgres();
        const source = await freshDatabase("intr_src");
        await seedSmallDb(source.url, { partners: 20000, lines: 400000 });
        const snap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-intr-")), "snap");
        await createSnapshot({ dbUrl: source.url, to: snap });
        const target = await freshDatabase("intr_dst");
        await seedSmallDb(target.url, { partners: 5, lines: 5, marker: "live staging" });
        await markManaged(target.name);

        // The CLI in its own process group, as a CI job would run it.
        const child = spawn(process.execPath, ["bin/odoo-platform.js", "snapshot", "restore", "--from", snap, "--db", target.url, "--jobs", "1"], {
            cwd: projectDir,
            detached: true,
            stdio: ["ignore", "ignore", "pipe"],
            env: { ...process.env, ODOO_PLATFORM_QUIET: "1" },
        });
        let stderr = "";
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        try {
            // Mid-restore: a COPY is loading rows into the new database.
            const candidate = await waitFor("a COPY into the new database", async () => {
                const rows = await query<{ datname: string }>(
                    pg.url,
                    `SELECT datname FROM pg_stat_activity WHERE datname LIKE '${target.name}__restore_%' AND query ILIKE 'COPY %' LIMIT 1`,
                );
                if (!rows.length && child.exitCode !== null) throw new Error(`the restore ended before it could be interrupted: ${stderr}`);
                return rows[0]?.datname;
            });
            process.kill(child.pid!, "SIGKILL");
            assert.equal(await exited, null);

            // The live database is exactly as it was, and queryable.
            const [marker] = await query<{ note: string }>(target.url, "SELECT note FROM marker");
            assert.equal(marker.note, "live staging");
            const [count] = await query<{ n: string }>(target.url, "SELECT count(*)::text AS n FROM account_move_line");
            assert.equal(count.n, "5");

            // The next run cleans the leftover up and finishes the job.
            const report = await restoreSnapshot({ from: snap, dbUrl: target.url });
            assert.ok(report.cleanup.droppedDatabases.includes(candidate), `dropped ${report.cleanup.droppedDatabases.join(", ")}; expected ${candidate}`);
            const [after] = await query<{ n: string }>(target.url, "SELECT count(*)::text AS n FROM account_move_line");
            assert.equal(after.n, "400000");
            const left = await query<{ datname: string }>(pg.url, `SELECT datname FROM pg_database WHERE datname LIKE '${target.name}__%'`);
            assert.deepEqual(
                left.map((r) => r.datname),
                [report.swap.previous],
                "only the previous generation is kept",
            );
        } finally {
            // pg_restore children outlive their killed parent: end the group this test started.
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                // already gone
            }
        }
    });
});
