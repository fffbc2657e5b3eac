/**
 * The bench's production on a real Odoo schema: a real `pg_dump` (../shared/odoo-schemas, schema
 * only: every table empty) loaded as its README says, then filled with the fixture generator's rows
 * for the same Odoo version, table by table and column by column wherever the real table has the
 * column with the same type. A filled table's columns lose their NOT NULL (but the id's) and its CHECK
 * constraints (its rows would be refused otherwise); every table, column,
 * type, index and foreign key of the real schema stays, so the refresh and the baseline copy the real shape: 776 tables, most of them empty.
 */
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import type { Client } from "pg";
import { parseDatabaseUrl, withConnection } from "../ops/postgres/connect";
import { quoteIdent } from "../ops/odoo/sql";
import { createOdooSchema, OdooVersion, seedOdooFixture } from "../testing/odooFixture";

export interface RealShapeReport {
    file: string;
    /** Tables that received generated rows, and the rows they got. */
    filled: { table: string; rows: number; columns: number }[];
    /** Generated tables or columns the real schema does not take (missing, or another type). */
    left: string[];
    /** NOT NULL constraints dropped for columns the generator does not fill, and CHECK constraints of filled tables. */
    relaxed: number;
    /** References to rows that are not there, set to NULL (or their rows removed, in a key). */
    cleared: number;
    fixture: Record<string, number>;
}

/** One connection for `fn` (the library's own helper, for the bench's plain URLs). */
const withClient = <T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> => withConnection(parseDatabaseUrl(url, "the bench database"), fn);

/** Types whose text the other reads alike: the same type with or without a length, or text and varchar. */
function sameKind(a: string, b: string): boolean {
    const kind = (t: string) => t.replace(/\(.*\)$/, "").replace(/^(text|character varying)$/, "text");
    return kind(a) === kind(b);
}

/** Column name → type (format_type) of every table in the public schema. */
async function columnTypes(c: Client): Promise<Map<string, Map<string, { type: string; notNull: boolean; key: boolean }>>> {
    const { rows } = await c.query<{ t: string; c: string; type: string; nn: boolean; key: boolean }>(
        `SELECT cl.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS nn,
                EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = cl.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS key
           FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid
          WHERE cl.relnamespace = 'public'::regnamespace AND cl.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    const out = new Map<string, Map<string, { type: string; notNull: boolean; key: boolean }>>();
    for (const r of rows) {
        if (!out.has(r.t)) out.set(r.t, new Map());
        out.get(r.t)!.set(r.c, { type: r.type, notNull: r.nn, key: r.key });
    }
    return out;
}

/** Streams `COPY (SELECT columns) TO STDOUT` of `from` into `COPY table (columns) FROM STDIN` of `to`. */
function pipeTable(binDir: string, from: string, to: string, table: string, columns: string[]): Promise<void> {
    const list = columns.map(quoteIdent).join(", ");
    return new Promise((resolve, reject) => {
        const out = spawn(
            path.join(binDir, "psql"),
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", from, "-c", `COPY (SELECT ${list} FROM ${quoteIdent(table)}) TO STDOUT`],
            {
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        const into = spawn(path.join(binDir, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", to, "-c", `COPY ${quoteIdent(table)} (${list}) FROM STDIN`], {
            stdio: ["pipe", "ignore", "pipe"],
            // Foreign-key triggers off while loading, as the dump itself is loaded.
            env: { ...process.env, PGOPTIONS: "-c session_replication_role=replica" },
        });
        let errors = "";
        out.stderr.on("data", (d) => (errors += d));
        into.stderr.on("data", (d) => (errors += d));
        out.stdout.pipe(into.stdin);
        let pending = 2;
        const done = (code: number | null) => {
            if (code !== 0) reject(new Error(`filling ${table}: ${errors.trim().split("\n")[0].slice(0, 500)}`));
            else if (--pending === 0) resolve();
        };
        out.on("close", done);
        into.on("close", done);
    });
}

export async function loadRealShape(opts: {
    binDir: string;
    /** The server's maintenance URL and a function giving a database's URL. */
    serverUrl: string;
    urlFor: (database: string) => string;
    /** The (empty, existing) database to become production. */
    database: string;
    file: string;
    version: OdooVersion;
    scale: number;
    seed: string;
}): Promise<RealShapeReport> {
    const prod = opts.urlFor(opts.database);
    await withClient(opts.serverUrl, async (c) => {
        for (const role of ["openpg", "prisma"]) {
            await c.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role}; END IF; END $$`);
        }
    });
    await withClient(prod, (c) => c.query("CREATE EXTENSION IF NOT EXISTS pg_trgm").then(() => undefined));
    const loaded = spawnSync(path.join(opts.binDir, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", prod, "-f", opts.file], {
        encoding: "utf8",
        env: { ...process.env, PGOPTIONS: "-c session_replication_role=replica -c client_min_messages=warning" },
        maxBuffer: 64 * 1024 * 1024,
    });
    if (loaded.status !== 0) throw new Error(`loading ${opts.file} failed: ${(loaded.stderr ?? "").slice(-2000)}`);

    // The generated rows, in a database of their own for the same Odoo version.
    const generated = `${opts.database}_generated`;
    await withClient(opts.serverUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(generated)}`).then(() => undefined));
    try {
        const fixture = await withClient(opts.urlFor(generated), async (c) => {
            await createOdooSchema(c, { version: opts.version });
            return { ...(await seedOdooFixture(c, { scale: opts.scale, seed: opts.seed, version: opts.version })) };
        });
        const from = await withClient(opts.urlFor(generated), columnTypes);
        const into = await withClient(prod, columnTypes);
        const report: RealShapeReport = { file: opts.file, filled: [], left: [], relaxed: 0, cleared: 0, fixture };
        for (const [table, columns] of [...from].sort(([a], [b]) => a.localeCompare(b))) {
            const real = into.get(table);
            if (!real) {
                report.left.push(`${table} (not in the real schema)`);
                continue;
            }
            const rows = await withClient(opts.urlFor(generated), async (c) =>
                Number((await c.query(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)).rows[0].n),
            );
            if (!rows) continue;
            const common = [...columns].filter(([name, col]) => {
                const target = real.get(name);
                if (target && sameKind(target.type, col.type)) return true;
                report.left.push(`${table}.${name} (${target ? `${col.type} here, ${target.type} in the real schema` : "not in the real schema"})`);
                return false;
            });
            const names = common.map(([name]) => name);
            // Every NOT NULL but the primary key's: the generator leaves empty what its own schema allows.
            const relax = [...real].filter(([, col]) => col.notNull && !col.key).map(([name]) => name);
            if (relax.length) {
                await withClient(prod, (c) =>
                    c
                        .query(`ALTER TABLE ${quoteIdent(table)} ${relax.map((n) => `ALTER COLUMN ${quoteIdent(n)} DROP NOT NULL`).join(", ")}`)
                        .then(() => undefined),
                );
                report.relaxed += relax.length;
            }
            // CHECK constraints between columns (a view's mode and its parent) hold for Odoo's own
            // rows, not always for generated ones: the filled tables lose theirs, counted as relaxed.
            report.relaxed += await withClient(prod, async (c) => {
                const { rows: checks } = await c.query<{ name: string }>(
                    "SELECT conname AS name FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'",
                    [`public.${table}`],
                );
                for (const k of checks) await c.query(`ALTER TABLE ${quoteIdent(table)} DROP CONSTRAINT ${quoteIdent(k.name)}`);
                return checks.length;
            });
            await pipeTable(opts.binDir, opts.urlFor(generated), prod, table, names);
            report.filled.push({ table, rows, columns: names.length });
        }
        // Foreign keys into tables the generator does not fill (or fills with other ids) would stop
        // any restore: their dangling references are cleared (rows of a key that holds one go).
        report.cleared = await withClient(prod, async (c) => {
            const filled = report.filled.map((f) => `public.${f.table}`);
            const { rows: fks } = await c.query<{ t: string; col: string; ref: string; refcol: string; key: boolean }>(
                `SELECT con.conrelid::regclass::text AS t, a.attname AS col, con.confrelid::regclass::text AS ref, ra.attname AS refcol,
                        EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = con.conrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS key
                   FROM pg_constraint con
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
                   JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
                  WHERE con.contype = 'f' AND cardinality(con.conkey) = 1 AND con.conrelid::regclass::text = ANY ($1::text[])`,
                [[...filled, ...report.filled.map((f) => f.table)]],
            );
            let n = 0;
            for (const fk of fks) {
                const dangling = `t.${quoteIdent(fk.col)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${fk.ref} r WHERE r.${quoteIdent(fk.refcol)} = t.${quoteIdent(fk.col)})`;
                const r = fk.key
                    ? await c.query(`DELETE FROM ${fk.t} t WHERE ${dangling}`)
                    : await c.query(`UPDATE ${fk.t} t SET ${quoteIdent(fk.col)} = NULL WHERE ${dangling}`);
                n += r.rowCount ?? 0;
            }
            return n;
        });
        // Sequences follow the ids the rows brought.
        await withClient(prod, async (c) => {
            for (const f of report.filled) {
                if (!into.get(f.table)?.has("id")) continue;
                await c.query(
                    `SELECT setval(s, greatest((SELECT max(id) FROM ${quoteIdent(f.table)}), 1)) FROM pg_get_serial_sequence($1, 'id') s WHERE s IS NOT NULL`,
                    [`public.${f.table}`],
                );
            }
            await c.query("VACUUM (FREEZE, ANALYZE)");
        });
        return report;
    } finally {
        await withClient(opts.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(generated)}`).then(() => undefined));
    }
}
