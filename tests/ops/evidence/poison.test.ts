/**
 * Evidence cannot be poisoned by its writer: the database refuses timestamps in the future (a
 * "succeeded" deployment finishing in 2099 would stay the current one for ever) and explicit ids
 * (the next real insert would collide), and URLs are stored without their credentials.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../support/cli";
import { evidenceDatabase, query } from "../../support/evidence";
import { freshDatabase } from "../../support/postgres";

const digest = `sha256:${"b".repeat(64)}`;
const deployment = (finishedAt: string, id?: number) => `
    INSERT INTO ops.deployments (${id ? "id, " : ""}environment, stack, git_sha, image_reference, image_digest, status, started_at, finished_at)
    ${id ? "OVERRIDING SYSTEM VALUE" : ""}
    VALUES (${id ? `${id}, ` : ""}'production', 'production', 'abc1234', 'ghcr.io/o/odoo@${digest}', '${digest}', 'succeeded', now() - interval '1 minute', ${finishedAt})
    RETURNING id`;

describe("evidence cannot be poisoned", () => {
    it("refuses a deployment finishing (or starting) in the future", async () => {
        const db = await evidenceDatabase("poison_future");
        await assert.rejects(query(db.writerUrl, deployment("'2099-01-01'")), /in the future/);
        await assert.rejects(
            query(
                db.writerUrl,
                `
            INSERT INTO ops.health_checks (environment, url, http_ok, database_ok, ok, checked_at)
            VALUES ('staging', 'https://staging.example.com', true, true, true, now() + interval '1 day')`,
            ),
            /in the future/,
        );
        await assert.rejects(
            query(
                db.writerUrl,
                `
            INSERT INTO ops.builds (git_sha, branch, commit_message, author, committed_at, built_at, lock_hash, lock_files, image_reference, image_digest)
            VALUES ('abc1234', 'main', 'm', 'a', now(), '2099-01-01', 'sha256:${"c".repeat(64)}', '{package-lock.json}', 'ghcr.io/o/odoo@${digest}', '${digest}')`,
            ),
            /in the future/,
        );
        // A little clock skew between the CI runner and the database is not the future.
        await query(db.writerUrl, deployment("now() + interval '30 seconds'"));
        const rows = await query(db.url, "SELECT 1 FROM ops.deployments");
        assert.equal(rows.length, 1);
    });

    it("refuses explicit ids from the writer, so the next real insert never collides", async () => {
        const db = await evidenceDatabase("poison_ids");
        await assert.rejects(query(db.writerUrl, deployment("now()", 2)), /ids are assigned by the database/);
        const [first] = await query<{ id: string }>(db.writerUrl, deployment("now()"));
        const [second] = await query<{ id: string }>(db.writerUrl, deployment("now()"));
        assert.equal(Number(second.id), Number(first.id) + 1);
    });

    it("stores a health check's URL without the credentials it was given", async () => {
        const evidence = await evidenceDatabase("poison_url");
        const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status": "pass"}'));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        const { url: dbUrl } = await freshDatabase("poison_odoo");
        await query(
            dbUrl,
            "CREATE TABLE ir_module_module (name varchar, latest_version varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', '17.0.1.3', 'installed')",
        );
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "poison-"));
        try {
            const run = await runCli([
                "health",
                "--url",
                `http://admin:hunter2-s3cret@127.0.0.1:${port}/?access_token=tok-s3cret`,
                "--db",
                dbUrl,
                "--environment",
                "staging",
                "--evidence-db",
                evidence.writerUrl,
                "--evidence-dir",
                path.join(dir, "evidence"),
                "--json",
            ]);
            assert.equal(run.code, 0, run.stderr);
            const rows = await query<Record<string, unknown>>(evidence.url, "SELECT * FROM ops.health_checks");
            const stored = JSON.stringify(rows);
            assert.doesNotMatch(stored, /hunter2-s3cret|tok-s3cret/);
            assert.match(String(rows[0].url), new RegExp(`^http://127\\.0\\.0\\.1:${port}/web/health`));
            const files = fs.readdirSync(path.join(dir, "evidence"), { recursive: true }).map(String);
            for (const f of files) {
                const p = path.join(dir, "evidence", f);
                if (fs.statSync(p).isFile()) assert.doesNotMatch(fs.readFileSync(p, "utf8"), /hunter2-s3cret|tok-s3cret/, f);
            }
            assert.doesNotMatch(run.stdout + run.stderr, /hunter2-s3cret|tok-s3cret/);
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });
});
