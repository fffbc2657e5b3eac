/**
 * Evidence files on disk, beside the rows: `<root>/<stamp>/{build,deploy}/…` with the record as
 * JSON and the full logs under `logs/` (the seed's `evidence/<timestamp>/build/logs/build.log`).
 * Files are never overwritten: a name that exists is bad usage, found before anything is written.
 * `evidence prune` and the postmortems read the same layout (docs/deployment/EVIDENCE.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../core/errors";

export const evidenceKinds = ["build", "deploy"] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

/** Environment variable that makes every command of one CI run write under the same stamp. */
export const stampVariable = "ODOO_PLATFORM_EVIDENCE_STAMP";

const stampFormat = /^\d{8}T\d{6}Z$/;

/** `20261124T153012Z`: sortable, filesystem-safe UTC time. */
export function evidenceStamp(date = new Date()): string {
    return date
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}Z$/, "Z");
}

export function resolveStamp(given: string | undefined, env: Record<string, string | undefined> = process.env): string {
    const stamp = given ?? env[stampVariable] ?? evidenceStamp();
    if (!stampFormat.test(stamp))
        throw new InvalidInputError(`evidence stamp must look like 20261124T153012Z (UTC, from \`date -u +%Y%m%dT%H%M%SZ\`), got "${stamp}"`);
    return stamp;
}

/** One file of a bundle: copied from `source`, or written from `content`. */
export interface EvidenceFile {
    /** Path inside the kind directory, e.g. `logs/deploy.log`. */
    name: string;
    source?: string;
    content?: string;
}

export interface EvidenceBundle {
    /** Absolute directory `<root>/<stamp>/<kind>`. */
    dir: string;
    /** What the row's evidence_uri says. */
    uri: string;
    files: EvidenceFile[];
}

export interface BundleOptions {
    root: string;
    stamp: string;
    kind: EvidenceKind;
    /** Overrides the evidence_uri (e.g. where CI uploads the directory). */
    uri?: string;
    files?: EvidenceFile[];
    cwd?: string;
}

/** Validates a bundle before anything is written: sources readable, targets free. */
export function planBundle(options: BundleOptions): EvidenceBundle {
    const cwd = options.cwd ?? process.cwd();
    const dir = path.resolve(cwd, options.root, options.stamp, options.kind);
    const files = options.files ?? [];
    for (const file of files) {
        if (file.source !== undefined) {
            let stat: fs.Stats;
            try {
                stat = fs.statSync(file.source);
            } catch {
                throw new InvalidInputError(`log file ${file.source} does not exist: give the path of the log to keep as evidence`);
            }
            if (!stat.isFile()) throw new InvalidInputError(`log file ${file.source} is not a regular file`);
        }
        assertFree(path.join(dir, file.name));
    }
    const relative = path.relative(cwd, dir);
    return { dir, uri: options.uri ?? (relative.startsWith("..") ? dir : relative), files };
}

function assertFree(target: string): void {
    if (fs.existsSync(target)) {
        throw new InvalidInputError(`evidence file ${target} already exists: evidence is never overwritten (use another --stamp or --evidence-dir)`);
    }
}

/**
 * Writes the bundle plus late files (the record with its id). Returns an undo that removes what
 * was written, for when the database transaction does not commit.
 */
export function writeBundle(bundle: EvidenceBundle, late: EvidenceFile[] = []): { written: string[]; undo: () => void } {
    const written: string[] = [];
    const undo = () => {
        for (const file of written.reverse()) fs.rmSync(file, { force: true });
    };
    try {
        for (const file of [...bundle.files, ...late]) {
            const target = path.join(bundle.dir, file.name);
            assertFree(target);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            if (file.source !== undefined) fs.copyFileSync(file.source, target, fs.constants.COPYFILE_EXCL);
            else fs.writeFileSync(target, file.content ?? "", { flag: "wx" });
            written.push(target);
        }
    } catch (err) {
        undo();
        throw err;
    }
    return { written: [...written], undo };
}
