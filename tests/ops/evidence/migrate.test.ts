import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { loadMigrations, migrateEvidence, migrationChecksum, planMigrations } from "../../../ops/evidence/migrate";
import { evidenceColumns, parseEnvironment, parsePinnedImage, stampColumns } from "../../../ops/evidence/schema";
import { parseDatabaseUrl } from "../../../ops/postgres/connect";
import { evidenceDatabase, query } from "../../support/evidence";
import { freshDatabase, testPostgres } from "../../support/postgres";

async function schemaDump(url: string): Promise<string> {
    const pg = await testPostgres();
    const result = spawnSync(path.join(pg.binDir, "pg_dump"), ["--schema-only", "--schema=ops", "--no-owner", url], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    // pg_dump wraps its output in \restrict / \unrestrict lines holding a random key.
    return result.stdout.replace(/^\\(un)?restrict .*$/gm, "");
}

describe("evidence migrate", () => {
    it("numbers migrations without gaps and checksums them", () => {
        const migrations = loadMigrations();
        assert.deepEqual(
            migrations.map((m) => m.version),
            migrations.map((_, i) => i + 1),
        );
        assert.ok(migrations.length >= 2);
        assert.equal(migrationChecksum("a\r\nb"), migrationChecksum("a\nb"));
        assert.notEqual(migrationChecksum("a"), migrationChecksum("b"));
    });

    it("plans: pending after the applied ones; refuses edited or unknown applied migrations", () => {
        const known = loadMigrations();
        const first = { version: 1, name: known[0].name, checksum: known[0].checksum };
        assert.deepEqual(
            planMigrations(known, [first]).pending.map((m) => m.version),
            known.slice(1).map((m) => m.version),
        );
        const edited = planMigrations(known, [{ ...first, checksum: "sha256:00" }]);
        assert.deepEqual(edited.pending, []);
        assert.match(edited.problems[0], /migration 1 \(0001_evidence_tables\.sql\) was edited after it was applied/);
        assert.match(planMigrations(known, [first, { version: 99, name: "future", checksum: "x" }]).problems[0], /migration 99 \(future\).*does not know/);
    });

    it("run twice on an empty database: the second run applies nothing and the schema is identical", async () => {
        const { url } = await freshDatabase("migrate_twice");
        const db = parseDatabaseUrl(url);
        const first = await migrateEvidence(db);
        assert.deepEqual(
            first.applied.map((a) => a.version),
            loadMigrations().map((m) => m.version),
        );
        const dumpAfterFirst = await schemaDump(url);
        const second = await migrateEvidence(db);
        assert.deepEqual(second.applied, []);
        assert.equal(second.version, first.version);
        assert.equal(await schemaDump(url), dumpAfterFirst);
        assert.match(dumpAfterFirst, /CREATE TABLE ops\.deployments/);
        const applied = await query<{ version: number }>(url, "SELECT version FROM ops.schema_migrations ORDER BY version");
        assert.deepEqual(
            applied.map((r) => r.version),
            first.applied.map((a) => a.version),
        );
    });

    it("two concurrent runs do not race: one applies, the other finds nothing to do", async () => {
        const { url } = await freshDatabase("migrate_race");
        const db = parseDatabaseUrl(url);
        const [a, b] = await Promise.all([migrateEvidence(db), migrateEvidence(db)]);
        const appliedCounts = [a.applied.length, b.applied.length].sort();
        assert.deepEqual(appliedCounts, [0, loadMigrations().length]);
    });

    it("refuses to run when an applied migration was edited, and changes nothing", async () => {
        const { url } = await freshDatabase("migrate_edited");
        const db = parseDatabaseUrl(url);
        const known = loadMigrations();
        await migrateEvidence(db, { migrations: known.slice(0, 1) });
        const edited = known.map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: migrationChecksum(`${m.sql}\n-- edited`) } : m));
        await assert.rejects(migrateEvidence(db, { migrations: edited }), /0001_evidence_tables\.sql\) was edited after it was applied/);
        const applied = await query(url, "SELECT version FROM ops.schema_migrations");
        assert.equal(applied.length, 1, "migration 2 must not have been applied");
    });

    it("a failing migration applies nothing at all", async () => {
        const { url } = await freshDatabase("migrate_fail");
        const db = parseDatabaseUrl(url);
        const broken = [...loadMigrations(), { version: 3, name: "broken", file: "0003_broken.sql", sql: "SELECT * FROM no_such_table", checksum: "sha256:x" }];
        await assert.rejects(migrateEvidence(db, { migrations: broken }), /0003_broken\.sql failed, nothing was applied/);
        const [{ present }] = await query<{ present: boolean }>(url, "SELECT to_regclass('ops.deployments') IS NOT NULL AS present");
        assert.equal(present, false);
    });

    it("dry run reports pending migrations and creates nothing", async () => {
        const { url } = await freshDatabase("migrate_dry");
        const report = await migrateEvidence(parseDatabaseUrl(url), { dryRun: true });
        assert.equal(report.pending.length, loadMigrations().length);
        const [{ present }] = await query<{ present: boolean }>(url, "SELECT to_regnamespace('ops') IS NOT NULL AS present");
        assert.equal(present, false);
    });

    it("the column contract in schema.ts is exactly what the database has", async () => {
        const { url } = await evidenceDatabase("contract");
        for (const [table, columns] of Object.entries(evidenceColumns)) {
            const rows = await query<{ column_name: string }>(
                url,
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ops' AND table_name = $1",
                [table],
            );
            assert.deepEqual(rows.map((r) => r.column_name).sort(), [...columns, ...stampColumns].sort(), `ops.${table}`);
        }
    });
});

describe("evidence schema helpers", () => {
    const d = `sha256:${"c".repeat(64)}`;
    it("reads pinned images, dropping tags but not registry ports; refuses bare digests and tags", () => {
        assert.deepEqual(parsePinnedImage(`registry.local:5000/team/odoo:17.0@${d}`, "x"), {
            repository: "registry.local:5000/team/odoo",
            digest: d,
            reference: `registry.local:5000/team/odoo@${d}`,
        });
        assert.throws(() => parsePinnedImage(d, "--image"), /--image must be a pinned image reference/);
        assert.throws(() => parsePinnedImage("odoo:17.0", "--image"), /pinned/);
    });
    it("accepts stack names as environments, qualified or not", () => {
        assert.equal(parseEnvironment("org/odoo-platform/pr-42", "x"), "pr-42");
        assert.throws(() => parseEnvironment("prod", "--environment"), /unknown environment "prod"/);
    });
});
