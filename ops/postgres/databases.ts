/**
 * Whole-database operations, run from a maintenance connection (the `postgres` database of the same
 * server): create, drop, the per-target lock that keeps two refreshes apart, and the swap that puts
 * a finished copy under the live name in one transaction.
 */
import type { Client } from "pg";
import { OperationFailedError, UnavailableError } from "../core/errors";
import { quoteIdent, quoteLiteral } from "./catalog";
import { connect, parseDatabaseUrl, SafeClient, withDatabase } from "./connect";

/** URL of the server's maintenance database (where CREATE/ALTER/DROP DATABASE run). */
export function maintenanceUrl(url: string, maintenanceDb = "postgres"): string {
    return withDatabase(url, maintenanceDb);
}

export async function databaseExists(client: Client, name: string): Promise<boolean> {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    return !!rowCount;
}

export async function listDatabases(client: Client): Promise<string[]> {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database ORDER BY datname`);
    return rows.map((r) => r.datname);
}

export interface CreateDatabaseOptions {
    encoding?: string;
    collate?: string;
    ctype?: string;
    owner?: string;
}

/** An empty database from template0 (a restore target must not inherit template1's objects). */
export async function createDatabase(client: Client, name: string, opts: CreateDatabaseOptions = {}): Promise<void> {
    const parts = [`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`];
    if (opts.encoding) parts.push(`ENCODING ${quoteLiteral(opts.encoding)}`);
    if (opts.collate) parts.push(`LC_COLLATE ${quoteLiteral(opts.collate)}`);
    if (opts.ctype) parts.push(`LC_CTYPE ${quoteLiteral(opts.ctype)}`);
    if (opts.owner) parts.push(`OWNER ${quoteIdent(opts.owner)}`);
    try {
        await client.query(parts.join(" "));
    } catch (err) {
        const code = (err as { code?: string }).code;
        // 42809 (invalid locale name) or 22023 (encoding does not match the locale): the server lacks the source's locale.
        const hint = code === "42809" || code === "22023" ? " (the target server needs the source's locale; install it there)" : "";
        const wrapped = `cannot create database ${name}: ${(err as Error).message}${hint}`;
        throw code && /^(08|53|57P)/.test(code) ? new UnavailableError(wrapped, { cause: err }) : new OperationFailedError(wrapped, { cause: err });
    }
}

/** Drops a database, ending its sessions first (PostgreSQL 13+ `WITH (FORCE)`). */
export async function dropDatabase(client: Client, name: string): Promise<void> {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

export async function terminateSessions(client: Client, name: string): Promise<number> {
    const { rows } = await client.query<{ n: string }>(
        `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [name],
    );
    return Number(rows[0].n);
}

/** Advisory-lock namespace of odoo-platform (keeps clear of an application's own advisory locks). */
const lockNamespace = 0x0db0;

/**
 * Takes the per-target lock for the life of `client`'s session, in the database `client` is
 * connected to (advisory locks belong to one database: use acquireTargetLock, which always takes it
 * in the same one). A second refresh or restore of the same target fails at once (exit 4) instead of
 * racing the first; a run killed with -9 loses its session, and with it the lock.
 */
export async function lockTarget(client: Client, target: string): Promise<void> {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok`, [lockNamespace, target]);
    if (rows[0].ok) return;
    const holder = await client
        .query<{ pid: number; app: string | null; since: Date | null }>(
            `SELECT l.pid, a.application_name AS app, a.backend_start AS since FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = hashtext($2)::oid AND l.granted LIMIT 1`,
            [lockNamespace, target],
        )
        .catch(() => ({ rows: [] as { pid: number; app: string | null; since: Date | null }[] }));
    const who = holder.rows[0] ? ` (server process ${holder.rows[0].pid}, since ${holder.rows[0].since?.toISOString() ?? "?"})` : "";
    throw new UnavailableError(`another restore or refresh of database ${target} is running${who}: wait for it to finish, or stop it`);
}

/**
 * The database the per-target lock lives in: the connectable, non-template database with the lowest
 * OID, as the server reports it (`postgres` on any ordinary cluster: initdb creates it below the
 * first user OID). Every run computes the same one, whatever `--maintenance-db` it was given.
 */
export async function lockHome(client: Client): Promise<string> {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY oid LIMIT 1`);
    return rows[0]?.datname ?? "postgres";
}

export interface TargetLock {
    /** The session holding the lock (on the lock home database). */
    client: SafeClient;
    home: string;
    release(): Promise<void>;
}

/** One lock per target per server: taken in `lockHome`, whatever database `admin` is connected to. */
export async function acquireTargetLock(admin: Client, serverUrl: string, target: string): Promise<TargetLock> {
    const home = await lockHome(admin);
    const client = await connect(parseDatabaseUrl(withDatabase(serverUrl, home), "the lock database"), { application_name: "odoo-platform lock" });
    try {
        await lockTarget(client, target);
    } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
    }
    return {
        client,
        home,
        release: async () => {
            await unlockTarget(client, target);
            await client.end().catch(() => undefined);
        },
    };
}

export async function unlockTarget(client: Client, target: string): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [lockNamespace, target]).catch(() => undefined);
}

export interface SwapResult {
    /** The database that held the target name before, now renamed (null when there was none). */
    previous: string | null;
    /** Seconds from ending the target's sessions to the commit of the renames: the downtime. */
    unavailableSeconds: number;
    attempts: number;
}

/**
 * Puts `candidate` under the name `target` in ONE transaction: end the sessions on the target,
 * rename it to `previous`, rename the candidate to `target`, commit. Until the commit nothing has
 * changed; after it, new connections to `target` reach the candidate.
 *
 * RENAME takes the database's lock first (new connections wait for the commit, then reach the
 * new database) and then waits up to 5 s for sessions still inside. A client that reconnected in
 * the instant between the termination and the lock would hold the rename for those 5 s, so a
 * second session keeps ending the target's sessions while the rename waits.
 */
export async function swapDatabases(
    client: Client,
    opts: { target: string; candidate: string; previous: string; attempts?: number; terminator?: Client },
): Promise<SwapResult> {
    const attempts = opts.attempts ?? 5;
    if (!(await databaseExists(client, opts.candidate))) throw new OperationFailedError(`cannot swap: database ${opts.candidate} does not exist`);
    if (await databaseExists(client, opts.previous))
        throw new OperationFailedError(`cannot swap: database ${opts.previous} already exists (drop it or wait a second)`);
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const ownPid = rows[0].pid;
    let started: bigint | undefined;
    for (let attempt = 1; ; attempt++) {
        const targetExists = await databaseExists(client, opts.target);
        try {
            await client.query("BEGIN");
            await client.query("SET LOCAL lock_timeout = '15s'");
            await terminateSessions(client, opts.candidate);
            if (targetExists) {
                started ??= process.hrtime.bigint();
                await terminateSessions(client, opts.target);
                await whileKeepingOut(opts.terminator, [opts.target, opts.candidate], ownPid, () =>
                    client.query(`ALTER DATABASE ${quoteIdent(opts.target)} RENAME TO ${quoteIdent(opts.previous)}`),
                );
            }
            started ??= process.hrtime.bigint();
            await client.query(`ALTER DATABASE ${quoteIdent(opts.candidate)} RENAME TO ${quoteIdent(opts.target)}`);
            await client.query("COMMIT");
            const unavailableSeconds = Number(process.hrtime.bigint() - started) / 1e9;
            return { previous: targetExists ? opts.previous : null, unavailableSeconds, attempts: attempt };
        } catch (err) {
            await client.query("ROLLBACK").catch(() => undefined);
            const code = (err as { code?: string }).code;
            if (code === "55006" && attempt < attempts) continue; // object_in_use: a session came back
            const message = `swapping ${opts.candidate} in as ${opts.target} failed (nothing changed): ${(err as Error).message}`;
            throw code && /^(08|57P)/.test(code) ? new UnavailableError(message, { cause: err }) : new OperationFailedError(message, { cause: err });
        }
    }
}

/** Runs `work` while a second session ends every other session on `databases` every 50 ms. */
async function whileKeepingOut<T>(terminator: Client | undefined, databases: string[], ownPid: number, work: () => Promise<T>): Promise<T> {
    if (!terminator) return work();
    let done = false;
    const sweeping = (async () => {
        while (!done) {
            await new Promise((r) => setTimeout(r, 50));
            if (done) break;
            await terminator
                .query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> $2 AND pid <> pg_backend_pid()`, [
                    databases,
                    ownPid,
                ])
                .catch(() => undefined);
        }
    })();
    try {
        return await work();
    } finally {
        done = true;
        await sweeping;
    }
}
