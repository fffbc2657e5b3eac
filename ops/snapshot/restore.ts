/**
 * `snapshot restore`: check every file of a snapshot against its manifest (a corrupted, truncated
 * or missing file refuses the whole snapshot before anything changes), restore into a NEW database
 * `<target>__restore_<stamp>`, and only when that succeeded swap it in under the target name
 * (ops/staging/swap.ts). The database it replaces is kept until the swap has committed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createGunzip } from "node:zlib";
import { InvalidInputError, OperationFailedError, RefusedError, withNote } from "../core/errors";
import type { Progress } from "../core/progress";
import { qualify, quoteIdent } from "../postgres/catalog";
import { connect, parseDatabaseUrl, SafeClient, withDatabase } from "../postgres/connect";
import { ownershipFlags, reassignOwnership } from "../postgres/copyDatabase";
import { assignToWorkers, startTargetWorker, TablePlan } from "../postgres/copyStream";
import { acquireTargetLock, createDatabase, dropDatabase, maintenanceUrl, TargetLock } from "../postgres/databases";
import { explainFailure } from "../postgres/faults";
import { writeMark } from "../postgres/managed";
import { assertRestoreCompatible, PgTools, pgTools, runTool } from "../postgres/tools";
import { runStamp, workDatabaseName, workDirectoryName } from "../generations/names";
import { cleanupLeftovers, CleanupReport, swapIn, SwapInReport } from "../generations/swap";
import { assertMayReplace, assertRoleMayReplace, assessDatabase } from "../generations/targets";
import { extractTar } from "../filestore/filestore";
import { checkFile, IntegrityProblem, manifestFileName, parseManifest, SnapshotManifest } from "./manifest";
import { eachLimit } from "./create";
import {
    childLocation,
    describeLocation,
    lastSegment,
    latestPointerFile,
    latestPointerName,
    openStore,
    parentLocation,
    parseLocation,
    prepareDirectory,
    S3Options,
    SnapshotStore,
} from "./store";

/** A snapshot whose files all matched the manifest, available as local files. */
export interface VerifiedSnapshot {
    location: string;
    manifest: SnapshotManifest;
    /** Local directory holding db/, data/ and filestore.tar. */
    dir: string;
    /** Removes downloaded copies (nothing for a directory snapshot). */
    dispose(): void;
}

export class SnapshotIntegrityError extends OperationFailedError {
    constructor(
        readonly location: string,
        readonly problems: IntegrityProblem[],
    ) {
        super(`snapshot ${location} refused, nothing was changed: ${problems.map((p) => p.detail).join("; ")}`);
        this.name = "SnapshotIntegrityError";
    }
}

/** Follows `<prefix>/latest` to the snapshot `latest.json` names. */
async function resolveLocation(text: string, s3?: S3Options): Promise<{ store: SnapshotStore; manifestText: string | null }> {
    const loc = parseLocation(text, "--from");
    let store = openStore(loc, s3);
    let manifestText = await store.getText(manifestFileName);
    if (manifestText === null && lastSegment(loc) === latestPointerName) {
        const parent = parentLocation(loc);
        const pointer = await openStore(parent, s3).getText(latestPointerFile);
        if (pointer === null)
            throw new InvalidInputError(
                `--from ${describeLocation(loc)}: no snapshot there and no ${latestPointerFile} beside it (create one with snapshot create --latest)`,
            );
        let id: string;
        try {
            id = String(JSON.parse(pointer).id);
        } catch {
            throw new InvalidInputError(`${describeLocation(parent)}/${latestPointerFile} is not valid JSON`);
        }
        store = openStore(childLocation(parent, id), s3);
        manifestText = await store.getText(manifestFileName);
    }
    return { store, manifestText };
}

/**
 * Reads the manifest and checks EVERY file's size and SHA-256 (downloading S3 snapshots into a
 * local directory on the way). Throws SnapshotIntegrityError naming each bad file.
 */
export async function openVerifiedSnapshot(from: string, opts: { s3?: S3Options; progress?: Progress; workDir?: string } = {}): Promise<VerifiedSnapshot> {
    const { store, manifestText } = await resolveLocation(from, opts.s3);
    if (manifestText === null) {
        throw new InvalidInputError(
            `--from ${store.display} holds no ${manifestFileName}: not a snapshot, or an unfinished one (the manifest is written last)`,
        );
    }
    let manifest: SnapshotManifest;
    try {
        manifest = parseManifest(manifestText, store.display);
    } catch (err) {
        throw new OperationFailedError(`snapshot ${store.display} refused, nothing was changed: ${(err as Error).message}`, { cause: err });
    }
    const local = store.location.kind === "dir" ? store.location.path : fs.mkdtempSync(path.join(opts.workDir ?? os.tmpdir(), "odoo-platform-restore-"));
    const dispose = () => {
        if (store.location.kind !== "dir") fs.rmSync(local, { recursive: true, force: true });
    };
    try {
        opts.progress?.step(`checking ${manifest.files.length} files of ${store.display} against the manifest`);
        // A directory snapshot is read in place: it may hold nothing the manifest does not list.
        const problems: IntegrityProblem[] = store.location.kind === "dir" ? closedSetProblems(local, manifest) : [];
        let checked = 0;
        await eachLimit(manifest.files, 4, async (file) => {
            const got = await store.fetch(file.path, path.join(local, file.path));
            const problem = checkFile(file, got);
            if (problem) problems.push(problem);
            opts.progress?.update(++checked, manifest.files.length);
        });
        if (problems.length)
            throw new SnapshotIntegrityError(
                store.display,
                problems.sort((a, b) => a.path.localeCompare(b.path)),
            );
    } catch (err) {
        dispose();
        throw err;
    }
    return { location: store.display, manifest, dir: local, dispose };
}

/**
 * Files of a directory snapshot that restore could read without their checksum: anything the
 * manifest does not list (pg_restore reads whatever its table of contents names in db/), and
 * anything that is not a regular file (a symbolic link can point anywhere). Pure but for reading
 * the directory.
 */
export function closedSetProblems(dir: string, manifest: SnapshotManifest): IntegrityProblem[] {
    const listed = new Set(manifest.files.map((f) => f.path));
    const problems: IntegrityProblem[] = [];
    const walk = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
            const name = rel ? `${rel}/${entry.name}` : entry.name;
            if (!rel && entry.name === manifestFileName) continue;
            if (entry.isDirectory() && !rel && (entry.name === "db" || entry.name === "data")) {
                walk(name);
            } else if (!entry.isFile()) {
                problems.push({
                    path: name,
                    problem: "not-regular",
                    detail: `${name} is not a regular file (${entry.isSymbolicLink() ? "a symbolic link" : "a directory or device"}): a snapshot holds only its own files`,
                });
            } else if (!listed.has(name)) {
                problems.push({ path: name, problem: "unlisted", detail: `${name} is not listed in the manifest: a snapshot holds only checksummed files` });
            }
        }
    };
    walk("");
    // A listed file that is a link is reported by the walk; a listed one that is missing by checkFile.
    return problems;
}

export interface LoadOptions {
    tools: PgTools;
    jobs: number;
    owner?: string;
    progress?: Progress;
}

/** Restores a verified snapshot into an existing, empty database. */
export async function loadSnapshotInto(snapshot: VerifiedSnapshot, targetUrl: string, opts: LoadOptions): Promise<{ rows: number }> {
    const { manifest } = snapshot;
    const { tools } = opts;
    const dumpDir = path.join(snapshot.dir, "db");
    const owner = ownershipFlags({ owner: opts.owner });
    const restore = (section: string[], what: string) =>
        runTool(tools.binDir, "pg_restore", ["--exit-on-error", ...section, ...owner, dumpDir], { url: targetUrl, what });
    let rows = 0;
    if (!manifest.sanitize) {
        opts.progress?.step(`pg_restore -j${opts.jobs}`);
        await restore([`--jobs=${opts.jobs}`], "pg_restore of the snapshot");
    } else {
        opts.progress?.step("pg_restore --section=pre-data");
        await restore(["--section=pre-data"], "pg_restore of the schema (pre-data)");
        opts.progress?.step(`pg_restore -j${opts.jobs} --section=data`);
        await restore(["--section=data", `--jobs=${opts.jobs}`], "pg_restore of the data");
        opts.progress?.step(`loading ${manifest.sanitize.tables.filter((t) => t.path).length} sanitized tables`);
        rows = await loadCopyFiles(snapshot, targetUrl, opts);
        opts.progress?.step(`pg_restore -j${opts.jobs} --section=post-data`);
        await restore(["--section=post-data", `--jobs=${opts.jobs}`], "pg_restore of indexes and constraints (post-data)");
    }
    if (opts.owner) {
        opts.progress?.step(`handing every object to ${opts.owner}`);
        await reassignOwnership(targetUrl, parseDatabaseUrl(targetUrl).database, opts.owner);
    }
    return { rows };
}

/** Feeds the sanitized tables' COPY files into parallel psql loaders. */
async function loadCopyFiles(snapshot: VerifiedSnapshot, targetUrl: string, opts: LoadOptions): Promise<number> {
    const entries = snapshot.manifest.sanitize!.tables.filter((t) => t.path);
    const sizes = new Map(snapshot.manifest.files.map((f) => [f.path, f.size]));
    const plans = entries.map((e) => ({
        entry: e,
        plan: {
            table: {
                schema: e.schema,
                name: e.name,
                qualified: qualify(e.schema, e.name),
                columns: e.columns,
                bytes: sizes.get(e.path!) ?? 0,
                blocks: 0,
                hasRows: true,
            },
            copyOut: "",
            copyIn: `\\copy ${qualify(e.schema, e.name)} (${e.columns.map(quoteIdent).join(", ")}) from pstdin`,
            transformed: e.transformed,
        } satisfies TablePlan,
    }));
    const lists = assignToWorkers(plans, (p) => p.plan.table.bytes, opts.jobs);
    const counts = await Promise.all(
        lists.map(async (list, w) => {
            const worker = startTargetWorker(
                opts.tools.binDir,
                targetUrl,
                list.map((l) => l.plan),
                `loading sanitized tables (worker ${w + 1})`,
            );
            const feed = (async () => {
                for (const { entry } of list) {
                    // Each file ends with the `\.` line that closes its table's COPY.
                    const source = fs.createReadStream(path.join(snapshot.dir, entry.path!)).pipe(createGunzip());
                    for await (const chunk of source) {
                        if (!worker.stdin.write(chunk)) await new Promise((r) => worker.stdin.once("drain", r));
                    }
                }
                worker.stdin.end();
            })();
            await Promise.all([feed, worker.done]);
            const rows = worker.rows();
            list.forEach((l, i) => {
                if (rows[i] !== l.entry.rows)
                    throw new OperationFailedError(`${l.entry.schema}.${l.entry.name}: loaded ${rows[i]} rows, the manifest says ${l.entry.rows}`);
            });
            return rows.reduce((a, b) => a + b, 0);
        }),
    );
    return counts.reduce((a, b) => a + b, 0);
}

export interface RestoreOptions {
    from: string;
    dbUrl: string;
    filestore?: string;
    owner?: string;
    jobs?: number;
    /** Keep the replaced database as the previous generation (default true). */
    keepPrevious?: boolean;
    /** The target's name, repeated by the operator, when it is not a database odoo-platform manages. */
    confirm?: string;
    /**
     * Refuse a snapshot that is not sanitized: the manifest must say so AND `proveSanitized` must find
     * no personal data in the restored copy (a manifest is a file anyone can edit).
     */
    requireSanitized?: boolean;
    proveSanitized?: (candidateUrl: string) => Promise<{ ok: boolean; findings: string[] }>;
    s3?: S3Options;
    maintenanceDb?: string;
    /** Runs on the restored copy before the swap (e.g. recording that a sanitized snapshot is sanitized). */
    onLoaded?: (candidateUrl: string, manifest: SnapshotManifest) => Promise<void>;
    progress?: Progress;
    now?: Date;
}

export interface RestoreReport {
    snapshot: { location: string; id: string; createdAt: string; sanitized: boolean; odooVersion: string | null; files: number; bytes: number };
    target: string;
    restoredInto: string;
    /** The target was not a database odoo-platform manages; the operator confirmed its name. */
    confirmed: boolean;
    /** Findings of the sanitized-data proof (empty: none, or not required). */
    proof: { checked: boolean; findings: string[] };
    cleanup: CleanupReport;
    swap: SwapInReport;
    seconds: { verify: number; restore: number; swap: number; total: number };
}

const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

export async function restoreSnapshot(opts: RestoreOptions): Promise<RestoreReport> {
    const t0 = process.hrtime.bigint();
    const target = parseDatabaseUrl(opts.dbUrl, "--db");
    const serverUrl = maintenanceUrl(opts.dbUrl, opts.maintenanceDb);
    const tools = pgTools();
    const jobs = Math.max(1, opts.jobs ?? 2);
    if (opts.requireSanitized && !opts.proveSanitized)
        throw new InvalidInputError("requireSanitized needs a proveSanitized check (the manifest's flag proves nothing)");
    if (opts.filestore) prepareDirectory(path.dirname(path.resolve(opts.filestore)), "--filestore's parent directory");

    const snapshot = await openVerifiedSnapshot(opts.from, { s3: opts.s3, progress: opts.progress });
    const verifySeconds = since(t0);
    let admin: SafeClient | undefined;
    let lock: TargetLock | undefined;
    let candidate: string | undefined;
    try {
        const { manifest } = snapshot;
        if (opts.requireSanitized && !manifest.sanitized) {
            throw new RefusedError(
                `snapshot ${snapshot.location} is not sanitized (it holds production personal data): only sanitized snapshots may be restored here; nothing was changed`,
            );
        }
        if (opts.filestore && !manifest.filestore) throw new InvalidInputError(`--filestore given, but snapshot ${snapshot.location} holds no filestore`);
        assertRestoreCompatible(tools.restoreMajor, manifest.pgDump.major, tools.binDir);

        admin = await connect(parseDatabaseUrl(serverUrl, "--db (maintenance database)"));
        lock = await acquireTargetLock(admin, serverUrl, target.database);
        await assertRoleMayReplace(admin, [target.database], { owner: opts.owner, option: "--db" });
        const assessment = await assessDatabase(admin, serverUrl, target.database, { maintenanceDb: opts.maintenanceDb });
        const { confirmed } = assertMayReplace(assessment, "replace", opts.confirm);
        const cleanup = await cleanupLeftovers(admin, { target: target.database, serverUrl, filestore: opts.filestore });
        const stamp = runStamp(opts.now ?? new Date());
        candidate = workDatabaseName(target.database, "restore", stamp);
        const candidateUrl = withDatabase(opts.dbUrl, candidate);
        opts.progress?.step(`restoring into the new database ${candidate}`);
        const t1 = process.hrtime.bigint();
        await createDatabase(admin, candidate, {
            encoding: manifest.source.encoding,
            collate: manifest.source.collate,
            ctype: manifest.source.ctype,
            owner: opts.owner,
        });
        await writeMark(admin, candidate, {
            createdBy: "snapshot restore",
            state: "building",
            sanitized: false,
            source: { snapshot: `${snapshot.location} (${manifest.id})` },
        });
        await loadSnapshotInto(snapshot, candidateUrl, { tools, jobs, owner: opts.owner, progress: opts.progress });
        const proof = { checked: false, findings: [] as string[] };
        if (opts.requireSanitized) {
            opts.progress?.step(`checking the restored data for personal data (the manifest's "sanitized" is only a claim)`);
            const result = await opts.proveSanitized!(candidateUrl);
            proof.checked = true;
            proof.findings = result.findings;
            if (!result.ok) {
                throw new RefusedError(
                    `snapshot ${snapshot.location} says it is sanitized, but the restored data holds personal data (${result.findings.slice(0, 3).join("; ")}${result.findings.length > 3 ? "; …" : ""}): not restored, nothing was changed`,
                );
            }
        }
        await opts.onLoaded?.(candidateUrl, manifest);
        if (proof.checked)
            await writeMark(admin, candidate, {
                createdBy: "snapshot restore",
                state: "building",
                sanitized: true,
                source: { snapshot: `${snapshot.location} (${manifest.id})` },
            });
        let filestore: { live: string; candidate: string } | undefined;
        if (opts.filestore && manifest.filestore) {
            const live = path.resolve(opts.filestore);
            filestore = { live, candidate: workDirectoryName(live, "restore", stamp) };
            opts.progress?.step(`unpacking the filestore into ${filestore.candidate}`);
            await extractTar(path.join(snapshot.dir, manifest.filestore.path), filestore.candidate);
        }
        const restoreSeconds = since(t1);
        opts.progress?.step(`swapping ${candidate} in as ${target.database}`);
        const t2 = process.hrtime.bigint();
        const swap = await swapIn(admin, { serverUrl, target: target.database, candidate, stamp, keepPrevious: opts.keepPrevious ?? true, filestore });
        return {
            snapshot: {
                location: snapshot.location,
                id: manifest.id,
                createdAt: manifest.createdAt,
                sanitized: manifest.sanitized,
                odooVersion: manifest.odoo.version,
                files: manifest.files.length,
                bytes: manifest.files.reduce((n, f) => n + f.size, 0),
            },
            target: target.database,
            restoredInto: candidate,
            confirmed,
            proof,
            cleanup,
            swap,
            seconds: { verify: verifySeconds, restore: restoreSeconds, swap: since(t2), total: since(t0) },
        };
    } catch (err) {
        // The half-built copy is dropped here when the server still answers, and by the next run otherwise.
        let note: string | undefined;
        if (admin && lock && candidate) {
            note = await cleanupLeftovers(admin, { target: target.database, serverUrl, filestore: opts.filestore })
                .then(() => `the half-built copy ${candidate} was dropped`)
                .catch(() => dropDatabase(admin!, candidate!).then(() => `the half-built copy ${candidate} was dropped`))
                .catch(
                    () => `the half-built copy ${candidate} could not be dropped: the next restore drops it (or run staging cleanup --db ${target.display})`,
                );
        }
        const explained = await explainFailure(err, {
            servers: [{ label: "the target server (--db)", url: serverUrl }],
            directories: [{ label: "TMPDIR", dir: os.tmpdir() }],
        });
        throw withNote(explained, note);
    } finally {
        snapshot.dispose();
        await lock?.release().catch(() => undefined);
        await admin?.end().catch(() => undefined);
    }
}
