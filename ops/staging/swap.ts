/**
 * The last step of a restore or refresh, and the first of the next one:
 * - `swapIn` puts the finished copy (database, and filestore directory when there is one) under the
 *   live name, then drops what it replaced unless asked to keep it;
 * - `cleanupLeftovers` removes what an interrupted run left behind (`__restore_` databases and
 *   directories) and completes a filestore swap that a kill cut between its database commit and its
 *   directory renames.
 * Both run under the target's advisory lock (ops/postgres/databases.ts lockTarget).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { databaseExists, dropDatabase, listDatabases, swapDatabases } from "../postgres/databases";
import { swapDirectories } from "../snapshot/filestore";
import { parseWorkDirectory, parseWorkName, pendingDatabaseName, workDatabaseName, workDirectoryName } from "./names";

export interface SwapInOptions {
    /** URL of the server's maintenance database (for the session that keeps stragglers out). */
    serverUrl: string;
    target: string;
    candidate: string;
    stamp: string;
    keepPrevious?: boolean;
    /** Live filestore directory and the candidate directory to put in its place. */
    filestore?: { live: string; candidate: string };
}

export interface SwapInReport {
    target: string;
    previous: string | null;
    previousKept: boolean;
    unavailableSeconds: number;
    attempts: number;
    filestore: { live: string; previous: string | null } | null;
}

export async function swapIn(client: Client, opts: SwapInOptions): Promise<SwapInReport> {
    const previous = workDatabaseName(opts.target, "previous", opts.stamp);
    // A second session on the same server keeps stragglers out while the rename waits.
    const terminator = new Client({ connectionString: opts.serverUrl, application_name: "odoo-platform swap" });
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
    // Only now is the old copy no longer needed.
    if (!opts.keepPrevious) {
        if (swap.previous) await dropDatabase(client, swap.previous);
        if (filestore?.previous) fs.rmSync(filestore.previous, { recursive: true, force: true });
    }
    return {
        target: opts.target,
        previous: swap.previous,
        previousKept: !!opts.keepPrevious && !!swap.previous,
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
    /** `__previous_` databases left in place (kept on purpose, or by a run killed before dropping). */
    previousDatabases: string[];
}

export async function cleanupLeftovers(client: Client, opts: { target: string; filestore?: string; dropPrevious?: boolean; dropPending?: boolean }): Promise<CleanupReport> {
    const report: CleanupReport = { droppedDatabases: [], removedDirectories: [], completedFilestoreSwaps: [], previousDatabases: [] };
    // A candidate that was never swapped in (its verify failed, or the stack is being destroyed).
    if (opts.dropPending && (await databaseExists(client, pendingDatabaseName(opts.target)))) {
        await dropDatabase(client, pendingDatabaseName(opts.target));
        report.droppedDatabases.push(pendingDatabaseName(opts.target));
    }
    const work = (await listDatabases(client))
        .map((name) => ({ name, parsed: parseWorkName(opts.target, name) }))
        .filter((w) => w.parsed);

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
        if (w.parsed!.kind === "restore") {
            await dropDatabase(client, w.name);
            report.droppedDatabases.push(w.name);
        } else if (opts.dropPrevious) {
            await dropDatabase(client, w.name);
            report.droppedDatabases.push(w.name);
            if (opts.filestore) {
                const dir = workDirectoryName(path.resolve(opts.filestore), "previous", w.parsed!.stamp);
                if (fs.existsSync(dir)) {
                    fs.rmSync(dir, { recursive: true, force: true });
                    report.removedDirectories.push(dir);
                }
            }
        } else {
            report.previousDatabases.push(w.name);
        }
    }
    return report;
}
