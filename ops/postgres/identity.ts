/**
 * Which server and which database a connection reached, from what the server reports, never from
 * the URL's text: `localhost`, `127.0.0.1`, `LOCALHOST`, a Unix socket directory, `%70rod` and
 * `prod` can all be the same database.
 *
 * A running server is identified by its cluster's `system_identifier` (pg_control_system(), set
 * once by initdb) together with `pg_postmaster_start_time()`: two URLs that report both reach the
 * same running server. The system identifier alone is not enough — a physical replica or a server
 * restored from a base backup carries the same one, and holds the same database OIDs — so a copy is
 * told apart from the original by its own start time. Within one server a database is its OID.
 * Both functions are readable by any role (no superuser needed).
 */
import type { Client } from "pg";

export interface ServerIdentity {
    systemIdentifier: string;
    startedAt: string;
    /** Address and port the server reports for this connection (null address: a Unix socket). */
    address: string | null;
    port: number;
    version: string;
}

export interface DatabaseIdentity {
    server: ServerIdentity;
    oid: number;
    name: string;
}

export async function readServerIdentity(client: Client): Promise<ServerIdentity> {
    const { rows } = await client.query<{ sysid: string; started: string; addr: string | null; port: number | null; setting_port: string; version: string }>(`
        SELECT (SELECT system_identifier::text FROM pg_control_system()) AS sysid,
               to_char(pg_postmaster_start_time() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started,
               host(inet_server_addr()) AS addr, inet_server_port() AS port,
               current_setting('port') AS setting_port, current_setting('server_version') AS version`);
    const r = rows[0];
    return { systemIdentifier: r.sysid, startedAt: r.started, address: r.addr, port: r.port ?? Number(r.setting_port), version: r.version };
}

/** The identity of the database the client is connected to. */
export async function readDatabaseIdentity(client: Client): Promise<DatabaseIdentity> {
    const server = await readServerIdentity(client);
    const { rows } = await client.query<{ oid: string; name: string }>(`SELECT oid::text, datname AS name FROM pg_database WHERE datname = current_database()`);
    return { server, oid: Number(rows[0].oid), name: rows[0].name };
}

/** The identity of database `name` on the client's server, or null when there is none. */
export async function databaseIdentityByName(client: Client, name: string, server?: ServerIdentity): Promise<DatabaseIdentity | null> {
    const { rows } = await client.query<{ oid: string; name: string }>(`SELECT oid::text, datname AS name FROM pg_database WHERE datname = $1`, [name]);
    if (!rows.length) return null;
    return { server: server ?? (await readServerIdentity(client)), oid: Number(rows[0].oid), name: rows[0].name };
}

/** Same running server: same cluster and same postmaster start. Pure. */
export function sameServer(a: ServerIdentity, b: ServerIdentity): boolean {
    return a.systemIdentifier === b.systemIdentifier && a.startedAt === b.startedAt;
}

/** A physical copy of the same cluster (replica, restored base backup): same system id, another server. Pure. */
export function copyOfSameCluster(a: ServerIdentity, b: ServerIdentity): boolean {
    return a.systemIdentifier === b.systemIdentifier && a.startedAt !== b.startedAt;
}

export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
    return sameServer(a.server, b.server) && a.oid === b.oid;
}

/** "server 7714…546 at 127.0.0.1:5432 (PostgreSQL 15.14)" for messages. Pure. */
export function describeServer(s: ServerIdentity): string {
    return `server ${s.systemIdentifier} at ${s.address ? `${s.address}:${s.port}` : `a Unix socket, port ${s.port}`} (PostgreSQL ${s.version}, up since ${s.startedAt})`;
}
