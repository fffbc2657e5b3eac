/**
 * `snapshot create`: a consistent snapshot of a live database (and its filestore) into a directory
 * or an S3 prefix, with a manifest of sizes and SHA-256 checksums written last.
 *
 * With sanitize, personal data never leaves the production server: one exported snapshot serves
 * both `pg_dump -Fd -j` (which leaves out the data of the tables that carry personal data) and one
 * `COPY (SELECT <sanitizing expressions>) TO STDOUT` per such table, streamed through gzip into the
 * snapshot; the same SELECT reads production's credentials through the value neutralize gives them
 * (ops/neutralize/revoke.ts, via the spec's plan). Nothing is written on the production server — no
 * temporary database, no UPDATE, no WAL — and every row is read exactly once.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Transform } from "node:stream";
import { createGzip } from "node:zlib";
import { InvalidInputError, withNote } from "../core/errors";
import type { Progress } from "../core/progress";
import { seedFingerprint } from "../core/secrets";
import { odooSeries, quoteIdent } from "../postgres/catalog";
import { parseDatabaseUrl } from "../postgres/connect";
import {
    openSourceSnapshot,
    pgDumpLockWait,
    releaseSourceSessions,
    sourceApplicationName,
    SourceSnapshot,
    sourceReaderSettings,
} from "../postgres/copyDatabase";
import { ColumnTransform, planTableCopies, startSourceWorker, TablePlan } from "../postgres/copyStream";
import { explainFailure } from "../postgres/faults";
import { PgTools, pgTools, runTool, ToolRun } from "../postgres/tools";
import { assertDirectory, countFiles, tarDirectory } from "../filestore/filestore";
import { copyFileName, manifestFileName, manifestFormat, SnapshotCopyEntry, SnapshotFile, SnapshotManifest } from "./manifest";
import {
    assertS3Reachable,
    describeLocation,
    lastSegment,
    latestPointerFile,
    latestPointerName,
    openStore,
    parentLocation,
    parseLocation,
    prepareDirectory,
    S3Options,
} from "./store";
import { KnownValueGuard, knownValueGuard, KnownValueLeak } from "../verify/knownValueGuard";

export interface SanitizeSpec {
    seed: string;
    strict: boolean;
    /** The sanitizing expressions per table (ops/sanitize), planned on the source snapshot. */
    plan: (snapshot: SourceSnapshot) => Promise<{ transforms: ColumnTransform[]; financial: boolean }>;
    /** Session settings the expressions need on the source (work_mem …). */
    sessionSettings?: Readonly<Record<string, string>>;
    /** Check the snapshot for production's personal values (ops/verify/knownValueGuard.ts); a hit fails it. */
    knownValues?: { keepCompanyNames?: boolean };
}

export interface CreateSnapshotOptions {
    dbUrl: string;
    to: string;
    filestore?: string;
    sanitize?: SanitizeSpec;
    jobs?: number;
    /** Also point `<parent>/latest.json` at this snapshot (restore `--from <parent>/latest`). */
    latest?: boolean;
    s3?: S3Options;
    progress?: Progress;
    tools?: PgTools;
    now?: Date;
}

export interface CreateSnapshotReport {
    location: string;
    id: string;
    sanitized: boolean;
    files: number;
    bytes: number;
    seconds: number;
    odooVersion: string | null;
    tables: { dumped: number; sanitized: number };
    manifest: SnapshotManifest;
}

/**
 * Runs `fn` over `items` with at most `limit` at a time, in order of start. After the first failure
 * no further item starts, and the call settles only when the running ones have (so nothing is still
 * writing when the caller cleans up); it then rejects with that first failure.
 */
export async function eachLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>, onFirstFailure?: () => void): Promise<void> {
    let next = 0;
    let failure: { err: unknown } | undefined;
    const worker = async () => {
        while (next < items.length && !failure) {
            const i = next++;
            try {
                await fn(items[i], i);
            } catch (err) {
                if (!failure) {
                    failure = { err };
                    onFirstFailure?.();
                }
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    if (failure) throw failure.err;
}

/** Counts COPY text rows (one line each; the `\.` end line excluded by the caller). */
function lineCounter(): Transform & { lines: () => number } {
    let lines = 0;
    const t = new Transform({
        transform(chunk: Buffer, _e, done) {
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
            done(null, chunk);
        },
    }) as Transform & { lines: () => number };
    t.lines = () => lines;
    return t;
}

export async function createSnapshot(opts: CreateSnapshotOptions): Promise<CreateSnapshotReport> {
    const started = process.hrtime.bigint();
    const now = opts.now ?? new Date();
    const db = parseDatabaseUrl(opts.dbUrl, "--db");
    const loc = parseLocation(opts.to, "--to");
    if (opts.filestore) assertDirectory(opts.filestore, "--filestore");
    if (lastSegment(loc) === latestPointerName)
        throw new InvalidInputError(`--to ${describeLocation(loc)}: "latest" is the pointer name; give the snapshot its own name`);
    const store = openStore(loc, opts.s3);
    await assertS3Reachable(loc, opts.s3 ?? {}, "--to");
    if (!(await store.isEmpty())) throw new InvalidInputError(`--to ${store.display} already holds a snapshot (or other files): choose a new location`);
    // Before production is read: the place must be able to hold files.
    const prepared = loc.kind === "dir" ? prepareDirectory(loc.path, "--to") : { created: null };
    const tools = opts.tools ?? pgTools();
    const jobs = Math.max(1, opts.jobs ?? 2);
    const step = (label: string) => opts.progress?.step(label);
    const work = loc.kind === "dir" ? loc.path : fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-snapshot-"));
    const running = new Set<ToolRun>();
    let snapshot: SourceSnapshot | undefined;
    let complete = false;
    try {
        step(`opening a consistent snapshot of ${db.display}`);
        snapshot = await openSourceSnapshot(opts.dbUrl, tools);
        const report = await writeSnapshot(opts, { db, loc, store, tools, jobs, work, snapshot, running, started, now });
        complete = true;
        return report;
    } catch (err) {
        for (const run of running) run.child.kill("SIGTERM");
        await snapshot?.close();
        await releaseSourceSessions(opts.dbUrl);
        const explained = await explainFailure(err, {
            directories: loc.kind === "dir" ? [{ label: "--to", dir: loc.path }] : [{ label: "TMPDIR", dir: work }],
            servers: [{ label: "the source database (--db)", url: opts.dbUrl }],
        });
        throw withNote(
            explained,
            loc.kind === "dir"
                ? `the unfinished snapshot ${loc.path} was removed`
                : `the unfinished snapshot at ${store.display} has no manifest, so restore refuses it (the writer may not delete: remove it with the bucket's own tools)`,
        );
    } finally {
        await snapshot?.close();
        if (loc.kind === "s3") fs.rmSync(work, { recursive: true, force: true });
        if (!complete && loc.kind === "dir") {
            if (prepared.created) fs.rmSync(prepared.created, { recursive: true, force: true });
            else
                for (const entry of fs.existsSync(loc.path) ? fs.readdirSync(loc.path) : [])
                    fs.rmSync(path.join(loc.path, entry), { recursive: true, force: true });
        }
    }
}

interface SnapshotRun {
    db: ReturnType<typeof parseDatabaseUrl>;
    loc: ReturnType<typeof parseLocation>;
    store: ReturnType<typeof openStore>;
    tools: PgTools;
    jobs: number;
    work: string;
    snapshot: SourceSnapshot;
    /** Client programs still running, stopped if the run fails. */
    running: Set<ToolRun>;
    started: bigint;
    now: Date;
}

async function writeSnapshot(opts: CreateSnapshotOptions, run: SnapshotRun): Promise<CreateSnapshotReport> {
    const { db, loc, store, tools, jobs, work, snapshot, now } = run;
    const step = (label: string) => opts.progress?.step(label);
    const files: SnapshotFile[] = [];
    let copies: SnapshotCopyEntry[] = [];
    let skipped: { table: string; column?: string }[] = [];
    let sanitized: TablePlan[] = [];
    let financial = false;
    if (opts.sanitize) {
        step("reading the sanitizing rules");
        const plan = await opts.sanitize.plan(snapshot);
        financial = plan.financial;
        // One file per table: each table by one query (no parts).
        const match = planTableCopies(snapshot.tables, plan.transforms, { parts: false });
        sanitized = match.plans.filter((p) => p.transformed.length);
        skipped = match.skipped;
    }
    // Known-value scan: production's values as hashes, from the same snapshot.
    const guard: KnownValueGuard | undefined = opts.sanitize?.knownValues
        ? (step("collecting production's personal values (hashes) for the known-value scan"), await knownValueGuard(snapshot.client, opts.sanitize.knownValues))
        : undefined;

    step(`pg_dump -Fd -j${jobs}${sanitized.length ? ` (data of ${sanitized.length} tables with personal data left out)` : ""}`);
    fs.mkdirSync(work, { recursive: true });
    const dumpDir = path.join(work, "db");
    await runTool(
        tools.binDir,
        "pg_dump",
        [
            "-Fd",
            `--jobs=${jobs}`,
            pgDumpLockWait,
            `--snapshot=${snapshot.snapshotId}`,
            "-f",
            dumpDir,
            ...sanitized.map((p) => `--exclude-table-data=${quoteIdent(p.table.schema)}.${quoteIdent(p.table.name)}`),
        ],
        { url: opts.dbUrl, what: `pg_dump of ${db.display}`, settings: sourceReaderSettings(snapshot.facts.versionNum), appName: sourceApplicationName },
    );

    if (sanitized.length) {
        step(`streaming ${sanitized.filter((p) => p.table.hasRows).length} sanitized tables`);
        copies = sanitized.map((p, i) => ({
            schema: p.table.schema,
            name: p.table.name,
            columns: p.table.columns,
            transformed: p.transformed,
            rows: 0,
            path: p.table.hasRows ? copyFileName(i, p.table.schema, p.table.name) : null,
        }));
        const withRows = copies.map((c, i) => ({ c, plan: sanitized[i] })).filter((x) => x.c.path);
        withRows.sort((a, b) => b.plan.table.bytes - a.plan.table.bytes);
        await eachLimit(
            withRows,
            jobs,
            async ({ c, plan }) => {
                const source = startSourceWorker(
                    tools.binDir,
                    opts.dbUrl,
                    snapshot.snapshotId,
                    [plan],
                    `sanitized copy of ${plan.table.qualified}`,
                    opts.sanitize!.sessionSettings,
                    sourceReaderSettings(snapshot.facts.versionNum),
                );
                run.running.add(source);
                const counter = lineCounter();
                try {
                    const [written] = await Promise.all([
                        store.put(c.path!, (guard ? source.stdout.pipe(guard.stream(plan.table)) : source.stdout).pipe(counter).pipe(createGzip({ level: 1 }))),
                        source.done,
                    ]);
                    c.rows = Math.max(0, counter.lines() - 1);
                    files.push({ path: c.path!, ...written });
                } catch (err) {
                    // The writer failed (a full disk …): the reader must not stay blocked on a full pipe.
                    source.child.kill("SIGTERM");
                    throw err;
                } finally {
                    run.running.delete(source);
                }
            },
            () => run.running.forEach((r) => r.child.kill("SIGTERM")),
        );
    }
    if (guard) {
        step("known-value scan of the tables copied unchanged");
        const hits = await guard.finish(
            snapshot.client,
            snapshot.tables.filter((t) => t.hasRows && !sanitized.some((p) => p.table === t)),
        );
        if (hits.length) throw new KnownValueLeak(hits);
    }
    await snapshot.close();

    let filestore: SnapshotManifest["filestore"] = null;
    if (opts.filestore) {
        step(`packing the filestore ${opts.filestore}`);
        const tar = tarDirectory(opts.filestore);
        const [written] = await Promise.all([store.put("filestore.tar", tar.stream), tar.done]);
        files.push({ path: "filestore.tar", ...written });
        filestore = { path: "filestore.tar", files: countFiles(opts.filestore) };
    }

    const dumpFiles = fs.readdirSync(dumpDir).sort();
    step(loc.kind === "s3" ? `uploading ${dumpFiles.length} dump files to ${store.display}` : `checksumming ${dumpFiles.length} dump files`);
    await eachLimit(dumpFiles, 4, async (name) => {
        files.push({ path: `db/${name}`, ...(await store.putFile(`db/${name}`, path.join(dumpDir, name))) });
    });
    files.sort((a, b) => a.path.localeCompare(b.path));

    const manifest: SnapshotManifest = {
        format: manifestFormat,
        id: lastSegment(loc),
        createdAt: now.toISOString(),
        durationSeconds: Number(process.hrtime.bigint() - run.started) / 1e9,
        source: {
            url: db.display,
            database: db.database,
            serverVersion: snapshot.facts.version,
            encoding: snapshot.facts.encoding,
            collate: snapshot.facts.collate,
            ctype: snapshot.facts.ctype,
        },
        odoo: { version: snapshot.odooVersion, series: odooSeries(snapshot.odooVersion) },
        pgDump: { version: tools.dumpVersion, major: tools.dumpMajor, format: "directory", jobs },
        sanitized: !!opts.sanitize,
        sanitize: opts.sanitize
            ? { seedFingerprint: seedFingerprint(opts.sanitize.seed), strict: opts.sanitize.strict, financial, tables: copies, skipped }
            : null,
        filestore,
        files,
    };
    // The manifest goes last: its presence is what makes the snapshot complete.
    await store.putText(manifestFileName, `${JSON.stringify(manifest, null, 2)}\n`);
    if (opts.latest) {
        const pointer = { id: manifest.id, createdAt: manifest.createdAt, sanitized: manifest.sanitized };
        await openStore(parentLocation(loc), opts.s3).putText(latestPointerFile, `${JSON.stringify(pointer)}\n`);
    }
    return {
        location: store.display,
        id: manifest.id,
        sanitized: manifest.sanitized,
        files: files.length,
        bytes: files.reduce((n, f) => n + f.size, 0),
        seconds: manifest.durationSeconds,
        odooVersion: snapshot.odooVersion,
        tables: { dumped: snapshot.tables.length, sanitized: copies.length },
        manifest,
    };
}
