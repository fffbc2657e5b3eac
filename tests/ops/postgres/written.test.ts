/** Which tables a transaction wrote, as the steps after a streamed copy report them. */
import * as assert from "node:assert/strict";
import { Client } from "pg";
import { tablesWrittenInTransaction } from "../../../ops/postgres/written";
import { freshDatabase } from "../../support/postgres";

describe("tables written in a transaction (ops/postgres/written.ts)", function () {
    this.timeout(60000);

    it("names every table the transaction inserted into, updated or deleted from, in any schema, and none it only read or left untouched", async () => {
        const db = await freshDatabase("written");
        const setup = new Client({ connectionString: db.url });
        await setup.connect();
        await setup.query(`CREATE TABLE ins (x int); CREATE TABLE upd (x int); CREATE TABLE del (x int); CREATE TABLE readonly (x int); CREATE TABLE noop (x int);
                CREATE SCHEMA other; CREATE TABLE other.t (x int); INSERT INTO upd VALUES (1); INSERT INTO del VALUES (1); INSERT INTO readonly VALUES (1); INSERT INTO noop VALUES (1)`);
        await setup.end();
        // A session of its own: counts of its earlier, not yet flushed transactions would show too.
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
            await client.query("BEGIN");
            await client.query(
                "INSERT INTO ins VALUES (1); UPDATE upd SET x = 2; DELETE FROM del; SELECT * FROM readonly; UPDATE noop SET x = 3 WHERE false; INSERT INTO other.t VALUES (1)",
            );
            assert.deepEqual(await tablesWrittenInTransaction(client), ["other.t", "del", "ins", "upd"]);
            await client.query("COMMIT");
            await client.query("BEGIN");
            await client.query("SET LOCAL track_counts = off");
            await client.query("INSERT INTO ins VALUES (2)");
            assert.equal(await tablesWrittenInTransaction(client), null, "no counts: nobody can say");
            await client.query("ROLLBACK");
        } finally {
            await client.end();
        }
    });
});
