/**
 * The Odoo filestore (`<data_dir>/filestore/<database>`): packed with tar into a snapshot,
 * unpacked beside the live directory and swapped in by two renames, like the database.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { trackChild } from "../core/children";
import { InvalidInputError, OperationFailedError } from "../core/errors";

function waitFor(child: ReturnType<typeof spawn>, what: string): Promise<void> {
    trackChild(child);
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (c: string) => (stderr = (stderr + c).slice(-4000)));
    return new Promise((resolve, reject) => {
        child.on("error", (err) => reject(new OperationFailedError(`${what}: ${err.message}`, { cause: err })));
        child.on("close", (code) =>
            code === 0 ? resolve() : reject(new OperationFailedError(`${what} failed (exit ${code}): ${stderr.trim().split("\n").slice(-2).join("; ")}`)),
        );
    });
}

export function assertDirectory(dir: string, option: string): void {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InvalidInputError(`${option} ${dir} is not a directory`);
}

/** Number of regular files under `dir`. */
export function countFiles(dir: string): number {
    let n = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) n++;
    return n;
}

/** A tar stream of the directory's contents (paths relative to it). */
export function tarDirectory(dir: string): { stream: Readable; done: Promise<void> } {
    const child = trackChild(spawn("tar", ["-C", dir, "-cf", "-", "."], { stdio: ["ignore", "pipe", "pipe"] }));
    return { stream: child.stdout!, done: waitFor(child, `packing the filestore ${dir}`) };
}

/** Unpacks a tar file into a new directory. */
export async function extractTar(tarFile: string, dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    await waitFor(spawn("tar", ["-C", dir, "-xf", tarFile], { stdio: ["ignore", "ignore", "pipe"] }), `unpacking the filestore into ${dir}`);
}

/** Copies a directory tree (hard-link free, so the copy can be changed without touching the source). */
export async function copyDirectory(from: string, to: string): Promise<void> {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    await waitFor(spawn("cp", ["-a", `${from.replace(/\/+$/, "")}/.`, to], { stdio: ["ignore", "ignore", "pipe"] }), `copying the filestore ${from} to ${to}`);
}

/**
 * Puts `candidate` in place of `live`: live → previous, candidate → live. Between the two renames
 * (microseconds) the directory is missing; a run killed there is completed by the next run's
 * cleanup (see ops/staging/swap.ts).
 */
export function swapDirectories(live: string, candidate: string, previous: string): { previous: string | null } {
    const hadLive = fs.existsSync(live);
    if (hadLive) fs.renameSync(live, previous);
    try {
        fs.renameSync(candidate, live);
    } catch (err) {
        if (hadLive) fs.renameSync(previous, live);
        throw new OperationFailedError(`cannot move the filestore ${candidate} to ${live}: ${(err as Error).message}`);
    }
    return { previous: hadLive ? previous : null };
}
