/**
 * The data plane on real Odoo databases nobody here wrote (../shared/odoo-schemas: Odoo 12 with
 * data, Odoo 16 full and base-only, Odoo 18 base+mail schemas). Each dump is loaded once, planted
 * with personal data and live integrations in its real columns, then:
 *
 * - sanitize → neutralize → verify (with the known-value scan) in place, and a streaming
 *   `staging refresh`, all succeed, and a data-only pg_dump of each result holds none of what
 *   was planted, no integration is live, and the books still balance;
 * - `staging refresh --via` a sanitized snapshot: the snapshot's files hold no planted personal
 *   value and no planted credential (revoked while streaming), and the restored database nothing
 *   planted;
 * - with one rule switched off, verify names the table.column left behind.
 *
 * They run whenever the dumps are there (CI has them) and say so clearly when they are not.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { neutralizeDatabase } from "../../ops/neutralize";
import { readCatalog } from "../../ops/odoo/catalog";
import { collectKnownValues, KnownValueSet } from "../../ops/pii/knownValues";
import { sanitizeDatabase } from "../../ops/sanitize";
import { platformDataRules } from "../../ops/staging/dataRules";
import { refreshStaging } from "../../ops/staging/refresh";
import { verifyDatabase } from "../../ops/verify";
import { bookViolations } from "../support/books";
import type { Planted } from "../support/plant";
import { runCli } from "../support/cli";
import { connectTo } from "../support/odoo";
import { liveIntegrations, plantProduction, PlantReport, productionUrl, survivors } from "../support/plantOdoo";
import { copyDatabase, dataOnlyDump, dumpDatabase, dumpTemplate, realDumps, skipMessage } from "../support/realDumps";
import { freshDatabase } from "../support/postgres";
import { snapshotText } from "../support/snapshotText";

const staging = { baseUrl: "https://staging.planted.test", mailHost: "mailpit", mailPort: 1025 };
const host = "staging.planted.test";
const dumps = realDumps();

/** Integration credentials (revoked while streaming, and by neutralize in place): secrets, and the mail servers' and IAP's logins. */
function isCredential(p: Planted): boolean {
    return p.kind === "secret" || /^(ir_mail_server|fetchmail_server|iap_account)\b/.test(p.where);
}

/** Lines for the report: per dump, what was planted and what survived. */
export const realDumpNumbers: string[] = [];

describe("real Odoo databases (../shared/odoo-schemas)", function () {
    this.timeout(600_000);
    if (!dumps.length) {
        it("are skipped: no dumps found", function () {
            console.log(`      ${skipMessage()}`);
            this.skip();
        });
        return;
    }
    // Every dump starts loading now, in parallel; each block waits for its own.
    before(() => {
        for (const d of dumps) void dumpTemplate(d).catch(() => undefined);
    });
    after(() => {
        if (realDumpNumbers.length) console.log(`\n      ${realDumpNumbers.join("\n      ")}`);
    });

    for (const dump of dumps) {
        describe(`${dump.name} (Odoo ${dump.series}.0)`, () => {
            let production: { name: string; url: string };
            let plant: PlantReport;
            let known: KnownValueSet;

            before(async () => {
                production = await dumpDatabase(dump, `prod_${dump.series}`);
                const client = await connectTo(production.url);
                try {
                    plant = await plantProduction(client, dump.series);
                    known = await collectKnownValues(client, { catalog: await readCatalog(client) });
                } finally {
                    await client.end();
                }
                // Only what actually went in counts as planted (a planted person has more values than some tables take).
                const written = await dataOnlyDump(production.url);
                plant.planted = plant.planted.filter((p) => survivors(written, [p]).length > 0);
                assert.ok(plant.planted.length > 80, `planted ${plant.planted.length} values`);
            });

            it("verify refuses the planted production itself (exit 1), naming each kind of leak by table and column", async () => {
                const cli = await runCli(["db", "verify", "--db", production.url, "--production-url", productionUrl, "--json"]);
                assert.equal(cli.code, 1);
                const where = new Set(
                    (cli.json.findings as { table: string; column?: string; kind?: string }[]).map((f) => `${f.table}.${f.column}:${f.kind ?? ""}`),
                );
                const expected = [
                    "res_partner.email:email",
                    "res_partner.phone:phone",
                    "res_partner.vat:vat",
                    "res_partner_bank.acc_number:iban",
                    "res_partner.comment:card",
                    "ir_mail_server.smtp_host:",
                    "ir_cron.active:",
                ];
                if (plant.columns.includes("res_partner.signup_token")) expected.push("res_partner.signup_token:token");
                for (const w of expected) assert.ok(where.has(w), `${w} in ${[...where].join(", ")}`);
            });

            it("db sanitize, db neutralize and db verify exit 0, verify with production's values is clean, and nothing planted survives in a data-only dump", async () => {
                const copy = await copyDatabase(production.name, `inplace_${dump.series}`);
                const started = process.hrtime.bigint();
                const sanitize = await runCli(["db", "sanitize", "--db", copy.url, "--seed", "real-dumps", "--confirm", copy.name, "--json"]);
                assert.equal(sanitize.code, 0, sanitize.stdout + sanitize.stderr);
                assert.ok(
                    (sanitize.json.rules as { origin: string; status: string }[]).some((r) => r.origin === "declared" && r.status === "applied"),
                    "declared fields are covered too",
                );
                const neutralize = await runCli([
                    "db",
                    "neutralize",
                    "--db",
                    copy.url,
                    "--base-url",
                    staging.baseUrl,
                    "--mail-host",
                    staging.mailHost,
                    "--mail-port",
                    String(staging.mailPort),
                    "--confirm",
                    copy.name,
                ]);
                assert.equal(neutralize.code, 0, neutralize.stdout + neutralize.stderr);
                const verify = await runCli(["db", "verify", "--db", copy.url, "--base-url", staging.baseUrl, "--mail-host", staging.mailHost]);
                assert.equal(verify.code, 0, verify.stdout + verify.stderr);
                const seconds = Number(process.hrtime.bigint() - started) / 1e9;
                const client = await connectTo(copy.url);
                try {
                    // The known-value scan needs production's values, which only the library call is given here.
                    const report = await verifyDatabase(client, { baseUrl: staging.baseUrl, mailHosts: [staging.mailHost], knownValues: known });
                    assert.deepEqual(
                        report.findings.map((f) => `${f.check} ${f.table}.${f.column}: ${f.message}`),
                        [],
                    );
                    assert.ok(report.scanned.rows > 0 && report.scanned.metadataTables > 0);
                    assert.deepEqual(await liveIntegrations(client, host), []);
                    if (plant.books)
                        assert.deepEqual(
                            Object.entries(await bookViolations(client)).filter(([, n]) => n),
                            [],
                            "books still balance",
                        );
                } finally {
                    await client.end();
                }
                const left = survivors(await dataOnlyDump(copy.url), plant.planted);
                realDumpNumbers.push(
                    `${dump.name}: ${plant.planted.length} values planted in ${plant.columns.length} columns; ` +
                        `db sanitize → neutralize → verify: ${left.length} survived (${seconds.toFixed(1)} s)`,
                );
                assert.deepEqual(left, []);
            });

            it("staging refresh (streaming) exits 0, and nothing planted survives in the new staging database", async () => {
                const target = await freshDatabase(`stg_${dump.series}`);
                const cli = await runCli([
                    "staging",
                    "refresh",
                    "--from-db",
                    production.url,
                    "--to-db",
                    target.url,
                    "--seed",
                    "real-dumps",
                    "--mail-host",
                    staging.mailHost,
                    "--mail-port",
                    String(staging.mailPort),
                    "--base-url",
                    staging.baseUrl,
                    "--jobs",
                    "2",
                    "--confirm",
                    target.name,
                    "--json",
                ]);
                assert.equal(cli.code, 0, cli.stdout + cli.stderr);
                const report = cli.json as { ok: boolean; mode: string; totalSeconds: number; verify: { findings: string[] } };
                assert.equal(report.ok, true, report.verify.findings.join("\n"));
                assert.equal(report.mode, "stream");
                const client = await connectTo(target.url);
                try {
                    assert.deepEqual(await liveIntegrations(client, host), []);
                    if (plant.books)
                        assert.deepEqual(
                            Object.entries(await bookViolations(client)).filter(([, n]) => n),
                            [],
                            "books still balance",
                        );
                    const { rows } = await client.query("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'");
                    assert.equal(rows[0].value, staging.baseUrl);
                } finally {
                    await client.end();
                }
                const left = survivors(await dataOnlyDump(target.url), plant.planted);
                realDumpNumbers.push(`${dump.name}: staging refresh: ${left.length} survived (${report.totalSeconds} s)`);
                assert.deepEqual(left, []);
                // Production is untouched: every planted value is still there.
                assert.equal(survivors(await dataOnlyDump(production.url), plant.planted).length, plant.planted.length, "production unchanged");
            });

            it("staging refresh --via a sanitized snapshot exits 0, and neither the snapshot's files nor the new database hold anything planted", async () => {
                const target = await freshDatabase(`via_${dump.series}`);
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), `odoo-platform-via-${dump.series}-`));
                try {
                    const cli = await runCli([
                        "staging",
                        "refresh",
                        "--from-db",
                        production.url,
                        "--to-db",
                        target.url,
                        "--seed",
                        "real-dumps",
                        "--via",
                        dir,
                        "--mail-host",
                        staging.mailHost,
                        "--mail-port",
                        String(staging.mailPort),
                        "--base-url",
                        staging.baseUrl,
                        "--confirm",
                        target.name,
                        "--json",
                    ]);
                    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
                    assert.equal(cli.json.mode, "via-snapshot");
                    // A sanitized snapshot holds no personal data and no credential: both are replaced while they stream.
                    const personal = plant.planted.filter((p) => !isCredential(p));
                    const planted = plant.planted.filter(isCredential);
                    const files = snapshotText(dir);
                    const inSnapshot = survivors(files, personal);
                    const credentials = survivors(files, planted);
                    const left = survivors(await dataOnlyDump(target.url), plant.planted);
                    realDumpNumbers.push(
                        `${dump.name}: staging refresh --via snapshot: ${inSnapshot.length} personal values and ${credentials.length} of ${planted.length} ` +
                            `credentials in the snapshot's files, ${left.length} survived in the database (${cli.json.totalSeconds} s)`,
                    );
                    assert.ok(personal.length > 50, `${personal.length} personal values planted`);
                    assert.ok(planted.length >= 8, `${planted.length} credentials planted`);
                    assert.deepEqual(inSnapshot, []);
                    assert.deepEqual(credentials, []);
                    assert.deepEqual(left, []);
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            });

            it("with one rule switched off, verify names the table.column left behind (patterns and production's values)", async () => {
                const copy = await copyDatabase(production.name, `ruleoff_${dump.series}`);
                const client = await connectTo(copy.url);
                try {
                    await sanitizeDatabase(client, { seed: "real-dumps", without: ["base.res_partner.email", "base.res_partner.name"] });
                    await neutralizeDatabase(client, staging);
                    const report = await verifyDatabase(client, { baseUrl: staging.baseUrl, mailHosts: [staging.mailHost], knownValues: known });
                    assert.equal(report.ok, false);
                    const found = report.findings.map((f) => `${f.check}:${f.table}.${f.column}`);
                    assert.ok(found.includes("pii:res_partner.email"), found.join(", "));
                    assert.ok(found.includes("known-values:res_partner.email"), found.join(", "));
                    assert.ok(found.includes("known-values:res_partner.name"), found.join(", "));
                    const names = report.findings.find((f) => f.check === "known-values" && f.column === "name")!;
                    assert.match(names.message, /\(.*name.*\)/);
                    assert.ok(!JSON.stringify(report).includes(plant.planted.find((p) => p.kind === "name")!.value), "never the value itself");
                } finally {
                    await client.end();
                }
                const cli = await runCli(["db", "verify", "--db", copy.url, "--base-url", staging.baseUrl, "--mail-host", staging.mailHost]);
                assert.equal(cli.code, 1);
                assert.match(cli.stdout, /res_partner\.email/);
            });
        });
    }

    it("a name in a column no rule knows is caught by the known-value scan: the refresh swaps nothing", async () => {
        const dump = [...dumps].sort((a, b) => fs.statSync(a.file).size - fs.statSync(b.file).size)[0];
        const production = await dumpDatabase(dump, "custom_prod");
        const client = await connectTo(production.url);
        let name: string;
        try {
            const plant = await plantProduction(client, dump.series);
            name = plant.planted.find((p) => p.kind === "name" && p.where === "res_partner")!.value;
            await client.query("CREATE TABLE x_delivery_note (id serial PRIMARY KEY, recipient varchar, notes text)");
            await client.query("INSERT INTO x_delivery_note (recipient, notes) VALUES ($1, 'leave at the door')", [name]);
        } finally {
            await client.end();
        }
        const target = await freshDatabase("custom_stg");
        const report = await refreshStaging({
            fromDb: production.url,
            toDb: target.url,
            seed: "real-dumps",
            mailHost: staging.mailHost,
            mailPort: staging.mailPort,
            baseUrl: staging.baseUrl,
            allowDomains: ["example.com"],
            rules: platformDataRules(),
            confirm: target.name,
        });
        assert.equal(report.ok, false);
        assert.equal(report.swap, null);
        assert.ok(
            report.verify.findings.some((f) => /^known-values: x_delivery_note\.recipient \(1\)/.test(f)),
            report.verify.findings.join("\n"),
        );
        assert.ok(!report.verify.findings.join("\n").includes(name));

        // Through a snapshot: snapshot create --sanitize finds it in the COPY stream and completes nothing.
        const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-leak-")), "snap");
        try {
            const cli = await runCli(["snapshot", "create", "--db", production.url, "--to", dir, "--sanitize", "--seed", "real-dumps"]);
            assert.notEqual(cli.code, 0);
            assert.match(cli.stderr + cli.stdout, /x_delivery_note\.recipient: 1 row\(s\) hold a production personal value/);
            assert.ok(!(cli.stderr + cli.stdout).includes(name));
            assert.ok(!fs.existsSync(path.join(dir, "manifest.json")), "no completed snapshot");
        } finally {
            fs.rmSync(path.dirname(dir), { recursive: true, force: true });
        }
    });
});
