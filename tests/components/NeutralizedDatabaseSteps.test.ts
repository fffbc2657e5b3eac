/**
 * The four command steps NeutralizedDatabase declares, run exactly as `pulumi up` would run them
 * (bash, the step's environment variables, `npx --no-install odoo-platform …` from the project
 * directory) against a real PostgreSQL and a sanitized snapshot of the Odoo-shaped fixture.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { neutralizedDatabaseCommands } from "../../components/NeutralizedDatabase";
import { connectTo, fixtureDatabase } from "../support/odoo";
import { freshDatabase, testPostgres } from "../support/postgres";

const projectDir = path.resolve(__dirname, "../..");

describe("NeutralizedDatabase steps on a real database", function () {
    this.timeout(180_000);

    it("restore → neutralize → verify → swap leaves a verified, neutralized staging database", async () => {
        const production = await fixtureDatabase("nd_prod");
        const target = await freshDatabase("nd_stage");
        const pg = await testPostgres();
        const owner = `nd_owner_${process.pid}`;
        const admin = await connectTo(pg.url);
        await admin.query(`CREATE ROLE ${owner} LOGIN`);
        await admin.end();

        const snapshot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-nd-")), "snap");
        const run = (command: string, env: Record<string, string>) =>
            spawnSync("bash", ["-c", command], { cwd: projectDir, encoding: "utf8", env: { ...process.env, ODOO_PLATFORM_QUIET: "1", ...env } });
        const created = run(`npx --no-install odoo-platform snapshot create --db "$SOURCE" --to "$SNAP" --sanitize --seed test`, { SOURCE: production.url, SNAP: snapshot });
        assert.equal(created.status, 0, created.stderr);

        const baseUrl = "https://staging.acme.test";
        const pending = `${target.name}__pending`;
        const commands = neutralizedDatabaseCommands({
            owner, baseUrl, mailCatcher: { host: "mailpit", port: 1025 }, allowedDomains: ["example.com", "staging.acme.test"], pending,
        });
        const env = { SNAPSHOT_URI: snapshot, PENDING_DB_URL: pg.urlFor(pending), TARGET_DB_URL: target.url };
        for (const step of ["restore", "neutralize", "verify", "swap"] as const) {
            const result = run(commands[step].create, env);
            assert.equal(result.status, 0, `${step} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
        }

        const staging = await connectTo(target.url);
        try {
            const param = async (key: string) => (await staging.query("SELECT value FROM ir_config_parameter WHERE key = $1", [key])).rows[0]?.value;
            assert.equal(await param("web.base.url"), baseUrl);
            assert.equal(await param("database.is_neutralized"), "true");
            const servers = await staging.query("SELECT DISTINCT smtp_host FROM ir_mail_server WHERE active");
            assert.deepEqual(servers.rows.map((r) => r.smtp_host), ["mailpit"]);
            const crons = await staging.query("SELECT count(*)::int AS n FROM ir_cron WHERE active");
            assert.ok(crons.rows[0].n <= 1, "only the autovacuum cron may stay active");
        } finally {
            await staging.end();
        }
        // Re-running verify on the live database (as the step would on the next deploy) still passes.
        const again = run(commands.verify.create, { PENDING_DB_URL: target.url });
        assert.equal(again.status, 0, again.stdout + again.stderr);
    });
});
