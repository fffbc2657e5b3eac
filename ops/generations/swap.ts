/**
 * The last step of a restore or refresh, and the first of the next one:
 * - `swapIn` puts the finished copy (database, and filestore directory when there is one) under the
 *   live name and keeps what it replaced as the previous generation (`<target>__previous_<stamp>`):
 *   one generation, older ones are dropped, so `staging rollback` can always go one step back;
 * - `cleanupLeftovers` removes what an interrupted run left behind (`__restore_` databases and
 *   directories), completes a filestore swap that a kill cut between its database commit and its
 *   directory renames, and drops previous generations past their retention;
 * - `rollbackStaging` puts the previous generation back.
 * Every one runs under the target's lock (ops/postgres/databases.ts acquireTargetLock) and drops
 * only databases odoo-platform marked as its own (ops/postgres/managed.ts), or empty ones: a
 * database that merely has a work name is left alone and reported.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { OperationFailedError, WrongDatabaseError } from "../core/errors";
import { guardClient } from "../postgres/connect";
import { databaseExists, dropDatabase, listDatabases, swapDatabases } from "../postgres/databases";
import { swapDirectories } from "../filestore/filestore";
import { parseWorkDirectory, parseWorkName, pendingDatabaseName, runStamp, workDatabaseName, workDirectoryName } from "./names";
import { assessDatabase } from "./targets";

export interface SwapInOptions {
    /** URL of the server's maintenance database (for the session that keeps stragglers out). */
    serverUrl: string;
    target: string;
    candidate: string;
    stamp: string;
    /** Keep the replaced database as the previous generation (default). */
    keepPrevious?: boolean;
    /** Live filestore directory and the candidate directory to put in its place. */
    filestore?: { live: string; candidate: string };
}

export interface SwapInReport {
    target: string;
    previous: string | null;
    previousKept: boolean;
    /** Older previous generations dropped now that a newer one is kept. */
    droppedGenerations: string[];
    unavailableSeconds: number;
    attempts: number;
    filestore: { live: string; previous: string | null } | null;
}

/** Drops a database we made (or an empty one); returns false, changing nothing, for any other. */
async function dropIfOurs(client: Client, serverUrl: string, name: string): Promise<boolean> {
    const a = await assessDatabase(client, serverUrl, name);
    if (!a.exists) return true;
    if (a.untouchable || (!a.mark && !a.empty)) return false;
    await dropDatabase(client, name);
    return true;
}

export async function swapIn(client: Client, opts: SwapInOptions): Promise<SwapInReport> {
    const keep = opts.keepPrevious ?? true;
    const previous = workDatabaseName(opts.target, "previous", opts.stamp);
    // A second session on the same server keeps stragglers out while the rename waits.
    const terminator = guardClient(new Client({ connectionString: opts.serverUrl, application_name: "odoo-platform swap" }));
    await terminator.connect();
    let swap: Awaited<ReturnType<typeof swapDatabases>>;
    try {
        swap = await swapDatabases(client, { target: opts.target, candidate: opts.candidate, previous, terminator });
    } finally {
        await terminator.end().catch(() => undefined);
    }
    let filestore: SwapInReport["filestore"] = null;
    if (opts.filestore) {
        const moved = swapDirectories(opts.filestore.live, opts.filestore.candidate, workDirectoryName(opts.filestore.live, "previous", opts.stamp));
        filestore = { live: opts.filestore.live, previous: moved.previous };
    }
    const dropped: string[] = [];
    if (!keep) {
        // Only now is the old copy no longer needed (it was checked before the run started).
        if (swap.previous) await dropDatabase(client, swap.previous);
        if (filestore?.previous) fs.rmSync(filestore.previous, { recursive: true, force: true });
    } else {
        // One generation: the one just kept. Older ones go, database and directory.
        for (const name of await listDatabases(client)) {
            const work = parseWorkName(opts.target, name);
            if (!work || work.kind !== "previous" || name === swap.previous) continue;
            if (await dropIfOurs(client, opts.serverUrl, name)) {
                dropped.push(name);
                if (opts.filestore) fs.rmSync(workDirectoryName(opts.filestore.live, "previous", work.stamp), { recursive: true, force: true });
            }
        }
    }
    return {
        target: opts.target,
        previous: swap.previous,
        previousKept: keep && !!swap.previous,
        droppedGenerations: dropped,
        unavailableSeconds: swap.unavailableSeconds,
        attempts: swap.attempts,
        filestore,
    };
}

export interface CleanupReport {
    droppedDatabases: string[];
    removedDirectories: string[];
    /** Filestore swaps an interrupted run had committed for the database but not for the files. */
    completedFilestoreSwaps: string[];
    /** `__previous_` databases left in place (the generation kept for rollback). */
    previousDatabases: string[];
    /** Databases with a work name that odoo-platform did not make (or that are not empty): never dropped. */
    leftAlone: string[];
}

export interface CleanupOptions {
    target: string;
    /** URL of the server's maintenance database (to look inside a leftover before dropping it). */
    serverUrl: string;
    filestore?: string;
    /** Also drop the kept previous generation. */
    dropPrevious?: boolean;
    /** Also drop `<target>__pending`, a candidate never swapped in (its verify failed, or the stack is being destroyed). */
    dropPending?: boolean;
    /** Drop previous generations older than this (milliseconds). */
    retentionMs?: number;
    now?: Date;
}

/** `20260101120000` → the Date it stamps. Pure. */
function stampDate(stamp: string): Date {
    return new Date(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}Z`);
}

export async function cleanupLeftovers(client: Client, opts: CleanupOptions): Promise<CleanupReport> {
    const report: CleanupReport = { droppedDatabases: [], removedDirectories: [], completedFilestoreSwaps: [], previousDatabases: [], leftAlone: [] };
    const now = opts.now ?? new Date();
    const pending = pendingDatabaseName(opts.target);
    if (opts.dropPending && (await databaseExists(client, pending))) {
        if (await dropIfOurs(client, opts.serverUrl, pending)) report.droppedDatabases.push(pending);
        else report.leftAlone.push(pending);
    }
    const work = (await listDatabases(client)).map((name) => ({ name, parsed: parseWorkName(opts.target, name) })).filter((w) => w.parsed);

    if (opts.filestore) {
        const parent = path.dirname(path.resolve(opts.filestore));
        const live = path.resolve(opts.filestore);
        const entries = fs.existsSync(parent) ? fs.readdirSync(parent).map((e) => path.join(parent, e)) : [];
        for (const entry of entries) {
            const parsed = parseWorkDirectory(live, entry);
            if (!parsed || parsed.kind !== "restore") continue;
            // The database swap of that run committed (its __previous_ database exists) but the
            // directories were not renamed: finish the job so database and files match again.
            if (await databaseExists(client, workDatabaseName(opts.target, "previous", parsed.stamp))) {
                swapDirectories(live, entry, workDirectoryName(live, "previous", parsed.stamp));
                report.completedFilestoreSwaps.push(entry);
            } else {
                fs.rmSync(entry, { recursive: true, force: true });
                report.removedDirectories.push(entry);
            }
        }
    }

    for (const w of work) {
        const expired = opts.retentionMs !== undefined && now.getTime() - stampDate(w.parsed!.stamp).getTime() > opts.retentionMs;
        if (w.parsed!.kind === "previous" && !opts.dropPrevious && !expired) {
            report.previousDatabases.push(w.name);
            continue;
        }
        if (!(await dropIfOurs(client, opts.serverUrl, w.name))) {
            report.leftAlone.push(w.name);
            continue;
        }
        report.droppedDatabases.push(w.name);
        if (w.parsed!.kind === "previous" && opts.filestore) {
            const dir = workDirectoryName(path.resolve(opts.filestore), "previous", w.parsed!.stamp);
            if (fs.existsSync(dir)) {
                fs.rmSync(dir, { recursive: true, force: true });
                report.removedDirectories.push(dir);
            }
        }
    }
    return report;
}

export interface RollbackReport {
    target: string;
    /** The previous generation that serves again. */
    restored: string;
    /** What served until now, kept as the previous generation. */
    previous: string | null;
    unavailableSeconds: number;
    filestore: { live: string; previous: string | null } | null;
}

/**
 * Puts the previous generation of `target` back under the live name; what served until now becomes
 * the previous generation (so a rollback can itself be rolled back). The previous generation must be
 * one odoo-platform made.
 */
export async function rollbackStaging(client: Client, opts: { serverUrl: string; target: string; filestore?: string; now?: Date }): Promise<RollbackReport> {
    const generations = (await listDatabases(client))
        .map((name) => ({ name, parsed: parseWorkName(opts.target, name) }))
        .filter((w) => w.parsed?.kind === "previous")
        .sort((a, b) => b.parsed!.stamp.localeCompare(a.parsed!.stamp));
    if (!generations.length)
        throw new OperationFailedError(`no previous generation of ${opts.target} to roll back to (refresh keeps one unless --drop-previous was given)`);
    const chosen = generations[0];
    // It served under the live name before; what matters is that it is ours, not a look-alike.
    const assessment = await assessDatabase(client, opts.serverUrl, chosen.name);
    if (!assessment.mark) {
        throw new WrongDatabaseError(
            chosen.name,
            `refused to roll back to ${chosen.name}: it was not created by odoo-platform${assessment.markProblem ? ` (${assessment.markProblem})` : ""}; nothing was changed`,
        );
    }
    let stamp = runStamp(opts.now ?? new Date());
    if (stamp <= chosen.parsed!.stamp) stamp = String(Number(chosen.parsed!.stamp) + 1);
    const live = opts.filestore ? path.resolve(opts.filestore) : undefined;
    const previousDir = live ? workDirectoryName(live, "previous", chosen.parsed!.stamp) : undefined;
    const swap = await swapIn(client, {
        serverUrl: opts.serverUrl,
        target: opts.target,
        candidate: chosen.name,
        stamp,
        keepPrevious: true,
        filestore: live && previousDir && fs.existsSync(previousDir) ? { live, candidate: previousDir } : undefined,
    });
    return { target: opts.target, restored: chosen.name, previous: swap.previous, unavailableSeconds: swap.unavailableSeconds, filestore: swap.filestore };
}
