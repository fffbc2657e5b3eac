/**
 * A small database for the copy/snapshot/swap tests (the Odoo-shaped fixture of ops/odoo is for
 * the data rules): a few tables with awkward values COPY must carry exactly (tabs, newlines,
 * backslashes, NULLs, bytea, unicode), a foreign key, an index, a sequence in use, a materialized
 * view, and "personal data" for test transforms to replace.
 */
import { Client } from "pg";

export async function seedSmallDb(url: string, opts: { partners?: number; lines?: number; marker?: string } = {}): Promise<void> {
    const partners = opts.partners ?? 500;
    const lines = opts.lines ?? 2000;
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await client.query(`
            CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, latest_version varchar, state varchar);
            INSERT INTO ir_module_module (name, latest_version, state) VALUES ('base', '17.0.1.3', 'installed');
            CREATE TABLE res_users (id serial PRIMARY KEY, login varchar NOT NULL, active boolean DEFAULT true);
            INSERT INTO res_users (login) VALUES ('admin');
            CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar, email varchar, comment text, photo bytea);
            CREATE TABLE account_move_line (id serial PRIMARY KEY, partner_id int REFERENCES res_partner(id), debit numeric(16,2), name text);
            CREATE INDEX account_move_line_partner_idx ON account_move_line (partner_id);
            CREATE TABLE marker (note text);
            CREATE TABLE nothing_here (id int);
            INSERT INTO res_partner (name, email, comment, photo)
                 SELECT 'Partner ' || g, 'person' || g || '@customer.test',
                        CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN E'tab\\there\\nnew line' WHEN 2 THEN E'back\\\\slash \\\\. end' ELSE 'çà ✓ 漢字' END,
                        CASE WHEN g % 3 = 0 THEN decode(md5(g::text), 'hex') END
                   FROM generate_series(1, ${partners}) g;
            INSERT INTO account_move_line (partner_id, debit, name)
                 SELECT 1 + g % ${partners}, (g % 997) / 7.0, 'line ' || g FROM generate_series(1, ${lines}) g;
            INSERT INTO marker VALUES (${opts.marker === undefined ? "'source'" : `'${opts.marker.replace(/'/g, "''")}'`});
            CREATE MATERIALIZED VIEW partner_count AS SELECT count(*) AS n FROM res_partner;
        `);
    } finally {
        await client.end();
    }
}

export async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return (await client.query(sql)).rows as T[];
    } finally {
        await client.end();
    }
}

/** A fingerprint of a table's full content, to compare two databases. */
export async function tableDigest(url: string, table: string): Promise<string> {
    const rows = await query<{ d: string }>(url, `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM ${table} t`);
    return rows[0].d;
}
