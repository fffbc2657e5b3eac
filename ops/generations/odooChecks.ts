/**
 * What a database is, read from its own tables: an Odoo database with data (a refresh source must
 * be one), and whether it still looks like production (live mail servers, active crons, inbound
 * mail, and no neutralization marker). Read-only, and tolerant of every schema from Odoo 12 to 19:
 * only columns every version has are read (`ir_mail_server.smtp_authentication`, for one, only
 * exists from 15.0), and a missing table is an answer, not an error.
 */
import type { Client } from "pg";

export interface OdooFacts {
    isOdoo: boolean;
    /** Why not, or why it has no data (for the refusal message). */
    problem?: string;
    /** `latest_version` of base. */
    version: string | null;
    partners: number;
    users: number;
}

export interface ProductionSigns {
    looksLikeProduction: boolean;
    neutralized: boolean;
    activeCrons: number;
    liveMailServers: number;
    liveFetchmailServers: number;
    /** One phrase per sign, for messages. */
    reasons: string[];
}

async function tableColumns(client: Client, table: string): Promise<Set<string> | null> {
    const { rows } = await client.query<{ attname: string }>(
        `SELECT a.attname FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
        [table],
    );
    return rows.length ? new Set(rows.map((r) => r.attname)) : null;
}

async function count(client: Client, sql: string): Promise<number> {
    const { rows } = await client.query<{ n: string }>(sql);
    return Number(rows[0].n);
}

/** Is this an Odoo database with data? `base` installed, at least one partner and one user. */
export async function probeOdoo(client: Client): Promise<OdooFacts> {
    const facts: OdooFacts = { isOdoo: false, version: null, partners: 0, users: 0 };
    const modules = await tableColumns(client, "ir_module_module");
    if (!modules || !modules.has("name")) return { ...facts, problem: "it has no ir_module_module table" };
    const { rows } = await client.query<{ version: string | null; state: string | null }>(
        `SELECT ${modules.has("latest_version") ? "latest_version" : "NULL::text"} AS version, ${modules.has("state") ? "state" : "'installed'::text"} AS state
           FROM ir_module_module WHERE name = 'base' LIMIT 1`,
    );
    if (!rows.length) return { ...facts, problem: "the base module is not in ir_module_module" };
    facts.version = rows[0].version;
    if (rows[0].state !== "installed" && rows[0].state !== "to upgrade") return { ...facts, problem: `its base module is "${rows[0].state}", not installed` };
    const partners = await tableColumns(client, "res_partner");
    const users = await tableColumns(client, "res_users");
    if (!partners || !users) return { ...facts, problem: `it has no ${!partners ? "res_partner" : "res_users"} table` };
    facts.partners = await count(client, "SELECT count(*) AS n FROM res_partner");
    facts.users = await count(client, "SELECT count(*) AS n FROM res_users");
    if (!facts.partners || !facts.users) return { ...facts, problem: `it holds no data (${facts.partners} partners, ${facts.users} users)` };
    return { ...facts, isOdoo: true };
}

/**
 * Signs that a database is a live production database. An Odoo database neutralized by Odoo
 * (`database.is_neutralized`) or by odoo-platform (its neutralize date) never looks like production.
 */
export async function probeProductionSigns(client: Client): Promise<ProductionSigns> {
    const signs: ProductionSigns = { looksLikeProduction: false, neutralized: false, activeCrons: 0, liveMailServers: 0, liveFetchmailServers: 0, reasons: [] };
    const params = await tableColumns(client, "ir_config_parameter");
    if (params?.has("key") && params.has("value")) {
        signs.neutralized =
            (await count(
                client,
                `
            SELECT count(*) AS n FROM ir_config_parameter
             WHERE (key = 'database.is_neutralized' AND lower(value) IN ('true', '1')) OR key = 'odoo_platform.neutralize.date'`,
            )) > 0;
    }
    const cron = await tableColumns(client, "ir_cron");
    if (cron?.has("active")) {
        // Odoo's own neutralize keeps the autovacuum job running: it is no sign of production.
        const imd = await tableColumns(client, "ir_model_data");
        const autovacuum =
            imd?.has("model") && imd.has("res_id") && imd.has("name")
                ? ` AND id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' AND name = 'autovacuum_job' AND res_id IS NOT NULL)`
                : "";
        signs.activeCrons = await count(client, `SELECT count(*) AS n FROM ir_cron WHERE active${autovacuum}`);
    }
    const mail = await tableColumns(client, "ir_mail_server");
    if (mail?.has("active") && mail.has("smtp_host")) {
        signs.liveMailServers = await count(
            client,
            `
            SELECT count(*) AS n FROM ir_mail_server WHERE active AND coalesce(smtp_host, '') NOT IN ('', 'invalid', 'localhost', '127.0.0.1', '::1')`,
        );
    }
    const fetchmail = await tableColumns(client, "fetchmail_server");
    if (fetchmail?.has("active")) {
        signs.liveFetchmailServers = await count(
            client,
            `SELECT count(*) AS n FROM fetchmail_server WHERE active${fetchmail.has("state") ? " AND state = 'done'" : ""}`,
        );
    }
    if (signs.activeCrons) signs.reasons.push(`${signs.activeCrons} active scheduled actions`);
    if (signs.liveMailServers) signs.reasons.push(`${signs.liveMailServers} active outgoing mail servers`);
    if (signs.liveFetchmailServers) signs.reasons.push(`${signs.liveFetchmailServers} active incoming mail servers`);
    signs.looksLikeProduction = !signs.neutralized && signs.reasons.length > 0;
    if (signs.looksLikeProduction) signs.reasons.push("not neutralized");
    return signs;
}
