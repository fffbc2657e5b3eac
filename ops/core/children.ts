/**
 * Child processes the library starts (pg_dump, pg_restore, psql, tar), tracked so that a command
 * that ends — by success, by an error, or by the process-level safety net of bin/odoo-platform.js —
 * never leaves one running: a psql still streaming from production after the CLI gave up would
 * keep its session, snapshot and locks there.
 */
import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): ChildProcess {
    running.add(child);
    child.once("close", () => running.delete(child));
    child.once("error", () => running.delete(child));
    return child;
}

/** Children still running (for tests and for the exit path). */
export function runningChildren(): number {
    return running.size;
}

/** Ends every tracked child: SIGTERM now, SIGKILL after `graceMs` for the ones still there. */
export async function stopChildren(graceMs = 2000): Promise<void> {
    const left = [...running];
    if (!left.length) return;
    for (const child of left) child.kill("SIGTERM");
    const gone = Promise.all(left.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("close", r)))));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), graceMs)));
    if ((await Promise.race([gone, timeout])) === "timeout") for (const child of left) child.kill("SIGKILL");
    clearTimeout(timer);
}

/** Synchronous last resort on process exit. */
export function killChildrenNow(): void {
    for (const child of running) child.kill("SIGKILL");
}
