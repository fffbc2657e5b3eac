/**
 * The PII scan on a COPY stream: rows of `COPY … TO STDOUT` (PostgreSQL's text format) are decoded
 * in Node as they pass to the target and run through the detectors of the database scan
 * (ops/pii/scan.ts), so that both find exactly the same rows:
 *
 * - the same columns (scanColumnPlans: text and json columns after ignores, the token detector
 *   where the column's name says credential and no rule keeps it), the same metadata rules
 *   (tables skipped whole are skipped; tables whose rule leaves out some rows by a condition over
 *   other tables are not scanned on the copy's stream: ops/pii/rereadScan.ts reads them back with
 *   the rule's filter, or the caller scans them in the database);
 * - the same patterns (ops/pii/patterns.ts, one text for both engines) behind the same
 *   pre-filters (each SQL pre-filter's JavaScript twin), the same checksums (ops/pii/detectors.ts);
 * - the same known values: the 64-bit hashes of the database scan, computed in Node
 *   (ops/pii/pgHash.ts), or the md5 forms when the server hashes differently.
 *
 * It counts rows per table.column and detector, with masked samples like the database scan's; it
 * never keeps a value.
 */
import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { Catalog } from "../odoo/catalog";
import { decodeCopyField, jsonStrings } from "./copyScan";
import { findCards, findIbans, findVats, isTokenShaped, KnownKind } from "./detectors";
import { KnownValueLookup, knownValueLookup } from "./knownValues";
import { metadataScope } from "./metadata";
import {
    defaultAllowedDomains,
    emailPattern,
    isTokenCandidate,
    maskFinding,
    mayHoldNumber,
    mayHoldPii,
    normalizeDomain,
    numberCandidatePattern,
    phonePattern,
} from "./patterns";
import { ColumnPlan, PiiFinding, PiiKind, scanColumnPlans, ScanOptions } from "./scan";

export type StreamScanOptions = Pick<ScanOptions, "allowDomains" | "ignore" | "kinds" | "knownValues" | "sampleLimit"> & {
    /**
     * The reads apply each metadata rule's row filter themselves (ops/pii/rereadScan.ts), so the
     * tables such a rule filters by other tables are scanned on the stream too.
     */
    filteredReads?: boolean;
};

/**
 * How a table's rows are scanned: on the copy's stream, read back after the copy and scanned the
 * same way (ops/pii/rereadScan.ts), or in the database (and why).
 */
export type ScanPath = { table: string; path: "stream" | "reread" | "database" | "skipped"; reason?: string };

export interface StreamScanResult {
    /**
     * Tables whose every row went through the stream scan, with the rows read and columns compared;
     * `reread` when they were read back from the new database rather than seen on the copy's stream.
     */
    tables: { table: string; rows: number; columns: number; reread?: boolean }[];
    /** Findings of those tables (no finding of a table not listed). */
    findings: PiiFinding[];
}

interface Counter {
    rows: number;
    samples: PiiFinding["samples"];
    knownKinds?: Set<KnownKind>;
}

interface StreamColumn extends ColumnPlan {
    /** Position in the COPY row. */
    index: number;
    counters: Map<PiiKind, Counter>;
    /** The hits of the column's recent short values (see ValueMemo); null once it stopped paying. */
    memo: ValueMemo | null;
}

/** One detector's report on a value, as HitSink.hit receives it. */
interface Hit {
    kind: PiiKind;
    sample?: string;
    knownKinds?: readonly KnownKind[];
}

/**
 * What the detectors found in a column's recent values, to replay instead of scanning again: a
 * selection or a state column (`posted`, `out_invoice`, a journal's `INV/2023/`) repeats a few
 * values over every row. The detectors depend on the value and the column only, so a replay
 * reports exactly what a scan would. Short values only; a column whose values rarely repeat
 * (names, references) stops using it after its first rows.
 */
class ValueMemo {
    static readonly maxLength = 64;
    static readonly maxEntries = 256;
    /** After this many lookups, a memo answering fewer than a quarter of them is dropped. */
    static readonly trial = 2048;
    readonly hits = new Map<string, readonly Hit[]>();
    lookups = 0;
    answered = 0;

    /** Whether to keep the memo after one more lookup (answered or not). */
    worthKeeping(): boolean {
        return this.lookups !== ValueMemo.trial || this.answered * 4 >= this.lookups;
    }
}

const noHits: readonly Hit[] = [];

interface TableState {
    table: string;
    columns: StreamColumn[];
    /** Position of `id` in the COPY row (for samples), -1 without one. */
    id: number;
    rows: number;
}

/** Where ValueScanner reports: once per detector that finds something in a value. */
export interface HitSink {
    hit(kind: PiiKind, sample?: string, knownKinds?: readonly KnownKind[]): void;
}

/** [a-z0-9-] of the e-mail pattern, case-insensitive (ASCII). */
const isDomainChar = (ch: number) => (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch === 45;

/** The detectors of one scan, compiled once. */
export class ValueScanner {
    readonly #email: RegExp;
    /** The allowed domains as the pattern's exclusion spells them (lower case): see #onlyAllowedAddress. */
    readonly #allowedDomains: ReadonlySet<string>;
    readonly #phone: RegExp;
    readonly #numbers: RegExp;
    readonly #all: boolean;
    readonly #known?: KnownValueLookup;

    constructor(options: Pick<StreamScanOptions, "allowDomains" | "kinds" | "knownValues">) {
        // The flags of the database scan: `~*` for e-mails, `~` for the rest.
        this.#email = new RegExp(emailPattern(options.allowDomains), "i");
        this.#allowedDomains = new Set((options.allowDomains ?? defaultAllowedDomains).map(normalizeDomain));
        this.#phone = new RegExp(phonePattern());
        this.#numbers = new RegExp(numberCandidatePattern());
        this.#all = options.kinds !== "contact";
        this.#known = options.knownValues ? knownValueLookup(options.knownValues) : undefined;
    }

    /**
     * Whether the value's only `@` is followed by an allowed domain that ends there (at the end
     * of the value, or before a character that cannot continue a domain: `>`, `,`, a space …):
     * `test+…@example.com`, `"Name" <test+…@example.com>`, a message id at example.com. Every
     * match of the e-mail pattern needs an `@` whose domain its exclusion does not refuse, and the
     * exclusion refuses exactly this one, so the pattern need not run. ASCII case folding only:
     * anything else runs the pattern.
     */
    #onlyAllowedAddress(value: string, at: number): boolean {
        if (value.indexOf("@", at + 1) >= 0) return false;
        const start = at + 1;
        for (const domain of this.#allowedDomains) {
            const end = start + domain.length;
            if (end > value.length) continue;
            let same = true;
            for (let i = 0; i < domain.length && same; i++) {
                const ch = value.charCodeAt(start + i);
                same = (ch >= 65 && ch <= 90 ? ch + 32 : ch) === domain.charCodeAt(i);
            }
            if (!same) continue;
            // The exclusion's own end test: not followed by [a-z0-9-], nor by a dot and [a-z0-9].
            if (end === value.length) return true;
            const next = value.charCodeAt(end);
            if (isDomainChar(next)) continue;
            if (next === 46 && end + 1 < value.length && isDomainChar(value.charCodeAt(end + 1)) && value.charCodeAt(end + 1) !== 45) continue;
            return true;
        }
        return false;
    }

    /** Whether the known values are compared with the server's own hashes. */
    get knownBySameHash(): boolean | undefined {
        return this.#known?.sameHash;
    }

    /**
     * Calls `hit` once per detector that finds something in `value` (the text PostgreSQL's
     * `::text` of the column gives), with a masked sample.
     */
    scan(value: string, column: Pick<ColumnPlan, "type" | "token">, sink: HitSink): void {
        const at = value.indexOf("@");
        if (at >= 0 && !this.#onlyAllowedAddress(value, at)) {
            const m = this.#email.exec(value);
            if (m) sink.hit("email", maskFinding(m[0]));
        }
        if (mayHoldPii(value)) {
            const m = this.#phone.exec(value);
            if (m) sink.hit("phone", maskFinding(m[0]));
        }
        if (this.#all && mayHoldNumber(value) && this.#numbers.test(value)) {
            const iban = findIbans(value);
            if (iban.length) sink.hit("iban", maskFinding(iban[0]));
            const card = findCards(value);
            if (card.length) sink.hit("card", maskFinding(card[0]));
            const vat = findVats(value);
            if (vat.length) sink.hit("vat", maskFinding(vat[0]));
        }
        if (this.#all && column.token && isTokenCandidate(value) && isTokenShaped(value)) sink.hit("token", `***${value.length} characters`);
        if (this.#known) {
            if (column.type === "jsonb" || column.type === "json") {
                let kinds: KnownKind[] | null = null;
                for (const v of jsonStrings(value)) {
                    const k = this.#known.kinds(v);
                    if (k) kinds = [...(kinds ?? []), ...k];
                }
                if (kinds) sink.hit("known", undefined, kinds);
            } else {
                const k = this.#known.kinds(value);
                if (k) sink.hit("known", undefined, k);
            }
        }
    }
}

/** One copy: which tables go through the stream scan, the Transforms that scan, and what they found. */
export class StreamScan {
    readonly #tables = new Map<string, TableState>();
    readonly #paths = new Map<string, ScanPath>();
    readonly #scanner: ValueScanner;
    readonly #limit: number;
    readonly #sink: RowSink;

    constructor(
        private readonly catalog: Catalog,
        private readonly options: StreamScanOptions,
    ) {
        this.#scanner = new ValueScanner(options);
        this.#limit = options.sampleLimit ?? 3;
        this.#sink = new RowSink(this.#limit);
    }

    /** Whether `table` (catalog key) is scanned on the stream, and why not. Pure. */
    pathOf(table: string): ScanPath {
        const known = this.#paths.get(table);
        if (known) return known;
        const scope = metadataScope(this.catalog, table);
        const path: ScanPath = !this.catalog.hasTable(table)
            ? { table, path: "database", reason: "not in the source's catalog" }
            : scope.skip
              ? { table, path: "skipped", reason: scope.reason }
              : scope.where && !this.options.filteredReads
                ? { table, path: "database", reason: `metadata rule over other tables: ${scope.reason}` }
                : { table, path: "stream" };
        this.#paths.set(table, path);
        return path;
    }

    /**
     * A pass-through Transform for one copy worker's stream: `tables` are the catalog keys and
     * COPY column lists of the tables the stream carries, in order, each ended by a `\.` line.
     */
    transform(tables: readonly { table: string; columns: readonly string[] }[]): Transform {
        const states = tables.map((t) => this.#state(t.table, t.columns));
        return new CopyRowScan(states, (state, fields) => this.#row(state, fields));
    }

    #state(table: string, copyColumns: readonly string[]): TableState | null {
        if (this.pathOf(table).path !== "stream") return null;
        const prior = this.#tables.get(table);
        if (prior) return prior;
        const position = new Map(copyColumns.map((c, i) => [c, i]));
        const state: TableState = {
            table,
            rows: 0,
            id: position.get("id") ?? -1,
            columns: scanColumnPlans(this.catalog, table, this.options).map((c) => ({
                ...c,
                index: position.get(c.column) ?? -1,
                counters: new Map(),
                memo: new ValueMemo(),
            })),
        };
        const missing = state.columns.find((c) => c.index < 0);
        if (missing) throw new Error(`stream scan: the COPY of ${table} does not carry column ${missing.column}`);
        this.#tables.set(table, state);
        return state;
    }

    #row(state: TableState, fields: string[]): void {
        state.rows++;
        const sink = this.#sink;
        sink.state = state;
        sink.fields = fields;
        for (const c of state.columns) {
            const raw = fields[c.index];
            if (raw === undefined || raw === "\\N") continue;
            let value = decodeCopyField(raw)!;
            // `::text` of a character(n) value drops its padding, as the database scan reads it.
            if (c.type === "character") value = value.replace(/ +$/, "");
            sink.column = c;
            const memo = c.memo;
            if (memo && value.length <= ValueMemo.maxLength) {
                memo.lookups++;
                const known = memo.hits.get(value);
                if (known !== undefined) {
                    memo.answered++;
                    for (const h of known) sink.hit(h.kind, h.sample, h.knownKinds);
                } else {
                    const recorded: Hit[] = [];
                    sink.recording = recorded;
                    this.#scanner.scan(value, c, sink);
                    sink.recording = null;
                    if (memo.hits.size >= ValueMemo.maxEntries) memo.hits.clear();
                    memo.hits.set(value, recorded.length ? recorded : noHits);
                }
                if (!memo.worthKeeping()) c.memo = null;
                continue;
            }
            this.#scanner.scan(value, c, sink);
        }
    }

    /** What the streams found, for the tables scanned on them. Call after every stream ended. */
    result(): StreamScanResult {
        const findings: PiiFinding[] = [];
        const tables: StreamScanResult["tables"] = [];
        for (const state of this.#tables.values()) {
            tables.push({ table: state.table, rows: state.rows, columns: state.columns.length });
            for (const c of state.columns) {
                for (const [kind, counter] of c.counters) {
                    findings.push({
                        table: state.table,
                        column: c.column,
                        kind,
                        rows: counter.rows,
                        samples: kind === "known" ? [] : counter.samples,
                        ...(kind === "known" ? { knownKinds: [...(counter.knownKinds ?? [])].sort() } : {}),
                    });
                }
            }
        }
        return { tables: tables.sort((a, b) => a.table.localeCompare(b.table)), findings };
    }
}

/** Counts one row's hits in its column's counters (one object for the whole scan: no closure per value). */
class RowSink implements HitSink {
    state!: TableState;
    fields!: string[];
    column!: StreamColumn;
    /** Where a value's hits are also written while the memo records them. */
    recording: Hit[] | null = null;

    constructor(private readonly limit: number) {}

    hit(kind: PiiKind, sample?: string, knownKinds?: readonly KnownKind[]): void {
        this.recording?.push({ kind, sample, knownKinds });
        let counter = this.column.counters.get(kind);
        if (!counter) this.column.counters.set(kind, (counter = { rows: 0, samples: [] }));
        counter.rows++;
        if (sample !== undefined && counter.samples.length < this.limit) {
            counter.samples.push({ id: this.state.id >= 0 ? decodeCopyField(this.fields[this.state.id]) : null, value: sample });
        }
        if (knownKinds) for (const k of knownKinds) (counter.knownKinds ??= new Set()).add(k);
    }
}

/**
 * Splits a COPY text stream into rows and fields and hands each row of a scanned table to `row`;
 * the bytes pass on unchanged. A `\.` line ends one table's data and starts the next's.
 */
class CopyRowScan extends Transform {
    #rest = "";
    #table = 0;
    readonly #decoder = new StringDecoder("utf8");
    readonly #positions = new Map<TableState, readonly number[]>();
    /** One row's fields, reused row after row (only the wanted positions are ever read). */
    readonly #fields: string[] = [];

    constructor(
        private readonly states: readonly (TableState | null)[],
        private readonly row: (state: TableState, fields: string[]) => void,
    ) {
        super();
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
        try {
            const text = this.#rest + this.#decoder.write(chunk);
            let start = 0;
            for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
                this.#line(text.slice(start, end));
                start = end + 1;
            }
            this.#rest = text.slice(start);
        } catch (err) {
            done(err as Error);
            return;
        }
        done(null, chunk);
    }

    override _flush(done: (err?: Error | null) => void): void {
        const last = this.#rest + this.#decoder.end();
        try {
            if (last) this.#line(last);
        } catch (err) {
            done(err as Error);
            return;
        }
        done();
    }

    #line(line: string): void {
        if (line === "\\.") {
            this.#table++;
            return;
        }
        const state = this.states[this.#table];
        if (state && state.columns.length) this.row(state, this.#fieldsOf(line, this.#wanted(state)));
        else if (state) state.rows++;
    }

    /** The positions of the fields a table's rows are read at (its scanned columns and its id), ascending. */
    #wanted(state: TableState): readonly number[] {
        let wanted = this.#positions.get(state);
        if (!wanted) {
            wanted = [...new Set([...state.columns.map((c) => c.index), state.id])].filter((i) => i >= 0).sort((x, y) => x - y);
            this.#positions.set(state, wanted);
        }
        return wanted;
    }

    /**
     * The row's fields at `wanted` (others left undefined), without splitting the whole line: a
     * wide table's row (account_move_line) has a few scanned columns among dozens.
     */
    #fieldsOf(line: string, wanted: readonly number[]): string[] {
        const fields = this.#fields;
        for (const i of wanted) fields[i] = undefined!;
        let pos = 0;
        let column = 0;
        for (let w = 0; w < wanted.length;) {
            const tab = line.indexOf("\t", pos);
            if (column === wanted[w]) {
                fields[column] = line.slice(pos, tab < 0 ? line.length : tab);
                w++;
            }
            if (tab < 0) break;
            pos = tab + 1;
            column++;
        }
        return fields;
    }
}
