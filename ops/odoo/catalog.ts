/**
 * What a database holds: its tables and columns (with types and estimated row counts), read once
 * from pg_catalog, so rules can be matched against the real schema and skipped (and reported) when
 * a table or column is missing.
 */
import type { Client } from "pg";

export interface CatalogColumn {
    name: string;
    /** `text`, `character varying`, `jsonb`, `integer` … as format_type prints it, without modifiers. */
    type: string;
    /** NOT NULL: a rule may not write NULL here. */
    notNull: boolean;
    /** The table (catalog key) a single-column foreign key of this column references, if any. */
    references?: string;
    /** COMMENT ON COLUMN: Odoo writes each stored field's label there (`Email`, `Tax ID` …). */
    comment?: string;
}

export interface CatalogTable {
    schema: string;
    name: string;
    /** `public.res_partner` for public tables is just `res_partner`. */
    key: string;
    columns: Map<string, CatalogColumn>;
    /** pg_class.reltuples: an estimate (0 when never analyzed, e.g. right after a restore). */
    estimatedRows: number;
    /** On-disk size of the table's main fork, always current. */
    bytes: number;
    /** COMMENT ON TABLE: Odoo writes the model's description there (`Contact`, `Employee` …). */
    comment?: string;
}

export class Catalog {
    constructor(readonly tables: Map<string, CatalogTable>) {}

    table(name: string): CatalogTable | undefined {
        return this.tables.get(name);
    }

    hasTable(name: string): boolean {
        return this.tables.has(name);
    }

    hasColumn(table: string, column: string): boolean {
        return this.tables.get(table)?.columns.has(column) ?? false;
    }

    /** The columns of `columns` that `table` lacks (all of them when the table is missing). */
    missing(table: string, columns: readonly string[]): string[] {
        const t = this.tables.get(table);
        return t ? columns.filter((c) => !t.columns.has(c)) : [...columns];
    }
}

/** Column types that hold free text (and so can hold e-mail addresses or phone numbers). */
export const textTypes = new Set(["text", "character varying", "character", "jsonb", "json", "citext"]);

export function isTextColumn(column: CatalogColumn): boolean {
    return textTypes.has(column.type);
}

/**
 * Reads every ordinary and partitioned table outside the system schemas (pg_catalog,
 * information_schema, pg_toast, temporary schemas).
 */
export async function readCatalog(client: Client): Promise<Catalog> {
    const { rows } = await client.query<{
        schema: string;
        table: string;
        column: string;
        type: string;
        reltuples: number;
        bytes: number;
        not_null: boolean;
        ref_schema: string | null;
        ref_table: string | null;
        comment: string | null;
        table_comment: string | null;
    }>(`
        SELECT n.nspname AS schema, c.relname AS table, a.attname AS column,
               regexp_replace(format_type(a.atttypid, NULL), '\\[\\]$', '[]') AS type, c.reltuples::float8 AS reltuples,
               pg_relation_size(c.oid)::float8 AS bytes, a.attnotnull AS not_null,
               rn.nspname AS ref_schema, rc.relname AS ref_table,
               col_description(c.oid, a.attnum) AS comment, CASE WHEN a.attnum = 1 THEN obj_description(c.oid, 'pg_class') END AS table_comment
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN LATERAL (SELECT k.confrelid FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND k.conkey = ARRAY[a.attnum]
                           ORDER BY k.conname LIMIT 1) fk ON true
        LEFT JOIN pg_class rc ON rc.oid = fk.confrelid
        LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        ORDER BY n.nspname, c.relname, a.attnum`);
    const tables = new Map<string, CatalogTable>();
    const keyOf = (schema: string, table: string) => (schema === "public" ? table : `${schema}.${table}`);
    for (const row of rows) {
        const key = keyOf(row.schema, row.table);
        let table = tables.get(key);
        if (!table) {
            table = { schema: row.schema, name: row.table, key, columns: new Map(), estimatedRows: Math.max(0, row.reltuples), bytes: row.bytes };
            tables.set(key, table);
        }
        if (row.table_comment) table.comment = row.table_comment;
        table.columns.set(row.column, {
            name: row.column,
            type: row.type,
            notNull: row.not_null,
            ...(row.ref_table ? { references: keyOf(row.ref_schema!, row.ref_table) } : {}),
            ...(row.comment ? { comment: row.comment } : {}),
        });
    }
    return new Catalog(tables);
}

/**
 * A text expression for reading `column` of `table` whatever its type: translated (jsonb since
 * 16.0) and company-dependent (jsonb since 18.0) columns give their en_US (or first) value.
 */
export function textOfColumn(catalog: Catalog, table: string, column: string, alias = ""): string {
    const ref = `${alias ? `${alias}.` : ""}"${column.replace(/"/g, '""')}"`;
    const type = catalog.table(table)?.columns.get(column)?.type;
    if (type === "jsonb" || type === "json") {
        const j = type === "json" ? `${ref}::jsonb` : ref;
        return `(CASE jsonb_typeof(${j}) WHEN 'object' THEN coalesce(${j}->>'en_US', (SELECT min(e.value) FROM jsonb_each_text(${j}) e)) ELSE ${j} #>> '{}' END)`;
    }
    return `${ref}::text`;
}
