/**
 * Copies a live database into a new, empty one on any server, transforming rows on the way, in
 * about the time of a plain `pg_dump -Fd -j` + `pg_restore -j` (and without its disk and gzip):
 *
 *   1. an exported snapshot on the source: one consistent point in time for every step below,
 *      tables locked ACCESS SHARE like pg_dump does (DDL waits, reads and writes go on);
 *   2. schema: `pg_dump --schema-only` (custom format) → `pg_restore --section=pre-data`;
 *   3. data: parallel COPY streams (copyStream.ts), sanitizing transforms applied in the SELECT;
 *   4. sequence positions, then `pg_restore -j --section=post-data` (indexes, constraints,
 *      triggers, in parallel) and REFRESH of populated materialized views.
 *
 * The source is only read; production never sees a write, a temporary database or extra WAL.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { RefusedError } from "../core/errors";
import {
    countLargeObjects,
    listPopulatedMatviews,
    listSequences,
    listTables,
    odooVersion,
    serverFacts,
    ServerFacts,
    setvalStatements,
    TableInfo,
} from "./catalog";
import { connect, parseDatabaseUrl, SessionLimits, withConnection } from "./connect";
import {
    ColumnTransform,
    CopyResult,
    planTableCopies,
    sourceApplicationName,
    splitLargeTables,
    streamTables,
    StreamOptions,
    TablePlan,
    TransformMatch,
} from "./copyStream";
import { assertDumpCompatible, PgTools, runTool } from "./tools";

/**
 * Limits on the session that holds the source's exported snapshot (production): its own statements
 * are catalog reads and LOCK TABLE; it is idle in transaction while the readers copy, so a heartbeat
 * keeps it under its idle timeout for as long as this process is alive and no longer. A run that
 * dies or hangs can hold production's locks for at most those minutes.
 */
export const sourceSessionLimits: Required<SessionLimits> = { statementTimeoutMs: 10 * 60_000, lockTimeoutMs: 60_000, idleInTransactionTimeoutMs: 10 * 60_000 };
const heartbeatMs = 60_000;

/**
 * The same for the client programs reading the source (psql COPY workers, pg_dump), as PGOPTIONS.
 * One COPY of one table may take long; no lock wait and no idle transaction may. From PostgreSQL 14
 * the server also checks every 2 s that the reader is still there, so a killed reader's query stops
 * at once instead of when it next sends a row.
 */
export function sourceReaderSettings(serverVersionNum: number): Readonly<Record<string, string>> {
    return {
        statement_timeout: "6h",
        lock_timeout: "60s",
        idle_in_transaction_session_timeout: "10min",
        ...(serverVersionNum >= 140000 ? { client_connection_check_interval: "2s" } : {}),
    };
}

export { sourceApplicationName };

/**
 * Ends every session this process still has on the source server (readers a failed run killed
 * but whose queries are still running there, the snapshot holder): production is released at once,
 * whatever the failure was. Best effort: a server that is gone has released them itself.
 */
export async function releaseSourceSessions(url: string): Promise<number> {
    const client = new Client({ connectionString: url, application_name: "odoo-platform release", connectionTimeoutMillis: 5000 });
    client.on("error", () => undefined);
    try {
        await client.connect();
        const { rows } = await client.query<{ n: string }>(
            `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
            [sourceApplicationName],
        );
        return Number(rows[0].n);
    } catch {
        return 0;
    } finally {
        await client.end().catch(() => undefined);
    }
}

/**
 * Temporary files written in the source database so far (pg_stat_database: every session's,
 * counted when a query's files are removed; readers flush their counts when they exit). Null when
 * the statistics cannot be read.
 */
export async function sourceTempUsage(url: string): Promise<{ files: number; bytes: number } | null> {
    try {
        return await withConnection(
            parseDatabaseUrl(url, "--from-db"),
            async (client) => {
                const { rows } = await client.query<{ files: string; bytes: string }>(
                    "SELECT temp_files::text AS files, temp_bytes::text AS bytes FROM pg_stat_database WHERE datname = current_database()",
                );
                return rows[0] ? { files: Number(rows[0].files), bytes: Number(rows[0].bytes) } : null;
            },
            { application_name: sourceApplicationName },
        );
    } catch {
        return null;
    }
}

/** pg_dump sets statement and idle timeouts to 0 itself; its lock wait is bounded by this flag. */
export const pgDumpLockWait = "--lock-wait-timeout=60s";

/** A read-only transaction on the source whose snapshot other sessions and pg_dump import. */
export interface SourceSnapshot {
    client: Client;
    snapshotId: string;
    facts: ServerFacts;
    odooVersion: string | null;
    tables: TableInfo[];
    close(): Promise<void>;
}

export async function openSourceSnapshot(url: string, tools: PgTools, opts: { lockTables?: boolean } = {}): Promise<SourceSnapshot> {
    const client = await connect(parseDatabaseUrl(url, "--from-db"), { application_name: sourceApplicationName }, sourceSessionLimits);
    let heartbeat: NodeJS.Timeout | undefined;
    try {
        const facts = await serverFacts(client);
        assertDumpCompatible(tools.dumpMajor, facts.versionNum, tools.binDir);
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        const { rows } = await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
        const tables = await listTables(client);
        if (opts.lockTables !== false && tables.length) {
            // As pg_dump does: nobody can drop or alter a table while it is being copied.
            await client.query("SET LOCAL lock_timeout = '60s'");
            for (let i = 0; i < tables.length; i += 200) {
                await client.query(
                    `LOCK TABLE ${tables
                        .slice(i, i + 200)
                        .map((t) => `ONLY ${t.qualified}`)
                        .join(", ")} IN ACCESS SHARE MODE`,
                );
            }
        }
        const version = await odooVersion(client);
        heartbeat = setInterval(() => client.query("SELECT 1").catch(() => undefined), heartbeatMs);
        heartbeat.unref();
        let closed = false;
        return {
            client,
            snapshotId: rows[0].id,
            facts,
            odooVersion: version,
            tables,
            close: async () => {
                if (closed) return;
                closed = true;
                clearInterval(heartbeat);
                // Ending the session releases the snapshot and every lock even if COMMIT cannot run.
                await client.query("COMMIT").catch(() => undefined);
                await client.end().catch(() => undefined);
            },
        };
    } catch (err) {
        clearInterval(heartbeat);
        await client.end().catch(() => undefined);
        throw err;
    }
}

export interface OwnershipOptions {
    /** Make this role own the copy and everything in it (production roles usually don't exist on staging). */
    owner?: string;
}

/** pg_restore flags for the ownership choice. */
export function ownershipFlags(opts: OwnershipOptions): string[] {
    return opts.owner ? ["--no-owner", "--no-privileges"] : [];
}

export interface CopyDatabaseOptions extends OwnershipOptions {
    tools: PgTools;
    sourceUrl: string;
    /** The new, empty database. */
    targetUrl: string;
    jobs: number;
    transforms?: (snapshot: SourceSnapshot) => Promise<ColumnTransform[]>;
    /** Called as each phase starts ("schema", "data", "indexes"), then with bytes during data. */
    onPhase?: (phase: "schema" | "data" | "indexes", seconds?: number) => void;
    onBytes?: (bytes: number) => void;
    /** Smallest TID-range piece of a big table (default 8 MiB; tests use less). */
    minChunkBytes?: number;
    /** Session settings the transforms need on the source (work_mem …); JIT is always off. */
    sourceSettings?: Readonly<Record<string, string>>;
    /** A pass-through per copy worker (the PII scan of the rows as they stream): see StreamOptions.inspect. */
    inspect?: StreamOptions["inspect"];
}

export interface CopyDatabaseReport {
    sourceVersion: string;
    odooVersion: string | null;
    tables: number;
    tablesWithRows: number;
    rows: number;
    transformedTables: { table: string; columns: string[]; rows: number }[];
    skippedTransforms: TransformMatch["skipped"];
    sequences: number;
    phases: { schema: number; data: number; indexes: number };
    /**
     * How long the source's snapshot was held, and with it the source's vacuum horizon: from
     * opening it until the last reader ended (compare a plain pg_dump of the same database).
     */
    sourceSnapshotSeconds: number;
    /**
     * Temporary files written in the source database while its snapshot was held (every session's:
     * on a busy production, not only the copy's), null when its statistics cannot be read. The
     * financial query's parts keep their hashes within the transforms' work_mem, so the copy's own
     * share stays near zero.
     */
    sourceTempFiles: { files: number; bytes: number } | null;
    copies: CopyResult[];
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

export async function copyDatabase(opts: CopyDatabaseOptions): Promise<CopyDatabaseReport> {
    const { tools } = opts;
    const tempBefore = await sourceTempUsage(opts.sourceUrl);
    const opened = process.hrtime.bigint();
    const snapshot = await openSourceSnapshot(opts.sourceUrl, tools);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-copy-"));
    try {
        const largeObjects = await countLargeObjects(snapshot.client);
        if (largeObjects > 0) {
            throw new RefusedError(
                `the source holds ${largeObjects} large objects, which the streaming copy does not carry: refresh through a snapshot instead (--via <dir>)`,
            );
        }
        const transforms = opts.transforms ? await opts.transforms(snapshot) : [];
        const match = planTableCopies(snapshot.tables, transforms);
        const sequences = await listSequences(snapshot.client);

        let t = process.hrtime.bigint();
        opts.onPhase?.("schema");
        const schemaFile = path.join(work, "schema.dump");
        await runTool(tools.binDir, "pg_dump", ["--schema-only", "-Fc", pgDumpLockWait, `--snapshot=${snapshot.snapshotId}`, "-f", schemaFile], {
            url: opts.sourceUrl,
            what: "pg_dump of the source schema",
            settings: sourceReaderSettings(snapshot.facts.versionNum),
            appName: sourceApplicationName,
        });
        await runTool(tools.binDir, "pg_restore", ["--section=pre-data", "--exit-on-error", ...ownershipFlags(opts), schemaFile], {
            url: opts.targetUrl,
            what: "creating the tables in the new database (pg_restore --section=pre-data)",
        });
        const schemaSeconds = seconds(t);

        t = process.hrtime.bigint();
        opts.onPhase?.("data", schemaSeconds);
        const withRows = match.plans.filter((p) => p.table.hasRows);
        const copies = await streamTables(
            splitLargeTables(withRows, { jobs: opts.jobs, serverVersionNum: snapshot.facts.versionNum, minChunkBytes: opts.minChunkBytes }),
            {
                binDir: tools.binDir,
                sourceUrl: opts.sourceUrl,
                targetUrl: opts.targetUrl,
                snapshotId: snapshot.snapshotId,
                jobs: opts.jobs,
                sourceSettings: opts.sourceSettings,
                sourceLimits: sourceReaderSettings(snapshot.facts.versionNum),
                onBytes: opts.onBytes,
                inspect: opts.inspect,
            },
        );
        const matviews = await listPopulatedMatviews(snapshot.client);
        await snapshot.close();
        // The readers' transactions ended with their psql sessions, before streamTables returned.
        const sourceSnapshotSeconds = seconds(opened);
        const tempAfter = tempBefore && (await sourceTempUsage(opts.sourceUrl));
        const sourceTempFiles = tempBefore && tempAfter ? { files: tempAfter.files - tempBefore.files, bytes: tempAfter.bytes - tempBefore.bytes } : null;
        const dataSeconds = seconds(t);

        t = process.hrtime.bigint();
        opts.onPhase?.("indexes", dataSeconds);
        await applySequences(opts.targetUrl, setvalStatements(sequences));
        await runTool(tools.binDir, "pg_restore", ["--section=post-data", "--exit-on-error", `--jobs=${opts.jobs}`, ...ownershipFlags(opts), schemaFile], {
            url: opts.targetUrl,
            what: "building indexes and constraints in the new database (pg_restore --section=post-data)",
        });
        await refreshMatviews(opts.targetUrl, matviews);
        const indexSeconds = seconds(t);

        const rowsOf = new Map(copies.map((c) => [c.table, c.rows]));
        // A table read in parts (TablePlan.part) has one plan per part: report it once.
        const key = (p: TablePlan) => `${p.table.schema}.${p.table.name}`;
        const firstPlans = [...new Map(match.plans.map((p) => [key(p), p])).values()];
        return {
            sourceVersion: snapshot.facts.version,
            odooVersion: snapshot.odooVersion,
            tables: snapshot.tables.length,
            tablesWithRows: new Set(withRows.map(key)).size,
            rows: copies.reduce((n, c) => n + c.rows, 0),
            transformedTables: firstPlans
                .filter((p) => p.transformed.length)
                .map((p) => ({
                    table: `${p.table.schema}.${p.table.name}`,
                    columns: p.transformed,
                    rows: rowsOf.get(`${p.table.schema}.${p.table.name}`) ?? 0,
                })),
            skippedTransforms: match.skipped,
            sequences: sequences.length,
            phases: { schema: schemaSeconds, data: dataSeconds, indexes: indexSeconds },
            sourceSnapshotSeconds,
            sourceTempFiles,
            copies,
        };
    } catch (err) {
        await snapshot.close();
        await releaseSourceSessions(opts.sourceUrl);
        throw err;
    } finally {
        await snapshot.close();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

const withClient = <T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> => withConnection(parseDatabaseUrl(url, "the new database"), fn);

export function applySequences(url: string, statements: string[]): Promise<void> {
    if (!statements.length) return Promise.resolve();
    return withClient(url, async (client) => {
        for (const sql of statements) await client.query(sql);
    });
}

export function refreshMatviews(url: string, matviews: string[]): Promise<void> {
    if (!matviews.length) return Promise.resolve();
    return withClient(url, async (client) => {
        for (const view of matviews) await client.query(`REFRESH MATERIALIZED VIEW ${view}`);
    });
}

/**
 * Hands every object of the database to `owner` (after a `--no-owner` restore the restoring admin
 * owns them). Explicit ALTERs: REASSIGN OWNED refuses objects of the bootstrap superuser.
 */
export function reassignOwnership(url: string, database: string, owner: string): Promise<void> {
    return withClient(url, async (client) => {
        const role = owner.replace(/"/g, '""');
        await client.query(`ALTER DATABASE "${database.replace(/"/g, '""')}" OWNER TO "${role}"`);
        await client.query(`
            DO $$
            DECLARE r record;
            BEGIN
              FOR r IN
                SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, '${role.replace(/'/g, "''")}') AS stmt
                  FROM pg_namespace n
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                   AND n.nspowner <> 'pg_database_owner'::regrole
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
                UNION ALL
                SELECT format('ALTER %s %s OWNER TO %I',
                              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                             WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                              c.oid::regclass, '${role.replace(/'/g, "''")}')
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                     AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
                UNION ALL
                SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, '${role.replace(/'/g, "''")}')
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND p.prokind IN ('f', 'p')
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
              LOOP
                EXECUTE r.stmt;
              END LOOP;
            END $$`);
    });
}
