/**
 * The verify check table: each entry re-reads the database (never trusting what sanitize or
 * neutralize reported) and returns findings naming table, column and row count. A check whose
 * table or column is missing has nothing to find and passes as "skipped".
 */
import { createHash } from "node:crypto";
import type { Client } from "pg";
import { Catalog, textOfColumn } from "../odoo/catalog";
import type { OdooFields } from "../odoo/fields";
import { qualifiedTable, quoteIdent } from "../odoo/sql";
import {
    adminUserSql,
    autovacuumCronSql,
    mailCredentialColumns,
    paymentProviderKeyColumns,
    productionIdentityKey,
    secretParameterKeys,
} from "../neutralize/rules";
import { classifySecretColumns, isSecretParameter } from "../pii/classify";

export interface Finding {
    check: string;
    table: string;
    column?: string;
    /** Rows concerned. */
    count: number;
    message: string;
    /** A few identifying samples (names, ids, masked values): never a secret or a full address. */
    samples?: string[];
}

export interface VerifyContext {
    catalog: Catalog;
    /** What Odoo declares about every stored field (ops/odoo/fields.ts). */
    fields: OdooFields;
    /** Hosts an outgoing mail server may point at: the catcher and Odoo's `invalid`. */
    mailHosts: readonly string[];
    /** Production's URL and database.uuid, from options or the marker neutralize recorded. */
    production: { url?: string; uuid?: string; uuidSha256?: string };
    /** The environment's own URL, when given: web.base.url must equal it. */
    baseUrl?: string;
    sampleLimit: number;
}

export interface VerifyCheck {
    name: string;
    table: string;
    columns: string[];
    description: string;
    run: (client: Client, ctx: VerifyContext) => Promise<Finding[]>;
}

const q = qualifiedTable;
const c = quoteIdent;

/** A check that counts the rows matching `where` and lists a few by `label`. */
type Label = string | ((ctx: VerifyContext) => string);

/** A label that reads a (possibly translated) text column: `text(table, "name")`. */
const text =
    (table: string, column: string): Label =>
    (ctx) =>
        textOfColumn(ctx.catalog, table, column);

function rowsWhere(
    name: string,
    table: string,
    columns: string[],
    description: string,
    where: (ctx: VerifyContext) => { sql: string; values?: unknown[] },
    message: (n: number) => string,
    label: Label = "id::text",
    column = columns[0],
): VerifyCheck {
    return {
        name,
        table,
        columns,
        description,
        run: async (client, ctx) => {
            const w = where(ctx);
            const l = typeof label === "function" ? label(ctx) : label;
            const { rows } = await client.query<{ n: number; samples: string[] | null }>(
                `SELECT count(*)::int AS n, (array_agg(${l} ORDER BY id))[1:${ctx.sampleLimit}] AS samples FROM ${q(table)} WHERE ${w.sql}`,
                w.values,
            );
            const n = rows[0].n;
            return n ? [{ check: name, table, column, count: n, message: message(n), samples: rows[0].samples ?? [] }] : [];
        },
    };
}

/** A check that each listed column is empty on every row. */
function columnsEmpty(name: string, table: string, columns: string[], description: string, what: string): VerifyCheck {
    return {
        name,
        table,
        columns: [],
        description,
        run: async (client, ctx) => {
            const present = columns.filter((col) => ctx.catalog.hasColumn(table, col));
            if (!present.length) return [];
            const { rows } = await client.query(
                `SELECT ${present.map((col, i) => `count(*) FILTER (WHERE ${c(col)} IS NOT NULL AND ${c(col)}::text NOT IN ('', '0', 'false'))::int AS n${i}`).join(", ")} FROM ${q(table)}`,
            );
            return present.flatMap((col, i) =>
                rows[0][`n${i}`]
                    ? [
                          {
                              check: name,
                              table,
                              column: col,
                              count: rows[0][`n${i}`],
                              message: `${rows[0][`n${i}`]} row(s) of ${table}.${col} still hold ${what}`,
                          },
                      ]
                    : [],
            );
        },
    };
}

const parameter = async (client: Client, key: string): Promise<string | undefined> =>
    (await client.query(`SELECT value FROM ${q("ir_config_parameter")} WHERE key = $1`, [key])).rows[0]?.value;

const sameUrl = (a: string, b: string) => a.trim().replace(/\/+$/, "").toLowerCase() === b.trim().replace(/\/+$/, "").toLowerCase();

/** Credential columns the named checks above already cover (the generic secret-columns check leaves them out). */
const namedCredentials = new Set([
    ...mailCredentialColumns.ir_mail_server.map((col) => `ir_mail_server.${col}`),
    ...mailCredentialColumns.fetchmail_server.map((col) => `fetchmail_server.${col}`),
    ...paymentProviderKeyColumns.map((col) => `payment_provider.${col}`),
    ...["totp_secret", "oauth_access_token", "microsoft_calendar_token", "microsoft_calendar_rtoken"].map((col) => `res_users.${col}`),
    ...["google_calendar_rtoken", "google_calendar_token", "google_calendar_sync_token", "microsoft_calendar_sync_token"].map(
        (col) => `res_users_settings.${col}`,
    ),
]);

export const verifyChecks: VerifyCheck[] = [
    rowsWhere(
        "crons",
        "ir_cron",
        ["active"],
        "no scheduled action runs but base.autovacuum_job",
        (ctx) => ({ sql: ctx.catalog.hasTable("ir_model_data") ? `active AND id IS DISTINCT FROM ${autovacuumCronSql}` : "active" }),
        (n) => `${n} scheduled action(s) active besides base.autovacuum_job: deactivate them (db neutralize)`,
        (ctx) => (ctx.catalog.hasColumn("ir_cron", "cron_name") ? `coalesce(${textOfColumn(ctx.catalog, "ir_cron", "cron_name")}, id::text)` : "id::text"),
    ),
    rowsWhere(
        "mail-servers",
        "ir_mail_server",
        ["smtp_host"],
        "every outgoing mail server points at the mail catcher",
        (ctx) => ({ sql: `smtp_host IS NULL OR NOT (lower(smtp_host) = ANY($1))`, values: [ctx.mailHosts.map((h) => h.toLowerCase())] }),
        (n) => `${n} outgoing mail server(s) point at a real host: run db neutralize with --mail-host/--mail-port of the mail catcher`,
        (ctx) => `${textOfColumn(ctx.catalog, "ir_mail_server", "name")} || ' → ' || coalesce(smtp_host, '(none)')`,
    ),
    rowsWhere(
        "mail-servers-active",
        "ir_mail_server",
        ["active", "smtp_host"],
        "no active server outside the catcher",
        (ctx) => ({ sql: `active AND NOT (lower(coalesce(smtp_host, '')) = ANY($1))`, values: [ctx.mailHosts.map((h) => h.toLowerCase())] }),
        (n) => `${n} active outgoing mail server(s) outside the mail catcher`,
        text("ir_mail_server", "name"),
        "active",
    ),
    columnsEmpty(
        "mail-server-credentials",
        "ir_mail_server",
        mailCredentialColumns.ir_mail_server,
        "no SMTP password, certificate or OAuth token survives",
        "a credential",
    ),
    rowsWhere(
        "fetchmail",
        "fetchmail_server",
        ["active"],
        "no incoming mail server is active",
        () => ({ sql: "active" }),
        (n) => `${n} incoming mail server(s) active: they would take mail off the production mailbox`,
        text("fetchmail_server", "name"),
    ),
    rowsWhere(
        "fetchmail-hosts",
        "fetchmail_server",
        ["server"],
        "no incoming mail server points at a real host",
        () => ({ sql: "server IS NOT NULL AND server <> 'invalid'" }),
        (n) => `${n} incoming mail server(s) still point at a real host`,
        (ctx) => `${textOfColumn(ctx.catalog, "fetchmail_server", "name")} || ' → ' || server`,
    ),
    columnsEmpty("fetchmail-credentials", "fetchmail_server", mailCredentialColumns.fetchmail_server, "no mailbox password or token survives", "a credential"),
    rowsWhere(
        "payment-providers",
        "payment_provider",
        ["state"],
        "no payment provider is live",
        () => ({ sql: "state = 'enabled'" }),
        (n) => `${n} payment provider(s) live (state enabled)`,
        "code",
    ),
    rowsWhere(
        "payment-providers-live",
        "payment_provider",
        ["is_live"],
        "no payment provider in live mode",
        () => ({ sql: "is_live" }),
        (n) => `${n} payment provider(s) with is_live set`,
        "code",
    ),
    columnsEmpty("payment-keys", "payment_provider", paymentProviderKeyColumns, "no payment provider key survives", "a payment provider key"),
    rowsWhere(
        "payment-tokens",
        "payment_token",
        ["active"],
        "no saved payment token is usable",
        () => ({ sql: "active" }),
        (n) => `${n} active payment token(s) (saved customer cards/mandates)`,
    ),
    rowsWhere(
        "iap",
        "iap_account",
        ["account_token"],
        "every IAP token is disabled",
        () => ({ sql: "account_token IS NOT NULL AND account_token NOT LIKE '%+disabled'" }),
        (n) => `${n} IAP account token(s) still live`,
        // service_name is stored until 17.0; from 18.0 it is iap_service.technical_name (ops/odoo/versions.ts).
        (ctx) =>
            ctx.catalog.hasColumn("iap_account", "service_name")
                ? "coalesce(service_name, id::text)"
                : ctx.catalog.hasColumn("iap_account", "service_id") && ctx.catalog.hasColumn("iap_service", "technical_name")
                  ? `coalesce((SELECT s.technical_name FROM ${q("iap_service")} s WHERE s.id = service_id), id::text)`
                  : "id::text",
    ),
    rowsWhere(
        "delivery",
        "delivery_carrier",
        ["prod_environment"],
        "no carrier in production mode",
        () => ({ sql: "prod_environment" }),
        (n) => `${n} delivery carrier(s) in production mode`,
        "delivery_type",
    ),
    rowsWhere(
        "webhooks",
        "ir_act_server",
        ["webhook_url", "state"],
        "no webhook server action points anywhere",
        () => ({ sql: "state = 'webhook' AND webhook_url IS DISTINCT FROM 'neutralization - disable webhook'" }),
        (n) => `${n} webhook server action(s) still call out`,
        "id::text",
        "webhook_url",
    ),
    rowsWhere(
        "oauth",
        "auth_oauth_provider",
        ["enabled"],
        "OAuth providers disabled (except allow-listed)",
        () => ({
            sql: `enabled AND id::text NOT IN (SELECT jsonb_array_elements_text(CASE WHEN value ~ '^\\s*\\[' THEN value::jsonb ELSE '[]'::jsonb END) FROM ${q("ir_config_parameter")} WHERE key = 'auth_oauth.dont_neutralize_providers')`,
        }),
        (n) => `${n} OAuth provider(s) enabled`,
        text("auth_oauth_provider", "name"),
    ),
    rowsWhere(
        "api-keys",
        "res_users_apikeys",
        ["id"],
        "no API key survives",
        () => ({ sql: "true" }),
        (n) => `${n} API key(s) still valid: revoke them (db neutralize)`,
        text("res_users_apikeys", "name"),
    ),
    rowsWhere(
        "passwords",
        "res_users",
        ["password"],
        "no user but the admin keeps a password (production's hashes are gone)",
        () => ({ sql: `password IS NOT NULL AND password <> '' AND id IS DISTINCT FROM ${adminUserSql}` }),
        (n) => `${n} user(s) besides the admin still have a password hash from production: run db neutralize`,
        "login",
    ),
    rowsWhere(
        "totp-devices",
        "auth_totp_device",
        ["id"],
        "no trusted 2FA device survives",
        () => ({ sql: "true" }),
        (n) => `${n} trusted 2FA device(s)`,
        text("auth_totp_device", "name"),
    ),
    columnsEmpty(
        "user-secrets",
        "res_users",
        ["totp_secret", "oauth_access_token", "microsoft_calendar_token", "microsoft_calendar_rtoken"],
        "no TOTP secret or OAuth token survives on users",
        "a secret or token",
    ),
    columnsEmpty(
        "calendar-tokens",
        "res_users_settings",
        ["google_calendar_rtoken", "google_calendar_token", "google_calendar_sync_token", "microsoft_calendar_sync_token"],
        "no calendar sync token survives",
        "a calendar token",
    ),
    rowsWhere(
        "queued-mail",
        "mail_mail",
        ["state"],
        "no outgoing mail is queued",
        () => ({ sql: "state IN ('outgoing', 'exception')" }),
        (n) => `${n} queued outgoing mail(s): cancel them (db neutralize)`,
    ),
    rowsWhere(
        "queued-jobs",
        "queue_job",
        ["state"],
        "no queue job is pending",
        () => ({ sql: "state IN ('pending', 'enqueued', 'started', 'wait_dependencies')" }),
        (n) => `${n} pending queue job(s)`,
        (ctx) => `coalesce(${textOfColumn(ctx.catalog, "queue_job", "name")}, uuid)`,
    ),
    rowsWhere(
        "queued-sms",
        "sms_sms",
        ["state"],
        "no SMS is queued",
        () => ({ sql: "state IN ('outgoing', 'process', 'pending')" }),
        (n) => `${n} queued SMS`,
    ),
    rowsWhere(
        "website-domains",
        "website",
        ["domain"],
        "websites carry no production domain",
        () => ({ sql: "domain IS NOT NULL AND domain <> ''" }),
        (n) => `${n} website(s) still bound to a domain`,
        "domain",
    ),
    // Payment providers until 15.0 (payment_acquirer): environment prod (≤ 12.0), state enabled (13.0–15.0).
    rowsWhere(
        "payment-acquirers",
        "payment_acquirer",
        ["id"],
        "no payment acquirer is live (Odoo ≤ 15.0)",
        (ctx) => ({
            sql:
                [
                    ctx.catalog.hasColumn("payment_acquirer", "state") ? "state = 'enabled'" : "",
                    ctx.catalog.hasColumn("payment_acquirer", "environment") ? "environment = 'prod'" : "",
                ]
                    .filter(Boolean)
                    .join(" OR ") || "false",
        }),
        (n) => `${n} payment acquirer(s) live`,
        (ctx) => (ctx.catalog.hasColumn("payment_acquirer", "provider") ? "provider" : "id::text"),
        "state",
    ),
    {
        name: "secret-columns",
        table: "ir_config_parameter",
        columns: [],
        description: "no column whose name says key, token, secret or password still holds a value (every module present)",
        run: async (client, ctx) => {
            const findings: Finding[] = [];
            const byTable = new Map<string, string[]>();
            for (const s of classifySecretColumns(ctx.fields, (t, col) => namedCredentials.has(`${t}.${col}`)))
                byTable.set(s.table, [...(byTable.get(s.table) ?? []), s.column]);
            for (const [table, columns] of byTable) {
                const counts = columns.map(
                    (col, i) =>
                        `count(*) FILTER (WHERE ${c(col)} IS NOT NULL AND ${c(col)}::text NOT IN ('', '0', 'false', 'neutralized')` +
                        ` AND ${c(col)}::text NOT LIKE 'neutralized-%')::int AS n${i}`,
                );
                const { rows } = await client.query(`SELECT ${counts.join(", ")} FROM ONLY ${q(table)}`);
                columns.forEach((col, i) => {
                    const n = rows[0][`n${i}`];
                    if (n)
                        findings.push({
                            check: "secret-columns",
                            table,
                            column: col,
                            count: n,
                            message: `${n} row(s) of ${table}.${col} still hold a credential: run db neutralize`,
                        });
                });
            }
            return findings;
        },
    },
    {
        name: "identity",
        table: "ir_config_parameter",
        columns: ["key", "value"],
        description: "neutralized flag set; base URL and database.uuid are not production's",
        run: async (client, ctx) => {
            const findings: Finding[] = [];
            const add = (column: string, message: string) => findings.push({ check: "identity", table: "ir_config_parameter", column, count: 1, message });
            if ((await parameter(client, "database.is_neutralized")) !== "true")
                add("database.is_neutralized", "database.is_neutralized is not 'true': the database was not neutralized");
            const baseUrl = await parameter(client, "web.base.url");
            const uuid = await parameter(client, "database.uuid");
            if (!ctx.production.url && !ctx.production.uuid && !ctx.production.uuidSha256) {
                add(
                    productionIdentityKey,
                    `production's identity is unknown: pass --production-url/--production-uuid, or neutralize first (it records ${productionIdentityKey})`,
                );
            }
            if (ctx.production.url && baseUrl && sameUrl(baseUrl, ctx.production.url))
                add("web.base.url", `web.base.url is production's (${baseUrl}): links and callbacks would point at production`);
            if (ctx.baseUrl && (!baseUrl || !sameUrl(baseUrl, ctx.baseUrl)))
                add("web.base.url", `web.base.url is ${baseUrl ?? "unset"}, expected ${ctx.baseUrl}`);
            const uuidHash = uuid ? createHash("sha256").update(uuid, "utf8").digest("hex") : undefined;
            if (uuid && ((ctx.production.uuid && uuid === ctx.production.uuid) || (ctx.production.uuidSha256 && uuidHash === ctx.production.uuidSha256))) {
                add("database.uuid", "database.uuid is production's: IAP, publisher warranty and portal links would act as production");
            }
            if (await parameter(client, "database.enterprise_code"))
                add("database.enterprise_code", "database.enterprise_code is still production's subscription code");
            const { rows } = await client.query<{ key: string }>(
                `SELECT key FROM ${q("ir_config_parameter")} WHERE key = ANY($1) AND value <> '' ORDER BY key`,
                [
                    [
                        ...secretParameterKeys,
                        "recaptcha_private_key",
                        "recaptcha_public_key",
                        "cloud_storage_provider",
                        "cloud_storage_google_account_info",
                        "cloud_storage_azure_client_secret",
                        "mail.web_push_vapid_private_key",
                        "mail.sfu_server_key",
                        "mail.twilio_account_token",
                    ],
                ],
            );
            for (const { key } of rows) add(key, `parameter ${key} still holds a third-party secret`);
            const named = new Set(rows.map((r) => r.key));
            const all = await client.query<{ key: string; value: string | null }>(`SELECT key, value FROM ${q("ir_config_parameter")}`);
            for (const { key, value } of all.rows) {
                if (!named.has(key) && isSecretParameter(key, value))
                    add(key, `parameter ${key} is named like a credential and holds a value: run db neutralize`);
            }
            return findings;
        },
    },
];

/** Reads production's identity from the marker neutralize recorded (when options did not give it). */
export async function productionIdentityFromMarker(client: Client, catalog: Catalog): Promise<{ url?: string; uuidSha256?: string }> {
    if (!catalog.hasColumn("ir_config_parameter", "key")) return {};
    const raw = await parameter(client, productionIdentityKey);
    if (!raw) return {};
    try {
        const parsed = JSON.parse(raw) as { baseUrl?: string | null; uuidSha256?: string | null };
        return { url: parsed.baseUrl ?? undefined, uuidSha256: parsed.uuidSha256 ?? undefined };
    } catch {
        return {};
    }
}
