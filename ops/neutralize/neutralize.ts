/**
 * `neutralizeDatabase`: applies the neutralize rule table in one transaction. Rules whose table or
 * columns are missing are skipped and reported. The first neutralization gives the database a new
 * identity (uuid, secret) and new passwords (admin's reported once, as a Secret); later runs keep
 * them, so neutralizing twice changes nothing.
 */
import type { Client } from "pg";
import { readCatalog } from "../odoo/catalog";
import { readOdooFields } from "../odoo/fields";
import { declaredNeutralizeRules } from "./declared";
import { qualifiedTable } from "../odoo/sql";
import { tablesWrittenInTransaction } from "../postgres/written";
import { adminUserSql, neutralizedAtKey, NeutralizeContext, NeutralizeRule, neutralizeRules } from "./rules";
import { newDatabaseIdentity, odooPasswordHash, randomPassword, Secret } from "./secrets";
import type { Progress } from "../core/progress";

export interface NeutralizeOptions {
    /** The environment's public URL: becomes web.base.url; its host becomes the mail domain. */
    baseUrl: string;
    /** The environment's mail catcher (Mailpit). Without it every server points at `invalid:1025`. */
    mailHost?: string;
    mailPort?: number;
    /** Reset passwords and identity even on a database neutralized before. */
    resetIdentity?: boolean;
    rules?: readonly NeutralizeRule[];
    /** Also revoke what Odoo declares as credentials (ops/neutralize/declared.ts): default true. */
    declared?: boolean;
    progress?: Progress;
}

export interface NeutralizeRuleOutcome {
    rule: string;
    module: string;
    table: string;
    origin: "odoo" | "platform";
    description: string;
    status: "applied" | "skipped";
    /** Rows changed (applied rules). */
    rows?: number;
    reason?: string;
}

export interface NeutralizeReport {
    ok: true;
    baseUrl: string;
    mailServer: string;
    firstNeutralization: boolean;
    rules: NeutralizeRuleOutcome[];
    applied: number;
    skipped: number;
    /** The admin login and its new password (only on the first neutralization or with resetIdentity). */
    admin: { login: string | null; password: Secret | null };
    /** Every table the run inserted into, updated or deleted from (null: the server does not count writes, track_counts is off). */
    written: string[] | null;
    seconds: number;
}

/** Validates the options before anything changes: a clear message for each problem. */
export function neutralizeContextInput(options: Pick<NeutralizeOptions, "baseUrl" | "mailHost" | "mailPort">): {
    baseUrl: string;
    domain: string;
    mailHost: string;
    mailPort: number;
    hasCatcher: boolean;
} {
    let url: URL;
    try {
        url = new URL(options.baseUrl);
    } catch {
        throw new Error(`--base-url must be an absolute http(s) URL such as https://staging.example.com (got "${options.baseUrl}")`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw new Error(`--base-url must use http or https (got "${url.protocol}")`);
    }
    if ((options.mailHost === undefined) !== (options.mailPort === undefined)) {
        throw new Error("give --mail-host and --mail-port together (the mail catcher's SMTP host and port), or neither");
    }
    if (options.mailPort !== undefined && (!Number.isInteger(options.mailPort) || options.mailPort < 1 || options.mailPort > 65535)) {
        throw new Error(`--mail-port must be a TCP port (1–65535), got ${options.mailPort}`);
    }
    if (options.mailHost !== undefined && !/^[A-Za-z0-9.-]+$/.test(options.mailHost)) {
        throw new Error(`--mail-host must be a host name or IP address (got "${options.mailHost}")`);
    }
    return {
        baseUrl: url.origin + url.pathname.replace(/\/+$/, ""),
        domain: url.hostname,
        mailHost: options.mailHost ?? "invalid",
        mailPort: options.mailPort ?? 1025,
        hasCatcher: options.mailHost !== undefined,
    };
}

export async function neutralizeDatabase(client: Client, options: NeutralizeOptions): Promise<NeutralizeReport> {
    const started = Date.now();
    const input = neutralizeContextInput(options);
    const progress = options.progress;
    const password = randomPassword();
    progress?.step("hashing the new admin password");
    const identity = newDatabaseIdentity();
    const ctx: NeutralizeContext = {
        ...input,
        adminPasswordHash: await odooPasswordHash(password),
        newUuid: identity.uuid,
        newSecret: identity.secret,
    };
    await client.query("BEGIN");
    try {
        const catalog = await readCatalog(client);
        const firstTime = !(
            catalog.hasColumn("ir_config_parameter", "key") &&
            (await client.query(`SELECT 1 FROM ${qualifiedTable("ir_config_parameter")} WHERE key = $1`, [neutralizedAtKey])).rowCount
        );
        const outcomes: NeutralizeRuleOutcome[] = [];
        let passwordsReset = false;
        const tableRules = options.rules ?? neutralizeRules;
        const rules =
            options.declared === false
                ? tableRules
                : [...tableRules, ...(await declaredNeutralizeRules(client, catalog, await readOdooFields(client, catalog), tableRules))];
        for (const [i, rule] of rules.entries()) {
            progress?.update(i, rules.length);
            const base = { rule: rule.name, module: rule.module, table: rule.table, origin: rule.origin, description: rule.description };
            const missing = catalog.missing(rule.table, rule.columns);
            if (!catalog.hasTable(rule.table)) {
                outcomes.push({ ...base, status: "skipped", reason: `table ${rule.table} does not exist (module ${rule.module} not installed)` });
                continue;
            }
            if (missing.length) {
                outcomes.push({ ...base, status: "skipped", reason: `column ${missing.map((c) => `${rule.table}.${c}`).join(", ")} does not exist` });
                continue;
            }
            if (rule.once && !firstTime && !options.resetIdentity) {
                outcomes.push({ ...base, status: "skipped", reason: "kept from the first neutralization (pass --reset-identity to renew)" });
                continue;
            }
            let rows = 0;
            for (const statement of rule.statements(ctx, (t, c) => catalog.hasColumn(t, c))) {
                const result = await client.query(statement.text, statement.values as unknown[] | undefined).catch((err: Error) => {
                    throw new Error(
                        `neutralize rule ${rule.name} on ${rule.table}${rule.columns.length ? `.${rule.columns.join(", ")}` : ""} failed: ${err.message}`,
                    );
                });
                rows += result.rowCount ?? 0;
            }
            if (rule.name === "base.res_users.password") passwordsReset = true;
            outcomes.push({ ...base, status: "applied", rows });
        }
        let adminLogin: string | null = null;
        if (catalog.hasColumn("res_users", "login")) {
            const { rows } = await client.query(`SELECT login FROM ${qualifiedTable("res_users")} WHERE id = ${adminUserSql}`);
            adminLogin = rows[0]?.login ?? null;
        }
        const written = await tablesWrittenInTransaction(client);
        await client.query("COMMIT");
        const applied = outcomes.filter((o) => o.status === "applied").length;
        progress?.done(`${applied} rules applied, ${outcomes.length - applied} skipped`);
        return {
            ok: true,
            baseUrl: input.baseUrl,
            mailServer: `${input.mailHost}:${input.mailPort}`,
            firstNeutralization: firstTime,
            rules: outcomes,
            applied,
            skipped: outcomes.length - applied,
            admin: { login: adminLogin, password: passwordsReset && adminLogin ? new Secret(password) : null },
            written,
            seconds: (Date.now() - started) / 1000,
        };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
