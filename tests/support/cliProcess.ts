/**
 * Runs the real CLI as its own process (`node bin/odoo-platform.js …`), the way CI and the Pulumi
 * command steps run it: a hang, a crash on an unhandled 'error' event or a stack trace shows up here
 * exactly as an operator would see it. A run that does not exit within `timeoutMs` is killed and
 * reported as `timedOut`.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

export const projectDir = path.resolve(__dirname, "../..");

export interface ProcessRun {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    seconds: number;
}

export interface StartedCli {
    child: ChildProcess;
    /** Resolves when the process exited (or was killed after the timeout). */
    done: Promise<ProcessRun>;
    stderr: () => string;
}

export function startCli(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): StartedCli {
    const started = Date.now();
    const child = spawn(process.execPath, ["bin/odoo-platform.js", ...args], {
        cwd: projectDir,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...(opts.quiet === false ? {} : { ODOO_PLATFORM_QUIET: "1" }), ...opts.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child);
    }, opts.timeoutMs ?? 120000);
    const done = new Promise<ProcessRun>((resolve) => {
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            // Children a dead CLI left behind (pg_restore, psql) belong to its group.
            killGroup(child);
            resolve({ code, signal, stdout, stderr, timedOut, seconds: (Date.now() - started) / 1000 });
        });
    });
    return { child, done, stderr: () => stderr };
}

export function runCliProcess(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): Promise<ProcessRun> {
    return startCli(args, opts).done;
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
    try {
        process.kill(-child.pid!, signal);
    } catch {
        // the group is gone
    }
}

/** The lines of stderr that are not progress (`[1.2s] task: …`). */
export function errorLines(stderr: string): string[] {
    return stderr.split("\n").filter((l) => l.trim() && !/^\[\d+(\.\d+)?s\] /.test(l) && !/^warning: /.test(l));
}
