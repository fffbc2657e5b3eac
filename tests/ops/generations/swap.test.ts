import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { exitCodeOf } from "../../../ops/cli/exitCodes";
import { acquireTargetLock, createDatabase, databaseExists, swapDatabases } from "../../../ops/postgres/databases";
import { workDatabaseName, workDirectoryName } from "../../../ops/generations/names";
import { parseRetention } from "../../../ops/cli/commands/staging";
import { cleanupLeftovers, swapIn } from "../../../ops/generations/swap";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { markManaged } from "../../support/managed";
import { query } from "../../support/smallDb";

async function admin(): Promise<Client> {
    const pg = await testPostgres();
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    return client;
}

async function withMarker(prefix: string, note: string): Promise<{ name: string; url: string }> {
    const db = await freshDatabase(prefix);
    await query(db.url, `CREATE TABLE marker (note text); INSERT INTO marker VALUES ('${note}')`);
    return db;
}

const note = async (url: string) => (await query<{ note: string }>(url, "SELECT note FROM marker"))[0].note;

describe("database swap and cleanup", function () {
    this.timeout(60000);
    let client: Client;
    before(async () => {
        client = await admin();
    });
    after(async () => {
        await client?.end();
    });

    it("swaps in one transaction, ending sessions on the old database, and reports the downtime", async () => {
        const target = await withMarker("swap_live", "old");
        const candidate = await withMarker("swap_cand", "new");
        const session = new Client({ connectionString: target.url });
        await session.connect();
        session.on("error", () => undefined);
        const sessionEnded = new Promise<void>((resolve) => session.once("end", resolve));

        const stamp = "20260101000000";
        const result = await swapDatabases(client, {
            target: target.name,
            candidate: candidate.name,
            previous: workDatabaseName(target.name, "previous", stamp),
        });
        assert.equal(result.previous, workDatabaseName(target.name, "previous", stamp));
        assert.ok(result.unavailableSeconds >= 0 && result.attempts >= 1);
        await sessionEnded;
        assert.equal(await note(target.url), "new");
        const pg = await testPostgres();
        assert.equal(await note(pg.urlFor(result.previous!)), "old", "the old database is kept under its previous name");
        assert.equal(await databaseExists(client, candidate.name), false);
    });

    it("changes nothing when the swap cannot happen", async () => {
        const target = await withMarker("swap_keep", "old");
        await assert.rejects(
            swapDatabases(client, {
                target: target.name,
                candidate: "does_not_exist_anywhere",
                previous: workDatabaseName(target.name, "previous", "20260101000000"),
            }),
            /does_not_exist_anywhere does not exist/,
        );
        const candidate = await withMarker("swap_keep_c", "new");
        const taken = workDatabaseName(target.name, "previous", "20260101000001");
        await createDatabase(client, taken);
        await assert.rejects(swapDatabases(client, { target: target.name, candidate: candidate.name, previous: taken }), /already exists/);
        assert.equal(await note(target.url), "old");
        assert.equal(await note(candidate.url), "new");
    });

    it("keeps serving through the swap: every probe sees the old or the new database, and the new one afterwards", async () => {
        const target = await withMarker("swap_probe", "old");
        const candidate = await withMarker("swap_probe_c", "new");
        const seen: string[] = [];
        let stop = false;
        const probe = (async () => {
            while (!stop) {
                const c = new Client({ connectionString: target.url });
                c.on("error", () => undefined);
                try {
                    await c.connect();
                    seen.push((await c.query("SELECT note FROM marker")).rows[0].note);
                } catch {
                    seen.push("unavailable");
                } finally {
                    await c.end().catch(() => undefined);
                }
            }
        })();
        await new Promise((r) => setTimeout(r, 200));
        const report = await swapIn(client, { serverUrl: (await testPostgres()).url, target: target.name, candidate: candidate.name, stamp: "20260101000002" });
        await new Promise((r) => setTimeout(r, 200));
        stop = true;
        await probe;
        assert.equal(report.previousKept, true, "the replaced database is kept as the previous generation");
        assert.equal(await databaseExists(client, workDatabaseName(target.name, "previous", "20260101000002")), true);
        assert.ok(seen.includes("old") && seen[seen.length - 1] === "new", `probe saw ${[...new Set(seen)].join(", ")}`);
        assert.ok(seen.every((s) => ["old", "new", "unavailable"].includes(s)));
        assert.ok(seen.lastIndexOf("old") < seen.indexOf("new"), "never the old database after the new one");
    });

    it("lets only one run work on a target at a time, whichever database each run connected to", async () => {
        const pg = await testPostgres();
        const other = new Client({ connectionString: pg.urlFor("template1") });
        await other.connect();
        try {
            const first = await acquireTargetLock(client, pg.url, "locked_target");
            assert.equal(first.home, "postgres");
            await assert.rejects(acquireTargetLock(other, pg.urlFor("template1"), "locked_target"), (err: Error) => {
                assert.match(err.message, /another restore or refresh of database locked_target is running \(server process \d+/);
                assert.equal(exitCodeOf(err), 4);
                return true;
            });
            await first.release();
            const second = await acquireTargetLock(other, pg.urlFor("template1"), "locked_target");
            await second.release();
        } finally {
            await other.end();
        }
    });

    it("cleans up what interrupted runs left, and completes a filestore swap cut off after the database swap committed", async () => {
        const target = await withMarker("swap_clean", "live");
        const stampA = "20260101000003";
        const stampB = "20260101000004";
        await createDatabase(client, workDatabaseName(target.name, "restore", stampA));
        await createDatabase(client, workDatabaseName(target.name, "previous", stampB));
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-fs-"));
        const live = path.join(root, target.name);
        fs.mkdirSync(live);
        fs.writeFileSync(path.join(live, "which"), "old files");
        const stale = workDirectoryName(live, "restore", stampA);
        fs.mkdirSync(stale);
        const cutOff = workDirectoryName(live, "restore", stampB);
        fs.mkdirSync(cutOff);
        fs.writeFileSync(path.join(cutOff, "which"), "new files");

        const serverUrl = (await testPostgres()).url;
        const report = await cleanupLeftovers(client, { target: target.name, serverUrl, filestore: live });
        assert.deepEqual(report.droppedDatabases, [workDatabaseName(target.name, "restore", stampA)]);
        assert.deepEqual(report.removedDirectories, [stale]);
        assert.deepEqual(report.completedFilestoreSwaps, [cutOff]);
        assert.deepEqual(report.previousDatabases, [workDatabaseName(target.name, "previous", stampB)]);
        assert.equal(fs.readFileSync(path.join(live, "which"), "utf8"), "new files");
        assert.equal(await note(target.url), "live");

        const again = await cleanupLeftovers(client, { target: target.name, serverUrl, filestore: live, dropPrevious: true });
        assert.deepEqual(again.droppedDatabases, [workDatabaseName(target.name, "previous", stampB)]);
        assert.deepEqual(fs.readdirSync(root), [target.name]);
    });

    it("drops only leftovers it made (marked) or empty ones; a look-alike holding data is left alone and reported", async () => {
        const pg = await testPostgres();
        const target = await withMarker("swap_alike", "live");
        const ours = workDatabaseName(target.name, "restore", "20260101000005");
        const empty = workDatabaseName(target.name, "restore", "20260101000006");
        const alike = workDatabaseName(target.name, "restore", "20260101000007");
        for (const name of [ours, empty, alike]) await createDatabase(client, name);
        await query(pg.urlFor(ours), "CREATE TABLE half (id int)");
        await markManaged(ours, "building");
        await query(pg.urlFor(alike), "CREATE TABLE someone_elses (id int); INSERT INTO someone_elses VALUES (1)");
        const report = await cleanupLeftovers(client, { target: target.name, serverUrl: pg.url });
        assert.deepEqual(report.droppedDatabases.sort(), [ours, empty].sort());
        assert.deepEqual(report.leftAlone, [alike]);
        assert.equal(await databaseExists(client, alike), true);
    });

    it("keeps one previous generation until its retention runs out (staging refresh --retention, staging cleanup --retention)", async () => {
        const pg = await testPostgres();
        const target = await withMarker("swap_keep", "live");
        const old = workDatabaseName(target.name, "previous", "20260101000000");
        await createDatabase(client, old);
        await query(pg.urlFor(old), "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('previous')");
        await markManaged(old);
        const now = new Date("2026-01-05T00:00:00Z");
        const kept = await cleanupLeftovers(client, { target: target.name, serverUrl: pg.url, retentionMs: parseRetention("7d"), now });
        assert.deepEqual(kept.previousDatabases, [old], "4 days old, 7 days of retention: kept for staging rollback");
        assert.deepEqual(kept.droppedDatabases, []);
        const expired = await cleanupLeftovers(client, { target: target.name, serverUrl: pg.url, retentionMs: parseRetention("3d"), now });
        assert.deepEqual(expired.droppedDatabases, [old], "past 3 days of retention: dropped");
        assert.equal(await databaseExists(client, old), false);
        assert.equal(await note(target.url), "live");
        assert.throws(() => parseRetention("a week"), /--retention must be a duration such as 7d/);
    });
});
