import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { healthUrl, parseDuration } from "../../../ops/evidence/health";
import { runCli } from "../../support/cli";
import { evidenceCounts, evidenceDatabase, query } from "../../support/evidence";
import { freshDatabase } from "../../support/postgres";

/** A stand-in for Odoo's HTTP side: answers /web/health with the queued responses, then the last one forever. */
async function fakeOdoo(
    responses: { status: number; body: string; delayMs?: number }[],
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
    let hits = 0;
    const server = http.createServer((req, res) => {
        const r = responses[Math.min(hits, responses.length - 1)];
        hits++;
        if (req.url !== "/web/health") {
            res.writeHead(404).end();
            return;
        }
        setTimeout(() => res.writeHead(r.status, { "content-type": "application/json" }).end(r.body), r.delayMs ?? 0);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        hits: () => hits,
        close: () =>
            new Promise((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

async function odooDb(baseState = "installed"): Promise<string> {
    const { url } = await freshDatabase("health_odoo");
    await query(
        url,
        `CREATE TABLE ir_module_module (name varchar, latest_version varchar, state varchar); INSERT INTO ir_module_module VALUES ('base', '17.0.1.3', '${baseState}')`,
    );
    return url;
}

const pass = { status: 200, body: '{"status": "pass"}' };

describe("health", () => {
    it("builds the health URL and reads durations", () => {
        assert.equal(healthUrl("https://erp.example.com"), "https://erp.example.com/web/health");
        assert.equal(healthUrl("http://127.0.0.1:8069/web/health"), "http://127.0.0.1:8069/web/health");
        assert.equal(parseDuration("2m", "--wait", 0), 120_000);
        assert.equal(parseDuration("500ms", "--wait", 0), 500);
        assert.equal(parseDuration(undefined, "--wait", 7), 7);
    });

    it("healthy: HTTP 200 pass and an Odoo database; the result is recorded", async () => {
        const evidence = await evidenceDatabase("health_ok");
        const odoo = await fakeOdoo([pass]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "health-"));
        try {
            const run = await runCli([
                "health",
                "--url",
                odoo.url,
                "--db",
                await odooDb(),
                "--environment",
                "staging",
                "--git-sha",
                "abc1234",
                "--evidence-db",
                evidence.writerUrl,
                "--evidence-dir",
                path.join(dir, "evidence"),
                "--json",
            ]);
            assert.equal(run.code, 0, run.stderr);
            assert.equal(run.json.ok, true);
            const [row] = await query<Record<string, any>>(evidence.url, "SELECT * FROM ops.health_checks");
            assert.equal(Number(row.id), run.json.id);
            assert.deepEqual(
                [row.environment, row.git_sha, row.url, row.http_status, row.http_ok, row.database_ok, row.ok, row.attempts],
                ["staging", "abc1234", `${odoo.url}/web/health`, 200, true, true, true, 1],
            );
            // The report feeds `evidence deployment --health`.
            fs.writeFileSync(path.join(dir, "health.json"), run.stdout);
            assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "health.json"), "utf8")).id, run.json.id);
        } finally {
            await odoo.close();
        }
    });

    it("unhealthy (HTTP 500, or a database without Odoo) exits 1 and is recorded as such", async () => {
        const evidence = await evidenceDatabase("health_bad");
        const odoo = await fakeOdoo([{ status: 500, body: "Internal Server Error" }]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "health-"));
        try {
            const run = await runCli([
                "health",
                "--url",
                odoo.url,
                "--db",
                (await freshDatabase("health_empty")).url,
                "--environment",
                "production",
                "--evidence-db",
                evidence.writerUrl,
                "--evidence-dir",
                path.join(dir, "evidence"),
            ]);
            assert.equal(run.code, 1);
            assert.match(run.stdout, /UNHEALTHY/);
            assert.match(run.stdout, /FAIL http .* 500 .*HTTP 500 \(expected 200\)/);
            assert.match(run.stdout, /FAIL database .*not an Odoo database/);
            const [row] = await query<Record<string, any>>(evidence.url, "SELECT http_ok, database_ok, ok FROM ops.health_checks");
            assert.deepEqual({ ...row }, { http_ok: false, database_ok: false, ok: false });
        } finally {
            await odoo.close();
        }
    });

    it("waits for a container that is still starting, and times out a hanging one", async () => {
        const odoo = await fakeOdoo([{ status: 503, body: "" }, { status: 502, body: "" }, pass]);
        const db = await odooDb();
        try {
            const run = await runCli(["health", "--url", odoo.url, "--db", db, "--wait", "5s", "--interval", "50ms", "--no-record", "--json"]);
            assert.equal(run.code, 0, run.stdout);
            assert.equal(run.json.attempts, 3);
        } finally {
            await odoo.close();
        }
        const slow = await fakeOdoo([{ ...pass, delayMs: 2_000 }]);
        try {
            const run = await runCli(["health", "--url", slow.url, "--db", db, "--timeout", "200ms", "--no-record", "--json"]);
            assert.equal(run.code, 1);
            assert.equal(run.json.http.error, "no answer within 200 ms");
        } finally {
            await slow.close();
        }
    });

    it("bad usage is exit 2 and records nothing", async () => {
        const evidence = await evidenceDatabase("health_usage");
        const db = await odooDb();
        const noEnv = await runCli(["health", "--url", "http://127.0.0.1:9", "--db", db, "--evidence-db", evidence.writerUrl]);
        assert.equal(noEnv.code, 2);
        assert.match(noEnv.stderr, /--environment: no environment given/);
        const badUrl = await runCli(["health", "--url", "erp.example.com", "--db", db, "--no-record"]);
        assert.equal(badUrl.code, 2);
        assert.match(badUrl.stderr, /--url must be an http\(s\) URL/);
        assert.deepEqual(await evidenceCounts(evidence.url), { builds: 0, health_checks: 0, deployments: 0, migrations: 0 });
    });
});
