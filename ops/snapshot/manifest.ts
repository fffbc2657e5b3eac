/**
 * The snapshot manifest: what a snapshot holds and how to check it. Written last, so a snapshot
 * without a manifest is an unfinished one and is refused. Every file is listed with its size and
 * SHA-256; restore checks all of them before it changes anything.
 *
 * Layout of a snapshot (a directory, or the same keys under an S3 prefix):
 *   manifest.json
 *   db/…                     pg_dump directory format (toc.dat + one file per table's data)
 *   data/<schema>.<table>.copy.gz   sanitized snapshots: the transformed rows of the tables whose
 *                                   data pg_dump left out (COPY text, gzip)
 *   filestore.tar            the Odoo filestore of the database, when one was given
 */
import { z } from "zod";
import { isSeedFingerprint } from "../core/secrets";

export const manifestFileName = "manifest.json";
export const manifestFormat = 1;

/**
 * A path inside the snapshot: relative, normalized, one level under db/ or data/ (or filestore.tar).
 * A file name starts with a letter or digit, so "..", "." and hidden files cannot be named, and it
 * holds no "/" or "\\": nothing a manifest names can be outside the snapshot.
 */
const fileName = "[A-Za-z0-9][A-Za-z0-9._-]*";
export const snapshotPathFormat = new RegExp(`^(db|data)/${fileName}$|^filestore\\.tar$`);
const dataPathFormat = new RegExp(`^data/${fileName}$`);

const fileEntry = z.object({
    path: z.string().regex(snapshotPathFormat, "must be db/<file>, data/<file> or filestore.tar (relative, inside the snapshot)"),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex characters"),
});

const copyEntry = z.object({
    schema: z.string().min(1),
    name: z.string().min(1),
    /** Columns in COPY order. */
    columns: z.array(z.string().min(1)).min(1),
    transformed: z.array(z.string()),
    rows: z.number().int().nonnegative(),
    /** Path of the data file (one of the checksummed files), or null for an empty table. */
    path: z.string().regex(dataPathFormat, "must be data/<file> (relative, inside the snapshot)").nullable(),
});

export const snapshotManifestSchema = z.object({
    format: z.literal(manifestFormat),
    id: z.string().min(1),
    createdAt: z.string().min(1),
    durationSeconds: z.number().nonnegative(),
    source: z.object({
        /** URL with the password redacted. */
        url: z.string(),
        database: z.string(),
        serverVersion: z.string(),
        encoding: z.string(),
        collate: z.string(),
        ctype: z.string(),
    }),
    odoo: z.object({ version: z.string().nullable(), series: z.string().nullable() }),
    pgDump: z.object({ version: z.string(), major: z.number().int(), format: z.literal("directory"), jobs: z.number().int().positive() }),
    sanitized: z.boolean(),
    sanitize: z
        .object({
            /**
             * Never the seed itself (it would unlock the original amounts): a slow, salted
             * fingerprint (ops/core/secrets.ts); snapshots written before it carry 12 hex digits.
             */
            seedFingerprint: z.string().refine((v) => /^[0-9a-f]{12}$/.test(v) || isSeedFingerprint(v), "must be a seed fingerprint"),
            strict: z.boolean(),
            /** Amounts were scaled (recorded on the restored database so they are never scaled twice). */
            financial: z.boolean(),
            tables: z.array(copyEntry),
            skipped: z.array(z.object({ table: z.string(), column: z.string().optional() })),
        })
        .nullable(),
    filestore: z.object({ path: z.literal("filestore.tar"), files: z.number().int().nonnegative() }).nullable(),
    files: z.array(fileEntry).min(1, "must list at least the dump's toc.dat"),
});

export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;
export type SnapshotFile = z.infer<typeof fileEntry>;
export type SnapshotCopyEntry = z.infer<typeof copyEntry>;

/** Parses and validates a manifest; the error names the first problems and the location. */
export function parseManifest(text: string, where: string): SnapshotManifest {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (err) {
        throw new Error(`${where}/${manifestFileName} is not valid JSON (${(err as Error).message}): the snapshot is damaged or unfinished`);
    }
    // Name the offending path itself: it is what an operator looks for in the file.
    const named = json as { files?: { path?: unknown }[]; sanitize?: { tables?: { path?: unknown }[] } | null };
    for (const p of [
        ...(Array.isArray(named?.files) ? named.files : []).map((f) => f?.path),
        ...(Array.isArray(named?.sanitize?.tables) ? named.sanitize.tables : []).map((t) => t?.path),
    ]) {
        if (typeof p === "string" && !snapshotPathFormat.test(p)) {
            throw new Error(`${where}/${manifestFileName} names "${p}", which is not a file inside the snapshot (db/<file>, data/<file> or filestore.tar)`);
        }
    }
    const parsed = snapshotManifestSchema.safeParse(json);
    if (!parsed.success) {
        const problems = parsed.error.issues
            .slice(0, 5)
            .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
            .join("; ");
        throw new Error(`${where}/${manifestFileName} is not a snapshot manifest of format ${manifestFormat}: ${problems}`);
    }
    const seen = new Set<string>();
    for (const f of parsed.data.files) {
        if (seen.has(f.path)) throw new Error(`${where}/${manifestFileName} lists ${f.path} twice`);
        seen.add(f.path);
    }
    if (!seen.has("db/toc.dat")) throw new Error(`${where}/${manifestFileName} does not list db/toc.dat: not a pg_dump directory snapshot`);
    // Closed set: every file restore will read is one whose checksum is checked.
    for (const t of parsed.data.sanitize?.tables ?? []) {
        if (t.path && !seen.has(t.path))
            throw new Error(`${where}/${manifestFileName}: the data of ${t.schema}.${t.name} (${t.path}) is not in the manifest's checksummed files`);
    }
    if (parsed.data.filestore && !seen.has(parsed.data.filestore.path))
        throw new Error(`${where}/${manifestFileName}: ${parsed.data.filestore.path} is not in the manifest's checksummed files`);
    if (parsed.data.sanitized !== (parsed.data.sanitize !== null)) throw new Error(`${where}/${manifestFileName}: "sanitized" and "sanitize" disagree`);
    return parsed.data;
}

/** Snapshot id: `<database>-<UTC stamp>`, safe as a directory name and an S3 key segment. */
export function snapshotId(database: string, date: Date): string {
    const stamp = date
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
    return `${database.replace(/[^A-Za-z0-9._-]+/g, "-")}-${stamp}`;
}

/** File name of a transformed table's data (the index keeps odd names that fold alike apart). */
export function copyFileName(index: number, schema: string, name: string): string {
    return `data/${index}-${`${schema}.${name}`.replace(/[^A-Za-z0-9._-]+/g, "_")}.copy.gz`;
}

export interface IntegrityProblem {
    path: string;
    problem: "missing" | "truncated" | "size" | "checksum" | "not-regular" | "unlisted";
    detail: string;
}

/** Compares what was read with what the manifest promises. Pure. */
export function checkFile(expected: SnapshotFile, actual: { size: number; sha256: string } | null): IntegrityProblem | null {
    if (!actual) return { path: expected.path, problem: "missing", detail: `${expected.path} is missing` };
    if (actual.size < expected.size) {
        return { path: expected.path, problem: "truncated", detail: `${expected.path} is truncated: ${actual.size} of ${expected.size} bytes` };
    }
    if (actual.size !== expected.size) {
        return { path: expected.path, problem: "size", detail: `${expected.path} has ${actual.size} bytes, the manifest says ${expected.size}` };
    }
    if (actual.sha256 !== expected.sha256) {
        return {
            path: expected.path,
            problem: "checksum",
            detail: `${expected.path} is corrupted: SHA-256 ${actual.sha256.slice(0, 16)}…, the manifest says ${expected.sha256.slice(0, 16)}…`,
        };
    }
    return null;
}
