/**
 * The PII leak scan: every text column (text, varchar, char, json, jsonb) of every table, but
 * Odoo's own metadata (ops/pii/metadata.ts), is searched for
 *
 * - e-mail addresses outside the allowed domains and phone numbers (counted in SQL),
 * - IBANs, payment card numbers and VAT numbers (candidates found in SQL, then validated by the
 *   checksums of ops/pii/detectors.ts),
 * - key/token-shaped values in columns whose names say token/secret/key/password,
 * - production's own values, when a known-value set is given (ops/pii/knownValues.ts).
 *
 * One set-based query per table reads each row once and counts every detector per column, behind
 * cheap pre-filters; only columns with hits are read again, for validation and masked samples.
 */
import type { Client } from "pg";
import { Catalog, isTextColumn } from "../odoo/catalog";
import { qualifiedTable, quoteIdent, quoteLiteral } from "../odoo/sql";
import { keptSecrets } from "./classify";
import { findCards, findIbans, findVats, isTokenColumnName, isTokenShaped } from "./detectors";
import { hitKinds, installKnownValues, KnownValueSet, knownValueSql } from "./knownValues";
import { metadataScope } from "./metadata";
import { emailPattern, maskFinding, mayHoldNumberSql, mayHoldPiiSql, numberCandidatePattern, phonePattern, tokenCandidateSql } from "./patterns";

export type PiiKind = "email" | "phone" | "iban" | "card" | "vat" | "token" | "known";

export interface PiiFinding {
    table: string;
    column: string;
    kind: PiiKind;
    /** Rows whose value holds at least one match. */
    rows: number;
    /** Up to `sampleLimit` masked matches with the row id they come from (never for known values). */
    samples: { id: string | null; value: string }[];
    /** For known values: which kinds of production value (name, email …) were found. */
    knownKinds?: string[];
    /** Candidates read back for validation were capped: `rows` counts the validated ones among them. */
    capped?: boolean;
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
    /** Only e-mails and phones (what `--strict` sanitize scrubs); default every detector. */
    kinds?: "contact" | "all";
    /** Production's values: every hit is a finding. */
    knownValues?: KnownValueSet;
    onTable?: (table: string, index: number, total: number) => void;
    /** Scan over this many connections at once (default 1); extra ones come from `connect`. */
    jobs?: number;
    /** Opens another connection to the same database, for `jobs` > 1. */
    connect?: () => Promise<Client>;
}

export interface ScanResult {
    findings: PiiFinding[];
    /** Rows read (every table scanned, metadata rows excluded) and columns compared. */
    rows: number;
    columns: number;
    tables: number;
    /** Tables left out whole, with the metadata rule's reason. */
    skipped: { table: string; reason: string }[];
}

/** Credential columns a rule keeps on purpose (reset, disabled, deleted): their own checks cover them, not the token shape. */
const keptCredentials = new Set(keptSecrets.map((k) => `${k.table}.${k.column}`));

/** Rows of validation candidates read back per column and detector. */
const candidateCap = 5000;

/** The text columns the scan reads for `table`, after ignores. Pure. */
export function scannedColumns(catalog: Catalog, table: string, options: Pick<ScanOptions, "ignore" | "skipColumns">): string[] {
    const t = catalog.table(table);
    if (!t) return [];
    const ignore = new Set(options.ignore ?? []);
    if (ignore.has(`${table}.*`)) return [];
    const skip = options.skipColumns?.(table) ?? new Set<string>();
    return [...t.columns.values()].filter((c) => isTextColumn(c) && !ignore.has(`${table}.${c.name}`) && !skip.has(c.name)).map((c) => c.name);
}

export interface ColumnPlan {
    column: string;
    type: string;
    /** The token detector applies: the name says token/secret/key/password and no rule keeps the value on purpose. */
    token: boolean;
}

/** What the scan reads of `table`: its text columns after ignores, each with its type and whether tokens are looked for. Pure. */
export function scanColumnPlans(catalog: Catalog, table: string, options: Pick<ScanOptions, "ignore" | "skipColumns">): ColumnPlan[] {
    const info = catalog.table(table);
    if (!info) return [];
    return scannedColumns(catalog, table, options).map((column) => ({
        column,
        type: info.columns.get(column)!.type,
        token: isTokenColumnName(column) && !keptCredentials.has(`${table}.${column}`),
    }));
}

/** The counting query for one table: per column, one count per detector. Pure. */
export function scanQuery(
    table: string,
    columns: readonly ColumnPlan[],
    options: Pick<ScanOptions, "allowDomains" | "kinds" | "knownValues">,
    where?: string,
): string {
    const email = quoteLiteral(emailPattern(options.allowDomains));
    const phone = quoteLiteral(phonePattern());
    const numbers = quoteLiteral(numberCandidatePattern());
    const all = options.kinds !== "contact";
    const counts = [
        "count(*) AS n",
        ...columns.flatMap((c, i) => {
            const text = `t.${quoteIdent(c.column)}::text`;
            const out = [
                `count(*) FILTER (WHERE strpos(${text}, '@') > 0 AND ${text} ~* ${email}) AS e${i}`,
                `count(*) FILTER (WHERE ${mayHoldPiiSql(text)} AND ${text} ~ ${phone}) AS p${i}`,
            ];
            if (all) out.push(`count(*) FILTER (WHERE ${mayHoldNumberSql(text)} AND ${text} ~ ${numbers}) AS d${i}`);
            if (all && c.token) out.push(`count(*) FILTER (WHERE ${tokenCandidateSql(text)}) AS t${i}`);
            if (options.knownValues) out.push(`count(*) FILTER (WHERE ${knownValueSql(options.knownValues, `t.${quoteIdent(c.column)}`, c.type)}) AS k${i}`);
            return out;
        }),
    ];
    return `SELECT ${counts.join(", ")} FROM ONLY ${qualifiedTable(table)} t${where ? ` WHERE ${where}` : ""}`;
}

export async function scanForPii(client: Client, catalog: Catalog, options: ScanOptions): Promise<PiiFinding[]> {
    return (await scanDatabase(client, catalog, options)).findings;
}

/**
 * Scans every table (biggest first, over `jobs` connections). With known values, each
 * connection gets the hashes in its session first (`installKnownValues`), so call this outside a
 * read-only transaction on `client`, or install them on `client` yourself before it begins.
 */
export async function scanDatabase(client: Client, catalog: Catalog, options: ScanOptions, installed = false): Promise<ScanResult> {
    const candidates = (options.tables ?? [...catalog.tables.keys()]).filter((t) => catalog.hasTable(t));
    const skipped: ScanResult["skipped"] = [];
    const tables = candidates
        .filter((t) => {
            const scope = metadataScope(catalog, t);
            if (scope.skip) skipped.push({ table: t, reason: scope.reason });
            return !scope.skip;
        })
        .sort((a, b) => catalog.table(b)!.bytes - catalog.table(a)!.bytes || a.localeCompare(b));
    const result: ScanResult = { findings: [], rows: 0, columns: 0, tables: 0, skipped };
    const limit = options.sampleLimit ?? 3;
    const jobs = options.connect ? Math.max(1, Math.min(options.jobs ?? 1, tables.length)) : 1;
    const extra: Client[] = [];
    try {
        for (let i = 1; i < jobs; i++) {
            const c = await options.connect!();
            extra.push(c);
            await c.query("SET jit = off");
            if (options.knownValues) await installKnownValues(c, options.knownValues);
        }
        if (options.knownValues && !installed) await installKnownValues(client, options.knownValues);
        let next = 0;
        let done = 0;
        const worker = async (db: Client) => {
            while (next < tables.length) {
                const table = tables[next++];
                const columns = scannedColumns(catalog, table, options);
                if (columns.length) {
                    const scanned = await scanTable(db, catalog, table, columns, options, limit);
                    result.findings.push(...scanned.findings);
                    result.rows += scanned.rows;
                    result.columns += columns.length;
                    result.tables++;
                }
                options.onTable?.(table, done++, tables.length);
            }
        };
        await Promise.all([client, ...extra].map(worker));
    } finally {
        await Promise.all(extra.map((c) => c.end().catch(() => undefined)));
    }
    const order = (f: PiiFinding) => `${f.table}\u0000${f.column}\u0000${f.kind}`;
    result.findings.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    return result;
}

async function scanTable(
    client: Client,
    catalog: Catalog,
    table: string,
    columnNames: string[],
    options: ScanOptions,
    limit: number,
): Promise<{ findings: PiiFinding[]; rows: number }> {
    const wanted = new Set(columnNames);
    const columns = scanColumnPlans(catalog, table, options).filter((c) => wanted.has(c.column));
    const scope = metadataScope(catalog, table);
    const where = scope.skip ? undefined : scope.where;
    const { rows } = await client.query(scanQuery(table, columns, options, where));
    const hasId = catalog.hasColumn(table, "id");
    const findings: PiiFinding[] = [];
    for (const [i, c] of columns.entries()) {
        for (const kind of ["email", "phone"] as const) {
            const count = Number(rows[0][`${kind === "email" ? "e" : "p"}${i}`]);
            if (!count) continue;
            const samples = limit > 0 ? await sample(client, table, c.column, kind, options.allowDomains, hasId, limit, where) : [];
            findings.push({ table, column: c.column, kind, rows: count, samples });
        }
        if (Number(rows[0][`d${i}`] ?? 0)) findings.push(...(await validateNumbers(client, table, c.column, hasId, limit, where)));
        if (Number(rows[0][`t${i}`] ?? 0)) {
            const found = await validateTokens(client, table, c.column, hasId, limit, where);
            if (found) findings.push(found);
        }
        const known = Number(rows[0][`k${i}`] ?? 0);
        if (known && options.knownValues) {
            findings.push({
                table,
                column: c.column,
                kind: "known",
                rows: known,
                samples: [],
                knownKinds: await hitKinds(client, options.knownValues, table, c.column, c.type),
            });
        }
    }
    return { findings, rows: Number(rows[0].n) };
}

const and = (where: string | undefined) => (where ? ` AND ${where}` : "");

async function sample(
    client: Client,
    table: string,
    column: string,
    kind: "email" | "phone",
    allowDomains: readonly string[],
    hasId: boolean,
    limit: number,
    where?: string,
): Promise<PiiFinding["samples"]> {
    const text = `t.${quoteIdent(column)}::text`;
    const pattern = quoteLiteral(kind === "email" ? emailPattern(allowDomains) : phonePattern());
    const { rows } = await client.query<{ id: string | null; value: string }>(
        `SELECT ${hasId ? "t.id::text" : "NULL"} AS id, (regexp_match(${text}, ${pattern}${kind === "email" ? ", 'i'" : ""}))[1] AS value
         FROM ONLY ${qualifiedTable(table)} t WHERE ${text} ${kind === "email" ? "~*" : "~"} ${pattern}${and(where)} ${hasId ? "ORDER BY t.id" : ""} LIMIT ${limit}`,
    );
    return rows.map((r) => ({ id: r.id, value: maskFinding(r.value ?? "") }));
}

/** Reads the number candidates of one column back and keeps those whose checksums hold. */
async function validateNumbers(client: Client, table: string, column: string, hasId: boolean, limit: number, where?: string): Promise<PiiFinding[]> {
    const text = `t.${quoteIdent(column)}::text`;
    const { rows } = await client.query<{ id: string | null; v: string }>(
        `SELECT ${hasId ? "t.id::text" : "NULL"} AS id, ${text} AS v FROM ONLY ${qualifiedTable(table)} t
         WHERE ${mayHoldNumberSql(text)} AND ${text} ~ ${quoteLiteral(numberCandidatePattern())}${and(where)} LIMIT ${candidateCap + 1}`,
    );
    const capped = rows.length > candidateCap;
    const found: Record<"iban" | "card" | "vat", PiiFinding> = {
        iban: { table, column, kind: "iban", rows: 0, samples: [] },
        card: { table, column, kind: "card", rows: 0, samples: [] },
        vat: { table, column, kind: "vat", rows: 0, samples: [] },
    };
    for (const r of rows.slice(0, candidateCap)) {
        for (const [kind, matches] of [
            ["iban", findIbans(r.v)],
            ["card", findCards(r.v)],
            ["vat", findVats(r.v)],
        ] as const) {
            if (!matches.length) continue;
            found[kind].rows++;
            if (found[kind].samples.length < limit) found[kind].samples.push({ id: r.id, value: maskFinding(matches[0]) });
        }
    }
    return Object.values(found)
        .filter((f) => f.rows)
        .map((f) => (capped ? { ...f, capped } : f));
}

async function validateTokens(client: Client, table: string, column: string, hasId: boolean, limit: number, where?: string): Promise<PiiFinding | null> {
    const text = `t.${quoteIdent(column)}::text`;
    const { rows } = await client.query<{ id: string | null; v: string }>(
        `SELECT ${hasId ? "t.id::text" : "NULL"} AS id, ${text} AS v FROM ONLY ${qualifiedTable(table)} t
         WHERE ${tokenCandidateSql(text)}${and(where)} LIMIT ${candidateCap + 1}`,
    );
    const valid = rows.slice(0, candidateCap).filter((r) => isTokenShaped(r.v));
    if (!valid.length) return null;
    return {
        table,
        column,
        kind: "token",
        rows: valid.length,
        ...(rows.length > candidateCap ? { capped: true } : {}),
        samples: valid.slice(0, limit).map((r) => ({ id: r.id, value: `***${r.v.length} characters` })),
    };
}
