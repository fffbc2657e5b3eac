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
    const { rows } = await client.query<{ schema: string; table: string; column: string; type: string; reltuples: number; bytes: number }>(`
        SELECT n.nspname AS schema, c.relname AS table, a.attname AS column,
               regexp_replace(format_type(a.atttypid, NULL), '\\[\\]$', '[]') AS type, c.reltuples::float8 AS reltuples,
               pg_relation_size(c.oid)::float8 AS bytes
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        ORDER BY n.nspname, c.relname, a.attnum`);
    const tables = new Map<string, CatalogTable>();
    for (const row of rows) {
        const key = row.schema === "public" ? row.table : `${row.schema}.${row.table}`;
        let table = tables.get(key);
        if (!table) {
            table = { schema: row.schema, name: row.table, key, columns: new Map(), estimatedRows: Math.max(0, row.reltuples), bytes: row.bytes };
            tables.set(key, table);
        }
        table.columns.set(row.column, { name: row.column, type: row.type });
    }
    return new Catalog(tables);
}
