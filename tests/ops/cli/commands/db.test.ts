import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectTo, fixtureDatabase } from "../../../support/odoo";

const bin = path.join(__dirname, "..", "..", "..", "..", "bin", "odoo-platform.js");

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
        execFile(process.execPath, [bin, ...args], { env: { ...process.env, ODOO_PLATFORM_QUIET: "1", ...env }, timeout: 120_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

const json = (run: Run) => JSON.parse(run.stdout);
const staging = ["--base-url", "https://staging.acme.test"];

describe("odoo-platform db (end to end, spawned)", function () {
    this.timeout(300_000);

    it("acceptance: planted production data → sanitize + neutralize → verify exits 0; a re-activated cron or an undeclared table with an e-mail → exit 1 naming it", async () => {
        const db = await fixtureDatabase("cli_accept");
        const sanitize = await cli(["db", "sanitize", "--db", db.url, "--confirm", db.name, "--json"], { ODOO_PLATFORM_SANITIZE_SEED: "cli-seed" });
        assert.equal(sanitize.code, 0, sanitize.stderr);
        assert.equal(json(sanitize).financial.applied, true);
        const passwordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "neutralize-")), "admin-password");
        // Still production-like after sanitize (crons, mail servers): the operator names it.
        const neutralize = await cli([
            "db",
            "neutralize",
            "--db",
            db.url,
            ...staging,
            "--mail-host",
            "mailpit",
            "--mail-port",
            "1025",
            "--admin-password-file",
            passwordFile,
            "--confirm",
            db.name,
        ]);
        assert.equal(neutralize.code, 0, neutralize.stderr);
        const password = fs.readFileSync(passwordFile, "utf8").trim();
        assert.match(password, /^[A-Za-z0-9_-]{24}$/);
        assert.equal((fs.statSync(passwordFile).mode & 0o777).toString(8), "600");
        assert.ok(!neutralize.stdout.includes(password) && !neutralize.stderr.includes(password), "the password is only in the file");

        const verify = await cli(["db", "verify", "--db", db.url, ...staging, "--mail-host", "mailpit", "--json"]);
        assert.equal(verify.code, 0, verify.stdout);
        assert.equal(json(verify).ok, true);

        const client = await connectTo(db.url);
        await client.query("UPDATE ir_cron SET active = true WHERE cron_name = 'Mail: Fetchmail Service'");
        await client.query("CREATE TABLE x_shop_order (id serial PRIMARY KEY, buyer_contact varchar)");
        await client.query("INSERT INTO x_shop_order (buyer_contact) VALUES ('Ship to j.smith@outlook.com')");
        await client.end();
        const failing = await cli(["db", "verify", "--db", db.url, ...staging, "--mail-host", "mailpit"]);
        assert.equal(failing.code, 1);
        assert.match(failing.stdout, /ir_cron\.active: 1 scheduled action\(s\) active besides base\.autovacuum_job.*Mail: Fetchmail Service/);
        assert.match(failing.stdout, /x_shop_order\.buyer_contact: 1 row\(s\) .* e-mail address/);

        const strict = await cli(["db", "sanitize", "--db", db.url, "--strict", "--seed", "cli-seed"]);
        assert.equal(strict.code, 0, strict.stderr);
        assert.match(strict.stdout, /strict scrub: .*x_shop_order\.buyer_contact/);
        const after = await cli(["db", "verify", "--db", db.url, ...staging, "--mail-host", "mailpit", "--json"]);
        assert.deepEqual(
            json(after).findings.map((f: { table: string; column: string }) => `${f.table}.${f.column}`),
            ["ir_cron.active"],
        );
    });

    it("exits 2 on bad usage and 4 on an unreachable database, with a message that says what to fix, before changing anything", async () => {
        const db = await fixtureDatabase("cli_usage");
        const missing = await cli(["db", "neutralize", "--db", db.url]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--base-url/);
        const badUrl = await cli(["db", "neutralize", "--db", db.url, "--base-url", "staging.acme.test", "--json"]);
        assert.equal(badUrl.code, 2);
        assert.match(json(badUrl).error, /absolute http\(s\) URL/);
        const halfCatcher = await cli(["db", "neutralize", "--db", db.url, ...staging, "--mail-host", "mailpit"]);
        assert.equal(halfCatcher.code, 2);
        assert.match(halfCatcher.stderr, /--mail-host and --mail-port together/);
        const unreachable = await cli(["db", "verify", "--db", "postgresql://nobody@127.0.0.1:1/nothing"]);
        assert.equal(unreachable.code, 4);
        assert.match(unreachable.stderr, /cannot connect .*is the server running/);
        const notUrl = await cli(["db", "sanitize", "--db", "prod-db"]);
        assert.equal(notUrl.code, 2);
        assert.match(notUrl.stderr, /must be a PostgreSQL URL/);
        const client = await connectTo(db.url);
        const { rows } = await client.query("SELECT count(*)::int AS n FROM ir_cron WHERE active");
        await client.end();
        assert.ok(rows[0].n > 1, "nothing was neutralized");
    });

    it("runs Odoo's own neutralize first with --odoo-bin, and stops (exit 1, nothing changed) when it fails", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-bin-"));
        const log = path.join(dir, "calls");
        const script = (exit: number) => {
            const file = path.join(dir, `odoo-bin-${exit}`);
            fs.writeFileSync(
                file,
                `#!/bin/sh\necho "$@ PGPASSWORD=\${PGPASSWORD:-none}" >> ${log}\n${exit ? 'echo "THE DATABASE IS NOT NEUTRALIZED!" >&2\n' : ""}exit ${exit}\n`,
                { mode: 0o755 },
            );
            return file;
        };
        const db = await fixtureDatabase("cli_odoobin");
        const failing = await cli(["db", "neutralize", "--db", db.url, ...staging, "--odoo-bin", script(1), "--confirm", db.name]);
        assert.equal(failing.code, 1);
        assert.match(failing.stderr, /Odoo's own neutralize failed .*nothing else was changed[\s\S]*NOT NEUTRALIZED/);
        const ok = await cli(["db", "neutralize", "--db", db.url, ...staging, "--odoo-bin", script(0), "--json", "--confirm", db.name], { PGPASSWORD: "pw" });
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(json(ok).odooNeutralize.exitCode, 0);
        const calls = fs.readFileSync(log, "utf8").trim().split("\n");
        assert.match(calls[1], new RegExp(`^neutralize -d ${db.name} --db_host 127\\.0\\.0\\.1 --db_port \\d+ --db_user postgres PGPASSWORD=pw$`));
    });
});
