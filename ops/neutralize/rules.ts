/**
 * The neutralize rule table: small named entries keyed by module / table / column. `origin: "odoo"`
 * entries do what Odoo's own `<module>/data/neutralize.sql` files do (17.0/18.0 and newer, see
 * shared/anchors/odoo-neutralization-and-odoo-sh.md §1.2); `origin: "platform"` entries close what
 * Odoo leaves open (API keys, TOTP, OAuth tokens, passwords, database identity, base URL, mail
 * domains, queues, mail servers pointed at the catcher only).
 *
 * A rule whose table or columns do not exist is skipped and reported, never an error. Every rule is
 * idempotent: running neutralize twice leaves the same database.
 */
import { qualifiedTable, quoteIdent, quoteLiteral } from "../odoo/sql";
import { newDatabaseIdentity } from "./secrets";

export interface Statement {
    text: string;
    values?: unknown[];
}

export interface NeutralizeContext {
    /** The environment's public URL (`https://staging.example.com`). */
    baseUrl: string;
    /** Its host, the environment's own mail domain (`staging.example.com`). */
    domain: string;
    /** The mail catcher every outgoing server points at, or `invalid:1025` when none is given. */
    mailHost: string;
    mailPort: number;
    hasCatcher: boolean;
    /** Odoo password hash of the new admin password. */
    adminPasswordHash: string;
    newUuid: string;
    newSecret: string;
}

export interface NeutralizeRule {
    /** `module.table.column` (or `module.ir_config_parameter[key]`). */
    name: string;
    module: string;
    table: string;
    /** Columns that must exist for the rule to apply. */
    columns: string[];
    origin: "odoo" | "platform";
    description: string;
    statements: (ctx: NeutralizeContext, has: (table: string, column: string) => boolean) => Statement[];
    /**
     * Applied by the first neutralization only (new identity, new passwords): a database already
     * neutralized by us keeps what it got, so running neutralize again changes nothing.
     */
    once?: boolean;
    /**
     * The credential the rule revokes, for the copies that leave production (ops/neutralize/revoke.ts
     * writes it in their SELECT): on rows matching `when` (SQL over the row, alias `t`) `column`
     * holds `value` afterwards. Without `value`: the revoked marker of the column's type
     * (declared.ts `revokedValue`), for rules that delete the rows.
     */
    revokes?: { column: string; value?: string; when?: string };
    /** A parameter holding a credential: the copies write `value()` (SQL) instead, keeping the row. */
    revokesParameter?: { key: string; value: () => string };
}

const q = qualifiedTable;
const c = quoteIdent;

function rule(
    origin: NeutralizeRule["origin"],
    module: string,
    table: string,
    columns: string[],
    description: string,
    statements: NeutralizeRule["statements"],
    name = `${module}.${table}.${columns.join("+") || "*"}`,
): NeutralizeRule {
    return { name, module, table, columns, origin, description, statements };
}

const once = (r: NeutralizeRule): NeutralizeRule => ({ ...r, once: true });

/**
 * `UPDATE table SET column = value [WHERE …]`, for one column. `$DOMAIN$` in value or where stands
 * for the environment's domain (passed as a parameter).
 */
function set(origin: NeutralizeRule["origin"], module: string, table: string, column: string, value: string, where = "", description?: string): NeutralizeRule {
    return rule(origin, module, table, [column], description ?? `${table}.${column} := ${value}${where ? ` where ${where}` : ""}`, (ctx) => {
        const text = `UPDATE ${q(table)} SET ${c(column)} = ${value}${where ? ` WHERE ${where}` : ""}`;
        return text.includes("$DOMAIN$") ? [{ text: text.replace(/\$DOMAIN\$/g, "$1::text"), values: [ctx.domain] }] : [{ text }];
    });
}

/**
 * Replaces a credential with `value` on rows matching `when` (SQL over the row, alias `t`; default:
 * rows where it differs). The copies that leave production write the same value (`revokes`).
 */
function revoke(
    origin: NeutralizeRule["origin"],
    module: string,
    table: string,
    column: string,
    value: string,
    when?: string,
    description?: string,
): NeutralizeRule {
    const where = when ?? `t.${c(column)} IS DISTINCT FROM ${value}`;
    return {
        ...rule(origin, module, table, [column], description ?? `${table}.${column} := ${value}`, () => [
            { text: `UPDATE ${q(table)} t SET ${c(column)} = ${value} WHERE ${where}` },
        ]),
        revokes: { column, value, when: where },
    };
}

/** Clears a credential column (only rows that hold one, so the row count says what was live). */
const clear = (origin: NeutralizeRule["origin"], module: string, table: string, column: string) =>
    revoke(origin, module, table, column, "NULL", `t.${c(column)} IS NOT NULL`, `${table}.${column} cleared`);

/** A rule that deletes rows holding a credential in `column`: the copies write the revoked marker there. */
const revokesRows = (r: NeutralizeRule, column: string): NeutralizeRule => ({ ...r, revokes: { column } });

/** ir_config_parameter rules are keyed by parameter: `module.ir_config_parameter[key]`. */
const icpName = (module: string, key: string) => `${module}.ir_config_parameter[${key}]`;

/** Removes a parameter; a `secret` one is blanked in the copies that leave production (`revokesParameter`). */
function deleteParameter(origin: NeutralizeRule["origin"], module: string, key: string, secret = false): NeutralizeRule {
    const r = rule(
        origin,
        module,
        "ir_config_parameter",
        ["key"],
        `parameter ${key} removed`,
        () => [{ text: `DELETE FROM ${q("ir_config_parameter")} WHERE key = $1`, values: [key] }],
        icpName(module, key),
    );
    return secret ? { ...r, revokesParameter: { key, value: () => "''" } } : r;
}

function upsertParameter(
    origin: NeutralizeRule["origin"],
    module: string,
    key: string,
    value: (ctx: NeutralizeContext) => string,
    description: string,
    onlyIfPresent = false,
): NeutralizeRule {
    return rule(
        origin,
        module,
        "ir_config_parameter",
        ["key", "value"],
        description,
        (ctx) => {
            const update = {
                text: `UPDATE ${q("ir_config_parameter")} SET value = $2 WHERE key = $1 AND value IS DISTINCT FROM $2`,
                values: [key, value(ctx)],
            };
            if (onlyIfPresent) return [update];
            return [
                update,
                {
                    text: `INSERT INTO ${q("ir_config_parameter")} (key, value) SELECT $1::varchar, $2::text WHERE NOT EXISTS (SELECT 1 FROM ${q("ir_config_parameter")} WHERE key = $1)`,
                    values: [key, value(ctx)],
                },
            ];
        },
        icpName(module, key),
    );
}

/** The admin user: base.user_admin, or id 2 on databases without its xmlid. */
export const adminUserSql = `coalesce((SELECT d.res_id FROM ${q("ir_model_data")} d WHERE d.module = 'base' AND d.name = 'user_admin' AND d.model = 'res.users' LIMIT 1), 2)`;

/** The cron Odoo keeps running: base.autovacuum_job. */
export const autovacuumCronSql = `(SELECT d.res_id FROM ${q("ir_model_data")} d WHERE d.model = 'ir.cron' AND d.name = 'autovacuum_job' AND d.module = 'base' LIMIT 1)`;

/** Marker holding production's identity (URL, hashed UUID) for verify; written once, never overwritten. */
export const productionIdentityKey = "odoo_platform.neutralize.production";
export const neutralizedAtKey = "odoo_platform.neutralize.date";

/** Name of the one outgoing server neutralize leaves active. */
export const catcherServerName = "odoo-platform mail catcher";
/** Odoo's own blocking server (used when no catcher is given). */
export const blockingServerName = "neutralization - disable emails";

// Credential columns of payment providers: Odoo clears some per module; we clear them all.
const providerKeys: [module: string, column: string, odoo: boolean][] = [
    ["payment_stripe", "stripe_publishable_key", true],
    ["payment_stripe", "stripe_secret_key", false],
    ["payment_stripe", "stripe_webhook_secret", false],
    ["payment_adyen", "adyen_merchant_account", true],
    ["payment_adyen", "adyen_api_key", false],
    ["payment_adyen", "adyen_client_key", false],
    ["payment_adyen", "adyen_hmac_key", false],
    ["payment_paypal", "paypal_email_account", true],
    ["payment_paypal", "paypal_pdt_token", true],
    ["payment_paypal", "paypal_client_id", true],
    ["payment_paypal", "paypal_client_secret", true],
    ["payment_paypal", "paypal_webhook_id", false],
    ["payment_mollie", "mollie_api_key", true],
    ["payment_authorize", "authorize_login", true],
    ["payment_authorize", "authorize_client_key", true],
    ["payment_authorize", "authorize_transaction_key", false],
    ["payment_authorize", "authorize_signature_key", false],
    ["payment_mercado_pago", "mercado_pago_access_token", true],
    ["payment_razorpay", "razorpay_key_id", true],
    ["payment_razorpay", "razorpay_key_secret", true],
    ["payment_razorpay", "razorpay_webhook_secret", true],
    ["payment_flutterwave", "flutterwave_public_key", true],
    ["payment_flutterwave", "flutterwave_secret_key", true],
    ["payment_flutterwave", "flutterwave_webhook_secret", true],
    ["payment_xendit", "xendit_secret_key", true],
    ["payment_xendit", "xendit_webhook_token", true],
    ["payment_worldline", "worldline_pspid", true],
    ["payment_worldline", "worldline_api_key", true],
    ["payment_worldline", "worldline_api_secret", true],
    ["payment_worldline", "worldline_webhook_key", true],
    ["payment_worldline", "worldline_webhook_secret", true],
    ["payment_buckaroo", "buckaroo_website_key", true],
    ["payment_buckaroo", "buckaroo_secret_key", false],
    ["payment_aps", "aps_merchant_identifier", true],
    ["payment_aps", "aps_access_code", true],
    ["payment_aps", "aps_sha_request", true],
    ["payment_aps", "aps_sha_response", true],
    ["payment_payumoney", "payumoney_merchant_key", true],
    ["payment_payumoney", "payumoney_merchant_salt", true],
];

/** The payment_provider columns verify treats as credentials. */
export const paymentProviderKeyColumns = providerKeys.map(([, column]) => column);

const mailServerCredentials = [
    "smtp_user",
    "smtp_pass",
    "smtp_ssl_certificate",
    "smtp_ssl_private_key",
    "google_gmail_authorization_code",
    "google_gmail_refresh_token",
    "google_gmail_access_token",
    "google_gmail_access_token_expiration",
    "microsoft_outlook_refresh_token",
    "microsoft_outlook_access_token",
    "microsoft_outlook_access_token_expiration",
];
const fetchmailCredentials = [
    "user",
    "password",
    "google_gmail_authorization_code",
    "google_gmail_refresh_token",
    "google_gmail_access_token",
    "google_gmail_access_token_expiration",
    "microsoft_outlook_refresh_token",
    "microsoft_outlook_access_token",
    "microsoft_outlook_access_token_expiration",
];
/** The ir_mail_server / fetchmail_server columns verify treats as credentials. */
export const mailCredentialColumns = { ir_mail_server: mailServerCredentials, fetchmail_server: fetchmailCredentials };

/** Parameters holding third-party secrets that Odoo's neutralize leaves in place. */
const secretParameters: [module: string, key: string][] = [
    ["google_gmail", "google_gmail_client_secret"],
    ["google_calendar", "google_calendar_client_secret"],
    ["microsoft_outlook", "microsoft_outlook_client_secret"],
    ["microsoft_calendar", "microsoft_calendar_client_secret"],
    ["google_drive", "google_drive_client_secret"],
    ["web_map", "web_map.token_map_box"],
    ["base_geolocalize", "base_geolocalize.google_map_api_key"],
];
export const secretParameterKeys = secretParameters.map(([, key]) => key);

export const neutralizeRules: NeutralizeRule[] = [
    // ---- base ---------------------------------------------------------------------------------
    rule(
        "odoo",
        "base",
        "ir_mail_server",
        ["active", "name"],
        "every outgoing mail server deactivated (but the catcher)",
        (ctx) => [
            {
                text: `UPDATE ${q("ir_mail_server")} SET active = false WHERE active AND name <> $1`,
                values: [ctx.hasCatcher ? catcherServerName : blockingServerName],
            },
        ],
        "base.ir_mail_server.active",
    ),
    // smtp_authentication exists from 15.0 (ops/odoo/versions.ts): before, a server authenticates by login anyway.
    rule(
        "platform",
        "base",
        "ir_mail_server",
        ["smtp_host", "smtp_port", "smtp_encryption"],
        "every outgoing mail server pointed at the mail catcher (no TLS, no credentials)",
        (ctx, has) => {
            const auth = has("ir_mail_server", "smtp_authentication");
            return [
                {
                    text: `UPDATE ${q("ir_mail_server")} SET smtp_host = $1, smtp_port = $2, smtp_encryption = 'none'${auth ? ", smtp_authentication = 'login'" : ""}
                       WHERE smtp_host IS DISTINCT FROM $1 OR smtp_port IS DISTINCT FROM $2 OR smtp_encryption <> 'none'${auth ? " OR smtp_authentication <> 'login'" : ""}`,
                    values: [ctx.mailHost, ctx.mailPort],
                },
            ];
        },
        "base.ir_mail_server.smtp_host",
    ),
    set(
        "platform",
        "base",
        "ir_mail_server",
        "from_filter",
        "NULL",
        "from_filter IS NOT NULL",
        "from filters cleared (they name production senders and domains)",
    ),
    ...mailServerCredentials.map((col) =>
        clear("platform", col.startsWith("google") ? "google_gmail" : col.startsWith("microsoft") ? "microsoft_outlook" : "base", "ir_mail_server", col),
    ),
    rule(
        "odoo",
        "base",
        "ir_mail_server",
        ["name", "smtp_host", "smtp_port", "smtp_encryption", "active"],
        "one active server: the mail catcher (or Odoo's blocking `invalid:1025` when no catcher is given), so nothing falls back to the command-line SMTP",
        (ctx, has) => {
            const name = ctx.hasCatcher ? catcherServerName : blockingServerName;
            const auth = has("ir_mail_server", "smtp_authentication");
            const seq = has("ir_mail_server", "sequence");
            return [
                {
                    text: `UPDATE ${q("ir_mail_server")} SET active = true${seq ? ", sequence = 0" : ""} WHERE name = $1 AND (NOT active${seq ? " OR sequence IS DISTINCT FROM 0" : ""})`,
                    values: [name],
                },
                {
                    text: `INSERT INTO ${q("ir_mail_server")} (name, smtp_host, smtp_port, smtp_encryption${auth ? ", smtp_authentication" : ""}, active${seq ? ", sequence" : ""})
                           SELECT $1::varchar, $2::varchar, $3::int, 'none'${auth ? ", 'login'" : ""}, true${seq ? ", 0" : ""} WHERE NOT EXISTS (SELECT 1 FROM ${q("ir_mail_server")} WHERE name = $1)`,
                    values: [name, ctx.mailHost, ctx.mailPort],
                },
            ];
        },
        "base.ir_mail_server.catcher",
    ),
    rule("odoo", "base", "ir_cron", ["active"], "every scheduled action deactivated except base.autovacuum_job", () => [
        { text: `UPDATE ${q("ir_cron")} SET active = false WHERE active AND id IS DISTINCT FROM ${autovacuumCronSql}` },
    ]),
    upsertParameter("odoo", "base", "database.is_neutralized", () => "true", "database marked neutralized (Odoo blocks ir.cron.toggle, shows the banner)"),
    revoke(
        "odoo",
        "base",
        "ir_act_server",
        "webhook_url",
        "'neutralization - disable webhook'",
        "t.state = 'webhook' AND t.webhook_url IS DISTINCT FROM 'neutralization - disable webhook'",
        "webhook server actions point nowhere",
    ),
    rule(
        "platform",
        "base",
        "ir_config_parameter",
        ["key", "value"],
        "production identity (base URL, hashed database.uuid) recorded once for verify",
        () => [
            {
                text: `INSERT INTO ${q("ir_config_parameter")} (key, value)
                   SELECT $1::varchar, json_build_object('baseUrl', (SELECT value FROM ${q("ir_config_parameter")} WHERE key = 'web.base.url'),
                          'uuidSha256', (SELECT encode(sha256(convert_to(value, 'UTF8')), 'hex') FROM ${q("ir_config_parameter")} WHERE key = 'database.uuid'))::text
                   WHERE NOT EXISTS (SELECT 1 FROM ${q("ir_config_parameter")} WHERE key = $1)`,
                values: [productionIdentityKey],
            },
        ],
        icpName("platform", productionIdentityKey),
    ),
    once(
        upsertParameter(
            "platform",
            "base",
            "database.uuid",
            (ctx) => ctx.newUuid,
            "new database.uuid (IAP, publisher warranty and portal links no longer match production)",
        ),
    ),
    {
        ...once(
            upsertParameter(
                "platform",
                "base",
                "database.secret",
                (ctx) => ctx.newSecret,
                "new database.secret (production sessions and signed tokens stop working)",
            ),
        ),
        revokesParameter: { key: "database.secret", value: () => quoteLiteral(newDatabaseIdentity().secret) },
    },
    deleteParameter("platform", "base", "database.enterprise_code", true),
    upsertParameter("platform", "base", "web.base.url", (ctx) => ctx.baseUrl, "web.base.url is the environment's URL"),
    upsertParameter("platform", "base", "web.base.url.freeze", () => "True", "web.base.url frozen (an admin login does not rewrite it)"),
    // The copies carry no password at all: the admin's new one is neutralize's, after the restore.
    {
        ...once(
            rule(
                "platform",
                "base",
                "res_users",
                ["password"],
                "every password reset: admin gets a new random one (reported once), everyone else none",
                (ctx) => [
                    { text: `UPDATE ${q("res_users")} SET password = CASE WHEN id = ${adminUserSql} THEN $1 ELSE NULL END`, values: [ctx.adminPasswordHash] },
                ],
            ),
        ),
        revokes: { column: "password", value: "NULL", when: "t.password IS NOT NULL" },
    },
    revokesRows(
        rule(
            "platform",
            "base",
            "res_users_apikeys",
            ["id"],
            "API keys revoked",
            () => [{ text: `DELETE FROM ${q("res_users_apikeys")}` }],
            "base.res_users_apikeys.*",
        ),
        "key",
    ),
    // ---- web / website ------------------------------------------------------------------------
    set("odoo", "web", "ir_ui_view", "active", "true", "key = 'web.neutralize_banner' AND NOT active", 'the red "This database is neutralized" banner shown'),
    set("odoo", "website", "website", "domain", "NULL", "domain IS NOT NULL", "website domains cleared"),
    set("odoo", "website", "ir_ui_view", "active", "true", "key = 'website.neutralize_ribbon' AND NOT active", 'the website "neutralized" ribbon shown'),
    set("odoo", "website", "website", "cdn_activated", "false", "cdn_activated", "website CDN off"),
    set(
        "odoo",
        "website",
        "website",
        "robots_txt",
        "E'User-agent: *\\nDisallow: /'",
        "robots_txt IS DISTINCT FROM E'User-agent: *\\nDisallow: /'",
        "robots.txt disallows everything",
    ),
    clear("platform", "website", "website", "google_analytics_key"),
    clear("platform", "website", "website", "plausible_shared_key"),
    clear("platform", "website", "website", "google_maps_api_key"),
    // ---- mail ---------------------------------------------------------------------------------
    set("odoo", "mail", "mail_template", "mail_server_id", "NULL", "mail_server_id IS NOT NULL", "templates no longer pin a production server"),
    set("odoo", "mail", "fetchmail_server", "active", "false", "active", "incoming mail servers deactivated"),
    set("platform", "mail", "fetchmail_server", "server", "'invalid'", "server IS DISTINCT FROM 'invalid'", "incoming mail servers point at no host"),
    set("platform", "mail", "fetchmail_server", "state", "'draft'", "state IS DISTINCT FROM 'draft'", "incoming mail servers back to draft"),
    ...fetchmailCredentials.map((col) =>
        clear("platform", col.startsWith("google") ? "google_gmail" : col.startsWith("microsoft") ? "microsoft_outlook" : "mail", "fetchmail_server", col),
    ),
    deleteParameter("odoo", "mail", "mail.web_push_vapid_private_key", true),
    deleteParameter("odoo", "mail", "mail.web_push_vapid_public_key"),
    rule(
        "odoo",
        "mail",
        "mail_notification_web_push",
        ["id"],
        "pending web push notifications removed",
        () => [{ text: `DELETE FROM ${q("mail_notification_web_push")}` }],
        "mail.mail_notification_web_push.*",
    ),
    revokesRows(
        rule(
            "odoo",
            "mail",
            "mail_partner_device",
            ["id"],
            "registered push devices removed",
            () => [{ text: `DELETE FROM ${q("mail_partner_device")}` }],
            "mail.mail_partner_device.*",
        ),
        "keys",
    ),
    rule(
        "odoo",
        "mail",
        "mail_push",
        ["id"],
        "pending web push notifications removed (18.0+)",
        () => [{ text: `DELETE FROM ${q("mail_push")}` }],
        "mail.mail_push.*",
    ),
    revokesRows(
        rule(
            "odoo",
            "mail",
            "mail_push_device",
            ["id"],
            "registered push devices removed (18.0+)",
            () => [{ text: `DELETE FROM ${q("mail_push_device")}` }],
            "mail.mail_push_device.*",
        ),
        "keys",
    ),
    ...["mail.use_sfu_server", "mail.sfu_server_url", "mail.use_twilio_rtc_servers", "mail.twilio_account_sid"].map((key) =>
        deleteParameter("odoo", "mail", key),
    ),
    ...["mail.sfu_server_key", "mail.twilio_account_token", "mail.google_translate_api_key", "discuss.klipy_api_key"].map((key) =>
        deleteParameter("odoo", "mail", key, true),
    ),
    set("platform", "mail", "mail_mail", "state", "'cancel'", "state IN ('outgoing', 'exception')", "queued and failed outgoing mail cancelled"),
    upsertParameter("platform", "mail", "mail.catchall.domain", (ctx) => ctx.domain, "catchall domain moved to the environment's domain", true),
    upsertParameter("platform", "mail", "mail.default.from_filter", (ctx) => ctx.domain, "default from filter moved to the environment's domain", true),
    rule("platform", "mail", "mail_alias_domain", ["name"], "alias domains moved to the environment's domain", (ctx) => [
        {
            text: `UPDATE ${q("mail_alias_domain")} d SET name = CASE WHEN d.id = (SELECT min(id) FROM ${q("mail_alias_domain")}) THEN $1 ELSE 'alias' || d.id || '.' || $1 END
                   WHERE d.name IS DISTINCT FROM CASE WHEN d.id = (SELECT min(id) FROM ${q("mail_alias_domain")}) THEN $1 ELSE 'alias' || d.id || '.' || $1 END`,
            values: [ctx.domain],
        },
    ]),
    ...["email_from", "reply_to", "email_cc", "email_to"].map((col) => {
        const moved = `regexp_replace(${c(col)}, '@[A-Za-z0-9.-]+', '@' || $DOMAIN$, 'g')`;
        return set(
            "platform",
            "mail",
            "mail_template",
            col,
            moved,
            `${c(col)} IS DISTINCT FROM ${moved}`,
            "literal addresses in templates moved to the environment's domain",
        );
    }),
    set(
        "platform",
        "mail",
        "mail_alias_domain",
        "default_from",
        "split_part(default_from, '@', 1)",
        "default_from LIKE '%@%'",
        "default from addresses keep their local part only",
    ),
    // ---- auth ---------------------------------------------------------------------------------
    clear("platform", "auth_totp", "res_users", "totp_secret"),
    revokesRows(
        rule(
            "platform",
            "auth_totp",
            "auth_totp_device",
            ["id"],
            "trusted 2FA devices revoked",
            () => [{ text: `DELETE FROM ${q("auth_totp_device")}` }],
            "auth_totp.auth_totp_device.*",
        ),
        "key",
    ),
    clear("platform", "auth_oauth", "res_users", "oauth_access_token"),
    rule(
        "odoo",
        "auth_oauth",
        "auth_oauth_provider",
        ["enabled"],
        "OAuth providers disabled, except those listed in auth_oauth.dont_neutralize_providers",
        (_ctx, has) => [
            {
                text: `UPDATE ${q("auth_oauth_provider")} SET enabled = false WHERE enabled${
                    has("ir_config_parameter", "value")
                        ? `
                   AND id::text NOT IN (SELECT jsonb_array_elements_text(CASE WHEN value ~ '^\\s*\\[' THEN value::jsonb ELSE '[]'::jsonb END)
                                       FROM ${q("ir_config_parameter")} WHERE key = 'auth_oauth.dont_neutralize_providers')`
                        : ""
                }`,
            },
        ],
    ),
    ...secretParameters.map(([module, key]) => deleteParameter("platform", module, key, true)),
    // ---- payment, delivery, IAP, SMS ------------------------------------------------------------
    set("odoo", "payment", "payment_provider", "state", "'disabled'", "state NOT IN ('test', 'disabled')", "live payment providers disabled"),
    set("odoo", "payment", "payment_provider", "is_live", "false", "is_live", "payment providers out of live mode"),
    ...providerKeys.map(([module, column, odoo]) => clear(odoo ? "odoo" : "platform", module, "payment_provider", column)),
    set("platform", "payment", "payment_token", "active", "false", "active", "saved payment tokens archived"),
    // Until 15.0 providers are payment_acquirer: environment prod/test (≤ 12.0), state (13.0–15.0) (ops/odoo/versions.ts).
    set("odoo", "payment", "payment_acquirer", "state", "'disabled'", "state NOT IN ('test', 'disabled')", "live payment acquirers disabled (≤ 15.0)"),
    set("odoo", "payment", "payment_acquirer", "environment", "'test'", "environment = 'prod'", "payment acquirers in test mode (≤ 12.0)"),
    set("odoo", "payment", "payment_acquirer", "website_published", "false", "website_published", "payment acquirers unpublished (≤ 12.0)"),
    set("odoo", "pos_adyen", "pos_payment_method", "adyen_test_mode", "true", "NOT adyen_test_mode"),
    set("odoo", "pos_viva_wallet", "pos_payment_provider", "mode", "'test'", "mode IS DISTINCT FROM 'test'"),
    set("odoo", "pos_razorpay", "pos_payment_method", "razorpay_test_mode", "true", "NOT razorpay_test_mode"),
    revoke(
        "odoo",
        "pos_mercado_pago",
        "pos_payment_method",
        "mp_bearer_token",
        "'dummy_value'",
        "t.mp_bearer_token IS NOT NULL AND t.mp_bearer_token <> 'dummy_value'",
    ),
    set("odoo", "pos_pine_labs", "pos_payment_method", "pine_labs_test_mode", "true", "NOT pine_labs_test_mode"),
    set("odoo", "delivery", "delivery_carrier", "prod_environment", "false", "prod_environment", "carriers out of production mode"),
    set(
        "odoo",
        "delivery",
        "delivery_carrier",
        "active",
        "false",
        "active AND delivery_type NOT IN ('fixed', 'base_on_rule')",
        "carriers with a live API archived",
    ),
    revoke(
        "odoo",
        "iap",
        "iap_account",
        "account_token",
        "regexp_replace(t.account_token, '(\\+.*)?$', '+disabled')",
        "t.account_token IS NOT NULL AND t.account_token NOT LIKE '%+disabled'",
        "IAP tokens disabled (+disabled)",
    ),
    upsertParameter("odoo", "sms", "sms.endpoint", () => "https://iap-services-test.odoo.com", "SMS go to Odoo's IAP test service"),
    upsertParameter("odoo", "snailmail", "snailmail.endpoint", () => "https://iap-services-test.odoo.com", "snail mail goes to Odoo's IAP test service"),
    revoke("odoo", "sms_twilio", "res_company", "sms_twilio_auth_token", "'dummytoken'"),
    set("platform", "sms", "sms_sms", "state", "'canceled'", "state IN ('outgoing', 'process', 'pending', 'error')", "queued SMS cancelled"),
    set(
        "platform",
        "queue_job",
        "queue_job",
        "state",
        "'cancelled'",
        "state IN ('pending', 'enqueued', 'started', 'wait_dependencies', 'failed')",
        "pending queue jobs cancelled (OCA/queue#526)",
    ),
    // ---- calendars ------------------------------------------------------------------------------
    clear("odoo", "google_calendar", "res_users_settings", "google_calendar_rtoken"),
    clear("odoo", "google_calendar", "res_users_settings", "google_calendar_token"),
    clear("platform", "google_calendar", "res_users_settings", "google_calendar_sync_token"),
    clear("platform", "google_calendar", "res_users_settings", "google_calendar_cal_id"),
    set("odoo", "google_calendar", "res_users_settings", "google_synchronization_stopped", "true", "NOT coalesce(google_synchronization_stopped, false)"),
    clear("odoo", "google_calendar", "google_calendar_credentials", "calendar_rtoken"),
    clear("odoo", "google_calendar", "google_calendar_credentials", "calendar_token"),
    clear("odoo", "microsoft_calendar", "res_users", "microsoft_calendar_token"),
    clear("odoo", "microsoft_calendar", "res_users", "microsoft_calendar_rtoken"),
    clear("odoo", "microsoft_calendar", "res_users_settings", "microsoft_calendar_sync_token"),
    set(
        "odoo",
        "microsoft_calendar",
        "res_users_settings",
        "microsoft_synchronization_stopped",
        "true",
        "NOT coalesce(microsoft_synchronization_stopped, false)",
    ),
    // ---- keys in parameters ------------------------------------------------------------------------
    upsertParameter("odoo", "google_recaptcha", "recaptcha_public_key", () => "", "reCAPTCHA public key blanked", true),
    {
        ...upsertParameter("odoo", "google_recaptcha", "recaptcha_private_key", () => "", "reCAPTCHA private key blanked", true),
        revokesParameter: { key: "recaptcha_private_key", value: () => "''" },
    },
    deleteParameter("odoo", "cloud_storage", "cloud_storage_provider"),
    deleteParameter("odoo", "cloud_storage_google", "cloud_storage_google_bucket_name"),
    deleteParameter("odoo", "cloud_storage_google", "cloud_storage_google_account_info", true),
    ...["account_name", "container_name", "tenant_id", "client_id", "client_secret"].map((k) =>
        deleteParameter("odoo", "cloud_storage_azure", `cloud_storage_azure_${k}`, k === "client_secret"),
    ),
    // ---- e-invoicing and localizations -------------------------------------------------------------
    set(
        "odoo",
        "account_edi_proxy_client",
        "account_edi_proxy_client_user",
        "edi_mode",
        "CASE WHEN proxy_type = 'l10n_it_edi' THEN 'demo' ELSE 'test' END",
        "proxy_type NOT IN ('l10n_my_edi', 'l10n_gr_edi') AND edi_mode IS DISTINCT FROM CASE WHEN proxy_type = 'l10n_it_edi' THEN 'demo' ELSE 'test' END",
        "e-invoicing proxy users in test/demo mode",
    ),
    upsertParameter("odoo", "account_peppol", "account_peppol.edi.mode", () => "test", "Peppol in test mode", true),
    clear("odoo", "sale_gelato", "res_company", "gelato_api_key"),
    clear("odoo", "sale_gelato", "res_company", "gelato_webhook_secret"),
    set("odoo", "l10n_es_edi_sii", "res_company", "l10n_es_edi_test_env", "true", "NOT l10n_es_edi_test_env"),
    set("odoo", "l10n_es_edi_tbai", "res_company", "l10n_es_tbai_test_env", "true", "NOT l10n_es_tbai_test_env"),
    clear("odoo", "l10n_in_edi", "res_company", "l10n_in_edi_username"),
    clear("odoo", "l10n_in_edi_ewaybill", "res_company", "l10n_in_edi_ewaybill_username"),
    clear("odoo", "l10n_in_edi_ewaybill", "res_company", "l10n_in_edi_ewaybill_password"),
    set("odoo", "l10n_hu_edi", "res_company", "l10n_hu_edi_server_mode", "'test'", "l10n_hu_edi_server_mode = 'production'"),
    set("odoo", "l10n_eg_edi_eta", "res_company", "l10n_eg_production_env", "false", "l10n_eg_production_env"),
    revoke("odoo", "l10n_eg_edi_eta", "res_company", "l10n_eg_client_secret", "'dummy'"),
    set("odoo", "l10n_sa_edi", "res_company", "l10n_sa_api_mode", "'sandbox'", "l10n_sa_api_mode IS DISTINCT FROM 'sandbox'"),
    revoke("odoo", "l10n_jo_edi", "res_company", "l10n_jo_edi_secret_key", "'dummy_secret'"),
    revoke("odoo", "l10n_jo_edi", "res_company", "l10n_jo_edi_client_identifier", "'dummy_id'"),
    // ---- bookkeeping ---------------------------------------------------------------------------------
    once(upsertParameter("platform", "base", neutralizedAtKey, () => new Date().toISOString(), "first neutralization recorded")),
];
