/**
 * Database URLs and connections: libpq URLs (`postgresql://user@host:5432/db`, and the
 * `?host=/socket/dir` forms), validated before anything is touched, with errors that say what to fix.
 * Passwords never appear in messages or reports.
 *
 * A URL says where to connect, never which database it is: "is this the source?", "did we create
 * this one?" are answered from what the server reports (ops/postgres/identity.ts). The database
 * name is percent-decoded exactly once (by pg-connection-string, as libpq does).
 */
import { Client, ClientConfig } from "pg";
import { parse } from "pg-connection-string";
import { InvalidInputError, UnavailableError } from "../core/errors";
import { redactText, redactUrl } from "../core/secrets";

export interface DatabaseUrl {
    /** The URL as given (may hold a password: never print it; use `display`). */
    url: string;
    /** The URL with any password replaced by ***. */
    display: string;
    /** The database name, decoded once. */
    database: string;
    host?: string;
    port?: number;
    user?: string;
}

/**
 * A raw "@" or "/" in the user name or password makes a URL mean something else to libpq (the
 * password ends at the first "@", the host at the first "/"): refuse it instead of guessing.
 */
function assertUnambiguous(url: string, option: string): void {
    const rest = url.replace(/^[a-z]+:\/\//i, "");
    const head = rest.split("?")[0];
    const firstAt = head.indexOf("@");
    const slash = head.indexOf("/");
    if (firstAt !== head.lastIndexOf("@") || (firstAt !== -1 && slash !== -1 && slash < firstAt)) {
        throw new InvalidInputError(
            `${option}: the user name or password holds a raw "@" or "/" (${redactUrl(url)}): percent-encode them (@ → %40, / → %2F, : → %3A)`,
        );
    }
}

export function parseDatabaseUrl(url: string | undefined, option = "--db"): DatabaseUrl {
    if (!url) throw new InvalidInputError(`${option} is required: give a PostgreSQL URL such as postgresql://user@host:5432/dbname`);
    if (!/^postgres(ql)?:\/\//.test(url)) {
        throw new InvalidInputError(`${option} must be a PostgreSQL URL starting with postgresql:// (got "${redactText(url)}")`);
    }
    assertUnambiguous(url, option);
    if (/[?&]dbname=/i.test(url)) throw new InvalidInputError(`${option}: name the database in the URL's path, not with ?dbname= (got "${redactUrl(url)}")`);
    let parsed: ReturnType<typeof parse>;
    try {
        parsed = parse(url);
    } catch (err) {
        throw new InvalidInputError(`${option} is not a valid PostgreSQL URL (${(err as Error).message}): ${redactUrl(url)}`);
    }
    if (!parsed.database) throw new InvalidInputError(`${option} must name a database, e.g. postgresql://user@host:5432/dbname (got "${redactUrl(url)}")`);
    return {
        url,
        display: redactUrl(url),
        // pg-connection-string has already decoded it, exactly as libpq does: never decode again.
        database: parsed.database,
        host: parsed.host ?? undefined,
        port: parsed.port ? Number(parsed.port) : undefined,
        user: parsed.user || undefined,
    };
}

/** Replaces the password of a URL with *** (kept for callers of the first generation). */
export function redact(text: string): string {
    return redactText(text);
}

/** A URL for another database on the same server (same host, port, user, options). */
export function withDatabase(url: string, database: string): string {
    const match = /^(postgres(?:ql)?:\/\/[^/?]*)(?:\/([^?]*))?(\?.*)?$/.exec(url);
    if (!match) throw new InvalidInputError(`cannot derive a URL for database ${database} from ${redactUrl(url)}`);
    return `${match[1]}/${encodeURIComponent(database)}${match[3] ?? ""}`;
}

/**
 * Session settings for a session on production (or any source): no statement, lock wait or idle
 * transaction may outlive a run that went wrong. Milliseconds, as libpq startup options.
 */
export interface SessionLimits {
    statementTimeoutMs?: number;
    lockTimeoutMs?: number;
    idleInTransactionTimeoutMs?: number;
}

export function clientConfig(db: DatabaseUrl, extra: Partial<ClientConfig> = {}, limits: SessionLimits = {}): ClientConfig {
    return {
        connectionString: db.url,
        application_name: "odoo-platform",
        connectionTimeoutMillis: 30_000,
        ...(limits.statementTimeoutMs !== undefined ? { statement_timeout: limits.statementTimeoutMs } : {}),
        ...(limits.lockTimeoutMs !== undefined ? { lock_timeout: limits.lockTimeoutMs } : {}),
        ...(limits.idleInTransactionTimeoutMs !== undefined ? { idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs } : {}),
        ...extra,
    };
}

/** A client whose connection loss is an error of its next query, never an unhandled 'error' event. */
export interface SafeClient extends Client {
    /** The error the connection died of while idle, if it did. */
    lost?: Error;
}

/** Listens for 'error' on a client we created (a server that stops while the client is idle emits one). */
export function guardClient<T extends Client>(client: T): T & SafeClient {
    const safe = client as T & SafeClient;
    safe.on("error", (err: Error) => {
        safe.lost = err;
    });
    return safe;
}

/** Connects, or fails with a message naming the server and what to check (exit 4, or 2 for a missing database). */
export async function connect(db: DatabaseUrl, extra: Partial<ClientConfig> = {}, limits: SessionLimits = {}): Promise<SafeClient> {
    const client = guardClient(new Client(clientConfig(db, extra, limits)));
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code === "3D000") throw new InvalidInputError(`cannot connect to ${db.display}: database "${db.database}" does not exist`);
        if (code === "28P01" || code === "28000")
            throw new InvalidInputError(`cannot connect to ${db.display}: authentication failed: check the user and PGPASSWORD`);
        const hint =
            code === "ECONNREFUSED" || code === "ENOENT"
                ? "nothing is listening there: is the server running, and are host and port right?"
                : (err as Error).message;
        throw new UnavailableError(`cannot connect to ${db.display}: ${hint}`, { cause: err });
    }
    return client;
}

/** Connects to `db`, runs `fn` with the client, and always disconnects (also when `fn` throws). */
export async function withConnection<T>(
    db: DatabaseUrl,
    fn: (client: SafeClient) => Promise<T>,
    extra: Partial<ClientConfig> = {},
    limits: SessionLimits = {},
): Promise<T> {
    const client = await connect(db, extra, limits);
    try {
        return await fn(client);
    } finally {
        await client.end().catch(() => undefined);
    }
}

/** Runs `fn` inside one transaction: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(client: Client, fn: () => Promise<T>): Promise<T> {
    await client.query("BEGIN");
    try {
        const result = await fn();
        await client.query("COMMIT");
        return result;
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
