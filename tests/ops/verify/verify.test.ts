import * as assert from "node:assert/strict";
import type { Client } from "pg";
import { neutralizeDatabase } from "../../../ops/neutralize";
import { fixtureProduction } from "../../../testing/odooFixture";
import { sanitizeDatabase } from "../../../ops/sanitize";
import { verifyChecks, verifyDatabase } from "../../../ops/verify";
import { connectTo, databaseChecksums, fixtureDatabase } from "../../support/odoo";

const env = { baseUrl: "https://staging.acme.test", mailHosts: ["mailpit"] };
const where = (r: { findings: { table: string; column?: string }[] }) => r.findings.map((f) => (f.column ? `${f.table}.${f.column}` : f.table));

describe("db verify", function () {
    this.timeout(120_000);
    let production: Client;
    let staging: Client;

    before(async () => {
        production = await connectTo((await fixtureDatabase("ver_prod")).url);
        staging = await connectTo((await fixtureDatabase("ver_stage")).url);
        await sanitizeDatabase(staging, { seed: "s" });
        await neutralizeDatabase(staging, { baseUrl: env.baseUrl, mailHost: "mailpit", mailPort: 1025 });
    });
    after(async () => {
        await production?.end();
        await staging?.end();
    });

    it("fails on the planted production copy, naming every kind of leak by table and column", async () => {
        const report = await verifyDatabase(production, { ...env, productionUrl: fixtureProduction.baseUrl });
        assert.equal(report.ok, false);
        const found = new Set(report.findings.map((f) => f.check));
        for (const check of [
            "crons",
            "mail-servers",
            "mail-server-credentials",
            "fetchmail",
            "payment-providers",
            "payment-keys",
            "iap",
            "delivery",
            "webhooks",
            "oauth",
            "api-keys",
            "totp-devices",
            "user-secrets",
            "queued-mail",
            "queued-jobs",
            "queued-sms",
            "identity",
            "pii",
        ]) {
            assert.ok(found.has(check), `expected a ${check} finding`);
        }
        const pii = where({ findings: report.findings.filter((f) => f.check === "pii") });
        for (const column of ["res_partner.email", "res_partner.phone", "mail_message.body", "crm_lead.description", "hr_employee.private_email"]) {
            assert.ok(pii.includes(column), column);
        }
        const cron = report.findings.find((f) => f.check === "crons")!;
        assert.equal(cron.table, "ir_cron");
        assert.ok(cron.count >= 10 && cron.samples!.includes("Mail: Email Queue Manager"));
        const leak = report.findings.find((f) => f.check === "pii" && f.table === "res_partner" && f.column === "email")!;
        assert.ok(JSON.stringify(leak).match(/\*\*\*@/) && !JSON.stringify(leak).match(/[a-z]+\.[a-z]+\d+@gmail/), "samples are masked");
    });

    it("finds the same leaks whether the PII scan runs on one connection or several", async () => {
        const { url } = await fixtureDatabase("ver_jobs");
        const client = await connectTo(url);
        try {
            const options = { ...env, productionUrl: fixtureProduction.baseUrl };
            const one = await verifyDatabase(client, options);
            let opened = 0;
            const three = await verifyDatabase(client, {
                ...options,
                jobs: 3,
                connect: async () => {
                    opened++;
                    return connectTo(url);
                },
            });
            assert.equal(opened, 2, "two extra connections for three jobs");
            const pii = (r: typeof one) => r.findings.filter((f) => f.check === "pii").map((f) => `${f.table}.${f.column}:${f.kind}:${f.count}`);
            assert.ok(pii(one).length > 5);
            assert.deepEqual(pii(three), pii(one));
        } finally {
            await client.end();
        }
    });

    it("passes after sanitize + neutralize: nothing planted survives", async () => {
        const report = await verifyDatabase(staging, env);
        assert.deepEqual(report.findings, []);
        assert.equal(report.ok, true);
        assert.ok(report.checks.filter((c) => c.status === "passed").length >= verifyChecks.length - 2);
    });

    it("names a cron someone re-activated, and a mail server pointed back at a real host", async () => {
        try {
            await staging.query("UPDATE ir_cron SET active = true WHERE cron_name = 'Mail: Email Queue Manager'");
            await staging.query("UPDATE ir_mail_server SET smtp_host = 'smtp.gmail.com' WHERE name = 'Gmail (notifications)'");
            const report = await verifyDatabase(staging, env);
            assert.equal(report.ok, false);
            assert.deepEqual(where(report).sort(), ["ir_cron.active", "ir_mail_server.smtp_host"]);
            assert.deepEqual(report.findings.find((f) => f.table === "ir_cron")!.samples, ["Mail: Email Queue Manager"]);
            assert.match(report.findings.find((f) => f.table === "ir_mail_server")!.samples![0], /smtp\.gmail\.com/);
        } finally {
            await staging.query("UPDATE ir_cron SET active = false WHERE cron_name = 'Mail: Email Queue Manager'");
            await staging.query("UPDATE ir_mail_server SET smtp_host = 'mailpit' WHERE name = 'Gmail (notifications)'");
        }
    });

    it("names an undeclared custom table holding an e-mail (table.column), and a production URL or UUID put back", async () => {
        try {
            await staging.query("CREATE TABLE x_vendor_contact (id serial PRIMARY KEY, contact varchar)");
            await staging.query("INSERT INTO x_vendor_contact (contact) VALUES ('orders@partner-logistics.com'), ('Call +44 20 7946 0958')");
            await staging.query(`UPDATE ir_config_parameter SET value = $1 WHERE key = 'web.base.url'`, [fixtureProduction.baseUrl]);
            const report = await verifyDatabase(staging, env);
            const found = report.findings.map((f) => `${f.check} ${f.table}.${f.column}`);
            assert.ok(found.includes("pii x_vendor_contact.contact"), found.join("\n"));
            assert.equal(
                report.findings
                    .filter((f) => f.table === "x_vendor_contact")
                    .map((f) => (f as { kind?: string }).kind)
                    .sort()
                    .join(),
                "email,phone",
            );
            assert.ok(found.includes("identity ir_config_parameter.web.base.url"), found.join("\n"));
        } finally {
            await staging.query("DROP TABLE IF EXISTS x_vendor_contact");
            await staging.query(`UPDATE ir_config_parameter SET value = $1 WHERE key = 'web.base.url'`, [env.baseUrl]);
        }
    });

    it("knows production's UUID from an option when no marker was recorded, and fails closed when it knows nothing", async () => {
        const uuid = (await production.query("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")).rows[0].value;
        const withOption = await verifyDatabase(production, { skipPiiScan: true, productionUuid: uuid });
        assert.ok(withOption.findings.some((f) => f.column === "database.uuid"));
        const blind = await verifyDatabase(production, { skipPiiScan: true });
        assert.ok(blind.findings.some((f) => f.column === "odoo_platform.neutralize.production" && /unknown/.test(f.message)));
    });

    it("allows the environment's own domain and extra --allow-domain domains, and ignores listed columns", async () => {
        try {
            await staging.query("CREATE TABLE x_notes (id serial PRIMARY KEY, note text)");
            await staging.query("INSERT INTO x_notes (note) VALUES ('ops@staging.acme.test'), ('qa@qa.example.org')");
            assert.deepEqual(where(await verifyDatabase(staging, env)), ["x_notes.note"]);
            assert.deepEqual(where(await verifyDatabase(staging, { ...env, allowDomains: ["qa.example.org"] })), []);
            assert.deepEqual(where(await verifyDatabase(staging, { ...env, ignore: ["x_notes.note"] })), []);
        } finally {
            await staging.query("DROP TABLE IF EXISTS x_notes");
        }
    });

    it("changes nothing", async () => {
        const before = await databaseChecksums(production);
        await verifyDatabase(production, env);
        assert.deepEqual(await databaseChecksums(production), before);
    });
});
