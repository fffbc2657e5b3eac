/**
 * The evidence files of a deployment (docs/deployment/EVIDENCE.md layout:
 * `evidence/<stamp>/deploy/…`): found from the row's evidence_uri, or, when it is missing or points
 * elsewhere, from the deploy stamps written while the deployment ran. Each log is summarised
 * (error lines, the last lines) with secrets masked; compressed logs (`evidence prune`) are read too.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { redact } from "../postgres/connect";
import type { DeploymentRecord, EvidenceLog, LogLine } from "./render";

const maxBytes = 5 * 1024 * 1024;
const tailLines = 30;
const maxErrors = 20;
/** Stamps written this long before the start or after the end still belong to the deployment. */
const windowMs = 15 * 60_000;

const errorLine = /\b(ERROR|CRITICAL|FATAL|PANIC)\b|Traceback \(most recent call last\)|^\s*error[: ]|\bfailed\b/i;
const secretAssignment = /\b([A-Za-z0-9_]*(?:password|passwd|secret|token|api[_-]?key)[A-Za-z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi;

/** Masks passwords in URLs and `password=…`-style assignments. */
export function maskSecrets(line: string): string {
    return redact(line).replace(secretAssignment, "$1$2***");
}

/** A time at the start of a log line: Odoo's `2026-11-25 10:00:00,123`, ISO 8601, PostgreSQL's `… UTC`. */
export function lineTime(line: string): Date | undefined {
    const m = /^\[?(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,6}))?\s*(Z|UTC|[+-]\d{2}:?\d{2})?/.exec(line);
    if (!m) return undefined;
    const zone = !m[4] || m[4] === "Z" || m[4] === "UTC" ? "Z" : m[4];
    const ms = m[3] ? `.${m[3].padEnd(3, "0").slice(0, 3)}` : "";
    const at = new Date(`${m[1]}T${m[2]}${ms}${zone}`);
    return Number.isNaN(at.getTime()) ? undefined : at;
}

export function summariseLog(location: string, raw: Buffer): EvidenceLog {
    const text = raw.subarray(Math.max(0, raw.length - maxBytes)).toString("utf8");
    const all = text.split(/\r?\n/);
    if (all.length && all[all.length - 1] === "") all.pop();
    const errors: LogLine[] = [];
    all.forEach((textLine, i) => {
        if (errors.length < maxErrors && errorLine.test(textLine))
            errors.push({ line: i + 1, text: maskSecrets(textLine).slice(0, 400), at: lineTime(textLine) });
    });
    return { location, remote: false, bytes: raw.length, lines: all.length, errors, tail: all.slice(-tailLines).map((l) => maskSecrets(l).slice(0, 400)) };
}

function filesUnder(target: string): string[] {
    const stat = fs.statSync(target);
    if (stat.isFile()) return [target];
    const out: string[] = [];
    for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
        const abs = path.join(target, entry.name);
        if (entry.isDirectory()) out.push(...filesUnder(abs));
        else out.push(abs);
    }
    return out.sort();
}

function readLog(file: string, display: string): EvidenceLog {
    try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) return { location: display, remote: false, errors: [], tail: [], unreadable: "not a regular file" };
        const raw = fs.readFileSync(file);
        return summariseLog(display, file.endsWith(".gz") ? gunzipSync(raw) : raw);
    } catch (err) {
        return { location: display, remote: false, errors: [], tail: [], unreadable: (err as Error).message };
    }
}

/** `20261125T100000Z` → its time. */
function stampTime(name: string): Date | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(name);
    return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

/** Directories of the deployment's evidence: the evidence_uri when it is here, else the stamps of its run. */
export function evidenceTargets(evidenceDir: string, d: DeploymentRecord, cwd = process.cwd()): { local: string[]; remote: string[] } {
    const uri = d.evidenceUri;
    if (uri && /^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return { local: [], remote: [uri] };
    if (uri) {
        const base = path.basename(path.resolve(cwd, evidenceDir));
        const candidates = [path.resolve(cwd, uri), path.resolve(cwd, evidenceDir, uri)];
        if (uri.startsWith(`${base}/`)) candidates.push(path.resolve(cwd, evidenceDir, uri.slice(base.length + 1)));
        const found = candidates.find((c) => fs.existsSync(c));
        if (found) return { local: [found], remote: [] };
    }
    const root = path.resolve(cwd, evidenceDir);
    let stamps: string[];
    try {
        stamps = fs.readdirSync(root);
    } catch {
        return { local: [], remote: [] };
    }
    const from = d.startedAt.getTime() - windowMs;
    const to = d.finishedAt.getTime() + windowMs;
    const local = stamps
        .filter((s) => {
            const t = stampTime(s)?.getTime();
            return t !== undefined && t >= from && t <= to;
        })
        .sort()
        .map((s) => path.join(root, s, "deploy"))
        .filter((dir) => fs.existsSync(dir));
    return { local, remote: [] };
}

export function gatherEvidenceLogs(evidenceDir: string, d: DeploymentRecord, cwd = process.cwd()): EvidenceLog[] {
    const { local, remote } = evidenceTargets(evidenceDir, d, cwd);
    const logs: EvidenceLog[] = remote.map((uri) => ({ location: uri, remote: true, errors: [], tail: [] }));
    for (const target of local) {
        for (const file of filesUnder(target)) {
            const display = path.relative(cwd, file).split(path.sep).join("/");
            // The record files (outputs.json, deployment-<id>.json) are summarised in the tables above.
            if (/\.json(\.gz)?$/.test(file)) {
                logs.push({ location: display, remote: false, bytes: fs.statSync(file).size, errors: [], tail: [] });
                continue;
            }
            logs.push(readLog(file, display));
        }
    }
    return logs;
}
