/**
 * `sanitizeTransforms` turns the rule table, the implicit scrub, `--strict` and the financial
 * anonymization into one TableTransform per table; `sanitizeDatabase` applies them in place, in
 * one transaction. Deterministic for a given seed; running it twice changes nothing (the financial
 * scaling is applied once, recorded by a marker in ir_config_parameter).
 */
import { randomBytes } from "node:crypto";
import type { Client } from "pg";
import { Catalog, CatalogColumn, isTextColumn, readCatalog } from "../odoo/catalog";
import { readOdooFields } from "../odoo/fields";
import { qualifiedTable, quoteIdent } from "../odoo/sql";
import { defaultAllowedDomains, normalizeDomain } from "../pii/patterns";
import { scanForPii } from "../pii/scan";
import { ActionContext, ActionName, actions } from "./actions";
import { declaredRules } from "./declared";
import { fakeContext, scrubText } from "./fake";
import { financeLineValuesSql, financialTransforms, helperPrefix } from "./finance";
import { ruleName, SanitizeRule, sanitizeRules } from "./rules";
import { rewriteBlocker, rewriteTable } from "./rewrite";
import { mergeTransforms, TableTransform, transformFrom, transformSelectSql, transformSessionSettings } from "./transform";
import type { Progress } from "../core/progress";

export interface SanitizeOptions {
    /** Same seed, same output. Keep it secret: it unlocks the original amounts. */
    seed: string;
    /** Also scrub e-mails and phone numbers from every text column of every table. */
    strict?: boolean;
    /** Keep company names (default true); people's names are always replaced. */
    keepCompanyNames?: boolean;
    /** Domains whose addresses the scrub leaves alone (default example.com). */
    allowDomains?: string[];
    /** Skip the financial anonymization. */
    skipFinance?: boolean;
    /** A relation holding the financial per-line values, computed once (see financeLineValuesSql). */
    financeLineValues?: string;
    /**
     * Move lines per part of the streaming copy's financial query (cut by move-id range, each part
     * its own query): default 150 000, which keeps each part's hashes inside the transforms'
     * work_mem; 0 keeps one query. Ignored with financeLineValues (one pass in place).
     */
    financeLinesPerPart?: number;
    rules?: readonly SanitizeRule[];
    /**
     * Leave these columns alone (`table.column` or a rule name such as `base.res_partner.email`):
     * neither their rule nor a declared rule touches them. For tests that switch one rule off.
     */
    without?: readonly string[];
    /** Also cover what Odoo declares (ops/sanitize/declared.ts): default true. */
    declared?: boolean;
    /** Check every expression against the database (EXPLAIN; default true). Off when only the plan's coverage is wanted. */
    validate?: boolean;
    /**
     * Tables at least this big (bytes) are rewritten and swapped instead of updated in place (a
     * single write of each row). Default 8 MiB; 0 rewrites every eligible table, Infinity none.
     */
    rewriteMinBytes?: number;
    progress?: Progress;
}

export interface RuleOutcome {
    rule: string;
    module: string;
    table: string;
    column: string;
    action: string;
    status: "applied" | "skipped";
    reason?: string;
    /** Where the rule comes from: the rule table, or what Odoo declares (a field named like personal data). */
    origin?: "table" | "declared";
}

export interface SanitizePlan {
    transforms: TableTransform[];
    rules: RuleOutcome[];
    /** Columns scrubbed because their table has rules (implicit) or because of --strict. */
    scrubbed: { table: string; column: string; why: "implicit" | "strict" }[];
    financial: { applied: boolean; reason?: string; skipped: string[] };
}

export interface SanitizeReport {
    ok: true;
    seed: "given" | "random";
    strict: boolean;
    keepCompanyNames: boolean;
    tables: { table: string; rows: number; columns: string[]; seconds: number; method: "rewrite" | "update"; note?: string }[];
    rules: RuleOutcome[];
    applied: number;
    skipped: number;
    scrubbed: SanitizePlan["scrubbed"];
    financial: SanitizePlan["financial"] & {
        moves?: number;
        /** Moves whose rounding difference had to go on a reconciled line (0 on sound books). */
        roundingOnReconciledLines?: number;
    };
    seconds: number;
}

/** ir_config_parameter keys the sanitizer writes. */
export const sanitizeMarkers = {
    date: "odoo_platform.sanitize.date",
    financial: "odoo_platform.sanitize.financial",
} as const;

/** Text columns the implicit scrub never touches: codes, states, hashes, tokens. */
const technicalColumns = new Set([
    "state",
    "type",
    "move_type",
    "display_type",
    "payment_state",
    "parent_state",
    "message_type",
    "model",
    "res_model",
    "model_name",
    "lang",
    "tz",
    "password",
    "totp_secret",
    "key",
    "index",
    "code",
    "matching_number",
    "sequence_prefix",
    "email_layout_xmlid",
    "arch_fs",
    "store_fname",
    "checksum",
    "mimetype",
    "uuid",
    "access_token",
    "oauth_access_token",
    "signup_type",
    "notification_type",
    "odoobot_state",
    "mode",
    "priority",
    "interval_type",
    "move_name",
    "parent_state",
    "name_search",
    "color",
    "kanban_state",
    "activity_state",
]);

/**
 * A rule's expression for its column: text columns get the action as it is; jsonb/json columns
 * (translated fields from 16.0, company-dependent ones from 18.0) get it once per key, so every
 * language and every company's value is replaced and the column keeps its shape. Actions that
 * work on the whole value (nullify, scrub) take the column as it is.
 */
export function ruleExpression(action: ActionName, ctx: Omit<ActionContext, "value" | "type">, column: CatalogColumn): string {
    const ref = `t.${quoteIdent(column.name)}`;
    const isJson = column.type === "jsonb" || column.type === "json";
    if (!isJson || action === "nullify" || action === "scrub" || action === "token") {
        return actions[action]({ ...ctx, value: ref, type: column.type });
    }
    const perKey = actions[action]({ ...ctx, value: "j.value", type: "text" });
    const asJson = (x: string) => (column.type === "json" ? `to_json(${x})` : `to_jsonb(${x})`);
    const j = column.type === "json" ? `${ref}::jsonb` : ref;
    const object = `(SELECT coalesce(jsonb_object_agg(j.key, to_jsonb(${perKey})), '{}'::jsonb) FROM jsonb_each_text(${j}) j)`;
    const scalar = `(SELECT ${asJson(perKey)} FROM (SELECT ${j} #>> '{}' AS value) j)`;
    const typed = (x: string) => (column.type === "json" ? `(${x})::json` : x);
    return (
        `(CASE WHEN ${ref} IS NULL THEN NULL WHEN jsonb_typeof(${j}) = 'object' THEN ${typed(object)} ` +
        `WHEN jsonb_typeof(${j}) = 'string' THEN ${scalar} ELSE ${ref} END)`
    );
}

export async function planSanitize(client: Client, options: SanitizeOptions): Promise<SanitizePlan> {
    const catalog = await readCatalog(client);
    const fake = fakeContext(options.seed);
    const allowDomains = (options.allowDomains?.length ? options.allowDomains : [...defaultAllowedDomains]).map(normalizeDomain);
    const keepCompanyNames = options.keepCompanyNames ?? true;
    const outcomes: RuleOutcome[] = [];
    const transforms: TableTransform[] = [];
    const covered = new Map<string, Set<string>>();

    const without = new Set(options.without ?? []);
    const off = (rule: Pick<SanitizeRule, "module" | "table" | "column">) => without.has(ruleName(rule)) || without.has(`${rule.table}.${rule.column}`);
    const tableRules = (options.rules ?? sanitizeRules).map((r) => ({ ...r, origin: "table" as const }));
    const fields = options.declared === false ? undefined : await readOdooFields(client, catalog);
    const present = new Set(tableRules.filter((r) => catalog.hasColumn(r.table, r.column)).map((r) => `${r.table}.${r.column}`));
    const declared = fields ? declaredRules(fields, (t, c) => present.has(`${t}.${c}`) || without.has(`${t}.${c}`)) : [];
    /** Rules whose table has no such column: the field may be company-dependent (an ir_property row, until 17.0). */
    const absent: { rule: SanitizeRule & { origin: "table" | "declared" }; base: Omit<RuleOutcome, "status"> }[] = [];
    for (const rule of [...tableRules, ...declared]) {
        const base = { rule: ruleName(rule), module: rule.module, table: rule.table, column: rule.column, action: String(rule.action), origin: rule.origin };
        const table = catalog.table(rule.table);
        const column = table?.columns.get(rule.column);
        if (off(rule)) {
            outcomes.push({ ...base, status: "skipped", reason: "switched off (without)" });
            if (table && column) {
                if (!covered.has(rule.table)) covered.set(rule.table, new Set());
                covered.get(rule.table)!.add(rule.column);
            }
            continue;
        }
        if (!table || !column) {
            if (table) absent.push({ rule, base });
            else outcomes.push({ ...base, status: "skipped", reason: `table ${rule.table} does not exist` });
            continue;
        }
        const ctx = {
            fake,
            table: rule.table,
            column: rule.column,
            notNull: column.notNull,
            catalog,
            keepCompanyNames,
            allowedDomains: allowDomains,
            params: rule.params ?? {},
            has: (c: string) => table.columns.has(c),
        };
        transforms.push({ table: rule.table, columns: { [rule.column]: ruleExpression(rule.action, ctx, column) }, rules: [base.rule] });
        outcomes.push({ ...base, status: "applied" });
        if (!covered.has(rule.table)) covered.set(rule.table, new Set());
        covered.get(rule.table)!.add(rule.column);
    }

    // Company-dependent fields until 17.0 (res.partner's barcode …) keep their values in
    // ir_property, one row per record and company: the rule's action runs on those rows' text.
    const properties = await companyDependentFields(
        client,
        catalog,
        absent.map((a) => a.rule),
    );
    const propertyCases: string[] = [];
    for (const { rule, base } of absent) {
        const field = properties.get(`${rule.table}.${rule.column}`);
        if (field === undefined) {
            outcomes.push({ ...base, status: "skipped", reason: `column ${rule.table}.${rule.column} does not exist` });
            continue;
        }
        if (!valueOnlyActions.has(rule.action)) {
            outcomes.push({
                ...base,
                status: "skipped",
                reason: `company-dependent (the ir_property rows of field ${field}): ${rule.action} needs the record's other columns, which an ir_property row does not have`,
            });
            continue;
        }
        const ctx = {
            fake,
            table: rule.table,
            column: rule.column,
            notNull: false,
            catalog,
            keepCompanyNames,
            allowedDomains: allowDomains,
            params: rule.params ?? {},
            has: (c: string) => c === "id",
            value: "t.value_text",
            type: "text",
        };
        propertyCases.push(`WHEN ${field} THEN ${actions[rule.action](ctx)}`);
        outcomes.push({ ...base, status: "applied", reason: `company-dependent: the ir_property rows of field ${field}` });
    }
    if (propertyCases.length) {
        transforms.push({
            table: "ir_property",
            columns: { value_text: `(CASE t.fields_id ${propertyCases.join(" ")} ELSE t.value_text END)` },
            rules: absent.filter((a) => properties.has(`${a.rule.table}.${a.rule.column}`)).map((a) => a.base.rule),
        });
    }

    // Implicit scrub: the other free-text columns of every table that has rules.
    const scrubbed: SanitizePlan["scrubbed"] = [];
    const scrub = (table: string, column: string, why: "implicit" | "strict") => {
        const t = catalog.table(table)!;
        const type = t.columns.get(column)!.type;
        const key = t.columns.has("id") ? "t.id" : "md5(t::text)";
        transforms.push({ table, columns: { [column]: scrubText(fake, `t.${quoteIdent(column)}`, type, t.name, key, allowDomains) }, rules: [`${why}.scrub`] });
        scrubbed.push({ table, column, why });
        if (!covered.has(table)) covered.set(table, new Set());
        covered.get(table)!.add(column);
    };
    for (const table of [...covered.keys()]) {
        for (const column of catalog.table(table)!.columns.values()) {
            if (isTextColumn(column) && !covered.get(table)!.has(column.name) && !technicalColumns.has(column.name)) scrub(table, column.name, "implicit");
        }
    }

    // --strict: every text column anywhere that still holds an address or a phone number.
    if (options.strict) {
        options.progress?.step("strict: scanning every text column for e-mail addresses and phone numbers");
        const findings = await scanForPii(client, catalog, {
            allowDomains,
            sampleLimit: 0,
            kinds: "contact",
            skipColumns: (table) => covered.get(table) ?? new Set(),
            onTable: (_t, i, total) => options.progress?.update(i, total),
        });
        for (const key of new Set(findings.map((f) => `${f.table}\u0000${f.column}`))) {
            const [table, column] = key.split("\u0000");
            scrub(table, column, "strict");
        }
    }

    // Financial anonymization, once per database.
    let financial: SanitizePlan["financial"] = { applied: false, skipped: [] };
    if (options.skipFinance) {
        financial = { applied: false, reason: "skipped on request", skipped: [] };
    } else if (await alreadyScaled(client, catalog)) {
        financial = { applied: false, reason: `already applied (${sanitizeMarkers.financial} is set): amounts are scaled only once`, skipped: [] };
    } else {
        const moveBounds = options.financeLineValues ? [] : await financeMoveBounds(client, options.financeLinesPerPart ?? defaultFinanceLinesPerPart);
        const plan = financialTransforms(fake, catalog, { lineValues: options.financeLineValues, moveBounds });
        transforms.push(...plan.transforms);
        financial = plan.transforms.length
            ? { applied: true, skipped: plan.skipped }
            : { applied: false, reason: "no accounting tables", skipped: plan.skipped };
    }
    const merged = mergeTransforms(transforms);
    if (options.validate !== false) await validateTransforms(client, catalog, merged);
    return { transforms: merged, rules: outcomes, scrubbed, financial };
}

/** Actions that need nothing but the value and a row key: the ones that can run on an ir_property row's text. */
const valueOnlyActions = new Set<ActionName>(["identifier", "label", "token", "nullify"]);

/**
 * The ir_model_fields ids of `rules`' fields that are stored in ir_property (company-dependent
 * until 17.0: ir_property holds `value_text` per record and company, `fields_id` naming the
 * field), by `table.column`; empty when the database has no ir_property. The field's model is
 * matched to the rule's table by Odoo's default table name (`res.partner` → `res_partner`); a model
 * with its own `_table` is not matched, and its rule is reported as skipped.
 */
async function companyDependentFields(
    client: Client,
    catalog: Catalog,
    rules: readonly Pick<SanitizeRule, "table" | "column">[],
): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (
        !rules.length ||
        catalog.missing("ir_property", ["fields_id", "value_text"]).length ||
        catalog.missing("ir_model_fields", ["id", "model", "name"]).length
    )
        return found;
    const { rows } = await client.query<{ id: number; key: string }>(
        `SELECT f.id, replace(f.model, '.', '_') || '.' || f.name AS key FROM ${qualifiedTable("ir_model_fields")} f
          WHERE replace(f.model, '.', '_') || '.' || f.name = ANY($1::text[])
            AND EXISTS (SELECT 1 FROM ${qualifiedTable("ir_property")} p WHERE p.fields_id = f.id)`,
        [rules.map((r) => `${r.table}.${r.column}`)],
    );
    for (const row of rows) found.set(row.key, Number(row.id));
    return found;
}

/** See SanitizeOptions.financeLinesPerPart. */
export const defaultFinanceLinesPerPart = 150_000;
/** More parts than this cost more in repeated small scans than they save. */
const maxFinanceParts = 64;

/**
 * Move ids that cut the move lines into parts of about `linesPerPart` lines each, from the
 * planner's statistics (pg_stats' equal-count histogram of account_move_line.move_id, so parts
 * hold about as many lines each; nothing is scanned). None when the table is small, has no
 * statistics yet (never analyzed), or linesPerPart is 0.
 */
export async function financeMoveBounds(client: Client, linesPerPart: number): Promise<number[]> {
    if (!(linesPerPart > 0)) return [];
    const { rows } = await client.query<{ lines: number | null; bounds: string | null }>(
        `SELECT c.reltuples::float8 AS lines, s.histogram_bounds::text AS bounds
           FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = 'public' AND s.tablename = 'account_move_line' AND s.attname = 'move_id'
          WHERE c.oid = to_regclass('public.account_move_line')`,
    );
    const lines = Number(rows[0]?.lines ?? 0);
    const histogram = (rows[0]?.bounds ?? "").replace(/[{}]/g, "").split(",").filter(Boolean).map(Number).filter(Number.isSafeInteger);
    const parts = Math.min(maxFinanceParts, Math.ceil(lines / linesPerPart), histogram.length - 1);
    if (!(parts >= 2)) return [];
    const bounds = Array.from({ length: parts - 1 }, (_, k) => histogram[Math.round(((k + 1) * (histogram.length - 1)) / parts)]);
    return [...new Set(bounds)];
}

/** A sanitize rule that does not fit the database: names the table, the column and the rules involved. */
export class SanitizeRuleError extends Error {
    constructor(
        readonly table: string,
        readonly column: string | undefined,
        readonly rules: readonly string[],
        cause: string,
    ) {
        super(
            `sanitize: ${column ? `${table}.${column}` : table} (${rules.join(", ") || "no rule"}) does not fit this database: ${cause}. ` +
                `Leave the column out (db sanitize --without ${column ? `${table}.${column}` : table}) and report the schema.`,
        );
        this.name = "SanitizeRuleError";
    }
}

/**
 * Plans (EXPLAIN, nothing runs) every transform before any data moves, so a rule that does not
 * fit the live schema fails here, naming its table and column, rather than half-way through a
 * copy on whichever table a worker was streaming.
 */
export async function validateTransforms(client: Client, catalog: Catalog, transforms: readonly TableTransform[]): Promise<void> {
    for (const t of transforms) {
        const info = catalog.table(t.table);
        if (!info) throw new SanitizeRuleError(t.table, undefined, t.rules ?? [], "the table does not exist");
        const columns = [...info.columns.keys()];
        // Inside a transaction (in-place sanitize, the copy's snapshot) a failed EXPLAIN must not abort it.
        const explain = async (sql: string) => {
            const saved = await client.query("SAVEPOINT sz_validate").then(
                () => true,
                () => false,
            );
            try {
                await client.query(`EXPLAIN ${sql}`);
            } catch (err) {
                if (saved) await client.query("ROLLBACK TO SAVEPOINT sz_validate");
                throw err;
            }
            if (saved) await client.query("RELEASE SAVEPOINT sz_validate");
        };
        const whole = await explain(transformSelectSql(t, columns)).then(
            () => null,
            (err: Error) => err,
        );
        if (!whole) continue;
        // Find the column whose expression fails (over the table alone when the transform has its own row source).
        for (const [column, expr] of Object.entries(t.columns)) {
            const err = await explain(`SELECT (${expr}) FROM ${transformFrom(t)}`).then(
                () => null,
                (e: Error) => e,
            );
            if (err) {
                const own = (t.rules ?? []).filter((r) => r.endsWith(`.${t.table}.${column}`));
                throw new SanitizeRuleError(t.table, column, own.length ? own : (t.rules ?? []), err.message);
            }
        }
        throw new SanitizeRuleError(t.table, undefined, t.rules ?? [], whole.message);
    }
}

/**
 * The transforms for the streaming copy: `COPY (transformSelectSql(t, columns)) TO STDOUT` on the
 * source, `COPY … FROM STDIN` on the target. Call `markSanitized` on the target afterwards.
 */
export async function sanitizeTransforms(client: Client, options: SanitizeOptions): Promise<TableTransform[]> {
    return (await planSanitize(client, options)).transforms;
}

async function alreadyScaled(client: Client, catalog: Catalog): Promise<boolean> {
    if (!catalog.hasColumn("ir_config_parameter", "key")) return false;
    const { rows } = await client.query(`SELECT 1 FROM ${qualifiedTable("ir_config_parameter")} WHERE key = $1`, [sanitizeMarkers.financial]);
    return rows.length > 0;
}

/** Records that the database is sanitized (and whether amounts were scaled) in ir_config_parameter. */
export async function markSanitized(client: Client, info: { financial: boolean }): Promise<void> {
    const catalog = await readCatalog(client);
    if (!catalog.hasColumn("ir_config_parameter", "key")) return;
    const upsert = async (key: string, value: string) => {
        const updated = await client.query(`UPDATE ${qualifiedTable("ir_config_parameter")} SET value = $2 WHERE key = $1`, [key, value]);
        if (!updated.rowCount) await client.query(`INSERT INTO ${qualifiedTable("ir_config_parameter")} (key, value) VALUES ($1, $2)`, [key, value]);
    };
    await upsert(sanitizeMarkers.date, new Date().toISOString());
    if (info.financial) await upsert(sanitizeMarkers.financial, "scaled");
}

/** The in-place UPDATE for a transform without its own row source. Pure. */
export function inPlaceUpdateSql(transform: TableTransform, onlyChanged: boolean): string {
    const sets = Object.entries(transform.columns).map(([c, expr]) => `${quoteIdent(c)} = ${expr}`);
    const where = onlyChanged
        ? ` WHERE ${Object.entries(transform.columns)
              .map(([c, expr]) => `t.${quoteIdent(c)} IS DISTINCT FROM ${expr}`)
              .join(" OR ")}`
        : "";
    return `UPDATE ONLY ${qualifiedTable(transform.table)} AS t SET ${sets.join(", ")}${where}`;
}

/**
 * Sanitizes the database `client` is connected to, in one transaction: nothing is half-applied.
 * Transforms with their own row source (the financial ones, which read other tables) are first
 * materialized from the untouched data, then every table is updated.
 */
export async function sanitizeDatabase(client: Client, options: Partial<SanitizeOptions> = {}): Promise<SanitizeReport> {
    const started = Date.now();
    const seed = options.seed ?? randomBytes(16).toString("hex");
    const progress = options.progress;
    await client.query("BEGIN");
    try {
        for (const [name, value] of Object.entries(transformSessionSettings)) await client.query(`SELECT set_config($1, $2, true)`, [name, value]);
        // The per-line financial values feed three tables: compute them once, from the untouched data.
        let financeLineValues: string | undefined;
        if (!options.skipFinance) {
            const catalog = await readCatalog(client);
            const valuesSql = financeLineValuesSql(fakeContext(seed), catalog);
            if (valuesSql && !(await alreadyScaled(client, catalog))) {
                progress?.step("computing the financial anonymization (per-line values)");
                await client.query(`CREATE TEMP TABLE _sz_line_values ON COMMIT DROP AS ${valuesSql}`);
                await client.query("ANALYZE _sz_line_values");
                financeLineValues = "pg_temp._sz_line_values";
            }
        }
        progress?.step("planning (reading the schema, matching rules)");
        const plan = await planSanitize(client, { ...options, seed, financeLineValues });
        const tables: SanitizeReport["tables"] = [];
        const financial: SanitizeReport["financial"] = { ...plan.financial };

        // 1. Materialize every transform that reads other rows, before anything changes.
        const staged = new Map<string, string>();
        for (const [i, t] of plan.transforms.filter((t) => t.from).entries()) {
            progress?.step(`computing ${t.table} (financial anonymization)`);
            const temp = `_sz_stage_${i}`;
            const exprs = Object.entries(t.columns).map(([c, expr]) => `(${expr}) AS ${quoteIdent(c)}`);
            const extra = t.table === "account_move_line" ? `, t.${quoteIdent(`${helperPrefix}absorbed_on_reconciled`)} AS __absorbed` : "";
            await client.query(`CREATE TEMP TABLE ${temp} ON COMMIT DROP AS SELECT t.id AS __key, ${exprs.join(", ")}${extra} FROM ${transformFrom(t)}`);
            await client.query(`ANALYZE ${temp}`);
            staged.set(t.table, temp);
            if (t.table === "account_move_line") {
                const { rows } = await client.query(`SELECT count(DISTINCT l.move_id)::int AS moves,
                    count(*) FILTER (WHERE s.__absorbed)::int AS absorbed FROM ${temp} s JOIN ONLY ${qualifiedTable("account_move_line")} l ON l.id = s.__key`);
                financial.moves = rows[0].moves;
                financial.roundingOnReconciledLines = rows[0].absorbed;
            }
        }

        // 2. Write: big tables are rewritten and swapped (each row written once), the rest updated in place.
        const catalog = await readCatalog(client);
        const minBytes = options.rewriteMinBytes ?? 8 * 1024 * 1024;
        for (const t of plan.transforms) {
            const begun = Date.now();
            const temp = staged.get(t.table);
            const scrubOnly = (t.rules ?? []).every((r) => r.endsWith(".scrub"));
            const info = catalog.table(t.table);
            let note: string | undefined;
            let method: "rewrite" | "update" = "update";
            if (!scrubOnly && info && info.bytes >= minBytes && info.columns.has("id")) {
                note = (await rewriteBlocker(client, t.table)) ?? undefined;
                if (!note) method = "rewrite";
            }
            progress?.step(
                `sanitizing ${t.table} (${Object.keys(t.columns).length} columns, ${method === "rewrite" ? "rewrite and swap" : "update in place"})`,
            );
            let rows: number;
            if (method === "rewrite") {
                const columns = [...info!.columns.keys()];
                const select = temp
                    ? `SELECT ${columns.map((c) => (c in t.columns ? `CASE WHEN s.__key IS NULL THEN t.${quoteIdent(c)} ELSE s.${quoteIdent(c)} END` : `t.${quoteIdent(c)}`)).join(", ")}
                       FROM ONLY ${qualifiedTable(t.table)} t LEFT JOIN ${temp} s ON s.__key = t.id`
                    : transformSelectSql(t, columns);
                rows = await rewriteTable(client, t.table, columns, select);
            } else {
                const sql = temp
                    ? `UPDATE ONLY ${qualifiedTable(t.table)} AS u SET ${Object.keys(t.columns)
                          .map((c) => `${quoteIdent(c)} = s.${quoteIdent(c)}`)
                          .join(", ")} FROM ${temp} s WHERE u.id = s.__key`
                    : inPlaceUpdateSql(t, scrubOnly);
                rows = (await client.query(sql)).rowCount ?? 0;
            }
            tables.push({
                table: t.table,
                rows,
                columns: Object.keys(t.columns),
                seconds: (Date.now() - begun) / 1000,
                method,
                ...(note ? { note: `updated in place: ${note}` } : {}),
            });
        }
        await markSanitized(client, { financial: plan.financial.applied });
        await client.query("COMMIT");
        const applied = plan.rules.filter((r) => r.status === "applied").length;
        progress?.done(`${applied} rules applied, ${plan.rules.length - applied} skipped, ${tables.length} tables`);
        return {
            ok: true,
            seed: options.seed ? "given" : "random",
            strict: !!options.strict,
            keepCompanyNames: options.keepCompanyNames ?? true,
            tables,
            rules: plan.rules,
            applied,
            skipped: plan.rules.length - applied,
            scrubbed: plan.scrubbed,
            financial,
            seconds: (Date.now() - started) / 1000,
        };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
