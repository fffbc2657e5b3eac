import * as assert from "node:assert/strict";
import { forSchema, loadMigrations, migrateEvidence } from "../../../ops/evidence/migrate";
import { parseDatabaseUrl } from "../../../ops/postgres/connect";
import { runCli } from "../../support/cli";
import { query } from "../../support/evidence";
import { freshDatabase } from "../../support/postgres";

/** A repository's database that already has an `ops` schema of its own, with its own ops.deployments. */
describe("evidence migrate next to an existing ops schema", () => {
    it("refuses (exit 2, naming the tables), in a dry run too, and changes nothing; --schema gives the evidence its own", async () => {
        const { url } = await freshDatabase("existing_ops");
        await query(
            url,
            "CREATE SCHEMA ops; CREATE TABLE ops.deployments (id serial PRIMARY KEY, app text, deployed_on date); CREATE TABLE ops.releases (tag text)",
        );
        for (const args of [[], ["--dry-run"]]) {
            const r = await runCli(["evidence", "migrate", "--evidence-db", url, ...args]);
            assert.equal(r.code, 2, r.stderr);
            assert.match(
                r.stderr,
                /schema ops on .* already holds ops\.deployments, ops\.releases, which evidence migrate did not create: nothing was changed/,
            );
            assert.match(r.stderr, /--schema <name>/);
        }
        const tables = await query<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ops' ORDER BY 1");
        assert.deepEqual(
            tables.map((t: { table_name: string }) => t.table_name),
            ["deployments", "releases"],
        );

        const report = await migrateEvidence(parseDatabaseUrl(url), { schema: "platform_evidence" });
        assert.equal(report.version, loadMigrations().length);
        const ours = await query<{ table_name: string }>(
            url,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'platform_evidence' ORDER BY 1",
        );
        assert.deepEqual(
            ours.map((t: { table_name: string }) => t.table_name),
            ["builds", "deployments", "health_checks", "migrations", "schema_migrations"],
        );
        const columns = await query<{ column_name: string }>(
            url,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ops' AND table_name = 'deployments' ORDER BY ordinal_position",
        );
        assert.deepEqual(
            columns.map((c: { column_name: string }) => c.column_name),
            ["id", "app", "deployed_on"],
            "the existing table is untouched",
        );
        // Run again: nothing to do; the append-only triggers are on the new schema's tables.
        assert.deepEqual((await migrateEvidence(parseDatabaseUrl(url), { schema: "platform_evidence" })).applied, []);
        const triggers = await query<{ tgname: string }>(
            url,
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'platform_evidence.deployments'::regclass AND NOT tgisinternal ORDER BY 1",
        );
        assert.deepEqual(
            triggers.map((t) => t.tgname),
            ["deployments_append_only", "deployments_no_poison", "deployments_no_truncate", "deployments_stamp"],
        );
    });

    it("rewrites only schema references when migrating another schema", () => {
        assert.equal(
            forSchema("CREATE TABLE ops.builds (x int); GRANT USAGE ON SCHEMA ops TO ops_writer; 'ops.% is'", "ev"),
            "CREATE TABLE ev.builds (x int); GRANT USAGE ON SCHEMA ev TO ops_writer; 'ev.% is'",
        );
        assert.equal(forSchema("CREATE TABLE ops.builds ()", "ops"), "CREATE TABLE ops.builds ()");
    });
});
