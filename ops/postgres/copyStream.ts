/**
 * Moves table data with COPY, transforming rows on the way: the source runs
 * `COPY (SELECT <transformed columns> FROM ONLY t) TO STDOUT` inside a transaction that imports an
 * exported snapshot (every worker sees the same consistent state, like `pg_dump -j`), the target
 * runs `COPY t (columns) FROM STDIN`. Each row is read once and written once: no UPDATE, no second
 * version, no index maintenance (indexes are built afterwards).
 *
 * The pumps are psql processes (libpq's COPY is faster than anything in JavaScript); one source and
 * one target process per worker carry many tables: the source ends each table's rows with the
 * `\.` end-of-data line and the target script has one `\copy … from pstdin` per table. Data flows
 * through this process, so killing it breaks the pipes and stops the pumps.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable, Transform, Writable } from "node:stream";
import { OperationFailedError } from "../core/errors";
import { quoteIdent, quoteLiteral, TableInfo } from "./catalog";
import { startTool, ToolRun } from "./tools";

/**
 * application_name of every session this process opens on a source (readers, pg_dump, the snapshot
 * holder), so that a failed run can end them all (copyDatabase.ts releaseSourceSessions).
 */
export const sourceApplicationName = `odoo-platform-reader-${process.pid}`;

/** Column rewrites for one table: the shape of ops/sanitize's `TableTransform`. */
export interface ColumnTransform {
    /** `res_partner` (schema public) or `schema.table`. */
    table: string;
    /** Column → SQL expression over the original row, aliased `t`. */
    columns: Record<string, string>;
    /**
     * Row source replacing `ONLY <table> t` when the expressions need other rows (a join or a
     * subquery that still defines alias `t` with every column of the table).
     */
    from?: string;
    /**
     * Tables of one group are read by one source query that computes `ctes` once for all of them
     * (the financial anonymization's per-line values feed move lines, moves and payments): a
     * worker given the group's tables together reads them that way; anywhere else `from` is used.
     */
    group?: CopyGroup;
    /**
     * The table read in parts (the financial group by move-id range), each with its own row source
     * and group: one plan per part, together exactly the rows of `from`.
     */
    pieces?: { from: string; group: CopyGroup }[];
}

/** One table's part of a group read by one query (see ColumnTransform.group). */
export interface CopyGroup {
    /** Tables with the same name belong to the same query. */
    name: string;
    /** The WITH list (without `WITH`) shared by the group, computed once. */
    ctes: string;
    /** This table's row source over `ctes`: like `from`, it defines alias `t`. */
    from: string;
}

export interface TablePlan {
    table: TableInfo;
    /** The source query: `COPY (<select>) TO STDOUT` or, untransformed, `COPY t (cols) TO STDOUT`. */
    copyOut: string;
    /** The target command for psql: `\copy t (cols) from pstdin`. */
    copyIn: string;
    /** Columns rewritten by a transform. */
    transformed: string[];
    /** Set when the table is copied in TID-range pieces by several workers. */
    chunk?: { index: number; of: number; fromBlock: number; toBlock: number | null };
    /** Set when the table is read in parts of its transform's own (ColumnTransform.pieces): which one. */
    part?: { index: number; of: number };
    /** The transform's select list (null when the table is copied as is): chunks add their TID range to it. */
    select?: string | null;
    /** Rows depend on other rows (a window function or its own row source): the table is never cut. */
    whole?: boolean;
    /**
     * Set when the table can be read in its group's query: the group, and the select list with
     * every column as text (a UNION of tables of different shapes carries text; see columnAsText).
     */
    group?: CopyGroup & { textColumns: string[] };
}

export interface TransformMatch {
    plans: TablePlan[];
    /** Transform entries that name a table or column this database does not have: skipped. */
    skipped: { table: string; column?: string }[];
}

const tableKey = (name: string): string => (name.includes(".") ? name : `public.${name}`);

/**
 * Pairs each table with its transform and writes the COPY statements: one plan per table, or per
 * part of a table its transform reads in parts (unless `parts` is false: one query per table,
 * for readers that write one file per table). Pure.
 */
export function planTableCopies(tables: TableInfo[], transforms: ColumnTransform[] = [], options: { parts?: boolean } = {}): TransformMatch {
    const byKey = new Map<string, ColumnTransform>();
    for (const t of transforms) {
        const key = tableKey(t.table);
        const prior = byKey.get(key);
        if (prior?.from && t.from && prior.from !== t.from) throw new Error(`two transforms of ${t.table} bring different row sources`);
        byKey.set(
            key,
            prior
                ? {
                      table: t.table,
                      columns: { ...prior.columns, ...t.columns },
                      from: prior.from ?? t.from,
                      ...((prior.group ?? t.group) ? { group: prior.group ?? t.group } : {}),
                      ...((prior.pieces ?? t.pieces) ? { pieces: prior.pieces ?? t.pieces } : {}),
                  }
                : t,
        );
    }
    const skipped: TransformMatch["skipped"] = [];
    const plans = tables.flatMap((table): TablePlan[] => {
        const key = `${table.schema}.${table.name}`;
        const transform = byKey.get(key);
        byKey.delete(key);
        const columnList = table.columns.map(quoteIdent).join(", ");
        const transformed: string[] = [];
        let copyOut = `COPY ${table.qualified} (${columnList}) TO STDOUT`;
        if (transform) {
            for (const column of Object.keys(transform.columns)) {
                if (!table.columns.includes(column)) skipped.push({ table: key, column });
            }
            const select = table.columns.map((column) => {
                const expr = transform.columns[column];
                if (expr === undefined) return `t.${quoteIdent(column)}`;
                transformed.push(column);
                return `(${expr}) AS ${quoteIdent(column)}`;
            });
            if (transformed.length) copyOut = `COPY (SELECT ${select.join(", ")} FROM ${transform.from ?? `ONLY ${table.qualified} t`}) TO STDOUT`;
            const whole = !!transform.from || transformed.some((c) => /\bover\s*\(/i.test(transform.columns[c]));
            const textColumns = transform.group && transformed.length ? selectAsText(table, select) : null;
            const plan: TablePlan = {
                table,
                copyOut,
                copyIn: `\\copy ${table.qualified} (${columnList}) from pstdin`,
                transformed,
                select: transformed.length ? select.join(", ") : null,
                whole: transformed.length > 0 && whole,
                ...(transform.group && textColumns ? { group: { ...transform.group, textColumns } } : {}),
            };
            const pieces = transformed.length && options.parts !== false ? (transform.pieces ?? []) : [];
            if (pieces.length < 2) return [plan];
            return pieces.map((piece, index) => ({
                ...plan,
                table: { ...table, bytes: Math.ceil(table.bytes / pieces.length) },
                copyOut: `COPY (SELECT ${select.join(", ")} FROM ${piece.from}) TO STDOUT`,
                part: { index, of: pieces.length },
                ...(textColumns ? { group: { ...piece.group, textColumns } } : {}),
            }));
        }
        return [{ table, copyOut, copyIn: `\\copy ${table.qualified} (${columnList}) from pstdin`, transformed, select: null }];
    });
    for (const key of byKey.keys()) skipped.push({ table: key });
    return { plans, skipped };
}

/** Types whose cast to text is their output function, the text COPY writes. */
const castsLikeCopy = new Set([
    "int2",
    "int4",
    "int8",
    "oid",
    "numeric",
    "float4",
    "float8",
    "text",
    "varchar",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "json",
    "jsonb",
    "bytea",
    "uuid",
]);

/**
 * A column's value as the text COPY writes for it, or null when no cast is known to give exactly
 * that: `bool` casts to 'true' where COPY writes 't', `bpchar` drops its padding, `inet` gains a
 * netmask. Arrays go through array_out, whose elements are written by their output function. Pure.
 */
export function columnAsText(expr: string, type: string): string | null {
    if (type === "bool") return `(CASE ${expr} WHEN true THEN 't' WHEN false THEN 'f' END)`;
    if (castsLikeCopy.has(type) || type.startsWith("_")) return `(${expr})::text`;
    return null;
}

/** `select` (one item per column, `expr AS name` or `t.name`) as text items, or null when a type has no exact cast. */
function selectAsText(table: TableInfo, select: string[]): string[] | null {
    if (!table.types || table.types.length !== table.columns.length) return null;
    const items: string[] = [];
    for (const [i, item] of select.entries()) {
        const expr = item.replace(/ AS "(?:[^"]|"")*"$/, "");
        const text = columnAsText(expr, table.types[i]);
        if (text === null) return null;
        items.push(text);
    }
    return items;
}

/**
 * The one COPY that reads a group's tables: its CTEs once, then each table's rows as a UNION ALL
 * branch tagged with the table's position (`0`, `1` …) and padded with NULLs to the widest table.
 * Parallel query is off around it, so that the branches come out in order (groupRowSplitter
 * checks). Pure.
 */
export function groupCopyOut(plans: readonly TablePlan[]): string {
    const groups = plans.map((p, i) => {
        if (!p.group) throw new Error(`${p.table.qualified} (member ${i}) is not in a copy group`);
        return p.group;
    });
    if (groups.some((g) => g.name !== groups[0].name)) throw new Error(`tables of different copy groups in one query: ${groups.map((g) => g.name).join(", ")}`);
    const width = Math.max(...groups.map((g) => g.textColumns.length));
    const branches = groups.map(
        (g, i) => `SELECT '${i}'::text, ${[...g.textColumns, ...Array<string>(width - g.textColumns.length).fill("NULL::text")].join(", ")} FROM ${g.from}`,
    );
    return [
        "SET max_parallel_workers_per_gather = 0",
        `COPY (WITH ${groups[0].ctes} ${branches.join(" UNION ALL ")}) TO STDOUT`,
        "RESET max_parallel_workers_per_gather",
    ].join("; ");
}

export interface SourceSegment {
    /** The tables this COPY writes, in order, each ended by `\.` once split. */
    plans: TablePlan[];
    copyOut: string;
    grouped: boolean;
}

/**
 * How a worker reads its tables: each leading run of two or more tables of one copy group (a
 * worker may hold several parts of a split group) by that group's one query, every other table
 * by its own COPY. Pure.
 */
export function sourceSegments(plans: readonly TablePlan[]): SourceSegment[] {
    const segments: SourceSegment[] = [];
    let n = 0;
    for (;;) {
        const name = plans[n]?.group?.name;
        let end = n;
        while (name && end < plans.length && plans[end].group?.name === name) end++;
        if (end - n < 2) break;
        segments.push({ plans: plans.slice(n, end), copyOut: groupCopyOut(plans.slice(n, end)), grouped: true });
        n = end;
    }
    return [...segments, ...plans.slice(n).map((p) => ({ plans: [p], copyOut: p.copyOut, grouped: false }))];
}

/**
 * Turns the tagged rows of the groups' queries (the first things on a worker's stream, one query
 * after the other) back into one COPY stream per table — its rows without tag and padding, then
 * `\.` — and passes the rest of the stream through untouched. `groups` holds each query's tables
 * (their column counts and names). Rows out of the branches' order, or with columns beyond their
 * table's, fail the copy.
 */
export function groupRowSplitter(groups: readonly { columnCounts: readonly number[]; tables?: readonly string[] }[]): Transform {
    const layouts = groups.map(({ columnCounts, tables = [] }) => {
        const width = Math.max(...columnCounts);
        return {
            members: columnCounts.length,
            pads: columnCounts.map((n) => Buffer.from("\t\\N".repeat(width - n))),
            name: (i: number) => tables[i] ?? `member ${i}`,
        };
    });
    const endOfData = Buffer.from("\\.\n");
    const newline = Buffer.from("\n");
    let current = 0;
    let closed = 0;
    let rest = Buffer.alloc(0);
    const done = () => current >= layouts.length;
    return new Transform({
        transform(chunk: Buffer, _encoding, callback) {
            if (done()) return callback(null, chunk);
            const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
            const out: Buffer[] = [];
            let pos = 0;
            for (;;) {
                const nl = buf.indexOf(10, pos);
                if (nl < 0) break;
                const layout = layouts[current];
                if (nl - pos === 2 && buf[pos] === 0x5c && buf[pos + 1] === 0x2e) {
                    for (; closed < layout.members; closed++) out.push(endOfData);
                    current++;
                    closed = 0;
                    pos = nl + 1;
                    if (!done()) continue;
                    out.push(buf.subarray(pos));
                    rest = Buffer.alloc(0);
                    return callback(null, Buffer.concat(out));
                }
                const tab = buf.indexOf(9, pos);
                const member = tab === pos + 1 ? buf[pos] - 48 : Number(buf.toString("latin1", pos, tab < 0 || tab > nl ? nl : tab));
                if (tab < 0 || tab > nl || !Number.isInteger(member) || member < 0 || member >= layout.members) {
                    return callback(new Error("a row of the grouped copy has no table tag"));
                }
                if (member < closed)
                    return callback(new Error(`rows of ${layout.name(member)} arrived after those of ${layout.name(closed)}: the grouped copy's order broke`));
                for (; closed < member; closed++) out.push(endOfData);
                const pad = layout.pads[member];
                const rowEnd = nl - pad.length;
                if (pad.length && (rowEnd <= tab || buf.compare(pad, 0, pad.length, rowEnd, nl) !== 0)) {
                    return callback(new Error(`a row of ${layout.name(member)} has more columns than the table`));
                }
                if (pad.length) out.push(buf.subarray(tab + 1, rowEnd), newline);
                else out.push(buf.subarray(tab + 1, nl + 1));
                pos = nl + 1;
            }
            rest = Buffer.from(buf.subarray(pos));
            callback(null, out.length ? Buffer.concat(out) : undefined);
        },
        flush(callback) {
            callback(done() ? null : new Error("the grouped copy ended before its end-of-data line"));
        },
    });
}

/**
 * Cuts tables bigger than a fair share of the work into TID-range pieces (PostgreSQL 14+ scans a
 * `ctid` range without reading the rest of the table), so that one huge table — usually the
 * chatter or the journal items — keeps every worker busy instead of one. Tables whose transform
 * uses a window function (`… OVER (…)`) or its own row source stay whole: their rows depend on
 * each other. The last
 * piece has no upper bound, so rows in blocks added after the size was read are not lost. Pure.
 */
export function splitLargeTables(
    plans: TablePlan[],
    opts: { jobs: number; serverVersionNum: number; minChunkBytes?: number; maxChunks?: number },
): TablePlan[] {
    if (opts.jobs < 2 || opts.serverVersionNum < 140000) return plans;
    const total = plans.reduce((n, p) => n + p.table.bytes, 0);
    const chunkBytes = Math.max(opts.minChunkBytes ?? 8 * 1024 * 1024, Math.ceil(total / (opts.jobs * 4)));
    return plans.flatMap((plan) => {
        const pieces = Math.min(opts.maxChunks ?? 16, Math.ceil(plan.table.bytes / chunkBytes), plan.table.blocks);
        if (pieces < 2 || plan.whole) return [plan];
        const step = Math.ceil(plan.table.blocks / pieces);
        const columns = plan.select ?? plan.table.columns.map((c) => `t.${quoteIdent(c)}`).join(", ");
        return Array.from({ length: pieces }, (_, index) => {
            const fromBlock = index * step;
            const toBlock = index === pieces - 1 ? null : (index + 1) * step;
            const range = `t.ctid >= '(${fromBlock},0)'::tid${toBlock === null ? "" : ` AND t.ctid < '(${toBlock},0)'::tid`}`;
            return {
                ...plan,
                table: { ...plan.table, bytes: Math.ceil(plan.table.bytes / pieces) },
                copyOut: `COPY (SELECT ${columns} FROM ONLY ${plan.table.qualified} t WHERE ${range}) TO STDOUT`,
                chunk: { index, of: pieces, fromBlock, toBlock },
            };
        });
    });
}

/**
 * Expected cost of copying a plan, for scheduling: its bytes, more when expressions rewrite
 * columns, much more when the transform brings its own row source (joins, windows over other
 * rows: the financial anonymization). The factors are CPU per byte measured end to end (source,
 * this process, target) at bench scale 1: about 1.5× a plain copy for the rewritten chatter,
 * about 5× for the financial group. Rough, but it starts the expensive tables first. Pure.
 */
export function copyWeight(plan: TablePlan): number {
    const factor = plan.whole ? 5 : plan.transformed.length ? 1.5 : 1;
    return plan.table.bytes * factor;
}

/**
 * Spreads weighted items over `workers` lists, heaviest first onto the least loaded list (LPT),
 * so one huge table and many small ones still finish together. Pure.
 */
export function assignToWorkers<T>(items: T[], weight: (item: T) => number, workers: number): T[][] {
    const lists: { load: number; items: T[] }[] = Array.from({ length: Math.max(1, workers) }, () => ({ load: 0, items: [] }));
    for (const item of [...items].sort((a, b) => weight(b) - weight(a))) {
        const lightest = lists.reduce((min, list) => (list.load < min.load ? list : min));
        lightest.items.push(item);
        lightest.load += Math.max(1, weight(item));
    }
    return lists.map((l) => l.items).filter((l) => l.length);
}

/** The source worker's psql script: one snapshot, one COPY per table, `\.` after each. Pure. */
export function sourceScript(snapshotId: string | undefined, copyOuts: string[], settings: Readonly<Record<string, string>> = {}): string {
    // No JIT: compiling the big sanitizing expressions costs seconds and saves nothing on a COPY.
    const lines = [
        "\\set ON_ERROR_STOP on",
        ...Object.entries({ jit: "off", ...settings }).map(([k, v]) => sessionSetting(k, v)),
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;",
    ];
    if (snapshotId) lines.push(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshotId)};`);
    for (const copy of copyOuts) lines.push(`${copy.replace(/\s*\n\s*/g, " ")};`, "\\qecho '\\\\.'");
    lines.push("COMMIT;");
    return `${lines.join("\n")}\n`;
}

/** `SET name = 'value';` for a session setting the transforms ask for (work_mem …). Pure. */
export function sessionSetting(name: string, value: string): string {
    if (!/^[a-z_][a-z0-9_.]*$/.test(name)) throw new Error(`not a PostgreSQL setting name: "${name}"`);
    return `SET ${name} = ${quoteLiteral(value)};`;
}

/** The target worker's psql script: one `\copy … from pstdin` per table, in the same order. Pure. */
export function targetScript(copyIns: string[]): string {
    return `${["\\set ON_ERROR_STOP on", ...copyIns].join("\n")}\n`;
}

/** Row counts from psql's `COPY <n>` command tags, in order. Pure. */
export function parseCopyTags(stdout: string): number[] {
    return [...stdout.matchAll(/^COPY (\d+)$/gm)].map((m) => Number(m[1]));
}

export interface CopyResult {
    table: string;
    rows: number;
    transformed: string[];
}

export interface StreamOptions {
    binDir: string;
    sourceUrl?: string;
    targetUrl: string;
    snapshotId?: string;
    jobs: number;
    /** Session settings for the source workers (the transforms' work_mem …). */
    sourceSettings?: Readonly<Record<string, string>>;
    /** Timeouts of the source workers' sessions (PGOPTIONS): see sourceReaderSettings. */
    sourceLimits?: Readonly<Record<string, string>>;
    /** Called with the bytes moved so far (all workers). */
    onBytes?: (bytes: number) => void;
    /**
     * A pass-through put between one worker's source and target (a scan of the rows on their way):
     * given the worker's plans in stream order; its error fails the copy.
     */
    inspect?: (plans: TablePlan[], worker: number) => Transform | undefined;
}

/** Starts a target psql that loads `plans` in order from its stdin. */
export function startTargetWorker(binDir: string, targetUrl: string, plans: TablePlan[], what: string): ToolRun & { stdin: Writable; rows: () => number[] } {
    // The script is a file: the worker's stdin carries the data.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-copy-"));
    const script = path.join(dir, "load.sql");
    fs.writeFileSync(script, targetScript(plans.map((p) => p.copyIn)));
    const run = startTool(binDir, "psql", ["-X", "-v", "ON_ERROR_STOP=1", "-f", script], {
        url: targetUrl,
        what,
        stdio: ["pipe", "pipe", "pipe"],
    });
    run.done.finally(() => fs.rmSync(dir, { recursive: true, force: true })).catch(() => undefined);
    let out = "";
    run.child.stdout!.setEncoding("utf8");
    run.child.stdout!.on("data", (chunk: string) => (out += chunk));
    // A target that dies closes its stdin: the error surfaces through `done`, not as an uncaught EPIPE.
    run.child.stdin!.on("error", () => undefined);
    return { ...run, stdin: run.child.stdin!, rows: () => parseCopyTags(out) };
}

/** Starts a source psql that writes the COPY data of `plans` (each ended by `\.`) to its stdout. */
export function startSourceWorker(
    binDir: string,
    sourceUrl: string,
    snapshotId: string | undefined,
    plans: TablePlan[],
    what: string,
    settings: Readonly<Record<string, string>> = {},
    limits?: Readonly<Record<string, string>>,
): ToolRun & { stdout: Readable } {
    const run = startTool(binDir, "psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], {
        url: sourceUrl,
        what,
        stdio: ["pipe", "pipe", "pipe"],
        settings: limits,
        appName: sourceApplicationName,
    });
    run.child.stdin!.on("error", () => undefined);
    const segments = sourceSegments(plans);
    run.child.stdin!.end(
        sourceScript(
            snapshotId,
            segments.map((s) => s.copyOut),
            settings,
        ),
    );
    const grouped = segments.filter((s) => s.grouped);
    if (!grouped.length) return { ...run, stdout: run.child.stdout! };
    const splitter = groupRowSplitter(
        grouped.map((s) => ({ columnCounts: s.plans.map((p) => p.table.columns.length), tables: s.plans.map((p) => p.table.qualified) })),
    );
    // psql's own error comes first; the splitter's only when psql ended well. 'finish' (all input
    // split), not 'end': the loading psql may exit after its last table before the splitter's
    // end-of-stream is read, and then 'end' never comes.
    const split = new Promise<void>((resolve, reject) => {
        splitter.on("error", reject);
        splitter.on("finish", resolve);
    });
    split.catch(() => undefined);
    return { ...run, done: run.done.then(() => split), stdout: run.child.stdout!.pipe(splitter) };
}

/**
 * The worker lists of a copy: tables spread by weight (assignToWorkers), except that the tables of
 * one copy group stay together at the head of one list, so that one query reads them. Pure.
 */
export function assignPlans(plans: TablePlan[], workers: number): TablePlan[][] {
    const items: TablePlan[][] = [];
    const groups = new Map<string, TablePlan[]>();
    for (const plan of plans) {
        const name = plan.group?.name;
        if (!name) items.push([plan]);
        else if (groups.has(name)) groups.get(name)!.push(plan);
        else {
            const members = [plan];
            groups.set(name, members);
            items.push(members);
        }
    }
    const lists = assignToWorkers(items, (item) => item.reduce((n, p) => n + copyWeight(p), 0), workers);
    return lists.map((list) => [...list.filter((item) => item.length > 1), ...list.filter((item) => item.length === 1)].flat());
}

/**
 * Copies every planned table from the source to the target with `jobs` parallel worker pairs.
 * Rejects (after stopping every pump) if any psql fails, naming the table being copied.
 */
export async function streamTables(plans: TablePlan[], opts: StreamOptions): Promise<CopyResult[]> {
    if (!opts.sourceUrl) throw new Error("streamTables: sourceUrl is required");
    const lists = assignPlans(plans, opts.jobs);
    let bytes = 0;
    const runs: { child: { kill(signal?: NodeJS.Signals): boolean } }[] = [];
    const stopAll = () => runs.forEach((r) => r.child.kill("SIGTERM"));
    try {
        const perWorker = await Promise.all(
            lists.map(async (list, w) => {
                const target = startTargetWorker(opts.binDir, opts.targetUrl, list, `loading tables into the new database (worker ${w + 1})`);
                const source = startSourceWorker(
                    opts.binDir,
                    opts.sourceUrl!,
                    opts.snapshotId,
                    list,
                    `reading tables from the source (worker ${w + 1})`,
                    opts.sourceSettings,
                    opts.sourceLimits,
                );
                runs.push(target, source);
                source.stdout.on("data", (chunk: Buffer) => {
                    bytes += chunk.length;
                    opts.onBytes?.(bytes);
                });
                const inspect = opts.inspect?.(list, w);
                const inspected = inspect
                    ? new Promise<void>((resolve, reject) => {
                          inspect.on("error", reject);
                          inspect.on("finish", resolve);
                      })
                    : Promise.resolve();
                if (inspect) source.stdout.pipe(inspect).pipe(target.stdin);
                else source.stdout.pipe(target.stdin);
                const current = () => list[Math.min(target.rows().length, list.length - 1)].table.qualified;
                try {
                    await Promise.all([source.done, target.done, inspected]);
                } catch (err) {
                    stopAll();
                    throw new OperationFailedError(`while copying ${current()}: ${(err as Error).message}`, { cause: err });
                }
                const rows = target.rows();
                if (rows.length !== list.length) {
                    throw new OperationFailedError(`copy worker ${w + 1} loaded ${rows.length} of ${list.length} tables (stopped at ${current()})`);
                }
                return list.map((plan, i) => ({ table: `${plan.table.schema}.${plan.table.name}`, rows: rows[i], transformed: plan.transformed }));
            }),
        );
        // Pieces of one table add up to one result per table.
        const byTable = new Map<string, CopyResult>();
        for (const r of perWorker.flat()) {
            const prior = byTable.get(r.table);
            if (prior) prior.rows += r.rows;
            else byTable.set(r.table, { ...r });
        }
        return [...byTable.values()];
    } catch (err) {
        stopAll();
        throw err;
    }
}
