/**
 * The PII leak scan: every text column (text, varchar, char, json, jsonb) of every table is
 * searched for e-mail addresses outside the allowed domains and for phone numbers. One set-based
 * query per table counts hits per column (a cheap pre-filter skips values that cannot match);
 * only columns with hits are read again, for a few masked samples.
 */
import type { Client } from "pg";
import { Catalog, isTextColumn } from "../odoo/catalog";
import { qualifiedTable, quoteIdent, quoteLiteral } from "../odoo/sql";
import { emailPattern, maskFinding, mayHoldPiiSql, phonePattern } from "./patterns";

export type PiiKind = "email" | "phone";

export interface PiiFinding {
    table: string;
    column: string;
    kind: PiiKind;
    /** Rows whose value holds at least one match. */
    rows: number;
    /** Up to `sampleLimit` masked matches with the row id they come from. */
    samples: { id: string | null; value: string }[];
}

export interface ScanOptions {
    allowDomains: readonly string[];
    /** Only these tables (catalog keys); default every table. */
    tables?: readonly string[];
    /** `table.column` or `table.*` entries left out (known false positives). */
    ignore?: readonly string[];
    /** Columns per table left out (already handled elsewhere). */
    skipColumns?: (table: string) => ReadonlySet<string>;
    sampleLimit?: number;
    onTable?: (table: string, index: number, total: number) => void;
    /** Scan over this many connections at once (default 1); extra ones come from `connect`. */
    jobs?: number;
    /** Opens another connection to the same database, for `jobs` > 1. */
    connect?: () => Promise<Client>;
}

/** The text columns the scan reads for `table`, after ignores. Pure. */
export function scannedColumns(catalog: Catalog, table: string, options: Pick<ScanOptions, "ignore" | "skipColumns">): string[] {
    const t = catalog.table(table);
    if (!t) return [];
    const ignore = new Set(options.ignore ?? []);
    if (ignore.has(`${table}.*`)) return [];
    const skip = options.skipColumns?.(table) ?? new Set<string>();
    return [...t.columns.values()].filter((c) => isTextColumn(c) && !ignore.has(`${table}.${c.name}`) && !skip.has(c.name)).map((c) => c.name);
}

/** The counting query for one table: two counts per column. Pure. */
export function scanQuery(table: string, columns: readonly string[], allowDomains: readonly string[]): string {
    const email = quoteLiteral(emailPattern(allowDomains));
    const phone = quoteLiteral(phonePattern());
    const counts = columns.flatMap((column, i) => {
        const text = `t.${quoteIdent(column)}::text`;
        return [
            `count(*) FILTER (WHERE strpos(${text}, '@') > 0 AND ${text} ~* ${email}) AS e${i}`,
            `count(*) FILTER (WHERE ${mayHoldPiiSql(text)} AND ${text} ~ ${phone}) AS p${i}`,
        ];
    });
    return `SELECT ${counts.join(", ")} FROM ONLY ${qualifiedTable(table)} t`;
}

export async function scanForPii(client: Client, catalog: Catalog, options: ScanOptions): Promise<PiiFinding[]> {
    // Biggest tables first, so parallel workers finish together.
    const tables = (options.tables ?? [...catalog.tables.keys()])
        .filter((t) => catalog.hasTable(t))
        .sort((a, b) => catalog.table(b)!.bytes - catalog.table(a)!.bytes || a.localeCompare(b));
    const findings: PiiFinding[] = [];
    const limit = options.sampleLimit ?? 3;
    const jobs = options.connect ? Math.max(1, Math.min(options.jobs ?? 1, tables.length)) : 1;
    const extra: Client[] = [];
    try {
        for (let i = 1; i < jobs; i++) extra.push(await options.connect!());
        let next = 0;
        let done = 0;
        const worker = async (db: Client) => {
            while (next < tables.length) {
                const table = tables[next++];
                const columns = scannedColumns(catalog, table, options);
                if (columns.length) findings.push(...(await scanTable(db, catalog, table, columns, options.allowDomains, limit)));
                options.onTable?.(table, done++, tables.length);
            }
        };
        await Promise.all([client, ...extra].map(worker));
    } finally {
        await Promise.all(extra.map((c) => c.end().catch(() => undefined)));
    }
    const order = (f: PiiFinding) => `${f.table}\u0000${f.column}\u0000${f.kind}`;
    return findings.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

async function scanTable(client: Client, catalog: Catalog, table: string, columns: string[], allowDomains: readonly string[], limit: number): Promise<PiiFinding[]> {
    const { rows } = await client.query(scanQuery(table, columns, allowDomains));
    const hasId = catalog.hasColumn(table, "id");
    const findings: PiiFinding[] = [];
    for (const [i, column] of columns.entries()) {
        for (const [kind, count] of [["email", Number(rows[0][`e${i}`])], ["phone", Number(rows[0][`p${i}`])]] as const) {
            if (!count) continue;
            const samples = limit > 0 ? await sample(client, table, column, kind, allowDomains, hasId, limit) : [];
            findings.push({ table, column, kind, rows: count, samples });
        }
    }
    return findings;
}

async function sample(client: Client, table: string, column: string, kind: PiiKind, allowDomains: readonly string[],
    hasId: boolean, limit: number): Promise<PiiFinding["samples"]> {
    const text = `t.${quoteIdent(column)}::text`;
    const pattern = quoteLiteral(kind === "email" ? emailPattern(allowDomains) : phonePattern());
    const { rows } = await client.query<{ id: string | null; value: string }>(
        `SELECT ${hasId ? "t.id::text" : "NULL"} AS id, (regexp_match(${text}, ${pattern}${kind === "email" ? ", 'i'" : ""}))[1] AS value
         FROM ONLY ${qualifiedTable(table)} t WHERE ${text} ${kind === "email" ? "~*" : "~"} ${pattern} ${hasId ? "ORDER BY t.id" : ""} LIMIT ${limit}`);
    return rows.map((r) => ({ id: r.id, value: maskFinding(r.value ?? "") }));
}
