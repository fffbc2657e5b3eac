/**
 * Rewrite-and-swap: instead of UPDATE-ing every row of a big table (a second version of each row,
 * index maintenance for each, dead rows left behind), write the sanitized rows once into a new
 * table built LIKE the old one, then swap it in under the same name, inside the caller's
 * transaction: sequences re-owned, indexes and key constraints rebuilt with their names, foreign
 * keys in and out re-added (and validated), owner, comment and storage options kept.
 *
 * A table with anything this cannot carry over safely (dependent views, triggers, policies, grants,
 * inheritance, publications) is not swapped: `rewriteBlocker` names the reason and the caller
 * updates it in place instead.
 */
import type { Client } from "pg";
import { qualifiedTable, quoteIdent, quoteLiteral } from "../odoo/sql";

const regclass = (table: string) => quoteLiteral(qualifiedTable(table));

/** Why `table` cannot be swapped (or null when it can). */
export async function rewriteBlocker(client: Client, table: string): Promise<string | null> {
    const { rows } = await client.query<{ reason: string | null }>(`
        WITH t AS (SELECT ${regclass(table)}::regclass AS oid)
        SELECT CASE
            WHEN EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid, t WHERE d.refobjid = t.oid AND d.classid = 'pg_rewrite'::regclass AND r.ev_class <> t.oid)
                THEN 'views or rules depend on it'
            WHEN EXISTS (SELECT 1 FROM pg_trigger g, t WHERE g.tgrelid = t.oid AND NOT g.tgisinternal) THEN 'it has triggers'
            WHEN EXISTS (SELECT 1 FROM pg_policy p, t WHERE p.polrelid = t.oid) THEN 'it has row-level security policies'
            WHEN EXISTS (SELECT 1 FROM pg_inherits i, t WHERE i.inhrelid = t.oid OR i.inhparent = t.oid) THEN 'it takes part in inheritance'
            WHEN EXISTS (SELECT 1 FROM pg_publication_rel p, t WHERE p.prrelid = t.oid) THEN 'it is published for logical replication'
            WHEN (SELECT c.relacl IS NOT NULL FROM pg_class c, t WHERE c.oid = t.oid) THEN 'it has explicit grants'
            WHEN (SELECT c.relkind <> 'r' FROM pg_class c, t WHERE c.oid = t.oid) THEN 'it is not a plain table'
            WHEN EXISTS (SELECT 1 FROM pg_attribute a, t WHERE a.attrelid = t.oid AND (a.attidentity <> '' OR a.attgenerated <> '') AND NOT a.attisdropped)
                THEN 'it has identity or generated columns'
            END AS reason`);
    return rows[0].reason;
}

interface TableDefinition {
    owner: string;
    comment: string | null;
    reloptions: string[] | null;
    /** Index-backed constraints (primary key, unique, exclusion): name and definition. */
    keyConstraints: { name: string; def: string }[];
    /** Other indexes: full CREATE INDEX statements. */
    indexes: string[];
    /** Foreign keys from and to the table (a self-reference once): table, name, definition. */
    foreignKeys: { table: string; name: string; def: string; inbound: boolean }[];
    /** Sequences owned by its columns. */
    sequences: { sequence: string; column: string }[];
}

async function readDefinition(client: Client, table: string): Promise<TableDefinition> {
    const oid = `${regclass(table)}::regclass`;
    const meta = (
        await client.query(`SELECT pg_get_userbyid(c.relowner) AS owner, obj_description(c.oid, 'pg_class') AS comment, c.reloptions
        FROM pg_class c WHERE c.oid = ${oid}`)
    ).rows[0];
    const keyConstraints = (
        await client.query(`SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = ${oid} AND contype IN ('p', 'u', 'x') ORDER BY contype, conname`)
    ).rows;
    const indexes = (
        await client.query(`SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
        WHERE i.indrelid = ${oid} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = ${oid})
        ORDER BY i.indexrelid`)
    ).rows.map((r) => r.def as string);
    const foreignKeys = (
        await client.query(`SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def,
            conrelid <> ${oid} AS inbound
        FROM pg_constraint WHERE contype = 'f' AND (conrelid = ${oid} OR confrelid = ${oid}) ORDER BY conname`)
    ).rows;
    const sequences = (
        await client.query(`SELECT d.objid::regclass::text AS sequence, a.attname AS column FROM pg_depend d
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.refobjid = ${oid} AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
          AND (SELECT relkind FROM pg_class WHERE oid = d.objid) = 'S'`)
    ).rows;
    return { owner: meta.owner, comment: meta.comment, reloptions: meta.reloptions, keyConstraints, indexes, foreignKeys, sequences };
}

/**
 * Replaces the rows of `table` with those of `selectSql` (every column, in `columns` order) by
 * rewrite-and-swap. Runs inside the caller's transaction. Returns the number of rows written.
 */
export async function rewriteTable(client: Client, table: string, columns: readonly string[], selectSql: string): Promise<number> {
    const def = await readDefinition(client, table);
    const name = table.includes(".") ? table.split(".")[1] : table;
    const schema = table.includes(".") ? table.split(".")[0] : "public";
    const fresh = `${name}__sz_new`;
    const freshQualified = `${quoteIdent(schema)}.${quoteIdent(fresh)}`;
    const target = qualifiedTable(table);
    await client.query(`CREATE TABLE ${freshQualified} (LIKE ${target} INCLUDING ALL EXCLUDING INDEXES)`);
    const inserted = await client.query(`INSERT INTO ${freshQualified} (${columns.map(quoteIdent).join(", ")}) ${selectSql}`);
    for (const fk of def.foreignKeys.filter((f) => f.inbound)) {
        await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
    }
    for (const s of def.sequences) await client.query(`ALTER SEQUENCE ${s.sequence} OWNED BY ${freshQualified}.${quoteIdent(s.column)}`);
    await client.query(`DROP TABLE ${target}`);
    await client.query(`ALTER TABLE ${freshQualified} RENAME TO ${quoteIdent(name)}`);
    for (const k of def.keyConstraints) await client.query(`ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.def}`);
    for (const statement of def.indexes) await client.query(statement);
    for (const fk of def.foreignKeys) {
        await client.query(`ALTER TABLE ${fk.inbound ? fk.table : target} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.def}`);
    }
    const current = (await client.query("SELECT current_user AS u")).rows[0].u;
    if (def.owner !== current) await client.query(`ALTER TABLE ${target} OWNER TO ${quoteIdent(def.owner)}`);
    if (def.comment !== null) await client.query(`COMMENT ON TABLE ${target} IS ${quoteLiteral(def.comment)}`);
    if (def.reloptions?.length) await client.query(`ALTER TABLE ${target} SET (${def.reloptions.join(", ")})`);
    return inserted.rowCount ?? 0;
}
