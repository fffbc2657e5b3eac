import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createSnapshot } from "../../../ops/snapshot/create";
import { freshDatabase } from "../../support/postgres";
import { seedSmallDb } from "../../support/smallDb";

const projectDir = path.resolve(__dirname, "../../..");
const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["bin/odoo-platform.js", ...args], {
        cwd: projectDir,
        encoding: "utf8",
        env: { ...process.env, ODOO_PLATFORM_QUIET: "1" },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe("odoo-platform snapshot (CLI)", function () {
    this.timeout(60000);

    it("verifies a snapshot as JSON, and exits 1 naming the damaged file", async () => {
        const source = await freshDatabase("cli_src");
        await seedSmallDb(source.url, { partners: 50, lines: 100 });
        const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-cli-")), "snap");
        await createSnapshot({ dbUrl: source.url, to: dir });

        const ok = cli("snapshot", "verify", "--from", dir, "--json");
        assert.equal(ok.code, 0, ok.stderr);
        const report = JSON.parse(ok.stdout);
        assert.equal(report.ok, true);
        assert.equal(report.id, "snap");

        fs.appendFileSync(path.join(dir, "db", "toc.dat"), "x");
        const bad = cli("snapshot", "verify", "--from", dir);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /error: snapshot .* refused, nothing was changed: db\/toc\.dat has \d+ bytes, the manifest says \d+/);
    });

    it("exits 2 on bad usage, before touching anything", () => {
        const missing = cli("snapshot", "create", "--to", "/tmp/nowhere");
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /required option '--db <url>'/);
        const badUrl = cli("snapshot", "restore", "--from", "/tmp/x", "--db", "mysql://x/y", "--json");
        assert.equal(badUrl.code, 2);
        assert.match(JSON.parse(badUrl.stdout).error, /--from .* holds no manifest.json|must be a PostgreSQL URL/);
        const jobs = cli("snapshot", "create", "--db", "postgresql://x/y", "--to", "/tmp/nowhere", "--jobs", "0");
        assert.equal(jobs.code, 2);
        assert.match(jobs.stderr, /--jobs must be a whole number from 1 to 64/);
    });
});
