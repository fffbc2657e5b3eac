/**
 * Credentials revoked while they stream off production: `snapshot create --sanitize` and `staging
 * refresh` read every credential column and secret ir_config_parameter through the value neutralize
 * writes, so a snapshot file (S3, a laptop) or a staging server never receives production's mail
 * server passwords, provider keys, API-key hashes or OAuth tokens. What is a credential and what
 * replaces it comes from the neutralize rules themselves (`revokes`, `revokesParameter` in rules.ts,
 * and the columns and parameters declared.ts finds), so the stream and neutralize agree; neutralize
 * run afterwards finds nothing left to revoke (its rules skip a value already revoked).
 */
import type { Client } from "pg";
import { Catalog, readCatalog } from "../odoo/catalog";
import { OdooFields, readOdooFields } from "../odoo/fields";
import { qualifiedTable, quoteIdent, quoteLiteral } from "../odoo/sql";
import type { ColumnTransform } from "../postgres/copyStream";
import { declaredSecretColumns, declaredSecretParameters, revokedValue } from "./declared";
import { NeutralizeRule, neutralizeRules } from "./rules";

export interface ColumnRevocation {
    table: string;
    column: string;
    /** SQL over the row (alias `t`): what the column holds after the rule. */
    value: string;
    /** SQL over the row: the rows the rule changes (the others keep their value). */
    when: string;
    /** The neutralize rule that revokes it. */
    rule: string;
}

export interface ParameterRevocation {
    key: string;
    /** SQL: the value the copy holds instead (the row is kept, as Odoo may need it). */
    value: string;
    rule: string;
}

export interface CredentialRevocations {
    columns: ColumnRevocation[];
    parameters: ParameterRevocation[];
}

/**
 * What revokes each credential of the database `client` is connected to (read only: run it inside
 * the exported snapshot the copy reads, so the secret parameters are those the copy sees).
 */
export async function planCredentialRevocations(
    client: Client,
    opts: { catalog?: Catalog; fields?: OdooFields; rules?: readonly NeutralizeRule[] } = {},
): Promise<CredentialRevocations> {
    const catalog = opts.catalog ?? (await readCatalog(client));
    const fields = opts.fields ?? (await readOdooFields(client, catalog));
    const rules = opts.rules ?? neutralizeRules;
    const columns: ColumnRevocation[] = [];
    for (const r of rules) {
        if (!r.revokes || !catalog.hasColumn(r.table, r.revokes.column) || catalog.missing(r.table, r.columns).length) continue;
        const { column } = r.revokes;
        const value = r.revokes.value ?? revokedValue(catalog, r.table, column);
        columns.push({ table: r.table, column, value, when: r.revokes.when ?? `t.${quoteIdent(column)} IS DISTINCT FROM ${value}`, rule: r.name });
    }
    for (const s of declaredSecretColumns(catalog, fields, rules))
        columns.push({ table: s.table, column: s.column, value: s.value, when: s.when, rule: `declared.${s.table}.${s.column}` });

    const parameters: ParameterRevocation[] = [];
    if (catalog.hasColumn("ir_config_parameter", "key") && catalog.hasColumn("ir_config_parameter", "value")) {
        const { rows } = await client.query<{ key: string; value: string | null }>(
            `SELECT key, value FROM ${qualifiedTable("ir_config_parameter")} ORDER BY key`,
        );
        const present = new Set(rows.map((r) => r.key));
        for (const r of rules) {
            if (r.revokesParameter && present.has(r.revokesParameter.key))
                parameters.push({ key: r.revokesParameter.key, value: r.revokesParameter.value(), rule: r.name });
        }
        for (const key of declaredSecretParameters(rows, rules)) parameters.push({ key, value: "''", rule: `declared.ir_config_parameter[${key}]` });
    }
    return { columns, parameters };
}

const tableKey = (table: string) => (table.includes(".") ? table : `public.${table}`);

/**
 * The copy's transforms with the revocations laid over them: a revoked column reads
 * `CASE WHEN <rule's rows> THEN <revoked value> ELSE <the sanitizing expression, or the column> END`,
 * so what sanitize does to the other rows is unchanged. Pure.
 */
export function withRevocations(transforms: readonly ColumnTransform[], revocations: CredentialRevocations): ColumnTransform[] {
    const prior = (table: string, column: string): string => {
        let expr = `t.${quoteIdent(column)}`;
        for (const t of transforms) if (tableKey(t.table) === tableKey(table) && t.columns[column] !== undefined) expr = `(${t.columns[column]})`;
        return expr;
    };
    const byTable = new Map<string, Record<string, string>>();
    const add = (table: string, column: string, over: (inner: string) => string) => {
        const columns = byTable.get(tableKey(table)) ?? {};
        columns[column] = over(columns[column] ?? prior(table, column));
        byTable.set(tableKey(table), columns);
    };
    for (const r of revocations.columns) add(r.table, r.column, (inner) => `CASE WHEN ${r.when} THEN ${r.value} ELSE ${inner} END`);
    if (revocations.parameters.length) {
        add(
            "ir_config_parameter",
            "value",
            (inner) => `CASE t.key ${revocations.parameters.map((p) => `WHEN ${quoteLiteral(p.key)} THEN ${p.value}`).join(" ")} ELSE ${inner} END`,
        );
    }
    return [...transforms, ...[...byTable].map(([table, columns]) => ({ table, columns }))];
}
