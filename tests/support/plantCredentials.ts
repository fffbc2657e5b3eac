/**
 * Live credentials planted in an Odoo fixture database (ops/odoo/fixture.ts), in the columns and
 * parameters where Odoo keeps them, written out here by hand rather than taken from the neutralize
 * rules: a test that greps for them proves the rules, it does not repeat them. Every value is
 * unique (`plnt<n>-<where>`), so a hit names where it was planted.
 */
import type { Client } from "pg";
import { readCatalog } from "../../ops/odoo/catalog";
import { qualifiedTable, quoteIdent } from "../../ops/odoo/sql";

export interface PlantedCredential {
    value: string;
    /** `table.column#id` or `ir_config_parameter[key]`. */
    where: string;
}

/** table → credential columns (Odoo's own names, 16.0–19.0), and which rows hold one. */
const columns: [table: string, column: string, where?: string][] = [
    ["ir_mail_server", "smtp_user"],
    ["ir_mail_server", "smtp_pass"],
    ["ir_mail_server", "google_gmail_refresh_token"],
    ["ir_mail_server", "google_gmail_access_token"],
    ["ir_mail_server", "microsoft_outlook_refresh_token"],
    ["ir_mail_server", "microsoft_outlook_access_token"],
    ["fetchmail_server", "user"],
    ["fetchmail_server", "password"],
    ["fetchmail_server", "google_gmail_refresh_token"],
    ["payment_provider", "stripe_secret_key"],
    ["payment_provider", "stripe_publishable_key"],
    ["payment_provider", "stripe_webhook_secret"],
    ["payment_provider", "adyen_api_key"],
    ["payment_provider", "adyen_hmac_key"],
    ["payment_provider", "mollie_api_key"],
    ["payment_provider", "paypal_client_secret"],
    ["payment_provider", "paypal_pdt_token"],
    ["website", "google_analytics_key"],
    ["website", "google_maps_api_key"],
    ["website", "plausible_shared_key"],
    ["res_users", "password"],
    ["res_users", "totp_secret"],
    ["res_users", "oauth_access_token"],
    ["res_users", "microsoft_calendar_token"],
    ["res_users_settings", "google_calendar_rtoken"],
    ["res_users_settings", "google_calendar_token"],
    ["res_users_apikeys", "key"],
    ["auth_totp_device", "key"],
    ["mail_partner_device", "keys"],
    ["account_edi_proxy_client_user", "refresh_token"],
    ["ir_act_server", "webhook_url", "state = 'webhook'"],
];

/** Parameters holding a third-party secret (the last one only a custom module knows). */
const parameters = [
    "google_gmail_client_secret",
    "microsoft_outlook_client_secret",
    "web_map.token_map_box",
    "recaptcha_private_key",
    "database.enterprise_code",
    "mail.web_push_vapid_private_key",
    "cloud_storage_google_account_info",
    "database.secret",
    "x_partner_api.api_key",
];

/** The IAP tokens: Odoo's own neutralize keeps them, suffixed `+disabled`. */
export const iapWhere = "iap_account.account_token";

export async function plantCredentials(client: Client): Promise<PlantedCredential[]> {
    const catalog = await readCatalog(client);
    const planted: PlantedCredential[] = [];
    let n = 0;
    const value = (where: string) => `plnt${++n}-${where.replace(/[^A-Za-z0-9]+/g, "-")}-5f0c`;
    for (const [table, column, where] of [...columns, ["iap_account", "account_token"] as [string, string]]) {
        if (!catalog.hasColumn(table, column)) continue;
        const { rows } = await client.query<{ id: number }>(`SELECT id FROM ${qualifiedTable(table)}${where ? ` WHERE ${where}` : ""} ORDER BY id`);
        for (const { id } of rows) {
            const v = value(`${table}.${column}#${id}`);
            await client.query(`UPDATE ${qualifiedTable(table)} SET ${quoteIdent(column)} = $1 WHERE id = $2`, [v, id]);
            planted.push({ value: v, where: `${table}.${column}#${id}` });
        }
    }
    for (const key of parameters) {
        const v = value(`ir_config_parameter[${key}]`);
        const updated = await client.query("UPDATE ir_config_parameter SET value = $2 WHERE key = $1", [key, v]);
        if (!updated.rowCount) await client.query("INSERT INTO ir_config_parameter (key, value) VALUES ($1, $2)", [key, v]);
        planted.push({ value: v, where: `ir_config_parameter[${key}]` });
    }
    return planted;
}

/**
 * The planted credentials found in `text` (a dump, a snapshot's files): an IAP token counts only
 * where it appears without the `+disabled` Odoo's own rule gives it.
 */
export function credentialsIn(text: string, planted: readonly PlantedCredential[]): string[] {
    return planted
        .filter((p) => {
            const hits = text.split(p.value).length - 1;
            return p.where.startsWith(iapWhere) ? hits > text.split(`${p.value}+disabled`).length - 1 : hits > 0;
        })
        .map((p) => p.where);
}
