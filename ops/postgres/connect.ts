/**
 * Database URLs and connections for the CLI: libpq URLs (`postgresql://user@host:5432/db`, and the
 * `?host=/socket/dir` forms), validated before anything is touched, with errors that say what to fix.
 * Passwords never appear in messages or reports.
 */
import { Client, ClientConfig } from "pg";
import { parse } from "pg-connection-string";
import { UsageError } from "../cli/runtime";

export interface DatabaseUrl {
    /** The URL as given (may hold a password: never print it; use `display`). */
    url: string;
    /** The URL with any password replaced by ***. */
    display: string;
    database: string;
    host?: string;
    port?: number;
    user?: string;
}

export function parseDatabaseUrl(url: string | undefined, option = "--db"): DatabaseUrl {
    if (!url) throw new UsageError(`${option} is required: give a PostgreSQL URL such as postgresql://user@host:5432/dbname`);
    if (!/^postgres(ql)?:\/\//.test(url)) {
        throw new UsageError(`${option} must be a PostgreSQL URL starting with postgresql:// (got "${redact(url)}")`);
    }
    let parsed: ReturnType<typeof parse>;
    try {
        parsed = parse(url);
    } catch (err) {
        throw new UsageError(`${option} is not a valid PostgreSQL URL (${(err as Error).message}): ${redact(url)}`);
    }
    if (!parsed.database) throw new UsageError(`${option} must name a database, e.g. postgresql://user@host:5432/dbname (got "${redact(url)}")`);
    return {
        url,
        display: redact(url),
        database: decodeURIComponent(parsed.database),
        host: parsed.host ?? undefined,
        port: parsed.port ? Number(parsed.port) : undefined,
        user: parsed.user || undefined,
    };
}

/** Replaces the password of a URL with ***. */
export function redact(url: string): string {
    return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@").replace(/([?&]password=)[^&]*/i, "$1***");
}

/** A URL for another database on the same server (same host, port, user, options). */
export function withDatabase(url: string, database: string): string {
    const match = /^(postgres(?:ql)?:\/\/[^/]*)\/([^?]*)(\?.*)?$/.exec(url);
    if (!match) throw new UsageError(`cannot derive a URL for database ${database} from ${redact(url)}`);
    return `${match[1]}/${encodeURIComponent(database)}${match[3] ?? ""}`;
}

export function clientConfig(db: DatabaseUrl, extra: Partial<ClientConfig> = {}): ClientConfig {
    return { connectionString: db.url, application_name: "odoo-platform", ...extra };
}

/** Connects, or fails with exit 2 and a message naming the server and what to check. */
export async function connect(db: DatabaseUrl, extra: Partial<ClientConfig> = {}): Promise<Client> {
    const client = new Client(clientConfig(db, extra));
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        const code = (err as { code?: string }).code;
        const hint =
            code === "3D000" ? `database "${db.database}" does not exist` :
            code === "28P01" || code === "28000" ? "authentication failed: check the user and PGPASSWORD" :
            code === "ECONNREFUSED" || code === "ENOENT" ? "nothing is listening there: is the server running, and are host and port right?" :
            (err as Error).message;
        throw new UsageError(`cannot connect to ${db.display}: ${hint}`);
    }
    return client;
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
