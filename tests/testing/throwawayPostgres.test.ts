import * as assert from "node:assert/strict";
import { Client } from "pg";
import { freshDatabase, testPostgres } from "../support/postgres";

describe("throwaway PostgreSQL", () => {
    it("starts a real server that accepts queries, over TCP and over its Unix socket", async () => {
        const { url, name } = await freshDatabase("harness");
        const client = new Client({ connectionString: url });
        await client.connect();
        const { rows } = await client.query("SELECT current_database() AS db, current_setting('server_version_num')::int AS v");
        await client.end();
        assert.equal(rows[0].db, name);
        assert.ok(rows[0].v >= 150000, `server version ${rows[0].v}`);

        const pg = await testPostgres();
        const socketClient = new Client({ connectionString: `postgresql://postgres@/${name}?host=${pg.socketDir}&port=${pg.port}` });
        await socketClient.connect();
        const res = await socketClient.query("SELECT 1 AS one");
        await socketClient.end();
        assert.equal(res.rows[0].one, 1);
    });
});
