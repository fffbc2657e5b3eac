import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffModules, parseUpdateLog } from "../../../ops/evidence/modules";
import { runCli } from "../../support/cli";
import { evidenceCounts, evidenceDatabase, query } from "../../support/evidence";
import { freshDatabase } from "../../support/postgres";

/** The part of Odoo's module registry the emitter reads (column names as in odoo/addons/base/models/ir_module.py). */
async function odooDatabase(): Promise<string> {
    const { url } = await freshDatabase("odoo_modules");
    await query(
        url,
        `
        CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL UNIQUE, latest_version varchar, state varchar);
        INSERT INTO ir_module_module (name, latest_version, state) VALUES
            ('base', '17.0.1.3', 'installed'), ('sale', '17.0.1.2', 'installed'),
            ('account', '17.0.1.2', 'installed'), ('crm', NULL, 'uninstalled'), ('website', NULL, 'uninstalled')`,
    );
    return url;
}

// Lines as Odoo 17 logs them during `odoo -u sale,crm --stop-after-init`.
const updateLog = `
2026-11-24 10:00:01,001 42 INFO odoo_production odoo.modules.loading: loading 60 modules...
2026-11-24 10:00:02,100 42 INFO odoo_production odoo.modules.migration: module sale: Running migration [>17.0.1.3] pre-migrate
2026-11-24 10:00:05,300 42 INFO odoo_production odoo.modules.migration: module sale: Running migration [17.0.1.3>] post-migrate
2026-11-24 10:00:05,900 42 INFO odoo_production odoo.modules.loading: Module sale loaded in 3.81s, 1204 queries (+12 other)
2026-11-24 10:00:07,000 42 INFO odoo_production odoo.modules.loading: Module crm loaded in 1.20s, 380 queries
2026-11-24 10:00:07,500 42 INFO odoo_production odoo.modules.migration: module account: Running upgrade [$17.0.1.2] end-fix
`;

describe("evidence migrations", () => {
    it("diffs module states: upgrades, installs and removals, nothing for untouched modules", () => {
        const before = [
            { name: "base", version: "17.0.1.3", state: "installed" },
            { name: "sale", version: "17.0.1.2", state: "installed" },
            { name: "crm", version: null, state: "uninstalled" },
            { name: "old", version: "17.0.1.0", state: "installed" },
        ];
        const after = [
            { name: "base", version: "17.0.1.3", state: "installed" },
            { name: "sale", version: "17.0.1.3", state: "installed" },
            { name: "crm", version: "17.0.1.0", state: "installed" },
            { name: "old", version: "17.0.1.0", state: "uninstalled" },
        ];
        assert.deepEqual(
            diffModules(before, after).map((c) => `${c.module} ${c.versionBefore}→${c.versionAfter} ${c.stateBefore}→${c.stateAfter}`),
            ["crm null→17.0.1.0 uninstalled→installed", "old 17.0.1.0→17.0.1.0 installed→uninstalled", "sale 17.0.1.2→17.0.1.3 installed→installed"],
        );
        assert.equal(diffModules(undefined, after).length, 3, "without a before snapshot: every installed module");
    });

    it("parses scripts and per-module seconds from an Odoo update log", () => {
        const parsed = parseUpdateLog(updateLog);
        assert.deepEqual(parsed.get("sale"), { scripts: ["[>17.0.1.3] pre-migrate", "[17.0.1.3>] post-migrate"], seconds: 3.81 });
        assert.deepEqual(parsed.get("crm"), { scripts: [], seconds: 1.2 });
        assert.deepEqual(parsed.get("account"), { scripts: ["[$17.0.1.2] end-fix"] });
    });

    it("captures before, then records what the upgrade changed, linked to the deployment", async () => {
        const evidence = await evidenceDatabase("migrations_row");
        const odoo = await odooDatabase();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
        const before = path.join(dir, "before.json");
        const capture = await runCli(["evidence", "migrations", "--db", odoo, "--capture", before]);
        assert.equal(capture.code, 0, capture.stderr);

        // The upgrade: sale bumped, crm installed.
        await query(
            odoo,
            "UPDATE ir_module_module SET latest_version = '17.0.1.3' WHERE name = 'sale'; UPDATE ir_module_module SET latest_version = '17.0.1.0', state = 'installed' WHERE name = 'crm'",
        );
        const [deployment] = await query<{ id: string }>(
            evidence.writerUrl,
            `INSERT INTO ops.deployments (environment, stack, git_sha, status, started_at) VALUES ('production', 'production', 'abc1234', 'failed', now()) RETURNING id`,
        );
        fs.writeFileSync(path.join(dir, "update.log"), updateLog);

        const run = await runCli([
            "evidence",
            "migrations",
            "--db",
            odoo,
            "--evidence-db",
            evidence.writerUrl,
            "--before",
            before,
            "--deployment",
            deployment.id,
            "--log-file",
            path.join(dir, "update.log"),
            "--evidence-dir",
            path.join(dir, "evidence"),
            "--json",
        ]);
        assert.equal(run.code, 0, run.stderr);
        const rows = await query<Record<string, any>>(
            evidence.url,
            "SELECT module, version_before, version_after, state_before, state_after, scripts, seconds, deployment_id, environment, dry_run FROM ops.migrations ORDER BY module",
        );
        assert.deepEqual(
            rows.map((r) => [r.module, r.version_before, r.version_after, r.scripts, r.seconds === null ? null : Number(r.seconds)]),
            [
                ["account", "17.0.1.2", "17.0.1.2", ["[$17.0.1.2] end-fix"], null],
                ["crm", null, "17.0.1.0", [], 1.2],
                ["sale", "17.0.1.2", "17.0.1.3", ["[>17.0.1.3] pre-migrate", "[17.0.1.3>] post-migrate"], 3.81],
            ],
        );
        assert.ok(rows.every((r) => r.deployment_id === deployment.id && r.environment === "production" && r.dry_run === false));
        assert.equal(run.json.ids.length, 3);
        const kept = fs.readdirSync(path.join(dir, "evidence"), { recursive: true }).map(String);
        assert.ok(
            kept.some((f) => f.endsWith(path.join("deploy", "logs", "update.log"))),
            kept.join(", "),
        );
    });

    it("bad input is refused before anything is written", async () => {
        const evidence = await evidenceDatabase("migrations_bad");
        const odoo = await odooDatabase();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
        fs.writeFileSync(path.join(dir, "broken.json"), "{");
        const base = ["evidence", "migrations", "--db", odoo, "--evidence-db", evidence.writerUrl, "--evidence-dir", path.join(dir, "evidence")];
        const checks: [string[], RegExp][] = [
            [["--before", path.join(dir, "missing.json"), "--deployment", "1"], /--before .*missing\.json does not exist.*--capture/],
            [["--before", path.join(dir, "broken.json"), "--deployment", "1"], /is not valid JSON/],
            [[], /--deployment <id> is required \(or --dry-run/],
            [["--deployment", "999"], /--deployment 999: no such deployment/],
            [["--dry-run", "--environment", "qa"], /unknown environment "qa"/],
        ];
        for (const [args, message] of checks) {
            const run = await runCli([...base, ...args]);
            assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
            assert.match(run.stderr, message);
        }
        const notOdoo = await freshDatabase("not_odoo");
        const run = await runCli([
            "evidence",
            "migrations",
            "--db",
            notOdoo.url,
            "--evidence-db",
            evidence.writerUrl,
            "--dry-run",
            "--environment",
            "production",
            "--evidence-dir",
            path.join(dir, "evidence"),
        ]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /is not an Odoo database: it has no ir_module_module table/);
        assert.deepEqual(await evidenceCounts(evidence.url), { builds: 0, health_checks: 0, deployments: 0, migrations: 0 });
        assert.equal(fs.existsSync(path.join(dir, "evidence")), false);
    });
});
