/**
 * `staging refresh`: production → a sanitized, neutralized, verified staging database, swapped in
 * only when every step passed.
 *
 *   prepare     lock the target, clean what an interrupted run left, create <target>__restore_<stamp>
 *   schema      pg_dump --schema-only → pg_restore --section=pre-data
 *   copy        every table streamed source → copy with the sanitizing expressions applied in
 *               the SELECT (data written once: see ops/postgres/copyDatabase.ts)
 *   indexes     sequences, pg_restore -j --section=post-data, materialized views
 *   (or, with --via: snapshot create --sanitize → checksums → restore, through a directory or S3)
 *   neutralize  ops/neutralize on the copy
 *   verify      ops/verify on the copy — a finding drops the copy: no swap, exit 1
 *   swap        one transaction renames the live database away and the copy in
 *
 * Until the swap the live staging database is untouched and serving; a run killed anywhere leaves
 * at most a `__restore_` database, which the next run drops.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Client } from "pg";
import { Progress, UsageError } from "../cli/runtime";
import { serverFacts } from "../postgres/catalog";
import { connect, parseDatabaseUrl, withDatabase } from "../postgres/connect";
import { copyDatabase, reassignOwnership } from "../postgres/copyDatabase";
import { createDatabase, dropDatabase, lockTarget, maintenanceUrl, unlockTarget } from "../postgres/databases";
import { assertDumpCompatible, pgTools } from "../postgres/tools";
import { createSnapshot } from "../snapshot/create";
import { assertDirectory, copyDirectory, countFiles, extractTar } from "../snapshot/filestore";
import { snapshotId } from "../snapshot/manifest";
import { loadSnapshotInto, openVerifiedSnapshot } from "../snapshot/restore";
import { childLocation, describeLocation, parseLocation, S3Options } from "../snapshot/store";
import { DataRules, VerifyOutcome } from "./dataRules";
import { runStamp, workDatabaseName, workDirectoryName } from "./names";
import { StepClock, StepTiming, round } from "./report";
import { cleanupLeftovers, CleanupReport, swapIn, SwapInReport } from "./swap";

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
    keepPrevious?: boolean;
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
    rows: number;
    sanitizedTables: { table: string; columns: string[]; rows: number }[];
    /** The sanitize module's summary of its plan (rules applied and skipped, scrubbed columns, finance). */
    sanitizePlan: unknown;
    skippedTransforms: { table: string; column?: string }[];
    neutralize: unknown;
    verify: VerifyOutcome;
    swap: SwapInReport | null;
    cleanup: CleanupReport;
}

async function onDatabase<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await connect(parseDatabaseUrl(url));
    try {
        return await fn(client);
    } finally {
        await client.end().catch(() => undefined);
    }
}

function validate(opts: RefreshOptions): void {
    if (!/^https?:\/\/[^\s/]+/.test(opts.baseUrl ?? "")) throw new UsageError(`--base-url must be the staging environment's http(s) URL, got "${opts.baseUrl}"`);
    if (!opts.mailHost) throw new UsageError("--mail-host is required: the environment's mail catcher (e.g. mailpit)");
    if (!Number.isInteger(opts.mailPort) || opts.mailPort < 1 || opts.mailPort > 65535) throw new UsageError(`--mail-port must be a TCP port, got "${opts.mailPort}"`);
    if (!!opts.fromFilestore !== !!opts.toFilestore) throw new UsageError("--from-filestore and --to-filestore go together");
    if (opts.fromFilestore) assertDirectory(opts.fromFilestore, "--from-filestore");
    if (opts.owner && !/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(opts.owner)) throw new UsageError(`--owner must be a role name, got "${opts.owner}"`);
}

export async function refreshStaging(opts: RefreshOptions): Promise<RefreshReport> {
    validate(opts);
    const source = parseDatabaseUrl(opts.fromDb, "--from-db");
    const target = parseDatabaseUrl(opts.toDb, "--to-db");
    if (opts.via) parseLocation(opts.via, "--via");
    const jobs = Math.max(1, opts.jobs ?? 2);
    const tools = pgTools();
    const clock = new StepClock((step) => opts.progress?.step(step));
    const now = opts.now ?? new Date();
    const stamp = runStamp(now);
    const candidate = workDatabaseName(target.database, "restore", stamp);
    const candidateUrl = withDatabase(opts.toDb, candidate);
    const liveFilestore = opts.toFilestore ? path.resolve(opts.toFilestore) : undefined;
    const candidateFilestore = liveFilestore ? workDirectoryName(liveFilestore, "restore", stamp) : undefined;

    clock.start("prepare");
    const facts = await onDatabase(opts.fromDb, serverFacts);
    assertDumpCompatible(tools.dumpMajor, facts.versionNum, tools.binDir);
    if (source.database === target.database && source.host === target.host && source.port === target.port) {
        throw new UsageError("--from-db and --to-db are the same database: staging must be a separate database");
    }
    const admin = await connect(parseDatabaseUrl(maintenanceUrl(opts.toDb, opts.maintenanceDb), "--to-db (maintenance database)"));
    let locked = false;
    try {
        await lockTarget(admin, target.database);
        locked = true;
        const cleanup = await cleanupLeftovers(admin, { target: target.database, filestore: liveFilestore });
        await createDatabase(admin, candidate, { encoding: facts.encoding, collate: facts.collate, ctype: facts.ctype, owner: opts.owner });
        clock.end({ detail: cleanup.droppedDatabases.length ? `dropped leftovers: ${cleanup.droppedDatabases.join(", ")}` : undefined });

        let rows = 0;
        let sanitizedTables: RefreshReport["sanitizedTables"] = [];
        let skippedTransforms: RefreshReport["skippedTransforms"] = [];
        let snapshotLocation: string | null = null;
        const sanitize = { seed: opts.seed, strict: !!opts.strict, keepCompanyNames: opts.keepCompanyNames, allowDomains: opts.allowDomains };
        let financial = false;
        let sanitizePlan: unknown = null;
        const plan = async (client: Client) => {
            const planned = await opts.rules.sanitizePlan(client, sanitize);
            financial = planned.financial;
            sanitizePlan = planned.summary;
            return planned;
        };

        // Known-value scan: production's personal values, as hashes, for verify to look for in the copy.
        let knownValues: Awaited<ReturnType<NonNullable<DataRules["collectKnownValues"]>>> | undefined;
        if (opts.rules.collectKnownValues) {
            clock.start("known values");
            knownValues = await onDatabase(opts.fromDb, (client) => opts.rules.collectKnownValues!(client, sanitize));
            clock.end({ detail: `${knownValues.sql.a.length + knownValues.sql.b.length} hashes from ${knownValues.sources.length} columns` });
        }

        if (!opts.via) {
            let bytes = 0;
            const copy = await copyDatabase({
                tools,
                sourceUrl: opts.fromDb,
                targetUrl: candidateUrl,
                jobs,
                owner: opts.owner,
                transforms: async (snapshot) => (await plan(snapshot.client)).transforms,
                sourceSettings: opts.rules.sessionSettings,
                onPhase: (phase) => opts.progress?.step(phase === "data" ? "copy + sanitize" : phase),
                onBytes: (b) => {
                    bytes = b;
                    opts.progress?.update(b);
                },
            });
            rows = copy.rows;
            sanitizedTables = copy.transformedTables;
            skippedTransforms = copy.skippedTransforms;
            clock.record("schema", copy.phases.schema, { detail: `${copy.tables} tables` });
            clock.record("copy + sanitize", copy.phases.data, {
                rows,
                detail: `${copy.tablesWithRows} tables with rows, ${(bytes / 1048576).toFixed(0)} MiB streamed, ${sanitizedTables.length} sanitized`,
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
        } else {
            const location = describeLocation(childLocation(parseLocation(opts.via, "--via"), snapshotId(source.database, now)));
            snapshotLocation = location;
            clock.start("snapshot + sanitize");
            const created = await createSnapshot({
                dbUrl: opts.fromDb,
                to: location,
                filestore: opts.fromFilestore,
                sanitize: { seed: sanitize.seed, strict: sanitize.strict, sessionSettings: opts.rules.sessionSettings, plan: (snapshot) => plan(snapshot.client),
                    knownValues: knownValues ? { keepCompanyNames: sanitize.keepCompanyNames ?? true } : undefined },
                jobs,
                s3: opts.s3,
                tools,
                now,
            });
            sanitizedTables = created.manifest.sanitize!.tables.map((t) => ({ table: `${t.schema}.${t.name}`, columns: t.transformed, rows: t.rows }));
            skippedTransforms = created.manifest.sanitize!.skipped;
            clock.end({ detail: `${created.files} files, ${(created.bytes / 1048576).toFixed(0)} MiB to ${location}` });
            clock.start("checksums");
            const verified = await openVerifiedSnapshot(location, { s3: opts.s3 });
            try {
                clock.end({ detail: `${verified.manifest.files.length} files match` });
                clock.start("restore");
                const loaded = await loadSnapshotInto(verified, candidateUrl, { tools, jobs, owner: opts.owner });
                rows = loaded.rows;
                if (candidateFilestore && verified.manifest.filestore) await extractTar(path.join(verified.dir, verified.manifest.filestore.path), candidateFilestore);
                clock.end({ detail: "pre-data, data -j, sanitized tables, post-data -j" });
            } finally {
                verified.dispose();
            }
        }

        // Marked on the copy itself, so that a later `db sanitize` never scales the amounts twice.
        await onDatabase(candidateUrl, (client) => opts.rules.markSanitized(client, { financial }));

        clock.start("neutralize");
        const neutralize = await onDatabase(candidateUrl, (client) =>
            opts.rules.neutralize(client, { baseUrl: opts.baseUrl, mailHost: opts.mailHost, mailPort: opts.mailPort }),
        );
        clock.end();

        clock.start("verify");
        const verify = await onDatabase(candidateUrl, (client) =>
            opts.rules.verify(client, { allowDomains: opts.allowDomains, baseUrl: opts.baseUrl, mailHosts: [opts.mailHost], databaseUrl: candidateUrl, jobs, knownValues }),
        );
        clock.end({ detail: verify.ok ? "clean" : `${verify.findings.length} findings` });

        let swap: SwapInReport | null = null;
        if (verify.ok) {
            clock.start("swap");
            swap = await swapIn(admin, {
                serverUrl: maintenanceUrl(opts.toDb, opts.maintenanceDb),
                target: target.database,
                candidate,
                stamp,
                keepPrevious: opts.keepPrevious,
                filestore: liveFilestore && candidateFilestore && fs.existsSync(candidateFilestore) ? { live: liveFilestore, candidate: candidateFilestore } : undefined,
            });
            clock.end({ detail: `unavailable ${swap.unavailableSeconds.toFixed(3)} s` });
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
            rows,
            sanitizedTables,
            sanitizePlan,
            skippedTransforms,
            neutralize,
            verify,
            swap,
            cleanup,
        };
    } catch (err) {
        if (locked) await cleanupLeftovers(admin, { target: target.database, filestore: liveFilestore }).catch(() => undefined);
        throw err;
    } finally {
        if (locked) await unlockTarget(admin, target.database);
        await admin.end().catch(() => undefined);
    }
}
