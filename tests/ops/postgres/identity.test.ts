/**
 * Database identity from what the server says, and the odoo-platform mark on the databases it
 * creates: the same database reached by different URLs is the same; a copy or another server is
 * not; a mark copied to another database is void.
 */
import * as assert from "node:assert/strict";
import { Client } from "pg";
import { parseDatabaseUrl } from "../../../ops/postgres/connect";
import { copyOfSameCluster, describeServer, readDatabaseIdentity, sameDatabase, sameServer, ServerIdentity } from "../../../ops/postgres/identity";
import { markText, parseMark, readMark, writeMark } from "../../../ops/postgres/managed";
import { startThrowawayPostgres } from "../../../testing/throwawayPostgres";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { query } from "../../support/smallDb";

async function identityOf(url: string) {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return await readDatabaseIdentity(client);
    } finally {
        await client.end();
    }
}

describe("database identity and the odoo-platform mark", function () {
    this.timeout(60000);

    it("is the same database through TCP, another host spelling and the Unix socket; another database or server is not", async () => {
        const pg = await testPostgres();
        const db = await freshDatabase("ident");
        const tcp = await identityOf(db.url);
        const localhost = await identityOf(db.url.replace("127.0.0.1", "localhost"));
        const socket = await identityOf(`postgresql:///${db.name}?host=${encodeURIComponent(pg.socketDir)}&port=${pg.port}&user=postgres`);
        assert.ok(sameDatabase(tcp, localhost) && sameDatabase(tcp, socket));
        assert.equal(socket.server.address, null, "a socket connection reports no address");
        assert.match(describeServer(socket.server), /a Unix socket, port \d+/);
        const other = await identityOf((await freshDatabase("ident_other")).url);
        assert.ok(sameServer(tcp.server, other.server) && !sameDatabase(tcp, other));

        const second = await startThrowawayPostgres();
        try {
            const elsewhere = await identityOf(second.url);
            assert.equal(sameServer(tcp.server, elsewhere.server), false);
        } finally {
            second.stop();
        }
    });

    it("tells a physical copy of a cluster (same system identifier, another start) from the server itself", () => {
        const a: ServerIdentity = { systemIdentifier: "7714", startedAt: "2026-01-01T00:00:00.000000Z", address: "10.0.0.1", port: 5432, version: "15" };
        const replica = { ...a, startedAt: "2026-01-02T00:00:00.000000Z", address: "10.0.0.2" };
        assert.equal(sameServer(a, replica), false);
        assert.equal(copyOfSameCluster(a, replica), true);
        assert.equal(sameServer(a, { ...a, address: null }), true, "the address is how we reached it, not what it is");
    });

    it("decodes a database name once", () => {
        assert.equal(parseDatabaseUrl("postgresql://u@h/stg%2541").database, "stg%41");
        assert.equal(parseDatabaseUrl("postgresql://u@h/stg%41").database, "stgA");
    });

    it("marks a database; the mark survives a rename, is not copied by TEMPLATE, and is void when copied by hand", async () => {
        const pg = await testPostgres();
        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        try {
            const db = await freshDatabase("marked");
            const mark = await writeMark(admin, db.name, { createdBy: "test", state: "building", sanitized: false });
            assert.equal((await readMark(admin, db.name))!.mark!.oid, mark.oid);
            await admin.query(`ALTER DATABASE "${db.name}" RENAME TO "${db.name}_renamed"`);
            assert.ok((await readMark(admin, `${db.name}_renamed`))!.mark, "a rename keeps the OID, and so the mark");

            await admin.query(`CREATE DATABASE "${db.name}_tpl" TEMPLATE "${db.name}_renamed"`);
            assert.equal((await readMark(admin, `${db.name}_tpl`))!.mark, null, "CREATE DATABASE … TEMPLATE does not copy the comment");

            const forged = await freshDatabase("forged");
            await admin.query(`COMMENT ON DATABASE "${forged.name}" IS '${markText(mark).replace(/'/g, "''")}'`);
            const reading = (await readMark(admin, forged.name))!;
            assert.equal(reading.mark, null);
            assert.match(reading.problem!, /was written for database OID \d+ .* it was copied here/);
            assert.equal(parseMark("odoo-platform:managed {not json", reading.identity).problem, "its odoo-platform mark is not valid JSON");
            assert.equal(parseMark("a comment someone wrote", reading.identity).mark, null);
        } finally {
            await admin.end();
        }
    });

    it("a mark does not travel through pg_dump without --create (PostgreSQL 11+ dumps database comments only with it)", async () => {
        const pg = await testPostgres();
        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        try {
            const db = await freshDatabase("dumped");
            await query(db.url, "CREATE TABLE t (id int)");
            await writeMark(admin, db.name, { createdBy: "test", state: "verified", sanitized: true });
            const { spawnSync } = await import("node:child_process");
            const dump = spawnSync(`${pg.binDir}/pg_dump`, ["-d", db.url], { encoding: "utf8" });
            assert.equal(dump.status, 0, dump.stderr);
            assert.doesNotMatch(dump.stdout, /odoo-platform:managed/);
        } finally {
            await admin.end();
        }
    });
});
