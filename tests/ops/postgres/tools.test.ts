import * as assert from "node:assert/strict";
import { exitCodeOf } from "../../../ops/cli/exitCodes";
import { assertDumpCompatible, assertRestoreCompatible, findClientBinDir, serverMajor, splitPassword, toolMajorVersion } from "../../../ops/postgres/tools";

describe("PostgreSQL client programs", () => {
    it("moves passwords out of URLs (userinfo and ?password=) so they never reach a command line", () => {
        assert.deepEqual(splitPassword("postgresql://odoo:s3cr%40t@db:5432/prod"), { url: "postgresql://odoo@db:5432/prod", password: "s3cr@t" });
        assert.deepEqual(splitPassword("postgresql://odoo@db/prod?sslmode=require&password=pw&application_name=x"), {
            url: "postgresql://odoo@db/prod?sslmode=require&application_name=x",
            password: "pw",
        });
        assert.deepEqual(splitPassword("postgresql:///prod?host=/run/pg&password=pw"), { url: "postgresql:///prod?host=/run/pg", password: "pw" });
        assert.deepEqual(splitPassword("postgresql://odoo@db/prod"), { url: "postgresql://odoo@db/prod", password: undefined });
    });

    it("refuses a pg_dump older than the server with the fix in the message", () => {
        assert.equal(serverMajor(160004), 16);
        assert.doesNotThrow(() => assertDumpCompatible(16, 150014, "/bin"));
        assert.throws(
            () => assertDumpCompatible(15, 160004, "/usr/lib/postgresql/15/bin"),
            (err: Error & { exitCode?: number }) => {
                assert.match(err.message, /pg_dump 15 .* cannot dump a PostgreSQL 16 server: install .*postgresql-client-16.*PG_BIN/);
                assert.equal(exitCodeOf(err), 2);
                return true;
            },
        );
        assert.throws(() => assertRestoreCompatible(15, 16, "/bin"), /written by pg_dump 16.*pg_restore .* is version 15/);
    });

    it("finds the installed client programs and reads their major version", () => {
        const dir = findClientBinDir();
        const { major } = toolMajorVersion(dir, "pg_dump");
        assert.ok(major >= 15, `pg_dump major ${major}`);
    });
});
