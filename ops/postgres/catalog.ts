/**
 * What the copy and snapshot code needs to know about a database, read from its catalog inside the
 * caller's transaction (so it matches the exported snapshot): user tables with their columns and
 * sizes, which are empty, sequences and their positions, materialized views, large objects, and
 * the Odoo version of the `base` module.
 */
import type { Client } from "pg";

export interface TableInfo {
    schema: string;
    name: string;
    /** `"schema"."name"`, quoted for SQL. */
    qualified: string;
    /** Columns COPY carries (no generated or dropped columns), in table order. */
    columns: string[];
    /**
     * Each column's type name (`pg_type.typname`, a domain's base type: `bool`, `numeric`, `_int4` …),
     * in the order of `columns`; absent when not read.
     */
    types?: string[];
    /** Heap + TOAST bytes: the weight used to spread tables over parallel workers. */
    bytes: number;
    /** Heap blocks (main fork): where TID-range chunks of a big table are cut. */
    blocks: number;
    /** Whether the table holds at least one row in the caller's snapshot. */
    hasRows: boolean;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const qualify = (schema: string, name: string): string => `${quoteIdent(schema)}.${quoteIdent(name)}`;
export const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Schemas that belong to PostgreSQL itself. */
const systemSchemaFilter = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** Ordinary user tables (not extension members, not temporary), with their columns and sizes. */
export async function listTables(client: Client): Promise<TableInfo[]> {
    const { rows } = await client.query<{ schema: string; name: string; bytes: string; blocks: string; columns: string[] | null; types: string[] | null }>(`
        SELECT n.nspname AS schema, c.relname AS name, pg_table_size(c.oid) AS bytes,
               pg_relation_size(c.oid) / current_setting('block_size')::int AS blocks,
               (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns,
               (SELECT array_agg(bt.typname::text ORDER BY a.attnum) FROM pg_attribute a
                  JOIN pg_type ty ON ty.oid = a.atttypid
                  JOIN pg_type bt ON bt.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS types
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND ${systemSchemaFilter}
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
         ORDER BY n.nspname, c.relname`);
    const tables = rows.map((r) => ({
        schema: r.schema,
        name: r.name,
        qualified: qualify(r.schema, r.name),
        columns: r.columns ?? [],
        types: r.types ?? [],
        bytes: Number(r.bytes),
        blocks: Number(r.blocks),
        hasRows: false,
    }));
    // One round trip for all tables: an Odoo database has hundreds, most of them empty.
    for (let i = 0; i < tables.length; i += 500) {
        const batch = tables.slice(i, i + 500);
        const sql = batch.map((t, j) => `SELECT ${i + j} AS i WHERE EXISTS (SELECT 1 FROM ONLY ${t.qualified})`).join("\nUNION ALL ");
        if (!sql) continue;
        const res = await client.query<{ i: number }>(sql);
        for (const row of res.rows) tables[row.i].hasRows = true;
    }
    return tables;
}

export interface SequenceState {
    qualified: string;
    lastValue: string;
    isCalled: boolean;
}

/** Every user sequence's position, to set on the copy (pg_dump's SEQUENCE SET entries). */
export async function listSequences(client: Client): Promise<SequenceState[]> {
    const { rows } = await client.query<{ schema: string; name: string }>(`
        SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'S' AND ${systemSchemaFilter}
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`);
    const states: SequenceState[] = [];
    for (let i = 0; i < rows.length; i += 500) {
        const batch = rows.slice(i, i + 500);
        const sql = batch
            .map((s) => `SELECT ${quoteLiteral(qualify(s.schema, s.name))} AS q, last_value::text AS v, is_called AS c FROM ${qualify(s.schema, s.name)}`)
            .join("\nUNION ALL ");
        const res = await client.query<{ q: string; v: string; c: boolean }>(sql);
        states.push(...res.rows.map((r) => ({ qualified: r.q, lastValue: r.v, isCalled: r.c })));
    }
    return states;
}

/** `SELECT setval(…)` statements restoring sequence positions, batched. */
export function setvalStatements(states: SequenceState[], batch = 200): string[] {
    const out: string[] = [];
    for (let i = 0; i < states.length; i += batch) {
        const calls = states.slice(i, i + batch).map((s) => `pg_catalog.setval(${quoteLiteral(s.qualified)}, ${s.lastValue}, ${s.isCalled})`);
        out.push(`SELECT ${calls.join(", ")}`);
    }
    return out;
}

/** Materialized views that hold data in the source (pg_dump --schema-only creates them empty). */
export async function listPopulatedMatviews(client: Client): Promise<string[]> {
    const { rows } = await client.query<{ schema: string; name: string }>(
        `SELECT schemaname AS schema, matviewname AS name FROM pg_matviews WHERE ispopulated ORDER BY 1, 2`,
    );
    return rows.map((r) => qualify(r.schema, r.name));
}

export async function countLargeObjects(client: Client): Promise<number> {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_largeobject_metadata`);
    return Number(rows[0].n);
}

/** `latest_version` of the `base` module (e.g. "17.0.1.3"), or null outside an Odoo database. */
export async function odooVersion(client: Client): Promise<string | null> {
    const exists = await client.query(`SELECT 1 FROM pg_class WHERE relname = 'ir_module_module' AND relkind = 'r'`);
    if (!exists.rowCount) return null;
    const { rows } = await client.query<{ v: string | null }>(`SELECT latest_version AS v FROM ir_module_module WHERE name = 'base'`);
    return rows[0]?.v ?? null;
}

/** Odoo series from a module version: "17.0.1.3" → "17.0"; "saas~17.2.1.0" → "saas~17.2". */
export function odooSeries(version: string | null): string | null {
    const match = version ? /^((?:saas~)?\d+\.\d+)/.exec(version) : null;
    return match ? match[1] : null;
}

export interface ServerFacts {
    versionNum: number;
    version: string;
    encoding: string;
    collate: string;
    ctype: string;
}

export async function serverFacts(client: Client): Promise<ServerFacts> {
    const { rows } = await client.query<{ num: string; v: string; enc: string; collate: string; ctype: string }>(`
        SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS v,
               pg_encoding_to_char(d.encoding) AS enc, d.datcollate AS collate, d.datctype AS ctype
          FROM pg_database d WHERE d.datname = current_database()`);
    return { versionNum: Number(rows[0].num), version: rows[0].v, encoding: rows[0].enc, collate: rows[0].collate, ctype: rows[0].ctype };
}
