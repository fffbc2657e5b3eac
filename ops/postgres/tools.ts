/**
 * The PostgreSQL client programs (pg_dump, pg_restore, psql): where they are, which major version
 * they are, whether they can work with a given server, and how to run them without putting a
 * password on a command line (where `ps` would show it).
 */
import { spawn, spawnSync, SpawnOptions, ChildProcess } from "node:child_process";
import * as path from "node:path";
import { CliError, UsageError } from "../cli/runtime";
import { findBinDirWith } from "./binaries";
import { redact } from "./connect";

export type PgTool = "pg_dump" | "pg_restore" | "psql";

/**
 * Directory of the newest PostgreSQL client programs: $PG_BIN, Debian's /usr/lib/postgresql/<n>/bin
 * (newest first), then the directory of `pg_dump` on the PATH. Unlike the throwaway server, only the
 * client programs are needed here.
 */
export function findClientBinDir(): string {
    const dir = findBinDirWith(["pg_dump", "pg_restore", "psql"]);
    if (dir) return dir;
    throw new UsageError(
        "the PostgreSQL client programs (pg_dump, pg_restore, psql) were not found: install them " +
            "(`apt-get install -y postgresql-client`) or set PG_BIN to the directory that holds them",
    );
}

/** Major version of a client program (`pg_dump (PostgreSQL) 15.14 (Debian …)` → 15). */
export function toolMajorVersion(binDir: string, tool: PgTool): { major: number; version: string } {
    const result = spawnSync(path.join(binDir, tool), ["--version"], { encoding: "utf8" });
    const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout ?? "");
    if (result.status !== 0 || !match) throw new UsageError(`cannot run ${path.join(binDir, tool)} --version: ${result.stderr || result.error?.message || "no version printed"}`);
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
        throw new UsageError(
            `pg_dump ${toolMajor} (in ${binDir}) cannot dump a PostgreSQL ${server} server: install the PostgreSQL ${server} ` +
                `client programs (apt-get install -y postgresql-client-${server}) or set PG_BIN to a directory with pg_dump ≥ ${server}`,
        );
    }
}

/** pg_restore reads archives written by its own major version and older ones only. */
export function assertRestoreCompatible(restoreMajor: number, dumpMajor: number, binDir: string): void {
    if (restoreMajor < dumpMajor) {
        throw new UsageError(
            `the snapshot was written by pg_dump ${dumpMajor}, but pg_restore in ${binDir} is version ${restoreMajor}: ` +
                `install the PostgreSQL ${dumpMajor} client programs or set PG_BIN to a directory with pg_restore ≥ ${dumpMajor}`,
        );
    }
}

/**
 * Splits the password out of a libpq URL (userinfo or `?password=`), so the URL can go on a
 * command line and the password in PGPASSWORD.
 */
export function splitPassword(url: string): { url: string; password?: string } {
    let password: string | undefined;
    let out = url.replace(/^(postgres(?:ql)?:\/\/[^:/@?]*):([^@/?]*)@/, (_m, head: string, pw: string) => {
        password = decodeURIComponent(pw);
        return `${head}@`;
    });
    out = out.replace(/([?&])password=([^&]*)(&?)/i, (_m, sep: string, pw: string, tail: string) => {
        password = decodeURIComponent(pw);
        return tail ? sep : "";
    });
    return { url: out.replace(/[?&]$/, ""), password };
}

export interface ToolRun {
    child: ChildProcess;
    /** Resolves when the program exited 0; rejects with its stderr otherwise. */
    done: Promise<void>;
}

/**
 * Starts a client program against `url`: the URL without its password as `--dbname`, the password
 * in PGPASSWORD. `what` names the work in error messages ("pg_restore of the schema into x").
 */
export function startTool(
    binDir: string,
    tool: PgTool,
    args: string[],
    opts: { url?: string; what: string; stdio?: SpawnOptions["stdio"]; env?: NodeJS.ProcessEnv } ,
): ToolRun {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, PGAPPNAME: "odoo-platform" };
    const fullArgs = [...args];
    if (opts.url) {
        const { url, password } = splitPassword(opts.url);
        if (password !== undefined) env.PGPASSWORD = password;
        fullArgs.push(`--dbname=${url}`);
    }
    const child = spawn(path.join(binDir, tool), fullArgs, { env, stdio: opts.stdio ?? ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
        // Keep the end: the last lines say what failed.
        stderr = (stderr + chunk).slice(-8000);
    });
    const done = new Promise<void>((resolve, reject) => {
        child.on("error", (err) => reject(new CliError(`${opts.what}: cannot start ${tool}: ${err.message}`)));
        child.on("close", (code, signal) => {
            if (code === 0) resolve();
            else reject(new CliError(`${opts.what} failed (${tool} ${signal ? `killed by ${signal}` : `exit ${code}`}): ${redact(stderr.trim()) || "no message"}`));
        });
    });
    return { child, done };
}

/** Runs a client program to completion. */
export function runTool(binDir: string, tool: PgTool, args: string[], opts: { url?: string; what: string; env?: NodeJS.ProcessEnv }): Promise<void> {
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
