import * as assert from "node:assert/strict";
import { evidenceDatabase, query } from "../../support/evidence";

const digest = `sha256:${"a".repeat(64)}`;
const insertDeployment = `
    INSERT INTO ops.deployments (environment, stack, git_sha, image_reference, image_digest, status, started_at)
    VALUES ('production', 'production', 'abc1234', 'ghcr.io/o/odoo@${digest}', '${digest}', 'succeeded', now())
    RETURNING id, recorded_by`;

describe("evidence is append-only", () => {
    it("ops_writer can INSERT … RETURNING but cannot UPDATE, DELETE or TRUNCATE", async () => {
        const db = await evidenceDatabase("append_only");
        const [row] = await query<{ id: string; recorded_by: string }>(db.writerUrl, insertDeployment);
        assert.ok(Number(row.id) > 0);
        assert.equal(row.recorded_by, "ops_writer");

        await assert.rejects(query(db.writerUrl, "UPDATE ops.deployments SET status = 'failed'"), /permission denied for table deployments/);
        await assert.rejects(query(db.writerUrl, "DELETE FROM ops.deployments"), /permission denied for table deployments/);
        await assert.rejects(query(db.writerUrl, "TRUNCATE ops.deployments"), /permission denied for table deployments/);
        await assert.rejects(
            query(db.writerUrl, "INSERT INTO ops.schema_migrations (version, name, checksum, execution_ms) VALUES (99, 'x', 'x', 0)"),
            /permission denied/,
        );
        await assert.rejects(query(db.readerUrl, insertDeployment), /permission denied for table deployments/);
        const [{ status }] = await query<{ status: string }>(db.url, "SELECT status FROM ops.deployments");
        assert.equal(status, "succeeded");
    });

    it("even a misconfigured grant cannot rewrite history: the trigger rejects UPDATE/DELETE/TRUNCATE for non-owners", async () => {
        const db = await evidenceDatabase("append_only_grant");
        await query(db.writerUrl, insertDeployment);
        await query(db.url, "GRANT UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA ops TO ops_writer");
        await assert.rejects(
            query(db.writerUrl, "UPDATE ops.deployments SET status = 'failed'"),
            /ops\.deployments is append-only evidence: UPDATE is not allowed for role ops_writer/,
        );
        await assert.rejects(query(db.writerUrl, "DELETE FROM ops.deployments"), /append-only evidence: DELETE/);
        await assert.rejects(query(db.writerUrl, "TRUNCATE ops.migrations"), /ops\.migrations is append-only evidence: TRUNCATE/);
        const rows = await query(db.url, "SELECT 1 FROM ops.deployments");
        assert.equal(rows.length, 1);
        // The owner may still correct a record by hand.
        await query(db.url, "UPDATE ops.deployments SET url = 'https://corrected.example.com'");
    });

    it("the database stamps recorded_at and recorded_by: a writer cannot backdate evidence", async () => {
        const db = await evidenceDatabase("append_only_stamp");
        const [row] = await query<{ recorded_at: Date; recorded_by: string }>(
            db.writerUrl,
            `
            INSERT INTO ops.health_checks (environment, url, http_ok, database_ok, ok, recorded_at, recorded_by)
            VALUES ('staging', 'https://staging.example.com', true, true, true, '2001-01-01', 'someone_else')
            RETURNING recorded_at, recorded_by`,
        );
        assert.equal(row.recorded_by, "ops_writer");
        assert.ok(Date.now() - row.recorded_at.getTime() < 60_000);
    });

    it("check constraints refuse unknown statuses, environments and unpinned images", async () => {
        const db = await evidenceDatabase("append_only_checks");
        await assert.rejects(query(db.writerUrl, insertDeployment.replace("'succeeded'", "'done'")), /deployments_status_known/);
        await assert.rejects(query(db.writerUrl, insertDeployment.replace("'production', 'production'", "'qa', 'qa'")), /deployments_environment_name/);
        await assert.rejects(
            query(db.writerUrl, insertDeployment.replace(`'${digest}', 'succeeded'`, "'latest', 'succeeded'")),
            /deployments_image_digest_format/,
        );
        await assert.rejects(query(db.writerUrl, insertDeployment.replace("'succeeded'", "'rolled_back'")), /deployments_rollback_names_sha/);
    });
});
