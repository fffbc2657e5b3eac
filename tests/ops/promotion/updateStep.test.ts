/**
 * Module updates by content hash, run for real: ops/build/odoo_steps.py `update` (the step the
 * update container runs inside the Odoo image) against a real PostgreSQL holding a real Odoo 16.0
 * schema, over an image-like tree with three addons-path entries (Odoo core, our addons, a
 * third-party repository fetched at build), with tests/support/fake-odoo.py in Odoo's place. Also:
 * the TypeScript twin computes the very same checksums.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { checksumFiles, checksumsParam, decideUpdates, fnmatchRegExp, moduleChecksum, stepResults } from "../../../ops/promotion/checksums";
import { moduleLocations } from "../../../ops/promotion/modules";
import { testPostgres } from "../../support/postgres";
import { fakeOdooBin, python, stepScript } from "../../support/odooSteps";
import { odooDatabase } from "../../support/realOdoo";

function write(file: string, content: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
}

const manifest = (name: string, version: string) => `{"name": "${name}", "version": "${version}", "depends": ["base"], "license": "LGPL-3"}\n`;

/** An image-like tree: /opt/odoo/addons (core), /mnt/extra-addons (ours), /mnt/oca/server-tools (fetched). */
function imageTree(): { root: string; addonsPath: string[] } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-image-"));
    const core = path.join(root, "odoo/addons");
    const ours = path.join(root, "extra-addons");
    const fetched = path.join(root, "oca/server-tools");
    for (const m of ["base", "web"]) write(path.join(core, m, "__manifest__.py"), manifest(m, "16.0.1.3"));
    write(path.join(core, "base/models/res_partner.py"), "# partner\n");
    for (const m of ["sale_custom", "invoice_layout"]) {
        write(path.join(ours, m, "__manifest__.py"), manifest(m, "16.0.1.0.0"));
        write(path.join(ours, m, "models/__init__.py"), "from . import model\n");
        write(path.join(ours, m, "models/model.py"), `# ${m}\n`);
        write(path.join(ours, m, "i18n/fr.po"), 'msgid "x"\nmsgstr "y"\n');
        write(path.join(ours, m, "i18n/de.po"), 'msgid "x"\nmsgstr "z"\n');
    }
    for (const m of ["base_tier_validation", "auditlog"]) {
        write(path.join(fetched, m, "__manifest__.py"), manifest(m, "16.0.2.0.0"));
        write(path.join(fetched, m, "models/rule.py"), `# ${m}\n`);
    }
    write(path.join(fetched, "requirements.txt"), "python-dateutil\n");
    return { root, addonsPath: [core, ours, fetched] };
}

describe("module updates by content hash", () => {
    it("fnmatch patterns behave like Python's (a * also crosses directories)", () => {
        assert.ok(fnmatchRegExp("*.pyc").test("models/__pycache__/x.cpython-311.pyc"));
        assert.ok(fnmatchRegExp("static/*").test("static/src/js/a.js"));
        assert.ok(!fnmatchRegExp("static/*").test("models/static.py"));
        assert.ok(fnmatchRegExp("i18n/*.pot").test("i18n/sale.pot"));
        assert.ok(fnmatchRegExp("data/[!x]*.xml").test("data/a.xml"));
        assert.ok(!fnmatchRegExp("data/[!x]*.xml").test("data/x.xml"));
    });

    it("the decision: changed installed modules are updated, selected missing ones installed, the first run baselines", () => {
        const current = { a: "sha256:1", b: "sha256:2", c: "sha256:3", d: "sha256:4" };
        assert.deepEqual(decideUpdates({ installed: ["a", "b", "c"], selected: ["a", "d"], stored: {}, current }), {
            update: ["a"],
            install: ["d"],
            baseline: true,
        });
        assert.deepEqual(decideUpdates({ installed: ["a", "b", "c"], selected: ["a", "d"], stored: { a: "sha256:1", b: "sha256:old" }, current }), {
            update: ["b", "c"],
            install: ["d"],
            baseline: false,
        });
    });

    it("our TypeScript checksum equals the step's Python checksum, module by module", function () {
        const py = python();
        if (!py) return this.skip();
        const { addonsPath } = imageTree();
        const dirs = addonsPath.flatMap((entry) =>
            fs
                .readdirSync(entry)
                .map((m) => path.join(entry, m))
                .filter((d) => fs.statSync(d).isDirectory()),
        );
        fs.writeFileSync(path.join(dirs[2], ".DS_Store"), "junk");
        fs.mkdirSync(path.join(dirs[2], "models/__pycache__"), { recursive: true });
        fs.writeFileSync(path.join(dirs[2], "models/__pycache__/model.cpython-311.pyc"), "compiled");
        const code = `import sys, json; sys.path.insert(0, ${JSON.stringify(path.dirname(stepScript))}); import odoo_steps as s
dirs = json.loads(sys.argv[1])
print(json.dumps({d: s.module_checksum(d, s.DEFAULT_EXCLUDES + ["data/ignored.xml"], ["fr_FR"]) for d in dirs}))`;
        const out = spawnSync(py, ["-c", code, JSON.stringify(dirs)], { encoding: "utf8" });
        assert.equal(out.status, 0, out.stderr);
        const fromPython = JSON.parse(out.stdout);
        for (const d of dirs) assert.equal(moduleChecksum(d, { exclude: ["data/ignored.xml"], languages: ["fr_FR"] }), fromPython[d], d);
        assert.deepEqual(checksumFiles(dirs[2], { languages: ["fr_FR"] }), ["__manifest__.py", "i18n/fr.po", "models/__init__.py", "models/model.py"]);
    });

    it("the repository discovery feeds the same module names (the seam)", () => {
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "repo-"));
        write(path.join(repo, "addons/sale_custom/__manifest__.py"), manifest("sale_custom", "16.0.1.0.0"));
        write(path.join(repo, "addons/invoice_layout/__manifest__.py"), manifest("invoice_layout", "16.0.1.0.0"));
        write(path.join(repo, "addons/README.md"), "not a module\n");
        write(path.join(repo, "addons/notes/readme.txt"), "no manifest\n");
        assert.deepEqual(moduleLocations(repo), [
            { name: "invoice_layout", path: "addons/invoice_layout", root: "addons" },
            { name: "sale_custom", path: "addons/sale_custom", root: "addons" },
        ]);
    });

    describe("odoo_steps.py update on a real Odoo database", () => {
        let py: string | undefined;
        let db: { name: string; url: string; source: string };
        let tree: { root: string; addonsPath: string[] };
        let conf: string;
        let calls: string;
        let fakeOdoo: string;

        before(async function () {
            py = python();
            if (!py) {
                console.log("      (python3 with psycopg2 not found: install python3-psycopg2; skipped)");
                return this.skip();
            }
            db = await odooDatabase("update_step");
            console.log(`      (on the ${db.source})`);
            const client = new Client({ connectionString: db.url });
            await client.connect();
            try {
                await client.query("DELETE FROM ir_module_module");
                await client.query("DELETE FROM ir_config_parameter WHERE key = $1", [checksumsParam]);
                const installed = [
                    ["base", "16.0.1.3"],
                    ["web", "16.0.1.0"],
                    ["sale_custom", "16.0.1.0.0"],
                    ["base_tier_validation", "16.0.2.0.0"],
                    ["auditlog", "16.0.2.0.0"],
                ];
                let id = 1;
                for (const [name, version] of installed)
                    await client.query("INSERT INTO ir_module_module (id, name, state, latest_version) VALUES ($1, $2, 'installed', $3)", [
                        id++,
                        name,
                        version,
                    ]);
                await client.query("INSERT INTO ir_module_module (id, name, state, latest_version) VALUES ($1, 'invoice_layout', 'uninstalled', NULL)", [id++]);
            } finally {
                await client.end();
            }
            tree = imageTree();
            const pg = await testPostgres();
            const url = new URL(pg.url);
            conf = path.join(tree.root, "odoo.conf");
            fs.writeFileSync(
                conf,
                `[options]\naddons_path = ${tree.addonsPath.join(",")}\ndb_host = ${url.hostname}\ndb_port = ${url.port}\ndb_user = ${decodeURIComponent(url.username)}\ndb_password = ${decodeURIComponent(url.password) || "False"}\ndb_sslmode = disable\n`,
            );
            calls = path.join(tree.root, "calls.jsonl");
            fakeOdoo = fakeOdooBin(py, fs.mkdtempSync(path.join(os.tmpdir(), "fake-odoo-")));
        });

        const runStep = (env: Record<string, string> = {}) => {
            fs.rmSync(calls, { force: true });
            const out = spawnSync(
                py!,
                [stepScript, "update", "--conf", conf, "--database", db.name, "--install", "sale_custom,invoice_layout", "--odoo-bin", fakeOdoo],
                {
                    encoding: "utf8",
                    env: { ...process.env, FAKE_ODOO_CALLS: calls, ...env },
                },
            );
            const odooCalls = fs.existsSync(calls)
                ? fs
                      .readFileSync(calls, "utf8")
                      .trim()
                      .split("\n")
                      .map((l) => JSON.parse(l) as string[])
                : [];
            const [result] = stepResults(out.stdout);
            return { status: out.status, stdout: out.stdout, stderr: out.stderr, odooCalls, result: result as Record<string, any> };
        };
        const stored = async (): Promise<Record<string, string>> => {
            const client = new Client({ connectionString: db.url });
            await client.connect();
            try {
                const { rows } = await client.query("SELECT value FROM ir_config_parameter WHERE key = $1", [checksumsParam]);
                return rows.length ? JSON.parse(rows[0].value) : {};
            } finally {
                await client.end();
            }
        };
        const arg = (call: string[], flag: string) => (call.includes(flag) ? call[call.indexOf(flag) + 1] : undefined);

        it("first deploy: updates our installed module, installs the new one, baselines the rest", async () => {
            const run = runStep();
            assert.equal(run.status, 0, run.stdout + run.stderr);
            assert.equal(run.odooCalls.length, 1);
            assert.equal(arg(run.odooCalls[0], "-u"), "sale_custom");
            assert.equal(arg(run.odooCalls[0], "-i"), "invoice_layout");
            assert.ok(run.odooCalls[0].includes("--stop-after-init"));
            assert.equal(run.result.ok, true);
            assert.equal(run.result.baseline, true);
            const sums = await stored();
            assert.deepEqual(Object.keys(sums).sort(), ["auditlog", "base", "base_tier_validation", "invoice_layout", "sale_custom", "web"]);
            assert.equal(sums.sale_custom, moduleChecksum(path.join(tree.addonsPath[1], "sale_custom")));
        });

        it("a changed file in one module of the fetched repository updates exactly that module", async () => {
            fs.appendFileSync(path.join(tree.addonsPath[2], "auditlog/models/rule.py"), "# fix\n");
            const run = runStep();
            assert.equal(run.status, 0, run.stdout + run.stderr);
            assert.deepEqual(run.result.update, ["auditlog"]);
            assert.deepEqual(run.result.install, []);
            assert.equal(run.odooCalls.length, 1);
            assert.equal(arg(run.odooCalls[0], "-u"), "auditlog");
            assert.equal(arg(run.odooCalls[0], "-i"), undefined);
            assert.equal(run.result.before.auditlog.checksum !== run.result.after.auditlog.checksum, true);
            assert.equal(run.result.after.auditlog.version, "16.0.2.0.0");
            assert.equal((await stored()).auditlog, moduleChecksum(path.join(tree.addonsPath[2], "auditlog")));
        });

        it("a changed requirements.txt updates the modules of that addons-path entry", () => {
            fs.appendFileSync(path.join(tree.addonsPath[2], "requirements.txt"), "openupgradelib\n");
            const run = runStep();
            assert.equal(run.status, 0, run.stdout + run.stderr);
            assert.deepEqual(run.result.update, ["auditlog", "base_tier_validation"]);
        });

        it("static files, tests, translations of inactive languages and compiled files update nothing", () => {
            const ours = path.join(tree.addonsPath[1], "sale_custom");
            write(path.join(ours, "static/src/js/widget.js"), "console.log(1)\n");
            write(path.join(ours, "tests/test_sale.py"), "def test(): pass\n");
            write(path.join(ours, "models/__pycache__/model.cpython-311.pyc"), "compiled");
            write(path.join(ours, "i18n/sale_custom.pot"), 'msgid ""\n');
            const run = runStep();
            assert.equal(run.status, 0, run.stdout + run.stderr);
            assert.deepEqual(run.result.update, []);
            assert.equal(run.odooCalls.length, 0, "Odoo is not even started");
        });

        it("a failed update stores no checksum, so the next deploy updates the module again", async () => {
            const before = await stored();
            fs.appendFileSync(path.join(tree.addonsPath[1], "sale_custom/models/model.py"), "x = 1\n");
            const failed = runStep({ FAKE_ODOO_EXIT: "1" });
            assert.equal(failed.status, 1);
            assert.equal(failed.result.ok, false);
            assert.match(failed.result.error, /odoo exited with code 1: checksums not stored/);
            assert.deepEqual(await stored(), before);
            const retried = runStep();
            assert.equal(retried.status, 0);
            assert.deepEqual(retried.result.update, ["sale_custom"]);
        });

        it("refuses a selected module that is not on the addons path, before running Odoo", () => {
            const out = spawnSync(py!, [stepScript, "update", "--conf", conf, "--database", db.name, "--install", "no_such_module", "--odoo-bin", fakeOdoo], {
                encoding: "utf8",
                env: { ...process.env, FAKE_ODOO_CALLS: calls },
            });
            assert.equal(out.status, 2);
            assert.match(out.stdout, /selected module\(s\) not on the addons path .*: no_such_module/);
        });
    });
});
