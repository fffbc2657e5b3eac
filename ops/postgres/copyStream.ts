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
    /** The transform's select list (null when the table is copied as is): chunks add their TID range to it. */
    select?: string | null;
    /** Rows depend on other rows (a window function or its own row source): the table is never cut. */
    whole?: boolean;
}

export interface TransformMatch {
    plans: TablePlan[];
    /** Transform entries that name a table or column this database does not have: skipped. */
    skipped: { table: string; column?: string }[];
}

const tableKey = (name: string): string => (name.includes(".") ? name : `public.${name}`);

/** Pairs each table with its transform and writes the COPY statements. Pure. */
export function planTableCopies(tables: TableInfo[], transforms: ColumnTransform[] = []): TransformMatch {
    const byKey = new Map<string, ColumnTransform>();
    for (const t of transforms) {
        const key = tableKey(t.table);
        const prior = byKey.get(key);
        if (prior?.from && t.from && prior.from !== t.from) throw new Error(`two transforms of ${t.table} bring different row sources`);
        byKey.set(key, prior ? { table: t.table, columns: { ...prior.columns, ...t.columns }, from: prior.from ?? t.from } : t);
    }
    const skipped: TransformMatch["skipped"] = [];
    const plans = tables.map((table) => {
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
            return {
                table,
                copyOut,
                copyIn: `\\copy ${table.qualified} (${columnList}) from pstdin`,
                transformed,
                select: transformed.length ? select.join(", ") : null,
                whole: transformed.length > 0 && whole,
            };
        }
        return { table, copyOut, copyIn: `\\copy ${table.qualified} (${columnList}) from pstdin`, transformed, select: null };
    });
    for (const key of byKey.keys()) skipped.push({ table: key });
    return { plans, skipped };
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
 * rows: the financial anonymization). Rough, but it starts the expensive tables first. Pure.
 */
export function copyWeight(plan: TablePlan): number {
    const factor = plan.whole ? 8 : plan.transformed.length ? 2 : 1;
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
    run.child.stdin!.end(
        sourceScript(
            snapshotId,
            plans.map((p) => p.copyOut),
            settings,
        ),
    );
    return { ...run, stdout: run.child.stdout! };
}

/**
 * Copies every planned table from the source to the target with `jobs` parallel worker pairs.
 * Rejects (after stopping every pump) if any psql fails, naming the table being copied.
 */
export async function streamTables(plans: TablePlan[], opts: StreamOptions): Promise<CopyResult[]> {
    if (!opts.sourceUrl) throw new Error("streamTables: sourceUrl is required");
    const lists = assignToWorkers(plans, copyWeight, opts.jobs);
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
                          inspect.on("end", resolve);
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
