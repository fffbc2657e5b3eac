/**
 * The known-value scan: production's personal values (names, e-mails, phones, streets, VAT and
 * IBAN numbers, tokens and other credentials), collected from production as keyed hashes only, then
 * looked for in every text and jsonb column of a copy. A hit means a production value survived in
 * that column, whatever rule should have replaced it; it is reported as table.column and a count,
 * never as the value. This is what catches a name in a column no rule knows.
 *
 * Values are compared in two normal forms (what `normalizeKnown`/`knownForms` compute in Node and
 * `formASql`/`formBSql` in SQL): A, lower-cased and trimmed (names, streets, e-mails, tokens), and
 * B, upper-cased without separators (phones, IBAN, VAT). Hashes are keyed with a random key per
 * run: hashtextextended (64-bit, cheap) for the SQL scan, md5 for scans in Node (COPY streams).
 */
import { randomBytes } from "node:crypto";
import type { Client } from "pg";
import type { Catalog } from "../odoo/catalog";
import { OdooFields, readOdooFields } from "../odoo/fields";
import { qualifiedTable, quoteIdent, quoteLiteral } from "../odoo/sql";
import { fakeFirstNames, fakeLastNames } from "./fakeNames";
import { classifyPersonalColumns, classifySecretColumns, keptSecrets, PersonalKind } from "./classify";
import { KnownKind, knownValueHash } from "./detectors";
import { metadataScope } from "./metadata";
import { defaultAllowedDomains, fakePhonePrefix, fakeTokenPrefix } from "./patterns";
import { hashed, hashInto, hashTextExtended, int64Halves } from "./pgHash";

/** Form A in SQL: `lower(btrim(x))`. */
export const formASql = (x: string): string => `lower(btrim(${x}))`;
/** Form B in SQL: upper-cased, spaces and `.-/+()` removed. */
export const formBSql = (x: string): string => `upper(translate(${x}, ' .-/+()', ''))`;

/** Form A in Node, as PostgreSQL computes it: `lower` is ASCII-only under the C locale, full Unicode otherwise, so both. */
export function formA(value: string): string[] {
    const t = value.replace(/^ +| +$/g, "");
    const full = t.toLowerCase();
    const ascii = t.replace(/[A-Z]/g, (c) => c.toLowerCase());
    return full === ascii ? [full] : [full, ascii];
}

export function formB(value: string): string {
    return value.replace(/[ .\-/+()]/g, "").replace(/[a-z]/g, (c) => c.toUpperCase());
}

const formOfKind = (kind: KnownKind): "a" | "b" => (kind === "phone" || kind === "iban" || kind === "vat" ? "b" : "a");

export interface KnownValueSource {
    table: string;
    column: string;
    kind: KnownKind;
    /** Distinct values collected. */
    values: number;
}

export interface KnownValueSet {
    /** Key of the 64-bit hashes (a random bigint, as text). */
    seed: string;
    /** Key of the md5 hashes. */
    md5Key: string;
    /** 64-bit hashes per form, for the SQL scan (bigints as text). */
    sql: { a: string[]; b: string[] };
    /** md5 hashes per form, for scans in Node. */
    md5: { a: Set<string>; b: Set<string> };
    /** Which kinds a 64-bit hash came from (to say what a hit is). */
    kinds: Map<string, ReadonlySet<KnownKind>>;
    /** Longest value per form, in bytes: longer text is never compared. */
    maxBytes: { a: number; b: number };
    /**
     * The byte lengths of the values per form, ascending: a value whose form has none of these
     * lengths equals no known value, and Node does not hash it (ops/pii/streamScan.ts).
     */
    byteLengths: { a: number[]; b: number[] };
    sources: KnownValueSource[];
    /** Distinct values per kind. */
    counts: Record<KnownKind, number>;
    /** hashtextextended of `knownValueProbe` as the source server computed it (whether Node computes the same: pgHash.ts). */
    probe?: string;
}

/** The text whose 64-bit hash tells whether Node's hashtextextended agrees with the server's. */
export const knownValueProbe = "odoo-platform known-value probe";

export interface CollectOptions {
    catalog: Catalog;
    fields?: OdooFields;
    /** Domains whose addresses are not personal (the staging domain, example.com). */
    allowDomains?: readonly string[];
    /**
     * Company names stay in the copy (sanitize's default): a name equal to a company's is then not
     * collected, wherever it was read (a lead's company, a bank account's holder).
     */
    keepCompanyNames?: boolean;
    /**
     * Also collect credentials (passwords, API keys, OAuth tokens): default true. A snapshot is
     * sanitized but not yet neutralized, so its guard leaves them out (neutralize revokes them
     * after the restore, and verify checks that).
     */
    credentials?: boolean;
    /**
     * Also the md5 forms where Node reproduces the server's 64-bit hashes (they are computed anyway
     * where it cannot): for tests of that path.
     */
    md5Forms?: boolean;
    /**
     * Opens another connection to the same database (with the same session settings): the reads
     * are then spread over `jobs` connections.
     */
    connect?: () => Promise<Client>;
    jobs?: number;
}

const personalToKnown: Partial<Record<PersonalKind, KnownKind>> = {
    email: "email",
    phone: "phone",
    personName: "name",
    street: "street",
    vat: "vat",
    iban: "iban",
    accessToken: "token",
};

/** Technical partners whose names are Odoo's own (OdooBot, the public user). */
const technicalPartnersSql = `(SELECT d.res_id FROM ${qualifiedTable("ir_model_data")} d WHERE d.model = 'res.partner' AND d.module = 'base' AND d.name IN ('partner_root', 'public_partner'))`;

interface Source {
    table: string;
    column: string;
    kind: KnownKind;
    /** Extra row condition (SQL over alias t). */
    where?: string;
}

/** Where production's personal values are read: the contacts by hand (persons only), the rest by declaration. */
function collectSources(catalog: Catalog, fields: OdooFields, keepCompanyNames: boolean, credentials: boolean): Source[] {
    const sources: Source[] = [];
    const add = (s: Source) => {
        if (catalog.hasColumn(s.table, s.column) && !sources.some((x) => x.table === s.table && x.column === s.column)) sources.push(s);
    };
    if (catalog.hasColumn("res_partner", "name")) {
        const person = catalog.hasColumn("res_partner", "is_company") ? "NOT coalesce(t.is_company, false)" : "true";
        const technical = catalog.hasColumn("ir_model_data", "res_id") ? ` AND t.id NOT IN ${technicalPartnersSql}` : "";
        add({ table: "res_partner", column: "name", kind: "name", where: `${person}${technical}` });
    }
    add({ table: "res_users", column: "login", kind: "email" });
    for (const [table, column] of [
        ["hr_employee", "name"],
        ["hr_applicant", "partner_name"],
        ["hr_candidate", "partner_name"],
    ])
        add({ table, column, kind: "name" });
    for (const p of classifyPersonalColumns(fields)) {
        const kind = personalToKnown[p.kind];
        if (kind) add({ table: p.table, column: p.column, kind });
    }
    if (credentials) {
        for (const s of classifySecretColumns(fields)) add({ table: s.table, column: s.column, kind: "token" });
        for (const k of keptSecrets) add({ table: k.table, column: k.column, kind: "token" });
    }
    // Names equal to a company's stay in the copy when company names are kept.
    const companyNames = [
        catalog.hasColumn("res_partner", "is_company")
            ? `SELECT ${formASql("c.name")} FROM ${qualifiedTable("res_partner")} c WHERE c.is_company AND c.name IS NOT NULL`
            : "",
        catalog.hasColumn("res_company", "name") ? `SELECT ${formASql("c.name")} FROM ${qualifiedTable("res_company")} c WHERE c.name IS NOT NULL` : "",
    ].filter(Boolean);
    return sources
        .filter((s) => {
            const type = catalog.table(s.table)!.columns.get(s.column)!.type;
            return ["text", "character varying", "character", "citext"].includes(type) && !metadataScope(catalog, s.table).skip;
        })
        .map((s) =>
            s.kind === "name" && keepCompanyNames && companyNames.length
                ? { ...s, where: `${s.where ? `${s.where} AND ` : ""}${formASql(`t.${quoteIdent(s.column)}`)} NOT IN (${companyNames.join(" UNION ")})` }
                : s,
        );
}

/** Values of `kind` that can never count: too short, the sanitizer's own fakes, allowed domains. */
function keepSql(kind: KnownKind, v: string, allowDomains: readonly string[]): string {
    const fakeName =
        `(split_part(${v}, ' ', 1) = ANY(${quoteLiteral(`{${fakeFirstNames.map((n) => n.toLowerCase()).join(",")}}`)}::text[]) ` +
        `AND split_part(${v}, ' ', 2) = ANY(${quoteLiteral(`{${fakeLastNames.map((n) => n.toLowerCase()).join(",")}}`)}::text[]))`;
    switch (kind) {
        case "name":
            return `octet_length(${v}) >= 6 AND strpos(${v}, ' ') > 0 AND NOT ${fakeName}`;
        case "street":
            return `octet_length(${v}) >= 8 AND strpos(${v}, ' ') > 0 AND ${v} ~ '[0-9]'`;
        case "email": {
            const domains = allowDomains.map((d) => `split_part(${v}, '@', 2) = ${quoteLiteral(d)} OR split_part(${v}, '@', 2) LIKE ${quoteLiteral(`%.${d}`)}`);
            return `strpos(${v}, '@') > 1 AND octet_length(${v}) >= 6 AND NOT (${domains.join(" OR ") || "false"})`;
        }
        case "token":
            return `octet_length(${v}) >= 16 AND left(${v}, ${fakeTokenPrefix.length}) <> ${quoteLiteral(fakeTokenPrefix)}`;
        case "phone":
            return `octet_length(${v}) >= 8 AND ${v} ~ '^[0-9]+$' AND left(${v}, 6) <> ${quoteLiteral(fakePhonePrefix.replace(/[^0-9]/g, "").slice(0, 6))}`;
        default:
            return `octet_length(${v}) >= 8 AND ${v} ~ '[0-9]{4}' AND strpos(${v}, 'TEST') = 0 AND substr(${v}, 3, 2) <> '00'`;
    }
}

/**
 * Reads production's personal values as hashes (plain values never leave the server). Read only;
 * run it on the production connection before (or while) the copy is made.
 */
export async function collectKnownValues(client: Client, options: CollectOptions): Promise<KnownValueSet> {
    const catalog = options.catalog;
    const fields = options.fields ?? (await readOdooFields(client, catalog));
    const allow = options.allowDomains ?? defaultAllowedDomains;
    const seed = randomBytes(8).readBigInt64BE(0).toString();
    const md5Key = randomBytes(16).toString("hex");
    const set: KnownValueSet = {
        seed,
        md5Key,
        sql: { a: [], b: [] },
        md5: { a: new Set(), b: new Set() },
        kinds: new Map(),
        maxBytes: { a: 0, b: 0 },
        byteLengths: { a: [], b: [] },
        sources: [],
        counts: { name: 0, email: 0, phone: 0, street: 0, vat: 0, iban: 0, token: 0 },
    };
    // md5 forms only where Node cannot compute the server's own 64-bit hashes (ops/pii/pgHash.ts).
    set.probe = (await client.query<{ h: string }>(`SELECT hashtextextended($1, ${seed})::text AS h`, [knownValueProbe])).rows[0].h;
    const withMd5 = options.md5Forms === true || !new KnownValueLookup(set).sameHash;
    // Per hash, its kind bits (knownKinds order) and its longest value in one number
    // (bytes × 128 + bits): one map entry per known value, where a set per hash cost more than
    // the queries that read them.
    const byHash = new Map<string, number>();
    const byTable = new Map<string, Source[]>();
    for (const s of collectSources(catalog, fields, options.keepCompanyNames ?? true, options.credentials ?? true))
        byTable.set(s.table, [...(byTable.get(s.table) ?? []), s]);
    // One read per table (up to maxSourcesPerRead sources), biggest table first, over `jobs`
    // connections; the results are merged in the reads' own order, so the set is the same however
    // the reads were spread.
    const reads: { table: string; sources: Source[] }[] = [];
    for (const [table, tableSources] of byTable)
        for (let from = 0; from < tableSources.length; from += maxSourcesPerRead)
            reads.push({ table, sources: tableSources.slice(from, from + maxSourcesPerRead) });
    const readSql = (table: string, sources: Source[]) => {
        // Each source read with its own rule, the values grouped by hash on the server: a row
        // per distinct value with the sources it came from as bits. Grouping them all in one
        // query over every table costs production more than Node's map does here.
        const selects = sources.map((s, i) => {
            const column = `t.${quoteIdent(s.column)}`;
            const form = formOfKind(s.kind) === "a" ? formASql(column) : formBSql(column);
            return (
                `SELECT ${1 << i} AS m, v FROM (SELECT ${form} AS v FROM ONLY ${qualifiedTable(table)} t ` +
                `WHERE ${column} IS NOT NULL${s.where ? ` AND ${s.where}` : ""} OFFSET 0) v WHERE ${keepSql(s.kind, "v.v", allow)}`
            );
        });
        const md5 = withMd5 ? `, md5(${quoteLiteral(`${md5Key}:`)} || x.v) COLLATE "C" AS md5` : "";
        // One row per distinct value on the server, then one per (sources, length) to Node, its
        // hashes in one text: parsing a row per value cost Node more than the server's grouping.
        return `SELECT g.m, g.n, count(*)::int AS c, string_agg(g.h${withMd5 ? " || ':' || g.md5" : ""}, ',') AS hs
                 FROM (SELECT bit_or(x.m) AS m, hashtextextended(x.v, ${seed})::text AS h${md5}, max(octet_length(x.v)) AS n
                       FROM (${selects.join("\n UNION ALL ")}) x GROUP BY 2${withMd5 ? ", 3" : ""}) g
                 GROUP BY g.m, g.n`;
    };
    type ReadRows = { m: number; n: number; c: number; hs: string }[];
    const results: ReadRows[] = new Array(reads.length);
    const order = reads.map((_, i) => i).sort((x, y) => (catalog.table(reads[y].table)?.bytes ?? 0) - (catalog.table(reads[x].table)?.bytes ?? 0) || x - y);
    const extra: Client[] = [];
    try {
        const jobs = options.connect ? Math.max(1, Math.min(options.jobs ?? 1, reads.length)) : 1;
        for (let i = 1; i < jobs; i++) extra.push(await options.connect!());
        let next = 0;
        await Promise.all(
            [client, ...extra].map(async (db) => {
                while (next < order.length) {
                    const i = order[next++];
                    results[i] = (await db.query<ReadRows[number]>(readSql(reads[i].table, reads[i].sources))).rows;
                }
            }),
        );
    } finally {
        await Promise.all(extra.map((c) => c.end().catch(() => undefined)));
    }
    reads.forEach(({ table, sources }, index) => {
        const perSource = sources.map(() => 0);
        const kindBits = sources.map((s) => 1 << knownKinds.indexOf(s.kind));
        for (const r of results[index]) {
            let kinds = 0;
            for (let i = 0; i < sources.length; i++) {
                if (r.m & (1 << i)) {
                    perSource[i] += r.c;
                    kinds |= kindBits[i];
                }
            }
            const forms = formsOfKinds(kinds);
            for (const item of r.hs.split(",")) {
                const colon = withMd5 ? item.indexOf(":") : -1;
                const h = colon < 0 ? item : item.slice(0, colon);
                const prior = byHash.get(h);
                byHash.set(h, prior === undefined ? r.n * 128 + kinds : Math.max(Math.floor(prior / 128), r.n) * 128 + ((prior % 128) | kinds));
                if (colon >= 0) for (const form of forms) set.md5[form].add(item.slice(colon + 1));
            }
        }
        sources.forEach((s, i) => {
            if (perSource[i]) set.sources.push({ table, column: s.column, kind: s.kind, values: perSource[i] });
        });
    });
    const kindSets = new Map<number, ReadonlySet<KnownKind>>();
    const hashesOfKinds = new Map<number, number>();
    const lengths = { a: new Set<number>(), b: new Set<number>() };
    for (const [h, packed] of byHash) {
        const kinds = packed % 128;
        const longest = Math.floor(packed / 128);
        for (const form of formsOfKinds(kinds)) {
            set.sql[form].push(h);
            set.maxBytes[form] = Math.max(set.maxBytes[form], longest);
            lengths[form].add(longest);
        }
        let shared = kindSets.get(kinds);
        if (!shared) kindSets.set(kinds, (shared = new Set(knownKinds.filter((_, bit) => kinds & (1 << bit)))));
        set.kinds.set(h, shared);
        hashesOfKinds.set(kinds, (hashesOfKinds.get(kinds) ?? 0) + 1);
    }
    for (const [bits, n] of hashesOfKinds) for (const k of kindSets.get(bits)!) set.counts[k] += n;
    set.byteLengths = { a: [...lengths.a].sort((x, y) => x - y), b: [...lengths.b].sort((x, y) => x - y) };
    return set;
}

/** Sources read by one query: their bits must fit the int4 that bit_or aggregates. */
const maxSourcesPerRead = 30;

/** The kinds, in the order of the bits collectKnownValues gives them. */
const knownKinds: readonly KnownKind[] = ["name", "email", "phone", "street", "vat", "iban", "token"];
const formAKindBits = knownKinds.reduce((bits, k, bit) => (formOfKind(k) === "a" ? bits | (1 << bit) : bits), 0);

/** The normal forms a hash of these kind bits was computed in. */
function formsOfKinds(kinds: number): ("a" | "b")[] {
    const forms: ("a" | "b")[] = [];
    if (kinds & formAKindBits) forms.push("a");
    if (kinds & ~formAKindBits) forms.push("b");
    return forms;
}

/** Temporary tables holding the 64-bit hashes on one scanning connection. */
export const knownTables = { a: "pg_temp._odoo_platform_known_a", b: "pg_temp._odoo_platform_known_b" } as const;

/**
 * Loads the hashes into temporary tables of `client`'s session (nothing is written to the
 * database itself) and gives the session the memory its hashed lookups need. Call it outside a
 * read-only transaction, on every connection that scans.
 */
export async function installKnownValues(client: Client, set: KnownValueSet): Promise<void> {
    for (const form of ["a", "b"] as const) {
        await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${knownTables[form].replace("pg_temp.", "")} (h bigint PRIMARY KEY)`);
        await client.query(`TRUNCATE ${knownTables[form]}`);
        if (set.sql[form].length)
            await client.query(`INSERT INTO ${knownTables[form]} SELECT DISTINCT unnest($1::bigint[]) ON CONFLICT DO NOTHING`, [set.sql[form]]);
        await client.query(`ANALYZE ${knownTables[form]}`);
    }
    await client.query("SET work_mem = '256MB'");
}

/**
 * Whether text `x` equals a known value in either form: a boolean SQL expression over the
 * temporary tables of `installKnownValues`. Length tests run first; jsonb values are compared per
 * key (translations, company-dependent values). EXISTS over the primary key rather than `IN
 * (SELECT h …)`: the planner may then probe the index per row, where an IN builds a hash of every
 * known value for each column it tests, which costs seconds on a table of ten rows.
 */
export function knownValueSql(set: KnownValueSet, x: string, type: string): string {
    const test = (v: string) => {
        const parts: string[] = [];
        if (set.sql.a.length) {
            parts.push(
                `(octet_length(${v}) BETWEEN 6 AND ${set.maxBytes.a + 16} AND EXISTS (SELECT 1 FROM ${knownTables.a} k WHERE k.h = hashtextextended(${formASql(v)}, ${set.seed})))`,
            );
        }
        if (set.sql.b.length) {
            parts.push(
                `(octet_length(${v}) BETWEEN 8 AND ${set.maxBytes.b + 24} AND EXISTS (SELECT 1 FROM ${knownTables.b} k WHERE k.h = hashtextextended(${formBSql(v)}, ${set.seed})))`,
            );
        }
        return parts.length ? `(${parts.join(" OR ")})` : "false";
    };
    if (type === "jsonb" || type === "json") {
        const j = type === "json" ? `${x}::jsonb` : x;
        return (
            `(CASE jsonb_typeof(${j}) WHEN 'object' THEN EXISTS (SELECT 1 FROM jsonb_each_text(${j}) e WHERE ${test("e.value")}) ` +
            `WHEN 'string' THEN ${test(`(${j} #>> '{}')`)} ELSE false END)`
        );
    }
    return test(x);
}

/** The kinds (name, email …) a value of `column` that hit belongs to, for reports: one query over the column. */
export async function hitKinds(client: Client, set: KnownValueSet, table: string, column: string, type: string): Promise<KnownKind[]> {
    const x = `t.${quoteIdent(column)}`;
    const values =
        type === "jsonb" || type === "json"
            ? `SELECT e.value AS v FROM ONLY ${qualifiedTable(table)} t, jsonb_each_text(CASE jsonb_typeof(${x}::jsonb) WHEN 'object' THEN ${x}::jsonb ELSE '{}'::jsonb END) e`
            : `SELECT ${x}::text AS v FROM ONLY ${qualifiedTable(table)} t WHERE ${x} IS NOT NULL`;
    const { rows } = await client.query<{ h: string }>(`SELECT DISTINCT h::text FROM (
        SELECT hashtextextended(${formASql("v")}, ${set.seed}) AS h FROM (${values}) s WHERE octet_length(v) <= ${set.maxBytes.a + 16}
        UNION ALL SELECT hashtextextended(${formBSql("v")}, ${set.seed}) FROM (${values}) s WHERE octet_length(v) <= ${set.maxBytes.b + 24}) x
        WHERE h IN (SELECT h FROM ${knownTables.a} UNION ALL SELECT h FROM ${knownTables.b}) LIMIT 1000`);
    const kinds = new Set<KnownKind>();
    for (const r of rows) for (const k of set.kinds.get(r.h) ?? []) kinds.add(k);
    return [...kinds].sort();
}

interface LookupEntry {
    hi: number;
    lo: number;
    form: "a" | "b";
    kinds: ReadonlySet<KnownKind>;
}

/**
 * The known-value test of one value in Node (COPY streams): the 64-bit hashes of the SQL scan,
 * computed by ops/pii/pgHash.ts, when they agree with the server's on the probe; else the md5 forms.
 */
export class KnownValueLookup {
    /** By 30 of the low 32 bits of the hash (a small integer key); the rest confirms. */
    readonly #entries = new Map<number, LookupEntry | LookupEntry[]>();
    /**
     * One bit per value of 23 high bits of the hash, set for every known value: a clear bit says
     * "not known" from 1 MiB that stays in cache, where the map's probe of half a million entries
     * missed it on nearly every value (most values are not known).
     */
    readonly #filter = new Int32Array(1 << 18);
    readonly #seedHi: number;
    readonly #seedLo: number;
    readonly #max: { a: number; b: number };
    readonly #has: { a: boolean; b: boolean };
    /** Per form, 1 at each byte length some known value has (KnownValueSet.byteLengths). */
    readonly #lengths: { a: Uint8Array; b: Uint8Array };
    /** Longest text either form could still match (the per-form slack of `kinds`). */
    readonly #longest: number;
    /** The two forms of the text being looked up (ASCII: as long as the text). */
    readonly #formA: Uint8Array;
    readonly #formB: Uint8Array;
    /** Whether the server's hashes are used (kinds known); otherwise md5 (kinds not known). */
    readonly sameHash: boolean;

    constructor(private readonly set: KnownValueSet) {
        [this.#seedHi, this.#seedLo] = int64Halves(set.seed);
        this.#max = set.maxBytes;
        this.#has = { a: set.sql.a.length > 0, b: set.sql.b.length > 0 };
        const bitmap = (lengths: readonly number[], longest: number) => {
            const map = new Uint8Array(longest + 1);
            for (const n of lengths) if (n <= longest) map[n] = 1;
            return map;
        };
        this.#lengths = { a: bitmap(set.byteLengths.a, set.maxBytes.a), b: bitmap(set.byteLengths.b, set.maxBytes.b) };
        this.#longest = Math.max(this.#has.a ? this.#max.a + 16 : 0, this.#has.b ? this.#max.b + 24 : 0);
        this.#formA = new Uint8Array(this.#longest);
        this.#formB = new Uint8Array(this.#longest);
        const probe = set.probe ? int64Halves(set.probe) : undefined;
        const mine = hashTextExtended(knownValueProbe, this.#seedHi, this.#seedLo);
        this.sameHash = !!probe && probe[0] === mine[0] && probe[1] === mine[1];
        if (!this.sameHash) return;
        const none = new Set<KnownKind>();
        for (const form of ["a", "b"] as const) {
            for (const h of set.sql[form]) {
                const [hi, lo] = int64Halves(h);
                const entry: LookupEntry = { hi, lo, form, kinds: set.kinds.get(h) ?? none };
                this.#filter[hi >>> 14] |= 1 << ((hi >>> 9) & 31);
                const prior = this.#entries.get(lo & 0x3fffffff);
                this.#entries.set(lo & 0x3fffffff, prior === undefined ? entry : Array.isArray(prior) ? [...prior, entry] : [prior, entry]);
            }
        }
    }

    /** The kinds of production value `value` equals (empty: none known), or null. */
    kinds(value: string): readonly KnownKind[] | null {
        if (!this.sameHash) return isKnownByMd5(this.set, value) ? [] : null;
        const n = value.length;
        // UTF-16 length <= UTF-8 length: text longer than every known value (a mail body) cannot
        // be one, and is not walked at all.
        if (n < 6 || n > this.#longest) return null;
        // One pass over ASCII text builds both forms: A (spaces trimmed, A-Z lower-cased) and B
        // (` .-/+()` removed, a-z upper-cased); other text takes the slow path.
        let from = 0;
        let to = n;
        while (from < to && value.charCodeAt(from) === 32) from++;
        while (to > from && value.charCodeAt(to - 1) === 32) to--;
        const a = this.#formA;
        const b = this.#formB;
        let m = 0;
        for (let i = 0; i < n; i++) {
            const ch = value.charCodeAt(i);
            if (ch >= 128) return this.#slow(value);
            if (i >= from && i < to) a[i - from] = ch >= 65 && ch <= 90 ? ch + 32 : ch;
            if (ch === 32 || ch === 46 || ch === 45 || ch === 47 || ch === 43 || ch === 40 || ch === 41) continue;
            b[m++] = ch >= 97 && ch <= 122 ? ch - 32 : ch;
        }
        let found: KnownKind[] | null = null;
        if (this.#has.a && n <= this.#max.a + 16) found = this.#hit("a", a, to - from, found);
        if (this.#has.b && n >= 8 && n <= this.#max.b + 24) found = this.#hit("b", b, m, found);
        return found;
    }

    #hit(form: "a" | "b", bytes: ArrayLike<number>, length: number, found: KnownKind[] | null): KnownKind[] | null {
        // No known value of this form has this many bytes: none can equal it, whatever its hash
        // (the database scan compares hashes only, so the two part on a 64-bit collision alone).
        if (this.#lengths[form][length] !== 1) return found;
        hashInto(bytes, length, this.#seedHi, this.#seedLo);
        const hi = hashed[0];
        if ((this.#filter[hi >>> 14] & (1 << ((hi >>> 9) & 31))) === 0) return found;
        const entry = this.#entries.get(hashed[1] & 0x3fffffff);
        if (entry === undefined) return found;
        for (const e of Array.isArray(entry) ? entry : [entry]) {
            if (e.hi === hashed[0] && e.lo === hashed[1] && e.form === form) found = [...(found ?? []), ...e.kinds];
        }
        return found;
    }

    /** Text with non-ASCII characters: both case mappings PostgreSQL may use, over the UTF-8 bytes. */
    #slow(value: string): KnownKind[] | null {
        const bytes = Buffer.byteLength(value, "utf8");
        let found: KnownKind[] | null = null;
        if (this.#has.a && bytes >= 6 && bytes <= this.#max.a + 16) {
            for (const f of formA(value)) {
                const b = Buffer.from(f, "utf8");
                found = this.#hit("a", b, b.length, found);
            }
        }
        if (this.#has.b && bytes >= 8 && bytes <= this.#max.b + 24) {
            for (const f of formBs(value)) {
                const b = Buffer.from(f, "utf8");
                found = this.#hit("b", b, b.length, found);
            }
        }
        return found;
    }
}

/** Form B as PostgreSQL computes it (formBSql): `upper` is ASCII-only under the C locale, full Unicode otherwise, so both. */
function formBs(value: string): string[] {
    const stripped = value.replace(/[ .\-/+()]/g, "");
    const ascii = stripped.replace(/[a-z]/g, (c) => c.toUpperCase());
    const full = stripped.toUpperCase();
    return full === ascii ? [ascii] : [ascii, full];
}

const lookups = new WeakMap<KnownValueSet, KnownValueLookup>();

/** The (cached) Node lookup of a set. */
export function knownValueLookup(set: KnownValueSet): KnownValueLookup {
    let lookup = lookups.get(set);
    if (!lookup) lookups.set(set, (lookup = new KnownValueLookup(set)));
    return lookup;
}

/** Whether one text value (as read from a COPY stream in Node) equals a known value. */
export function isKnownValue(set: KnownValueSet, value: string): boolean {
    return knownValueLookup(set).kinds(value) !== null;
}

/** The md5 forms' test, where the server's 64-bit hashes cannot be computed in Node. Pure. */
function isKnownByMd5(set: Pick<KnownValueSet, "md5Key" | "md5" | "maxBytes">, value: string): boolean {
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes >= 6 && bytes <= set.maxBytes.a + 16 && set.md5.a.size) {
        for (const f of formA(value)) if (set.md5.a.has(knownValueHash(set.md5Key, f))) return true;
    }
    if (bytes >= 8 && bytes <= set.maxBytes.b + 24 && set.md5.b.size && set.md5.b.has(knownValueHash(set.md5Key, formB(value)))) return true;
    return false;
}

/** A summary of a set for reports: how many values of each kind, from how many columns (never a value). */
export function describeKnownValues(set: KnownValueSet): { values: Record<KnownKind, number>; columns: number } {
    return { values: { ...set.counts }, columns: set.sources.length };
}

export interface KnownValueHit {
    table: string;
    column: string;
    /** Rows whose value equals a production value. */
    count: number;
}

/** `n value(s) of production … in table.column` lines, for an error or a report (never a value). */
export function describeHits(hits: readonly KnownValueHit[]): string {
    return hits.map((h) => `${h.table}.${h.column}: ${h.count} row(s) hold a production personal value`).join("; ");
}

/**
 * The known-value scan of `tables` where no temporary table can be made (a read-only snapshot of
 * production): one query, the hashes bound as two array parameters (planned as hashed lookups).
 */
export async function scanTablesForKnownValues(client: Client, catalog: Catalog, set: KnownValueSet, tables: readonly string[]): Promise<KnownValueHit[]> {
    const parts: string[] = [];
    for (const table of tables) {
        const info = catalog.table(table);
        if (!info || metadataScope(catalog, table).skip) continue;
        const columns = [...info.columns.values()].filter((c) => ["text", "character varying", "character", "citext", "jsonb", "json"].includes(c.type));
        if (!columns.length) continue;
        const counts = columns.map((c) => `count(*) FILTER (WHERE ${knownValueParamSql(set, `t.${quoteIdent(c.name)}`, c.type)})`);
        parts.push(
            `SELECT ${quoteLiteral(table)} AS t, unnest(ARRAY[${columns.map((c) => quoteLiteral(c.name)).join(", ")}]) AS c, ` +
                `unnest(ARRAY[${counts.join(", ")}])::int AS n FROM ONLY ${qualifiedTable(table)} t`,
        );
    }
    if (!parts.length) return [];
    const { rows } = await client.query<{ t: string; c: string; n: number }>(`SELECT * FROM (${parts.join("\nUNION ALL ")}) x WHERE n > 0 ORDER BY t, c`, [
        set.sql.a.length ? set.sql.a : ["0"],
        set.sql.b.length ? set.sql.b : ["0"],
    ]);
    return rows.map((r) => ({ table: r.t, column: r.c, count: r.n }));
}

/** knownValueSql with the hashes as parameters $1 (form A) and $2 (form B). */
function knownValueParamSql(set: KnownValueSet, x: string, type: string): string {
    const test = (v: string) =>
        `((octet_length(${v}) BETWEEN 6 AND ${set.maxBytes.a + 16} AND hashtextextended(${formASql(v)}, ${set.seed}) = ANY($1::bigint[]))` +
        ` OR (octet_length(${v}) BETWEEN 8 AND ${set.maxBytes.b + 24} AND hashtextextended(${formBSql(v)}, ${set.seed}) = ANY($2::bigint[])))`;
    if (type === "jsonb" || type === "json") {
        const j = type === "json" ? `${x}::jsonb` : x;
        return (
            `(CASE jsonb_typeof(${j}) WHEN 'object' THEN EXISTS (SELECT 1 FROM jsonb_each_text(${j}) e WHERE ${test("e.value")}) ` +
            `WHEN 'string' THEN ${test(`(${j} #>> '{}')`)} ELSE false END)`
        );
    }
    return test(`${x}::text`);
}
