/**
 * Neutralize rules from what Odoo declares: every stored column whose name says it holds a
 * credential (ops/pii/classify.ts: `*_secret_key`, `*_token`, `*_password`, `*_api_key` … in
 * websites, payment providers, companies, connectors of any module present) is revoked, and every
 * ir_config_parameter named like a key, token, secret or password that holds a value is removed,
 * unless a rule of the table (rules.ts) handles it already or keeps it on purpose
 * (classify.ts keptSecrets / keptParameters).
 */
import type { Client } from "pg";
import type { Catalog } from "../odoo/catalog";
import type { OdooFields } from "../odoo/fields";
import { qualifiedTable, quoteIdent } from "../odoo/sql";
import { classifySecretColumns, isSecretParameter } from "../pii/classify";
import type { NeutralizeRule } from "./rules";

/** Whether a rule of `rules` already writes `table.column` (or removes the table's rows). */
function coveredBy(rules: readonly NeutralizeRule[]): (table: string, column: string) => boolean {
    const written = new Set<string>();
    for (const r of rules) {
        if (r.name.endsWith(".*")) written.add(`${r.table}.*`);
        for (const c of r.columns) written.add(`${r.table}.${c}`);
    }
    return (table, column) => written.has(`${table}.${column}`) || written.has(`${table}.*`);
}

/** The value a revoked credential gets (SQL over the row, alias `t`): NULL, or a marker where the column may not be empty. */
export function revokedValue(catalog: Catalog, table: string, column: string): string {
    const info = catalog.table(table)!;
    const col = info.columns.get(column)!;
    if (!col.notNull) return `NULL::${col.type}`;
    if (col.type === "bytea") return "''::bytea";
    if (col.type === "jsonb" || col.type === "json") return `'{}'::${col.type}`;
    return info.columns.has("id") ? "'neutralized-' || t.id::text" : "'neutralized'";
}

/**
 * The rows of a declared credential column that still hold one: not empty, not already revoked
 * (a copy that left production revoked it in its SELECT, ops/neutralize/revoke.ts).
 */
export function holdsCredential(column: string, value: string): string {
    const c = `t.${quoteIdent(column)}`;
    return `${c} IS NOT NULL AND ${c}::text <> '' AND ${c}::text NOT LIKE 'neutralized%' AND ${c}::text IS DISTINCT FROM (${value})::text`;
}

export interface DeclaredSecretColumn {
    table: string;
    column: string;
    why: string;
    /** What neutralize writes (revokedValue), on the rows `when` selects (holdsCredential). */
    value: string;
    when: string;
}

/** The credential columns Odoo declares that no rule of `rules` writes, with what revokes them. */
export function declaredSecretColumns(catalog: Catalog, fields: OdooFields, rules: readonly NeutralizeRule[]): DeclaredSecretColumn[] {
    return classifySecretColumns(fields, coveredBy(rules))
        .filter((s) => catalog.hasColumn(s.table, s.column))
        .map((s) => {
            const value = revokedValue(catalog, s.table, s.column);
            return { ...s, value, when: holdsCredential(s.column, value) };
        });
}

/** The ir_config_parameter keys (of `rows`) named like a credential and holding a value that no rule of `rules` names. */
export function declaredSecretParameters(rows: readonly { key: string; value: string | null }[], rules: readonly NeutralizeRule[]): string[] {
    const named = new Set(
        rules
            .filter((r) => r.table === "ir_config_parameter")
            .map((r) => /\[(.*)\]$/.exec(r.name)?.[1])
            .filter(Boolean),
    );
    return rows.filter(({ key, value }) => !named.has(key) && isSecretParameter(key, value)).map((r) => r.key);
}

export async function declaredNeutralizeRules(
    client: Client,
    catalog: Catalog,
    fields: OdooFields,
    rules: readonly NeutralizeRule[],
): Promise<NeutralizeRule[]> {
    const out: NeutralizeRule[] = [];
    for (const s of declaredSecretColumns(catalog, fields, rules)) {
        out.push({
            name: `declared.${s.table}.${s.column}`,
            module: "declared",
            table: s.table,
            columns: [s.column],
            origin: "platform",
            description: `${s.table}.${s.column} revoked: ${s.why}`,
            statements: () => [{ text: `UPDATE ${qualifiedTable(s.table)} t SET ${quoteIdent(s.column)} = ${s.value} WHERE ${s.when}` }],
            revokes: { column: s.column, value: s.value, when: s.when },
        });
    }
    if (catalog.hasColumn("ir_config_parameter", "key") && catalog.hasColumn("ir_config_parameter", "value")) {
        const { rows } = await client.query<{ key: string; value: string | null }>(
            `SELECT key, value FROM ${qualifiedTable("ir_config_parameter")} ORDER BY key`,
        );
        for (const key of declaredSecretParameters(rows, rules)) {
            out.push({
                name: `declared.ir_config_parameter[${key}]`,
                module: "declared",
                table: "ir_config_parameter",
                columns: ["key"],
                origin: "platform",
                description: `parameter ${key} removed: named like a credential and holding a value`,
                statements: () => [{ text: `DELETE FROM ${qualifiedTable("ir_config_parameter")} WHERE key = $1`, values: [key] }],
                revokesParameter: { key, value: () => "''" },
            });
        }
    }
    return out;
}
