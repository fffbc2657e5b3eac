/**
 * CPU seconds spent by this process, the tools it ran (pg_dump, pg_restore, psql: reaped
 * children) and the PostgreSQL server it talks to (postmaster, its live backends and the ones it
 * reaped), read from /proc. On a machine shared with other work the wall time of a step swings with
 * the load; its CPU seconds much less, so the benchmarks report both.
 *
 * Linux only; elsewhere the meter reads 0 and says so.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { Client } from "pg";

export interface CpuMeter {
    /** CPU seconds so far (user + system), this process and its reaped children plus the server's. */
    seconds(): number;
    /** Whether /proc could be read (false: `seconds()` is always 0). */
    readonly available: boolean;
}

const ticksPerSecond = (() => {
    try {
        return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
        return 100;
    }
})();

/** utime, stime, cutime, cstime and the parent pid of `pid`, from /proc/<pid>/stat. */
function stat(pid: number | "self"): { own: number; children: number; ppid: number } | undefined {
    let text: string;
    try {
        text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
        return undefined;
    }
    // The command name (field 2) may hold spaces and parentheses: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    const n = (field: number) => Number(fields[field - 3]);
    return { own: n(14) + n(15), children: n(16) + n(17), ppid: n(4) };
}

/** Live processes whose parent is `parent`. */
function childrenOf(parent: number): number[] {
    const out: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^[0-9]+$/.test(entry)) continue;
        if (stat(Number(entry))?.ppid === parent) out.push(Number(entry));
    }
    return out;
}

/** A meter over this process and the server behind `serverUrl` (its postmaster: a backend's parent). */
export async function cpuMeter(serverUrl: string): Promise<CpuMeter> {
    if (!fs.existsSync("/proc/self/stat")) return { seconds: () => 0, available: false };
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    let postmaster: number | undefined;
    try {
        const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        postmaster = stat(rows[0].pid)?.ppid;
    } finally {
        await client.end();
    }
    const server = () => {
        if (!postmaster) return 0;
        const main = stat(postmaster);
        if (!main) return 0;
        return main.own + main.children + childrenOf(postmaster).reduce((sum, pid) => sum + (stat(pid)?.own ?? 0), 0);
    };
    return {
        available: !!postmaster,
        seconds: () => {
            const self = stat("self");
            return ((self ? self.own + self.children : 0) + server()) / ticksPerSecond;
        },
    };
}
