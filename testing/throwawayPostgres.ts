/**
 * A throwaway PostgreSQL server: initdb into a temporary directory, start on a free port (and a
 * private Unix socket), hand back a libpq URL, and remove everything on stop.
 *
 * Used by the tests, the demo and the benchmarks so that everything that touches data runs against
 * a real server. `initdb` refuses to run as root, so as root the cluster is created and started as
 * the `postgres` system user (Debian's package creates it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { findBinDirWith } from "../ops/postgres/binaries";

export interface ThrowawayPostgres {
    /** libpq URL of the `postgres` maintenance database, over TCP on 127.0.0.1. */
    readonly url: string;
    readonly port: number;
    /** Directory holding the server's Unix socket (for `?host=/dir` URLs). */
    readonly socketDir: string;
    /** Directory holding the PostgreSQL binaries used (pg_dump, pg_restore, psql …). */
    readonly binDir: string;
    /** URL of another database on the same server. */
    urlFor(database: string): string;
    /** Stops the server and removes its files. */
    stop(): void;
    /** Stops the server but keeps its files (fault tests: a server that dies mid-run). */
    halt(mode?: "immediate" | "fast"): void;
    /** Starts a halted server again on the same port and socket. */
    resume(): void;
}

export interface StartOptions {
    /** Extra `postgresql.conf` settings, e.g. `{ log_min_duration_statement: "200" }`. */
    settings?: Record<string, string>;
    /** Print nothing (default) or the server log path on failure. */
    quiet?: boolean;
}

/** Finds the PostgreSQL server binaries: $PG_BIN, `pg_config --bindir`, then Debian's layout. */
export function findPostgresBinDir(): string {
    const dir = findBinDirWith(["initdb", "pg_ctl", "pg_dump"]);
    if (dir) return dir;
    throw new Error(
        "PostgreSQL server binaries (initdb, pg_ctl, pg_dump) were not found. Install them with " +
            "`apt-get install -y postgresql` (Debian/Ubuntu) or set PG_BIN to the directory that holds them.",
    );
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Runs a PostgreSQL binary as the user that owns the cluster (postgres when we are root). */
function runAsOwner(binary: string, args: string[]): void {
    const [command, commandArgs] = isRoot ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
    const result = spawnSync(command, commandArgs, { encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(`${path.basename(binary)} failed (exit ${result.status}): ${result.stderr || result.stdout}`);
    }
}

export async function startThrowawayPostgres(options: StartOptions = {}): Promise<ThrowawayPostgres> {
    const binDir = findPostgresBinDir();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-pg-"));
    const dataDir = path.join(root, "data");
    const socketDir = path.join(root, "socket");
    fs.mkdirSync(socketDir);
    if (isRoot) execFileSync("chown", ["-R", "postgres:", root]);

    runAsOwner(path.join(binDir, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);

    const port = await freePort();
    const settings: Record<string, string> = {
        listen_addresses: "127.0.0.1",
        port: String(port),
        unix_socket_directories: socketDir,
        // A test server: durability buys nothing and costs seconds.
        fsync: "off",
        synchronous_commit: "off",
        full_page_writes: "off",
        max_connections: "100",
        ...options.settings,
    };
    const conf = Object.entries(settings)
        .map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'`)
        .join("\n");
    fs.appendFileSync(path.join(dataDir, "postgresql.conf"), `\n# odoo-platform throwaway server\n${conf}\n`);

    const logFile = path.join(root, "server.log");
    if (isRoot) execFileSync("chown", ["postgres:", path.join(dataDir, "postgresql.conf")]);
    try {
        runAsOwner(path.join(binDir, "pg_ctl"), ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"]);
    } catch (err) {
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
        fs.rmSync(root, { recursive: true, force: true });
        throw new Error(`${(err as Error).message}\n${log}`);
    }

    const halt = (mode: "immediate" | "fast" = "immediate") => runAsOwner(path.join(binDir, "pg_ctl"), ["-D", dataDir, "-m", mode, "-w", "stop"]);
    const resume = () => runAsOwner(path.join(binDir, "pg_ctl"), ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"]);
    let stopped = false;
    const stop = () => {
        if (stopped) return;
        stopped = true;
        try {
            runAsOwner(path.join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
        } catch {
            // Already gone (killed with the process group): removing the directory is what matters.
        }
        fs.rmSync(root, { recursive: true, force: true });
    };
    process.once("exit", stop);

    const urlFor = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    return { url: urlFor("postgres"), port, socketDir, binDir, urlFor, stop, halt, resume };
}
