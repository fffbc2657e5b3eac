import * as assert from "node:assert/strict";
import { pbkdf2Sync } from "node:crypto";
import { inspect } from "node:util";
import type { Client } from "pg";
import {
    catcherServerName,
    neutralizeContextInput,
    neutralizeDatabase,
    NeutralizeReport,
    neutralizeRules,
    odooBinNeutralizeCommand,
    odooImageNeutralizeCommand,
    odooPasswordHash,
    productionIdentityKey,
    Secret,
} from "../../../ops/neutralize";
import { fixtureProduction } from "../../../testing/odooFixture";
import { parseDatabaseUrl } from "../../../ops/postgres/connect";
import { connectTo, databaseChecksums, fixtureDatabase } from "../../support/odoo";

const baseUrl = "https://staging.acme.test";

async function one<T = Record<string, unknown>>(client: Client, sql: string, values: unknown[] = []): Promise<T> {
    return (await client.query(sql, values)).rows[0] as T;
}

describe("db neutralize", function () {
    this.timeout(120_000);
    let client: Client;
    let report: NeutralizeReport;
    let original: Record<string, unknown>;

    before(async () => {
        client = await connectTo((await fixtureDatabase("neu")).url);
        original = await one(
            client,
            `SELECT (SELECT value FROM ir_config_parameter WHERE key = 'database.uuid') AS uuid,
            (SELECT value FROM ir_config_parameter WHERE key = 'database.secret') AS secret`,
        );
        report = await neutralizeDatabase(client, { baseUrl, mailHost: "mailpit", mailPort: 1025 });
    });
    after(() => client?.end());

    it("has unique rule names keyed by module/table/column, each with a description", () => {
        const names = neutralizeRules.map((r) => r.name);
        assert.equal(new Set(names).size, names.length, names.filter((n, i) => names.indexOf(n) !== i).join());
        for (const r of neutralizeRules) assert.ok(r.description && r.module && r.table, r.name);
        assert.ok(neutralizeRules.filter((r) => r.origin === "odoo").length > 40, "covers Odoo's own neutralize.sql files");
    });

    it("skips and reports, never fails on, rules whose table or column this database lacks", () => {
        const skipped = report.rules.filter((r) => r.status === "skipped");
        assert.ok(skipped.some((r) => r.table === "pos_payment_method" && /does not exist/.test(r.reason!)));
        assert.ok(skipped.some((r) => r.rule === "payment.payment_provider.is_live" && /column payment_provider.is_live/.test(r.reason!)));
        assert.equal(report.rules.filter((r) => r.module !== "declared").length, neutralizeRules.length);
        assert.equal(report.applied + report.skipped, report.rules.length);
    });

    it("does what Odoo's neutralize does: crons off but autovacuum, servers off, banner on, webhooks cut, providers disabled", async () => {
        const r = await one(
            client,
            `SELECT
            (SELECT array_agg(d.name ORDER BY d.name) FROM ir_cron c JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron' WHERE c.active) AS crons,
            (SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized') AS flag,
            (SELECT bool_and(active) FROM ir_ui_view WHERE key IN ('web.neutralize_banner', 'website.neutralize_ribbon')) AS banners,
            (SELECT array_agg(DISTINCT webhook_url) FROM ir_act_server WHERE state = 'webhook') AS webhooks,
            (SELECT array_agg(DISTINCT state ORDER BY state) FROM payment_provider) AS providers,
            (SELECT count(*)::int FROM payment_provider WHERE stripe_publishable_key IS NOT NULL OR stripe_secret_key IS NOT NULL OR paypal_email_account IS NOT NULL
                OR adyen_api_key IS NOT NULL OR mollie_api_key IS NOT NULL) AS keys,
            (SELECT count(*)::int FROM fetchmail_server WHERE active OR password IS NOT NULL OR server <> 'invalid') AS fetchmail,
            (SELECT count(*)::int FROM iap_account WHERE account_token NOT LIKE '%+disabled' OR account_token LIKE '%+promo%') AS iap,
            (SELECT count(*)::int FROM delivery_carrier WHERE prod_environment OR (active AND delivery_type NOT IN ('fixed', 'base_on_rule'))) AS carriers,
            (SELECT array_agg(name ORDER BY id) FROM auth_oauth_provider WHERE enabled) AS oauth,
            (SELECT count(*)::int FROM mail_template WHERE mail_server_id IS NOT NULL) AS templates,
            (SELECT domain FROM website) AS domain, (SELECT cdn_activated FROM website) AS cdn, (SELECT robots_txt FROM website) AS robots,
            (SELECT count(*)::int FROM ir_config_parameter WHERE key IN ('recaptcha_private_key', 'recaptcha_public_key') AND value <> '') AS recaptcha,
            (SELECT count(*)::int FROM ir_config_parameter WHERE key LIKE 'cloud_storage%' OR key LIKE 'mail.web_push%') AS cloud,
            (SELECT count(*)::int FROM mail_partner_device) + (SELECT count(*)::int FROM mail_notification_web_push) AS push,
            (SELECT value FROM ir_config_parameter WHERE key = 'sms.endpoint') AS sms,
            (SELECT edi_mode FROM account_edi_proxy_client_user) AS edi,
            (SELECT count(*)::int FROM res_users_settings WHERE google_calendar_token IS NOT NULL OR NOT google_synchronization_stopped) AS gcal`,
        );
        assert.deepEqual(r.crons, ["autovacuum_job"]);
        assert.equal(r.flag, "true");
        assert.equal(r.banners, true);
        assert.deepEqual(r.webhooks, ["neutralization - disable webhook"]);
        assert.deepEqual(r.providers, ["disabled", "test"]);
        assert.deepEqual([r.keys, r.fetchmail, r.iap, r.carriers, r.templates, r.recaptcha, r.cloud, r.push, r.gcal], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert.equal(r.oauth, null);
        assert.deepEqual([r.domain, r.cdn, r.robots], [null, false, "User-agent: *\nDisallow: /"]);
        assert.equal(r.sms, "https://iap-services-test.odoo.com");
        assert.equal(r.edi, "test");
    });

    it("closes what Odoo leaves open: API keys, TOTP, OAuth tokens, identity, base URL, mail domains, queues", async () => {
        const r = await one(
            client,
            `SELECT
            (SELECT count(*)::int FROM res_users_apikeys) + (SELECT count(*)::int FROM auth_totp_device) AS keys,
            (SELECT count(*)::int FROM res_users WHERE totp_secret IS NOT NULL OR oauth_access_token IS NOT NULL OR microsoft_calendar_token IS NOT NULL) AS tokens,
            (SELECT value FROM ir_config_parameter WHERE key = 'database.uuid') AS uuid,
            (SELECT value FROM ir_config_parameter WHERE key = 'database.secret') AS secret,
            (SELECT count(*)::int FROM ir_config_parameter WHERE key = 'database.enterprise_code') AS enterprise,
            (SELECT value FROM ir_config_parameter WHERE key = 'web.base.url') AS url,
            (SELECT value FROM ir_config_parameter WHERE key = 'mail.catchall.domain') AS catchall,
            (SELECT name FROM mail_alias_domain) AS alias_domain,
            (SELECT count(*)::int FROM mail_mail WHERE state IN ('outgoing', 'exception')) AS mail,
            (SELECT count(*)::int FROM queue_job WHERE state IN ('pending', 'enqueued', 'started', 'wait_dependencies', 'failed')) AS jobs,
            (SELECT count(*)::int FROM sms_sms WHERE state IN ('outgoing', 'process', 'pending', 'error')) AS sms,
            (SELECT count(*)::int FROM ir_config_parameter WHERE key LIKE '%client_secret') AS secrets,
            (SELECT email_from FROM mail_template WHERE id = 2) AS template_from,
            (SELECT value FROM ir_config_parameter WHERE key = $1) AS production`,
            [productionIdentityKey],
        );
        assert.deepEqual([r.keys, r.tokens, r.enterprise, r.mail, r.jobs, r.sms, r.secrets], [0, 0, 0, 0, 0, 0, 0]);
        assert.notEqual(r.uuid, original.uuid);
        assert.notEqual(r.secret, original.secret);
        assert.equal(r.url, baseUrl);
        assert.deepEqual([r.catchall, r.alias_domain, r.template_from], ["staging.acme.test", "staging.acme.test", "sales@staging.acme.test"]);
        assert.equal(JSON.parse(r.production as string).baseUrl, fixtureProduction.baseUrl);
    });

    it("points every mail server at the catcher, with no credentials, and leaves only the catcher active", async () => {
        const { rows } = await client.query(`SELECT name, smtp_host, smtp_port, active, smtp_user, smtp_pass, google_gmail_refresh_token,
            microsoft_outlook_access_token, from_filter FROM ir_mail_server ORDER BY id`);
        for (const s of rows) {
            assert.deepEqual(
                [s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_pass, s.google_gmail_refresh_token, s.microsoft_outlook_access_token, s.from_filter],
                ["mailpit", 1025, null, null, null, null, null],
                s.name,
            );
        }
        assert.deepEqual(
            rows.filter((s) => s.active).map((s) => s.name),
            [catcherServerName],
        );
    });

    it("resets every password; admin's new one is reported once as a Secret and works with Odoo's hash", async () => {
        const { rows } = await client.query("SELECT id, login, password FROM res_users ORDER BY id");
        assert.deepEqual(
            rows.filter((u) => u.password !== null).map((u) => u.login),
            ["admin"],
        );
        const password = report.admin.password!;
        assert.equal(report.admin.login, "admin");
        assert.equal(String(password), "[secret]");
        assert.equal(inspect({ password }), "{ password: [secret] }");
        assert.equal(JSON.parse(JSON.stringify({ password })).password, password.reveal(), "--json reveals it, for a secret-aware caller");
        const [, , rounds, salt, hash] = rows.find((u) => u.login === "admin")!.password.split("$");
        const ab64 = (s: string) => Buffer.from(s.replace(/\./g, "+"), "base64");
        assert.equal(pbkdf2Sync(password.reveal(), ab64(salt), Number(rounds), 64, "sha512").equals(ab64(hash)), true);
    });

    it("is idempotent: a second run changes no row and keeps the identity and passwords it gave", async () => {
        const sums = await databaseChecksums(client);
        const again = await neutralizeDatabase(client, { baseUrl, mailHost: "mailpit", mailPort: 1025 });
        assert.equal(again.firstNeutralization, false);
        assert.deepEqual(
            again.rules.filter((r) => (r.rows ?? 0) > 0).map((r) => r.rule),
            [],
        );
        assert.equal(again.admin.password, null);
        assert.deepEqual(await databaseChecksums(client), sums);
    });

    it("without a mail catcher, uses Odoo's blocking server invalid:1025", async () => {
        const other = await connectTo((await fixtureDatabase("neu_nocatcher")).url);
        try {
            await neutralizeDatabase(other, { baseUrl });
            const { rows } = await other.query("SELECT name, smtp_host, smtp_port FROM ir_mail_server WHERE active");
            assert.deepEqual(rows, [{ name: "neutralization - disable emails", smtp_host: "invalid", smtp_port: 1025 }]);
        } finally {
            await other.end();
        }
    });

    it("refuses bad options before touching anything, with messages that say what to fix", () => {
        assert.throws(() => neutralizeContextInput({ baseUrl: "staging.acme.test" }), /absolute http\(s\) URL/);
        assert.throws(() => neutralizeContextInput({ baseUrl: "ftp://x.test" }), /http or https/);
        assert.throws(() => neutralizeContextInput({ baseUrl, mailHost: "mailpit" }), /together/);
        assert.throws(() => neutralizeContextInput({ baseUrl, mailHost: "mailpit", mailPort: 70000 }), /1–65535/);
        assert.deepEqual(neutralizeContextInput({ baseUrl: "https://Staging.Acme.test/" }).domain, "staging.acme.test");
    });

    it("builds the command that runs Odoo's own neutralize in the image, the password in the environment only", () => {
        const db = parseDatabaseUrl("postgresql://odoo:s3cret@db.internal:5433/staging");
        const image = odooImageNeutralizeCommand({ image: "odoo:17.0", db, password: "s3cret", network: "staging", stdout: true });
        assert.deepEqual(image.argv, [
            "docker",
            "run",
            "--rm",
            "--network",
            "staging",
            "-e",
            "HOST",
            "-e",
            "PORT",
            "-e",
            "USER",
            "-e",
            "PASSWORD",
            "odoo:17.0",
            "odoo",
            "neutralize",
            "-d",
            "staging",
            "--stdout",
        ]);
        assert.deepEqual(image.env, { HOST: "db.internal", PORT: "5433", USER: "odoo", PASSWORD: "s3cret" });
        assert.ok(!image.display.includes("s3cret"));
        assert.throws(() => odooImageNeutralizeCommand({ image: "odoo:17; rm -rf /", db }), /Docker image reference/);
        const bin = odooBinNeutralizeCommand({ command: "/opt/odoo/odoo-bin -c /etc/odoo.conf", db, password: "s3cret" });
        assert.deepEqual(bin.argv, [
            "/opt/odoo/odoo-bin",
            "-c",
            "/etc/odoo.conf",
            "neutralize",
            "-d",
            "staging",
            "--db_host",
            "db.internal",
            "--db_port",
            "5433",
            "--db_user",
            "odoo",
        ]);
        assert.deepEqual(bin.env, { PGPASSWORD: "s3cret" });
    });

    it("hashes passwords exactly like passlib's pbkdf2_sha512 (its published test vector)", async () => {
        const salt = Buffer.from("RHY0Fr3IDMSVO/RSZyb5ow", "base64");
        assert.equal(
            await odooPasswordHash("password", 1212, salt),
            "$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww",
        );
        assert.ok(new Secret("x") instanceof Secret);
    });
});
