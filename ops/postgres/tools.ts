/**
 * The PostgreSQL client programs (pg_dump, pg_restore, psql): where they are, which major version
 * they are, whether they can work with a given server, and how to run them without putting a
 * password on a command line (where `ps` would show it).
 */
import { spawn, spawnSync, SpawnOptions, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { trackChild } from "../core/children";
import { InvalidInputError, OperationFailedError } from "../core/errors";
import { redactText } from "../core/secrets";
import { findBinDirWith } from "./binaries";

export type PgTool = "pg_dump" | "pg_restore" | "psql";

/**
 * Directory of the newest PostgreSQL client programs: $PG_BIN, Debian's /usr/lib/postgresql/<n>/bin
 * (newest first), then the directory of `pg_dump` on the PATH. Unlike the throwaway server, only the
 * client programs are needed here.
 */
export function findClientBinDir(): string {
    const dir = findBinDirWith(["pg_dump", "pg_restore", "psql"]);
    if (dir) return dir;
    throw new InvalidInputError(
        "the PostgreSQL client programs (pg_dump, pg_restore, psql) were not found: install them " +
            "(`apt-get install -y postgresql-client`) or set PG_BIN to the directory that holds them",
    );
}

/** Major version of a client program (`pg_dump (PostgreSQL) 15.14 (Debian …)` → 15). */
export function toolMajorVersion(binDir: string, tool: PgTool): { major: number; version: string } {
    const result = spawnSync(path.join(binDir, tool), ["--version"], { encoding: "utf8" });
    const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout ?? "");
    if (result.status !== 0 || !match)
        throw new InvalidInputError(`cannot run ${path.join(binDir, tool)} --version: ${result.stderr || result.error?.message || "no version printed"}`);
    return { major: Number(match[1]), version: `${match[1]}${match[2] ? `.${match[2]}` : ""}` };
}

/** Server major version from `server_version_num` (150014 → 15). */
export function serverMajor(serverVersionNum: number): number {
    return Math.floor(serverVersionNum / 10000);
}

/**
 * pg_dump refuses a server newer than itself (it cannot know that server's catalog). Say so before
 * anything starts, with the fix.
 */
export function assertDumpCompatible(toolMajor: number, serverVersionNum: number, binDir: string): void {
    const server = serverMajor(serverVersionNum);
    if (toolMajor < server) {
        throw new InvalidInputError(
            `pg_dump ${toolMajor} (in ${binDir}) cannot dump a PostgreSQL ${server} server: install the PostgreSQL ${server} ` +
                `client programs (apt-get install -y postgresql-client-${server}) or set PG_BIN to a directory with pg_dump ≥ ${server}`,
        );
    }
}

/** pg_restore reads archives written by its own major version and older ones only. */
export function assertRestoreCompatible(restoreMajor: number, dumpMajor: number, binDir: string): void {
    if (restoreMajor < dumpMajor) {
        throw new InvalidInputError(
            `the snapshot was written by pg_dump ${dumpMajor}, but pg_restore in ${binDir} is version ${restoreMajor}: ` +
                `install the PostgreSQL ${dumpMajor} client programs or set PG_BIN to a directory with pg_restore ≥ ${dumpMajor}`,
        );
    }
}

/**
 * Splits the secrets out of a libpq URL — the password (userinfo or `?password=`) and
 * `?sslpassword=` — so the URL can go on a command line, the password in PGPASSWORD and the SSL key
 * passphrase in a private service file (libpq has no environment variable for it).
 */
export function splitPassword(url: string): { url: string; password?: string; sslPassword?: string } {
    let password: string | undefined;
    let sslPassword: string | undefined;
    let out = url.replace(/^(postgres(?:ql)?:\/\/[^:/@?]*):([^@/?]*)@/, (_m, head: string, pw: string) => {
        password = decodeURIComponent(pw);
        return `${head}@`;
    });
    const take = (name: string, set: (value: string) => void) => {
        out = out.replace(new RegExp(`([?&])${name}=([^&]*)(&?)`, "i"), (_m, sep: string, value: string, tail: string) => {
            set(decodeURIComponent(value));
            return tail ? sep : "";
        });
    };
    take("password", (v) => (password = v));
    take("sslpassword", (v) => (sslPassword = v));
    return { url: out.replace(/[?&]$/, ""), password, ...(sslPassword !== undefined ? { sslPassword } : {}) };
}

/** libpq startup options (`-c name=value …`) for PGOPTIONS. Pure. */
export function pgOptions(settings: Readonly<Record<string, string>>): string {
    return Object.entries(settings)
        .map(([k, v]) => {
            if (!/^[a-z_][a-z0-9_.]*$/.test(k) || !/^[A-Za-z0-9_.:-]+$/.test(v)) throw new Error(`not a session setting: ${k}=${v}`);
            return `-c ${k}=${v}`;
        })
        .join(" ");
}

export interface ToolRun {
    child: ChildProcess;
    /** Resolves when the program exited 0; rejects with its stderr otherwise. */
    done: Promise<void>;
}

/** The last lines of a client program's stderr that say what failed, as one line. Pure. */
export function failureSummary(stderr: string): string {
    const lines = redactText(stderr)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
    const errors = lines.filter((l) => /(^|: )(error|fatal|panic):|^ERROR:|^FATAL:|could not|No space left/i.test(l));
    const picked = (errors.length ? errors : lines).slice(-2);
    return picked.join("; ") || "no message";
}

/**
 * Starts a client program against `url`: the URL without its secrets as `--dbname`, the password
 * in PGPASSWORD (an SSL key passphrase in a private service file), `settings` as PGOPTIONS. `what`
 * names the work in error messages ("pg_restore of the schema into x"). The child is tracked, so the
 * CLI stops it if the command ends first (ops/core/children.ts).
 */
export function startTool(
    binDir: string,
    tool: PgTool,
    args: string[],
    opts: { url?: string; what: string; stdio?: SpawnOptions["stdio"]; env?: NodeJS.ProcessEnv; settings?: Readonly<Record<string, string>>; appName?: string },
): ToolRun {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, PGAPPNAME: opts.appName ?? "odoo-platform" };
    if (opts.settings && Object.keys(opts.settings).length) env.PGOPTIONS = [env.PGOPTIONS, pgOptions(opts.settings)].filter(Boolean).join(" ");
    const fullArgs = [...args];
    let serviceDir: string | undefined;
    if (opts.url) {
        const { url, password, sslPassword } = splitPassword(opts.url);
        if (password !== undefined) env.PGPASSWORD = password;
        let dbname = url;
        if (sslPassword !== undefined) {
            serviceDir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-pgservice-"));
            const file = path.join(serviceDir, "pg_service.conf");
            fs.writeFileSync(file, `[odoo_platform]\nsslpassword=${sslPassword.replace(/\n/g, "")}\n`, { mode: 0o600 });
            env.PGSERVICEFILE = file;
            dbname = `${url}${url.includes("?") ? "&" : "?"}service=odoo_platform`;
        }
        fullArgs.push(`--dbname=${dbname}`);
    }
    const child = trackChild(spawn(path.join(binDir, tool), fullArgs, { env, stdio: opts.stdio ?? ["ignore", "ignore", "pipe"] }));
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
        // Keep the end: the last lines say what failed.
        stderr = (stderr + chunk).slice(-8000);
    });
    const done = new Promise<void>((resolve, reject) => {
        child.on("error", (err) => reject(new OperationFailedError(`${opts.what}: cannot start ${tool}: ${err.message}`, { cause: err })));
        child.on("close", (code, signal) => {
            if (serviceDir) fs.rmSync(serviceDir, { recursive: true, force: true });
            if (code === 0) resolve();
            else reject(new ToolFailedError(tool, opts.what, code, signal, failureSummary(stderr)));
        });
    });
    return { child, done };
}

/** A client program that exited non-zero or was killed. */
export class ToolFailedError extends OperationFailedError {
    constructor(
        readonly tool: PgTool,
        readonly what: string,
        readonly exitStatus: number | null,
        readonly signal: NodeJS.Signals | null,
        readonly summary: string,
    ) {
        super(`${what} failed (${tool} ${signal ? `killed by ${signal}` : `exit ${exitStatus}`}): ${summary}`);
        this.name = "ToolFailedError";
    }
}

/** Runs a client program to completion. */
export function runTool(
    binDir: string,
    tool: PgTool,
    args: string[],
    opts: { url?: string; what: string; env?: NodeJS.ProcessEnv; settings?: Readonly<Record<string, string>>; appName?: string },
): Promise<void> {
    return startTool(binDir, tool, args, opts).done;
}

/** The client programs, located and versioned once. */
export interface PgTools {
    binDir: string;
    dumpMajor: number;
    dumpVersion: string;
    restoreMajor: number;
}

export function pgTools(): PgTools {
    const binDir = findClientBinDir();
    const dump = toolMajorVersion(binDir, "pg_dump");
    const restore = toolMajorVersion(binDir, "pg_restore");
    return { binDir, dumpMajor: dump.major, dumpVersion: dump.version, restoreMajor: restore.major };
}
