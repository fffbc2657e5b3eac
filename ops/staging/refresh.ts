/**
 * `staging refresh`: production → a sanitized, neutralized, verified staging database, swapped in
 * only when every step passed.
 *
 *   check       every option, URL, path and directory; the source is an Odoo database with data
 *               (and, streaming, without large objects); the target is not the source (by server
 *               identity), is ours to replace (or confirmed by name), and the role may create the
 *               copy and rename the target away at the swap
 *   prepare     lock the target on its server, clean what an interrupted run left, create and mark
 *               <target>__restore_<stamp>
 *   schema      pg_dump --schema-only → pg_restore --section=pre-data
 *   copy        every table streamed source → copy with the sanitizing expressions applied in
 *               the SELECT (data written once: see ops/postgres/copyDatabase.ts)
 *   indexes     sequences, pg_restore -j --section=post-data, materialized views
 *   (or, with --via: snapshot create --sanitize → checksums → restore, through a directory or S3)
 *   neutralize  ops/neutralize on the copy
 *   verify      ops/verify on the copy — a finding drops the copy: no swap, exit 1
 *   swap        one transaction renames the live database away (kept as the previous generation)
 *               and the copy in
 *
 * Until the swap the live staging database is untouched and serving; a run killed anywhere leaves
 * at most a `__restore_` database, which the next run drops. A run that fails drops it itself when
 * the server still answers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Client } from "pg";
import { InvalidInputError, RefusedError, withNote } from "../core/errors";
import type { Progress } from "../core/progress";
import { normalizeDomain } from "../pii/patterns";
import { countLargeObjects, serverFacts } from "../postgres/catalog";
import { connect, parseDatabaseUrl, SafeClient, withConnection, withDatabase } from "../postgres/connect";
import { copyDatabase, reassignOwnership, sourceApplicationName, sourceSessionLimits } from "../postgres/copyDatabase";
import { acquireTargetLock, createDatabase, dropDatabase, maintenanceUrl, TargetLock } from "../postgres/databases";
import { explainFailure } from "../postgres/faults";
import { readDatabaseIdentity, readServerIdentity } from "../postgres/identity";
import { writeMark } from "../postgres/managed";
import { assertDumpCompatible, pgTools } from "../postgres/tools";
import { createSnapshot } from "../snapshot/create";
import { assertDirectory, copyDirectory, countFiles, extractTar } from "../filestore/filestore";
import { snapshotId } from "../snapshot/manifest";
import { loadSnapshotInto, openVerifiedSnapshot } from "../snapshot/restore";
import { assertS3Reachable, childLocation, describeLocation, parseLocation, prepareDirectory } from "../snapshot/store";
import { s3Endpoint, S3Options } from "../s3";
import { CopyWrites, DataRules, VerifyOutcome } from "./dataRules";
import { readCatalog } from "../odoo/catalog";
import type { ScanPath, StreamScan, StreamScanResult } from "../pii/streamScan";
import { runStamp, workDatabaseName, workDirectoryName } from "../generations/names";
import { probeOdoo } from "../generations/odooChecks";
import { StepClock, StepTiming, round } from "./report";
import { cleanupLeftovers, CleanupReport, swapIn, SwapInReport } from "../generations/swap";
import { assertMayReplace, assertNotSource, assertRoleMayReplace, assessDatabase } from "../generations/targets";

export interface RefreshOptions {
    fromDb: string;
    toDb: string;
    baseUrl: string;
    seed: string;
    strict?: boolean;
    /** Keep company names (the sanitize module's default); people's names are always replaced. */
    keepCompanyNames?: boolean;
    mailHost: string;
    mailPort: number;
    allowDomains: string[];
    /** Go through a sanitized snapshot in this directory or S3 prefix instead of streaming. */
    via?: string;
    s3?: S3Options;
    jobs?: number;
    owner?: string;
    /** Keep the replaced staging database as the previous generation (default true). */
    keepPrevious?: boolean;
    /** The target's name, repeated by the operator, when it is not a database odoo-platform manages. */
    confirm?: string;
    /** Previous generations older than this are dropped (default: kept until the next refresh). */
    retentionMs?: number;
    fromFilestore?: string;
    toFilestore?: string;
    maintenanceDb?: string;
    rules: DataRules;
    progress?: Progress;
    now?: Date;
}

export interface RefreshReport {
    ok: boolean;
    exitCode: 0 | 1;
    mode: "stream" | "via-snapshot";
    source: string;
    target: string;
    candidate: string;
    snapshot: string | null;
    steps: StepTiming[];
    totalSeconds: number;
    /** How long production's snapshot (and its vacuum horizon) was held by the streaming copy; null through a snapshot. */
    sourceSnapshotSeconds: number | null;
    /** CopyDatabaseReport.sourceTempFiles of the streaming copy; null through a snapshot or without statistics. */
    sourceTempFiles: { files: number; bytes: number } | null;
    rows: number;
    sanitizedTables: { table: string; columns: string[]; rows: number }[];
    /** The sanitize module's summary of its plan (rules applied and skipped, scrubbed columns, finance). */
    sanitizePlan: unknown;
    skippedTransforms: { table: string; column?: string }[];
    neutralize: unknown;
    verify: VerifyOutcome;
    /**
     * How verify's PII scan read each table: on the copy's stream (in Node, as the rows were
     * written), read back after the copy and scanned the same way (tables written after the copy,
     * metadata rules over other tables, tables without rows), in the database (every table when no
     * stream scan ran or a step could not say what it wrote), or skipped by a metadata rule.
     */
    scan: { stream: number; reread: number; database: number; skipped: number; writtenAfterCopy: string[] | null; tables: ScanPath[] };
    swap: SwapInReport | null;
    cleanup: CleanupReport;
    /** The target was not a database odoo-platform manages; the operator confirmed its name. */
    confirmed: boolean;
}

/** The tables every step reported writing, or null when one of them could not say. */
export function unionOfWrites(results: readonly unknown[]): string[] | null {
    const all = new Set<string>();
    for (const r of results) {
        const written = (r as CopyWrites | null | undefined)?.written;
        if (!Array.isArray(written)) return null;
        for (const t of written) all.add(t);
    }
    return [...all].sort();
}

/** A stream scan's result without `tables` (those are scanned again in the database). Pure. */
export function withoutTables(result: StreamScanResult, tables: ReadonlySet<string>): StreamScanResult {
    return { tables: result.tables.filter((t) => !tables.has(t.table)), findings: result.findings.filter((f) => !tables.has(f.table)) };
}

/** The report's account of the scan paths, with the reason of each table read in the database. Pure. */
export function scanSummary(
    paths: readonly ScanPath[] | undefined,
    streamScan: StreamScan | undefined,
    written: readonly string[] | null,
): RefreshReport["scan"] {
    const writtenSet = new Set(written ?? []);
    const tables = (paths ?? []).map((p): ScanPath => {
        if ((p.path !== "database" && p.path !== "reread") || p.reason) return p;
        if (!streamScan) return { ...p, reason: "no scan on the stream (every table is read in the database)" };
        if (!written) return { ...p, reason: "a step after the copy could not say which tables it wrote" };
        if (writtenSet.has(p.table)) return { ...p, reason: "written after the copy" };
        const onStream = streamScan?.pathOf(p.table);
        return { ...p, reason: onStream && onStream.path !== "stream" ? onStream.reason : "no rows were copied" };
    });
    const count = (path: ScanPath["path"]) => tables.filter((t) => t.path === path).length;
    return {
        stream: count("stream"),
        reread: count("reread"),
        database: count("database"),
        skipped: count("skipped"),
        writtenAfterCopy: written ? [...written] : null,
        tables,
    };
}

const onDatabase = <T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> => withConnection(parseDatabaseUrl(url, "the new database"), fn);

/** What either copy mode hands on to neutralize and verify. */
interface CopyResult {
    rows: number;
    sanitizedTables: RefreshReport["sanitizedTables"];
    skippedTransforms: RefreshReport["skippedTransforms"];
    snapshotLocation: string | null;
    /** CopyDatabaseReport.sourceSnapshotSeconds and sourceTempFiles of the streaming copy. */
    sourceSnapshotSeconds?: number;
    sourceTempFiles?: { files: number; bytes: number } | null;
    /** The PII scan the streaming copy ran on what it wrote (none through a snapshot). */
    streamScan?: StreamScan;
}

type KnownValues = Awaited<ReturnType<NonNullable<DataRules["collectKnownValues"]>>>;
type SanitizingPlan = (client: Client) => ReturnType<DataRules["sanitizePlan"]>;
interface SanitizeSettings {
    seed: string;
    strict: boolean;
    keepCompanyNames?: boolean;
    allowDomains: string[];
}

/** What both copy modes read: the run's options and the candidate they fill. */
interface CopyRun {
    opts: RefreshOptions;
    tools: ReturnType<typeof pgTools>;
    jobs: number;
    clock: StepClock;
    sanitize: SanitizeSettings;
    plan: SanitizingPlan;
    knownValues?: KnownValues;
    candidateUrl: string;
    candidate: string;
    candidateFilestore?: string;
    now: Date;
}

/** Streams every table from production into the candidate with the sanitizing expressions applied, scanning what it writes. */
async function copyStreaming(run: CopyRun): Promise<CopyResult> {
    const { opts, tools, jobs, clock, plan, knownValues, candidateUrl, candidate, candidateFilestore } = run;
    let streamScan: StreamScan | undefined;
    let bytes = 0;
    const streamScanOf = opts.rules.streamScan?.bind(opts.rules);
    const copy = await copyDatabase({
        tools,
        sourceUrl: opts.fromDb,
        targetUrl: candidateUrl,
        jobs,
        owner: opts.owner,
        transforms: async (snapshot) => {
            if (streamScanOf)
                streamScan = streamScanOf(await readCatalog(snapshot.client), { allowDomains: opts.allowDomains, baseUrl: opts.baseUrl, knownValues });
            return (await plan(snapshot.client)).transforms;
        },
        inspect: streamScanOf
            ? (plans) =>
                  streamScan?.transform(
                      plans.map((p) => ({
                          table: p.table.schema === "public" ? p.table.name : `${p.table.schema}.${p.table.name}`,
                          columns: p.table.columns,
                      })),
                  )
            : undefined,
        sourceSettings: opts.rules.sessionSettings,
        onPhase: (phase) => opts.progress?.step(phase === "data" ? "copy + sanitize" : phase),
        onBytes: (b) => {
            bytes = b;
            opts.progress?.update(b);
        },
    });
    const rows = copy.rows;
    const sanitizedTables = copy.transformedTables;
    clock.record("schema", copy.phases.schema, { detail: `${copy.tables} tables` });
    clock.record("copy + sanitize", copy.phases.data, {
        rows,
        detail:
            `${copy.tablesWithRows} tables with rows, ${(bytes / 1048576).toFixed(0)} MiB streamed, ${sanitizedTables.length} sanitized; ` +
            `production's snapshot held ${copy.sourceSnapshotSeconds.toFixed(1)} s` +
            (copy.sourceTempFiles ? `, ${(copy.sourceTempFiles.bytes / 1048576).toFixed(0)} MiB of temporary files written there meanwhile` : ""),
    });
    clock.record("indexes", copy.phases.indexes, { detail: `${copy.sequences} sequences, post-data -j${jobs}` });
    if (opts.fromFilestore && candidateFilestore) {
        clock.start("filestore");
        await copyDirectory(opts.fromFilestore, candidateFilestore);
        clock.end({ detail: `${countFiles(candidateFilestore)} files` });
    }
    if (opts.owner) {
        clock.start("owner");
        await reassignOwnership(candidateUrl, candidate, opts.owner);
        clock.end();
    }
    return {
        rows,
        sanitizedTables,
        skippedTransforms: copy.skippedTransforms,
        snapshotLocation: null,
        streamScan,
        sourceSnapshotSeconds: copy.sourceSnapshotSeconds,
        sourceTempFiles: copy.sourceTempFiles,
    };
}

/** Production → a sanitized snapshot (directory or S3) → its checksums → restored into the candidate. */
async function copyViaSnapshot(run: CopyRun, via: ReturnType<typeof parseLocation>, sourceDatabase: string): Promise<CopyResult> {
    const { opts, tools, jobs, clock, sanitize, plan, knownValues, candidateUrl, candidateFilestore, now } = run;
    const location = describeLocation(childLocation(via, snapshotId(sourceDatabase, now)));
    clock.start("snapshot + sanitize");
    const made = await createSnapshot({
        dbUrl: opts.fromDb,
        to: location,
        filestore: opts.fromFilestore,
        sanitize: {
            seed: sanitize.seed,
            strict: sanitize.strict,
            sessionSettings: opts.rules.sessionSettings,
            plan: (snapshot) => plan(snapshot.client),
            knownValues: knownValues ? { keepCompanyNames: sanitize.keepCompanyNames ?? true } : undefined,
        },
        jobs,
        s3: opts.s3,
        tools,
        now,
    });
    // createSnapshot with `sanitize` always writes the manifest's sanitize section.
    const sanitized = made.manifest.sanitize!;
    const sanitizedTables = sanitized.tables.map((t) => ({ table: `${t.schema}.${t.name}`, columns: t.transformed, rows: t.rows }));
    clock.end({ detail: `${made.files} files, ${(made.bytes / 1048576).toFixed(0)} MiB to ${location}` });
    clock.start("checksums");
    const verified = await openVerifiedSnapshot(location, { s3: opts.s3 });
    try {
        clock.end({ detail: `${verified.manifest.files.length} files match` });
        clock.start("restore");
        const loaded = await loadSnapshotInto(verified, candidateUrl, { tools, jobs, owner: opts.owner });
        if (candidateFilestore && verified.manifest.filestore) await extractTar(path.join(verified.dir, verified.manifest.filestore.path), candidateFilestore);
        clock.end({ detail: "pre-data, data -j, sanitized tables, post-data -j" });
        return { rows: loaded.rows, sanitizedTables, skippedTransforms: sanitized.skipped, snapshotLocation: location };
    } finally {
        verified.dispose();
    }
}

/** Every option, before anything is read or written. */
function validate(opts: RefreshOptions): void {
    if (!/^https?:\/\/[^\s/]+/.test(opts.baseUrl ?? ""))
        throw new InvalidInputError(`--base-url must be the staging environment's http(s) URL, got "${opts.baseUrl}"`);
    try {
        new URL(opts.baseUrl);
    } catch {
        throw new InvalidInputError(`--base-url must be an absolute http(s) URL such as https://staging.example.com (got "${opts.baseUrl}")`);
    }
    if (!opts.mailHost) throw new InvalidInputError("--mail-host is required: the environment's mail catcher (e.g. mailpit)");
    if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(opts.mailHost))
        throw new InvalidInputError(`--mail-host must be a host name or IP address (got "${opts.mailHost}")`);
    if (!Number.isInteger(opts.mailPort) || opts.mailPort < 1 || opts.mailPort > 65535)
        throw new InvalidInputError(`--mail-port must be a TCP port, got "${opts.mailPort}"`);
    opts.rules.checkSettings?.({ baseUrl: opts.baseUrl, mailHost: opts.mailHost, mailPort: opts.mailPort });
    if (!!opts.fromFilestore !== !!opts.toFilestore) throw new InvalidInputError("--from-filestore and --to-filestore go together");
    if (opts.fromFilestore) assertDirectory(opts.fromFilestore, "--from-filestore");
    if (opts.toFilestore) prepareDirectory(path.dirname(path.resolve(opts.toFilestore)), "--to-filestore's parent");
    if (opts.owner && !/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(opts.owner)) throw new InvalidInputError(`--owner must be a role name, got "${opts.owner}"`);
    for (const domain of opts.allowDomains) {
        try {
            normalizeDomain(domain);
        } catch (err) {
            throw new InvalidInputError(`--allow-domain: ${(err as Error).message}`);
        }
    }
    if (opts.via) {
        const via = parseLocation(opts.via, "--via");
        if (via.kind === "dir") prepareDirectory(via.path, "--via");
        else s3Endpoint(opts.s3);
    }
}

export async function refreshStaging(opts: RefreshOptions): Promise<RefreshReport> {
    validate(opts);
    if (opts.via) await assertS3Reachable(parseLocation(opts.via, "--via"), opts.s3 ?? {}, "--via");
    const source = parseDatabaseUrl(opts.fromDb, "--from-db");
    const target = parseDatabaseUrl(opts.toDb, "--to-db");
    const jobs = Math.max(1, opts.jobs ?? 2);
    const tools = pgTools();
    const clock = new StepClock((step) => opts.progress?.step(step));
    const now = opts.now ?? new Date();
    const stamp = runStamp(now);
    const candidate = workDatabaseName(target.database, "restore", stamp);
    const candidateUrl = withDatabase(opts.toDb, candidate);
    const serverUrl = maintenanceUrl(opts.toDb, opts.maintenanceDb);
    const liveFilestore = opts.toFilestore ? path.resolve(opts.toFilestore) : undefined;
    const candidateFilestore = liveFilestore ? workDirectoryName(liveFilestore, "restore", stamp) : undefined;

    // The source, as the server describes it: which database it is, and whether it is Odoo with data.
    const sourceClient = await connect(source, { application_name: "odoo-platform check" }, sourceSessionLimits);
    let facts: Awaited<ReturnType<typeof serverFacts>>;
    let sourceIdentity: Awaited<ReturnType<typeof readDatabaseIdentity>>;
    try {
        facts = await serverFacts(sourceClient);
        sourceIdentity = await readDatabaseIdentity(sourceClient);
        const odoo = await probeOdoo(sourceClient);
        if (!odoo.isOdoo) {
            throw new RefusedError(
                `refused: --from-db ${source.display} is not an Odoo database with data (${odoo.problem}): point it at the production Odoo database; nothing was changed`,
            );
        }
        // Refused here rather than by the copy itself, so that not even the empty copy is created.
        const largeObjects = opts.via ? 0 : await countLargeObjects(sourceClient);
        if (largeObjects > 0) {
            throw new RefusedError(
                `refused: --from-db ${source.display} holds ${largeObjects} large objects, which the streaming copy does not carry: refresh through a snapshot instead (--via <dir>); nothing was changed`,
            );
        }
    } finally {
        await sourceClient.end().catch(() => undefined);
    }
    assertDumpCompatible(tools.dumpMajor, facts.versionNum, tools.binDir);

    clock.start("prepare");
    const admin: SafeClient = await connect(parseDatabaseUrl(serverUrl, "--to-db (maintenance database)"));
    let lock: TargetLock | undefined;
    let created = false;
    const via = opts.via ? parseLocation(opts.via, "--via") : undefined;
    const failureContext = {
        servers: [
            { label: "the production server (--from-db)", url: opts.fromDb },
            { label: "the staging server (--to-db)", url: serverUrl },
        ],
        directories: [
            ...(via?.kind === "dir" ? [{ label: "--via", dir: via.path }] : []),
            ...(liveFilestore ? [{ label: "--to-filestore", dir: path.dirname(liveFilestore) }] : []),
        ],
    };
    try {
        assertNotSource(sourceIdentity, await readServerIdentity(admin), target.database, "--to-db");
        lock = await acquireTargetLock(admin, serverUrl, target.database);
        await assertRoleMayReplace(admin, [target.database], { owner: opts.owner, option: "--to-db" });
        const assessment = await assessDatabase(admin, serverUrl, target.database, { maintenanceDb: opts.maintenanceDb });
        const { confirmed } = assertMayReplace(assessment, "replace", opts.confirm);
        const cleanup = await cleanupLeftovers(admin, { target: target.database, serverUrl, filestore: liveFilestore, retentionMs: opts.retentionMs, now });
        await createDatabase(admin, candidate, { encoding: facts.encoding, collate: facts.collate, ctype: facts.ctype, owner: opts.owner });
        created = true;
        const markFields = {
            createdBy: "staging refresh",
            source: { system: sourceIdentity.server.systemIdentifier, oid: sourceIdentity.oid, name: sourceIdentity.name },
        };
        await writeMark(admin, candidate, { ...markFields, state: "building", sanitized: false });
        clock.end({ detail: cleanup.droppedDatabases.length ? `dropped leftovers: ${cleanup.droppedDatabases.join(", ")}` : undefined });

        const sanitize: SanitizeSettings = { seed: opts.seed, strict: !!opts.strict, keepCompanyNames: opts.keepCompanyNames, allowDomains: opts.allowDomains };
        let financial = false;
        let sanitizePlan: unknown = null;
        const plan: SanitizingPlan = async (client) => {
            const planned = await opts.rules.sanitizePlan(client, sanitize);
            financial = planned.financial;
            sanitizePlan = planned.summary;
            // Credentials are revoked on the way too: they never reach the copy or the snapshot's files.
            return {
                ...planned,
                transforms: opts.rules.revokeCredentials ? await opts.rules.revokeCredentials(client, planned.transforms) : planned.transforms,
            };
        };

        // Known-value scan: production's personal values, as hashes, for verify to look for in the copy.
        let knownValues: KnownValues | undefined;
        if (opts.rules.collectKnownValues) {
            clock.start("known values");
            // On production: the same session limits and name as every other reader there.
            const collect = opts.rules.collectKnownValues.bind(opts.rules);
            // Over the copy's own number of connections: production is read by as many sessions as the copy will.
            const readers = { jobs, connect: () => connect(source, { application_name: sourceApplicationName }, sourceSessionLimits) };
            knownValues = await withConnection(
                source,
                (reader) => collect(reader, sanitize, readers),
                { application_name: sourceApplicationName },
                sourceSessionLimits,
            );
            clock.end({ detail: `${knownValues.sql.a.length + knownValues.sql.b.length} hashes from ${knownValues.sources.length} columns` });
        }

        const run: CopyRun = { opts, tools, jobs, clock, sanitize, plan, knownValues, candidateUrl, candidate, candidateFilestore, now };
        const { rows, sanitizedTables, skippedTransforms, snapshotLocation, streamScan, sourceSnapshotSeconds, sourceTempFiles } = via
            ? await copyViaSnapshot(run, via, source.database)
            : await copyStreaming(run);

        // Marked on the copy itself, so that a later `db sanitize` never scales the amounts twice.
        const marked = await onDatabase(candidateUrl, (client) => opts.rules.markSanitized(client, { financial }));

        clock.start("neutralize");
        const neutralize = await onDatabase(candidateUrl, (client) =>
            opts.rules.neutralize(client, { baseUrl: opts.baseUrl, mailHost: opts.mailHost, mailPort: opts.mailPort }),
        );
        clock.end();

        // What was written after the copy is read back and scanned again; unknown writes: every table, in the database.
        const writtenAfterCopy = streamScan ? unionOfWrites([marked, neutralize]) : null;
        let streamed = streamScan && writtenAfterCopy ? withoutTables(streamScan.result(), new Set(writtenAfterCopy)) : undefined;
        clock.start("verify");
        if (streamed && opts.rules.rereadScan) {
            // The rest (written after the copy, without rows, filtered by a metadata rule) is read
            // back and scanned the same way: verify then needs no known values in the database.
            const catalog = await onDatabase(candidateUrl, readCatalog);
            const onStream = new Set(streamed.tables.map((t) => t.table));
            const reread = await opts.rules.rereadScan(
                { binDir: tools.binDir, url: candidateUrl, catalog, tables: [...catalog.tables.keys()].filter((t) => !onStream.has(t)) },
                { allowDomains: opts.allowDomains, baseUrl: opts.baseUrl, knownValues },
            );
            streamed = { tables: [...streamed.tables, ...reread.tables], findings: [...streamed.findings, ...reread.findings] };
        }
        const verify = await onDatabase(candidateUrl, (client) =>
            opts.rules.verify(client, {
                allowDomains: opts.allowDomains,
                baseUrl: opts.baseUrl,
                mailHosts: [opts.mailHost],
                databaseUrl: candidateUrl,
                jobs,
                knownValues,
                streamed,
            }),
        );
        const scan = scanSummary(verify.scanPaths, streamScan, writtenAfterCopy);
        clock.end({
            detail: `${verify.ok ? "clean" : `${verify.findings.length} findings`}${streamed ? `; PII scan: ${scan.stream} tables on the stream, ${scan.reread} read back, ${scan.database} in the database` : ""}`,
        });

        let swap: SwapInReport | null = null;
        if (verify.ok) {
            await writeMark(admin, candidate, { ...markFields, state: "verified", sanitized: true, verifiedAt: new Date().toISOString() });
            clock.start("swap");
            swap = await swapIn(admin, {
                serverUrl,
                target: target.database,
                candidate,
                stamp,
                keepPrevious: opts.keepPrevious ?? true,
                filestore:
                    liveFilestore && candidateFilestore && fs.existsSync(candidateFilestore)
                        ? { live: liveFilestore, candidate: candidateFilestore }
                        : undefined,
            });
            clock.end({ detail: `unavailable ${swap.unavailableSeconds.toFixed(3)} s${swap.previousKept ? `, previous kept as ${swap.previous}` : ""}` });
        } else {
            // A copy that failed verification may still hold what it should not: it goes.
            clock.start("discard");
            await dropDatabase(admin, candidate);
            if (candidateFilestore) fs.rmSync(candidateFilestore, { recursive: true, force: true });
            clock.end({ detail: "verify failed: nothing swapped, the live database is unchanged" });
        }

        return {
            ok: verify.ok,
            exitCode: verify.ok ? 0 : 1,
            mode: opts.via ? "via-snapshot" : "stream",
            source: source.display,
            target: target.display,
            candidate,
            snapshot: snapshotLocation,
            steps: clock.steps,
            totalSeconds: round(clock.total()),
            sourceSnapshotSeconds: sourceSnapshotSeconds === undefined ? null : round(sourceSnapshotSeconds),
            sourceTempFiles: sourceTempFiles ?? null,
            rows,
            sanitizedTables,
            sanitizePlan,
            skippedTransforms,
            neutralize,
            verify,
            scan,
            swap,
            cleanup,
            confirmed,
        };
    } catch (err) {
        let note: string | undefined;
        if (lock && created) {
            note = await cleanupLeftovers(admin, { target: target.database, serverUrl, filestore: liveFilestore })
                .then(() => `the half-built copy ${candidate} was dropped, staging is unchanged`)
                .catch(
                    () =>
                        `the half-built copy ${candidate} could not be dropped (staging is unchanged): the next refresh drops it, or run staging cleanup --db ${target.display}`,
                );
        }
        throw withNote(await explainFailure(err, failureContext), note);
    } finally {
        await lock?.release().catch(() => undefined);
        await admin.end().catch(() => undefined);
    }
}
