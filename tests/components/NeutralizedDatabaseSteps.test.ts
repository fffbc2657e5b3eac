/**
 * The four steps NeutralizedDatabase declares, run exactly as their containers run them — the ops
 * image's entrypoint (`node bin/odoo-platform.js`) with the step's argument vector, PGPASSWORD from
 * the environment, the filestore volume at a directory — against a real PostgreSQL and a sanitized
 * snapshot (database and filestore) of the Odoo-shaped fixture; then the cleanup the stack runs on
 * destroy.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { idleSteps, neutralizedDatabaseSteps, stepNames } from "../../components/NeutralizedDatabase";
import { connectTo, fixtureDatabase } from "../support/odoo";
import { freshDatabase, testPostgres } from "../support/postgres";

const projectDir = path.resolve(__dirname, "../..");
const cli = path.join(projectDir, "bin", "odoo-platform.js");

describe("NeutralizedDatabase steps on a real database", function () {
    this.timeout(180_000);

    it("restore → neutralize → verify → swap leaves a verified, neutralized staging database with its filestore; destroy's cleanup drops a pending copy", async () => {
        const production = await fixtureDatabase("nd_prod");
        const target = await freshDatabase("nd_stage");
        const pg = await testPostgres();
        const owner = `nd_owner_${process.pid}`;
        const admin = await connectTo(pg.url);
        await admin.query(`CREATE ROLE ${owner} LOGIN`);
        await admin.end();

        const work = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-nd-"));
        const snapshot = path.join(work, "snap");
        const productionFiles = path.join(work, "production-filestore", production.name);
        fs.mkdirSync(path.join(productionFiles, "ab"), { recursive: true });
        fs.writeFileSync(path.join(productionFiles, "ab", "abcdef0123"), "an attachment");
        const filestoreRoot = path.join(work, "volume");
        fs.mkdirSync(filestoreRoot);
        const passwordDir = path.join(work, "secrets");
        fs.mkdirSync(passwordDir);

        const run = (argv: string[]) =>
            spawnSync(process.execPath, [cli, ...argv], { cwd: projectDir, encoding: "utf8", env: { ...process.env, ODOO_PLATFORM_QUIET: "1" } });
        const created = run(["snapshot", "create", "--db", production.url, "--to", snapshot, "--filestore", productionFiles, "--sanitize", "--seed", "test"]);
        assert.equal(created.status, 0, created.stderr);

        const url = new URL(pg.url);
        const server = { host: url.hostname, port: Number(url.port), adminUser: decodeURIComponent(url.username), sslMode: "disable" };
        const baseUrl = "https://staging.acme.test";
        const pending = `${target.name}__pending`;
        const steps = neutralizedDatabaseSteps({
            server,
            database: target.name,
            owner,
            baseUrl,
            mailCatcher: { host: "mailpit", port: 1025 },
            allowedDomains: ["example.com", "staging.acme.test"],
            pending,
            snapshotUri: snapshot,
            filestoreRoot,
        });
        // The container writes the password into its secrets volume; here a directory stands in for it.
        steps.neutralize = steps.neutralize.map((a) => (a.startsWith("/run/odoo-platform/secrets/") ? path.join(passwordDir, path.basename(a)) : a));
        for (const step of stepNames) {
            const result = run(steps[step]);
            assert.equal(result.status, 0, `${step} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
            // The new admin password is never printed (it lands in the file only).
            const password = fs.existsSync(path.join(passwordDir, "admin-password"))
                ? fs.readFileSync(path.join(passwordDir, "admin-password"), "utf8").trim()
                : undefined;
            if (password) assert.ok(!`${result.stdout}${result.stderr}`.includes(password), `${step} printed the admin password`);
        }
        assert.ok(fs.readFileSync(path.join(passwordDir, "admin-password"), "utf8").trim().length >= 16, "the admin password is in the secrets volume");
        assert.equal(fs.statSync(path.join(passwordDir, "admin-password")).mode & 0o077, 0, "readable by its owner only");

        // The filestore came with the snapshot and now sits under the live database's name.
        assert.equal(fs.readFileSync(path.join(filestoreRoot, target.name, "ab", "abcdef0123"), "utf8"), "an attachment");
        assert.ok(!fs.existsSync(path.join(filestoreRoot, pending)), "the candidate's directory was moved, not copied");

        const staging = await connectTo(target.url);
        try {
            const param = async (key: string) => (await staging.query("SELECT value FROM ir_config_parameter WHERE key = $1", [key])).rows[0]?.value;
            assert.equal(await param("web.base.url"), baseUrl);
            assert.equal(await param("database.is_neutralized"), "true");
            const servers = await staging.query("SELECT DISTINCT smtp_host FROM ir_mail_server WHERE active");
            assert.deepEqual(
                servers.rows.map((r) => r.smtp_host),
                ["mailpit"],
            );
        } finally {
            await staging.end();
        }

        // A refresh whose verify failed leaves <db>__pending; the cleanup the stack runs on destroy drops it.
        const again = run(steps.restore);
        assert.equal(again.status, 0, again.stderr);
        const exists = async (name: string) => {
            const c = await connectTo(pg.url);
            try {
                return (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
            } finally {
                await c.end();
            }
        };
        assert.ok(await exists(pending));
        const cleanup = run(["staging", "cleanup", "--db", target.url, "--drop-pending", "--drop-previous"]);
        assert.equal(cleanup.status, 0, cleanup.stderr);
        assert.equal(await exists(pending), false, "the pending copy survived the cleanup");
        assert.ok(await exists(target.name), "the live database is kept");

        // Without a snapshot yet, every step only cleans up and succeeds.
        for (const argv of Object.values(idleSteps(server, target.name))) assert.equal(run(argv).status, 0);
    });
});
