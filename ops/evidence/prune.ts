/**
 * `evidence prune`: applies the retention decisions (prunePolicy.ts) to an evidence directory.
 * gzip keeps the original modification time, so a compressed file still ages from when it was
 * written; a file is only removed after its compressed copy is safely written (or uploaded and
 * verified); a file that cannot be read is reported and the rest goes on. Running it twice does
 * nothing more the second time.
 */
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { InvalidInputError } from "../core/errors";
import type { Progress } from "../core/progress";
import { s3Client, S3Location } from "../s3";
import { EvidenceFile, planPrune, PruneAction, PruneDecision, RetentionPolicy } from "./prunePolicy";

export interface PruneOptions {
    dir: string;
    policy: Omit<RetentionPolicy, "archive">;
    to?: S3Location;
    dryRun: boolean;
    /** Clock for the ages (tests). */
    nowMs?: number;
}

export interface PruneDeps {
    /** S3 client for `to` (default: the AWS SDK's environment configuration). */
    s3?: S3Client;
    progress?: Progress;
}

export interface PruneFileReport extends PruneDecision {
    /** False in a dry run, or when the action failed. */
    done: boolean;
    bytes: number;
    compressedBytes?: number;
    /** Where an archived file now lives. */
    remote?: string;
    error?: string;
}

export interface PruneReport {
    ok: boolean;
    dryRun: boolean;
    dir: string;
    compressAfterDays: number;
    deleteAfterDays: number;
    to: string | null;
    files: PruneFileReport[];
    summary: Record<PruneAction, number>;
    removedDirectories: string[];
}

/** Leftovers of an interrupted compression: removed, never treated as evidence. */
const partialSuffix = ".prune-partial";

/** Lists every file under `dir` (recursively) with what is needed to decide; never opens a file. */
export function listEvidence(dir: string): EvidenceFile[] {
    const files: EvidenceFile[] = [];
    const walk = (absolute: string, relative: string) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(absolute, { withFileTypes: true });
        } catch (err) {
            files.push({ path: relative || ".", mtimeMs: 0, size: 0, unreadable: `cannot list directory: ${(err as Error).message}` });
            return;
        }
        for (const entry of entries) {
            const abs = path.join(absolute, entry.name);
            const rel = relative ? `${relative}/${entry.name}` : entry.name;
            if (entry.name.endsWith(partialSuffix)) continue;
            if (entry.isDirectory()) {
                walk(abs, rel);
                continue;
            }
            let stat: fs.Stats;
            try {
                stat = fs.statSync(abs);
            } catch (err) {
                const code = (err as NodeJS.ErrnoException).code;
                files.push({
                    path: rel,
                    mtimeMs: 0,
                    size: 0,
                    unreadable: entry.isSymbolicLink() && code === "ENOENT" ? "broken symbolic link" : `cannot read: ${(err as Error).message}`,
                });
                continue;
            }
            if (!stat.isFile()) {
                const kind = stat.isFIFO()
                    ? "a named pipe"
                    : stat.isSocket()
                      ? "a socket"
                      : stat.isDirectory()
                        ? "a link to a directory"
                        : "not a regular file";
                files.push({ path: rel, mtimeMs: stat.mtimeMs, size: 0, unreadable: `${kind}, not an evidence file` });
                continue;
            }
            files.push({ path: rel, mtimeMs: stat.mtimeMs, size: stat.size });
        }
    };
    walk(dir, "");
    return files;
}

/** gzip `file` to `file.gz` (via a partial file and a rename), keeping its times; removes `file`. */
async function gzipInPlace(file: string): Promise<{ target: string; bytes: number }> {
    const stat = fs.statSync(file);
    const target = `${file}.gz`;
    const partial = `${target}${partialSuffix}`;
    try {
        await pipeline(fs.createReadStream(file), createGzip({ level: 9 }), fs.createWriteStream(partial, { flags: "w" }));
        const fd = fs.openSync(partial, "r");
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(partial, target);
    } catch (err) {
        fs.rmSync(partial, { force: true });
        throw err;
    }
    fs.utimesSync(target, stat.atime, stat.mtime);
    fs.unlinkSync(file);
    return { target, bytes: fs.statSync(target).size };
}

function removeEmptyDirectories(root: string): string[] {
    const removed: string[] = [];
    const visit = (dir: string): boolean => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return false;
        }
        let empty = true;
        for (const entry of entries) {
            if (entry.isDirectory() && visit(path.join(dir, entry.name))) continue;
            empty = false;
        }
        if (empty && dir !== root) {
            fs.rmdirSync(dir);
            removed.push(path.relative(root, dir).split(path.sep).join("/"));
            return true;
        }
        return empty;
    };
    visit(root);
    return removed.sort();
}

export async function pruneEvidence(options: PruneOptions, deps: PruneDeps = {}): Promise<PruneReport> {
    const dir = path.resolve(options.dir);
    let dirStat: fs.Stats;
    try {
        dirStat = fs.statSync(dir);
    } catch {
        throw new InvalidInputError(`--dir ${options.dir} does not exist: give the evidence directory (e.g. --dir evidence)`);
    }
    if (!dirStat.isDirectory()) throw new InvalidInputError(`--dir ${options.dir} is not a directory`);
    const policy: RetentionPolicy = { ...options.policy, archive: options.to !== undefined };
    const nowMs = options.nowMs ?? Date.now();

    deps.progress?.step("listing files");
    const files = listEvidence(dir);
    const byPath = new Map(files.map((f) => [f.path, f]));
    const decisions = planPrune(files, policy, nowMs);
    const s3 = options.to && !options.dryRun ? (deps.s3 ?? s3Client()) : undefined;
    deps.progress?.step(options.dryRun ? "deciding (dry run)" : "applying the retention policy");

    const reports: PruneFileReport[] = [];
    let index = 0;
    for (const decision of decisions) {
        deps.progress?.update(++index, decisions.length);
        const file = byPath.get(decision.path)!;
        const report: PruneFileReport = { ...decision, done: false, bytes: file.size };
        reports.push(report);
        if (options.dryRun || decision.action === "keep" || decision.action === "error") continue;
        const absolute = path.join(dir, ...decision.path.split("/"));
        try {
            if (decision.action === "delete") {
                fs.unlinkSync(absolute);
            } else if (decision.action === "compress") {
                report.compressedBytes = (await gzipInPlace(absolute)).bytes;
            } else if (decision.action === "archive") {
                let local = absolute;
                let relative = decision.path;
                if (!relative.endsWith(".gz")) {
                    const gz = await gzipInPlace(absolute);
                    local = gz.target;
                    relative = `${relative}.gz`;
                    report.compressedBytes = gz.bytes;
                }
                const to = options.to!;
                const key = to.prefix ? `${to.prefix}/${relative}` : relative;
                const body = fs.readFileSync(local);
                await s3!.send(new PutObjectCommand({ Bucket: to.bucket, Key: key, Body: body, ContentType: "application/gzip", ContentLength: body.length }));
                const head = await s3!.send(new HeadObjectCommand({ Bucket: to.bucket, Key: key }));
                if (head.ContentLength !== body.length)
                    throw new Error(`uploaded s3://${to.bucket}/${key} has ${head.ContentLength} bytes, expected ${body.length}: local copy kept`);
                fs.unlinkSync(local);
                report.remote = `s3://${to.bucket}/${key}`;
                report.compressedBytes ??= body.length;
            }
            report.done = true;
        } catch (err) {
            report.error = (err as Error).message;
        }
    }

    let removedDirectories: string[] = [];
    if (!options.dryRun) {
        for (const partial of findPartials(dir)) fs.rmSync(partial, { force: true });
        removedDirectories = removeEmptyDirectories(dir);
    }
    const summary: Record<PruneAction, number> = { keep: 0, compress: 0, archive: 0, delete: 0, error: 0 };
    for (const r of reports) summary[r.error ? "error" : r.action]++;
    deps.progress?.done(
        Object.entries(summary)
            .filter(([, n]) => n)
            .map(([k, n]) => `${n} ${k}`)
            .join(", ") || "nothing to do",
    );
    return {
        ok: summary.error === 0,
        dryRun: options.dryRun,
        dir: options.dir,
        compressAfterDays: policy.compressAfterDays,
        deleteAfterDays: policy.deleteAfterDays,
        to: options.to?.url ?? null,
        files: reports,
        summary,
        removedDirectories,
    };
}

function findPartials(dir: string): string[] {
    const found: string[] = [];
    const walk = (d: string) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(d, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) {
            const abs = path.join(d, e.name);
            if (e.isDirectory()) walk(abs);
            else if (e.name.endsWith(partialSuffix)) found.push(abs);
        }
    };
    walk(dir);
    return found;
}

const verbs: Record<PruneAction, [string, string]> = {
    keep: ["keep", "kept"],
    compress: ["compress", "compressed"],
    archive: ["archive", "archived"],
    delete: ["delete", "deleted"],
    error: ["error", "error"],
};

export function renderPruneReport(report: PruneReport): string {
    const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} kB`);
    const lines = [
        `evidence prune ${report.dir}${report.dryRun ? " (dry run: nothing changed)" : ""}: compress after ${report.compressAfterDays}d, delete after ${report.deleteAfterDays}d${report.to ? `, archive to ${report.to}` : ""}`,
    ];
    for (const f of report.files) {
        const verb = report.dryRun || !f.done ? verbs[f.action][0] : verbs[f.action][1];
        const detail = f.error
            ? `FAILED: ${f.error}`
            : f.action === "error"
              ? f.reason
              : f.remote
                ? `→ ${f.remote}`
                : f.compressedBytes !== undefined
                  ? `${kb(f.bytes)} → ${kb(f.compressedBytes)}`
                  : f.reason;
        lines.push(`  ${(f.error ? "error" : verb).padEnd(10)} ${String(f.ageDays).padStart(6)}d  ${f.path}  ${detail}`);
    }
    if (report.files.length === 0) lines.push("  (no files)");
    lines.push(
        `summary: ${Object.entries(report.summary)
            .map(([k, n]) => `${k} ${n}`)
            .join(", ")}`,
    );
    return lines.join("\n");
}
