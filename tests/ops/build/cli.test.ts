/**
 * The commands a developer and the workflows run: `tests report`, `status set`, `modules plan`,
 * `promote` — their reports, exit codes and refusals before anything changes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checksumsParam, moduleChecksum } from "../../../ops/promotion/checksums";
import { runCli } from "../../support/cli";
import { connectTo } from "../../support/odoo";
import { odooDatabase } from "../../support/realOdoo";

const fixture = (name: string) => path.join(__dirname, "../../fixtures/odoo-logs", name);

/** The fixture's log without its provenance header (what the test step writes). */
function logFile(name: string): string {
    const lines = fs.readFileSync(fixture(name), "utf8").split("\n");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "log-")), "test.log");
    fs.writeFileSync(file, lines.slice(lines.findIndex((l) => !l.startsWith("#"))).join("\n"));
    return file;
}

describe("odoo-platform tests report / status set / modules plan / promote", () => {
    it("tests report: red exits 1 with the first failure and its traceback; green exits 0", async () => {
        const red = await runCli(["tests", "report", "--log", logFile("odoo18-odoosh-project-tour.log"), "--exit-code", "1"]);
        assert.equal(red.code, 1);
        assert.match(red.stdout, /^red: /);
        assert.match(red.stdout, /first failure: TestProjectUpdateUi.test_01_project_tour\nTraceback \(most recent call last\):/);
        const green = await runCli(["tests", "report", "--log", logFile("composed-odoo17-green.log"), "--exit-code", "0", "--json"]);
        assert.equal(green.code, 0);
        assert.equal(green.json.verdict, "green");
        const ignored = await runCli(["tests", "report", "--log", logFile("composed-odoo17-yellow.log"), "--ignore", "unknown parameter 'tracking'"]);
        assert.match(ignored.stdout, /^green: 3 tests, 0 failed, 0 warnings/);
        const missing = await runCli(["tests", "report", "--log", "/nonexistent/test.log"]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--log \/nonexistent\/test.log cannot be read/);
    });

    it("status set refuses a bad state, SHA or environment before calling GitHub", async () => {
        const state = await runCli(["status", "set", "--environment", "staging", "--sha", "abc1234", "--state", "green", "--description", "x"]);
        assert.equal(state.code, 2);
        assert.match(state.stderr, /--state must be one of pending, success, failure, error/);
        const env = await runCli(["status", "set", "--environment", "sandbox", "--sha", "abc1234", "--state", "success", "--description", "x"]);
        assert.equal(env.code, 2);
        assert.match(env.stderr, /--environment: no commit status context for environment "sandbox"/);
    });

    it("promote refuses bad usage with exit 2, nothing changed", async () => {
        const base = [
            "promote",
            "--sha",
            "b".repeat(40),
            "--image",
            `ghcr.io/x/odoo@sha256:${"b".repeat(64)}`,
            "--backup",
            "/tmp/none",
            "--db",
            "postgresql://u@h/odoo",
            "--evidence-db",
            "postgresql://u@h/ev",
        ];
        const env = await runCli([...base, "--environment", "pr-7"]);
        assert.equal(env.code, 2);
        assert.match(env.stderr, /--environment must be staging or production, got "pr-7"/);
        const window = await runCli([...base, "--health-window", "soon"]);
        assert.equal(window.code, 2);
        assert.match(window.stderr, /--health-window must be a whole number of seconds > 0, got "soon"/);
        const noDb = await runCli(["promote", "--sha", "b".repeat(40), "--image", "x", "--backup", "/tmp/none"]);
        assert.equal(noDb.code, 2);
    });

    it("modules plan: the changed module of this checkout against the checksums stored in a real Odoo database", async () => {
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "plan-repo-"));
        for (const m of ["sale_custom", "invoice_layout", "new_module"]) {
            fs.mkdirSync(path.join(repo, "addons", m), { recursive: true });
            fs.writeFileSync(path.join(repo, "addons", m, "__manifest__.py"), `{"name": "${m}", "version": "16.0.1.0.0"}\n`);
        }
        const db = await odooDatabase("modules_plan");
        const c = await connectTo(db.url);
        try {
            await c.query("DELETE FROM ir_module_module");
            await c.query(
                "INSERT INTO ir_module_module (id, name, state, latest_version) VALUES (1, 'sale_custom', 'installed', '16.0.1.0.0'), (2, 'invoice_layout', 'installed', '16.0.1.0.0')",
            );
            const stored = { sale_custom: moduleChecksum(path.join(repo, "addons/sale_custom")), invoice_layout: "sha256:" + "0".repeat(64) };
            await c.query("DELETE FROM ir_config_parameter WHERE key = $1", [checksumsParam]);
            await c.query("INSERT INTO ir_config_parameter (id, key, value) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM ir_config_parameter), $1, $2)", [
                checksumsParam,
                JSON.stringify(stored),
            ]);
        } finally {
            await c.end();
        }
        const run = await runCli(["modules", "plan", "--db", db.url, "--repo-dir", repo]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, "update: invoice_layout\ninstall: new_module\n");
    });
});
