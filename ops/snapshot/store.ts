/**
 * Where snapshots live: a local directory or an S3 prefix (AWS, or any S3-compatible server given
 * by --s3-endpoint / ODOO_PLATFORM_S3_ENDPOINT / AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). Both
 * stores hash every byte they write or read, so checksums never need a second pass over S3.
 *
 * Large objects go up as S3 multipart uploads (@aws-sdk/lib-storage): parts of 8 MiB, 4 at a time.
 */
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InvalidInputError } from "../core/errors";
import { isS3Url, parseS3Url, s3Client, s3Endpoint, S3Options } from "../s3";
import { stripUrlCredentials } from "../core/secrets";

export type { S3Options } from "../s3";

export type SnapshotLocation = { kind: "dir"; path: string } | { kind: "s3"; bucket: string; prefix: string };

/** `s3://bucket/some/prefix` or a directory path. Pure. */
export function parseLocation(text: string | undefined, option: string): SnapshotLocation {
    if (!text) throw new InvalidInputError(`${option} is required: a directory or s3://bucket/prefix`);
    if (isS3Url(text)) {
        const { bucket, prefix } = parseS3Url(text, option, { requirePrefix: true });
        return { kind: "s3", bucket, prefix };
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new InvalidInputError(`${option} must be a directory or s3://bucket/prefix, got "${text}"`);
    return { kind: "dir", path: path.resolve(text) };
}

/**
 * Makes sure a directory location can hold files, before anything is read from production: creates
 * it (and its parents) and writes a probe file. Returns the topmost directory it created, which the
 * caller removes if the run fails (null when the directory already existed).
 */
export function prepareDirectory(dir: string, option: string): { created: string | null } {
    let created: string | null = null;
    try {
        const missing: string[] = [];
        let probe = path.resolve(dir);
        while (!fs.existsSync(probe)) {
            missing.unshift(probe);
            probe = path.dirname(probe);
        }
        // One level at a time: a recursive mkdir under /proc retries ENOENT for ever.
        for (const segment of missing) {
            fs.mkdirSync(segment);
            created ??= segment;
        }
        if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
        const file = path.join(dir, `.odoo-platform-probe-${process.pid}`);
        fs.writeFileSync(file, "probe", { flag: "wx" });
        fs.rmSync(file, { force: true });
    } catch (err) {
        if (created) fs.rmSync(created, { recursive: true, force: true });
        const code = (err as NodeJS.ErrnoException).code;
        throw new InvalidInputError(`${option} ${dir} cannot hold files (${code ?? (err as Error).message}): choose a writable directory`, { cause: err });
    }
    return { created };
}

export function describeLocation(loc: SnapshotLocation): string {
    return loc.kind === "dir" ? loc.path : `s3://${loc.bucket}/${loc.prefix}`;
}

/** The location that holds this one (where the `latest.json` pointer of its siblings lives). Pure. */
export function parentLocation(loc: SnapshotLocation): SnapshotLocation {
    if (loc.kind === "dir") return { kind: "dir", path: path.dirname(loc.path) };
    return { kind: "s3", bucket: loc.bucket, prefix: loc.prefix.includes("/") ? loc.prefix.slice(0, loc.prefix.lastIndexOf("/")) : "" };
}

/** A child location of `loc` (the snapshot a `latest.json` pointer names). Pure. */
export function childLocation(loc: SnapshotLocation, name: string): SnapshotLocation {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new InvalidInputError(`"${name}" is not a snapshot name (letters, digits, . _ -)`);
    if (loc.kind === "dir") return { kind: "dir", path: path.join(loc.path, name) };
    return { kind: "s3", bucket: loc.bucket, prefix: loc.prefix ? `${loc.prefix}/${name}` : name };
}

export const latestPointerName = "latest";
export const latestPointerFile = "latest.json";

export function lastSegment(loc: SnapshotLocation): string {
    return loc.kind === "dir" ? path.basename(loc.path) : loc.prefix.slice(loc.prefix.lastIndexOf("/") + 1);
}

export interface Written {
    size: number;
    sha256: string;
}

/** A pass-through that counts and hashes what flows through it. */
export function hashingStream(): Transform & { result: () => Written } {
    const hash = createHash("sha256");
    let size = 0;
    const stream = new Transform({
        transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
        },
    }) as Transform & { result: () => Written };
    let digest: string | undefined;
    stream.result = () => ({ size, sha256: (digest ??= hash.digest("hex")) });
    return stream;
}

export async function hashFile(file: string): Promise<Written> {
    const hasher = hashingStream();
    await pipeline(fs.createReadStream(file), hasher, new PassThrough().resume());
    return hasher.result();
}

export interface SnapshotStore {
    readonly location: SnapshotLocation;
    readonly display: string;
    /** Writes a stream to `rel`, returning its size and SHA-256. */
    put(rel: string, body: Readable): Promise<Written>;
    /** Stores a local file under `rel` (a no-op copy when it is already there), returning size and SHA-256. */
    putFile(rel: string, localFile: string): Promise<Written>;
    getText(rel: string): Promise<string | null>;
    putText(rel: string, text: string): Promise<void>;
    /** Copies `rel` to `localFile` (or, for a directory store, reads it in place), hashing it; null when missing. */
    fetch(rel: string, localFile: string): Promise<(Written & { localFile: string }) | null>;
    /** Whether the location already holds anything (a new snapshot needs an empty one). */
    isEmpty(): Promise<boolean>;
}

export class DirectoryStore implements SnapshotStore {
    readonly display: string;
    constructor(readonly location: SnapshotLocation & { kind: "dir" }) {
        this.display = location.path;
    }
    private abs(rel: string): string {
        return path.join(this.location.path, rel);
    }
    async put(rel: string, body: Readable): Promise<Written> {
        fs.mkdirSync(path.dirname(this.abs(rel)), { recursive: true });
        const hasher = hashingStream();
        await pipeline(body, hasher, fs.createWriteStream(this.abs(rel)));
        return hasher.result();
    }
    async putFile(rel: string, localFile: string): Promise<Written> {
        if (path.resolve(localFile) === this.abs(rel)) return hashFile(localFile);
        return this.put(rel, fs.createReadStream(localFile));
    }
    async getText(rel: string): Promise<string | null> {
        return fs.existsSync(this.abs(rel)) ? fs.readFileSync(this.abs(rel), "utf8") : null;
    }
    async putText(rel: string, text: string): Promise<void> {
        fs.mkdirSync(path.dirname(this.abs(rel)), { recursive: true });
        // Write then rename: a reader never sees half a manifest.
        const tmp = `${this.abs(rel)}.tmp-${process.pid}`;
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, this.abs(rel));
    }
    async fetch(rel: string): Promise<(Written & { localFile: string }) | null> {
        const file = this.abs(rel);
        if (!fs.existsSync(file)) return null;
        return { ...(await hashFile(file)), localFile: file };
    }
    async isEmpty(): Promise<boolean> {
        return !fs.existsSync(this.location.path) || fs.readdirSync(this.location.path).length === 0;
    }
}

const isNotFound = (err: unknown) => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
};

export class S3Store implements SnapshotStore {
    readonly display: string;
    constructor(
        readonly location: SnapshotLocation & { kind: "s3" },
        private readonly client: S3Client,
        private readonly partSize = 8 * 1024 * 1024,
    ) {
        if (partSize < 5 * 1024 * 1024) throw new InvalidInputError("S3 multipart parts must be at least 5 MiB");
        this.display = describeLocation(location);
    }
    private key(rel: string): string {
        return this.location.prefix ? `${this.location.prefix}/${rel}` : rel;
    }
    async put(rel: string, body: Readable): Promise<Written> {
        const hasher = hashingStream();
        const upload = new Upload({
            client: this.client,
            params: { Bucket: this.location.bucket, Key: this.key(rel), Body: body.pipe(hasher) },
            partSize: this.partSize,
            queueSize: 4,
            leavePartsOnError: false,
        });
        body.on("error", (err) => hasher.destroy(err));
        await upload.done();
        return hasher.result();
    }
    putFile(rel: string, localFile: string): Promise<Written> {
        return this.put(rel, fs.createReadStream(localFile));
    }
    async getText(rel: string): Promise<string | null> {
        try {
            const res = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(rel) }));
            return (await res.Body?.transformToString("utf8")) ?? null;
        } catch (err) {
            if (isNotFound(err)) return null;
            throw err;
        }
    }
    async putText(rel: string, text: string): Promise<void> {
        await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(rel), Body: text, ContentType: "application/json" }));
    }
    async fetch(rel: string, localFile: string): Promise<(Written & { localFile: string }) | null> {
        let res;
        try {
            res = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(rel) }));
        } catch (err) {
            if (isNotFound(err)) return null;
            throw err;
        }
        fs.mkdirSync(path.dirname(localFile), { recursive: true });
        const hasher = hashingStream();
        await pipeline(res.Body as Readable, hasher, fs.createWriteStream(localFile));
        return { ...hasher.result(), localFile };
    }
    async isEmpty(): Promise<boolean> {
        try {
            await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.key("manifest.json") }));
            return false;
        } catch (err) {
            if (isNotFound(err)) return true;
            throw err;
        }
    }
}

/**
 * Before production is read: an S3 location's bucket exists and these credentials may use it
 * (HeadBucket). A missing bucket is otherwise only noticed at the first upload, because a HEAD of a
 * key in a missing bucket answers 404 like an empty prefix does. Directories are checked by
 * `prepareDirectory`.
 */
export async function assertS3Reachable(loc: SnapshotLocation, s3: S3Options, option: string): Promise<void> {
    if (loc.kind !== "s3") return;
    const endpoint = s3.client ? undefined : s3Endpoint(s3);
    const client = s3.client ?? s3Client(s3);
    const where = endpoint ? stripUrlCredentials(endpoint) : "AWS S3";
    const display = describeLocation(loc);
    try {
        await client.send(new HeadBucketCommand({ Bucket: loc.bucket }));
    } catch (err) {
        const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
        const status = e.$metadata?.httpStatusCode;
        let problem: string;
        if (status === 404 || e.name === "NotFound" || e.name === "NoSuchBucket")
            problem = `bucket "${loc.bucket}" does not exist at ${where}: create it, or correct the bucket name or --s3-endpoint`;
        else if (status === 401 || status === 403)
            problem = `access to bucket "${loc.bucket}" at ${where} was denied (HTTP ${status}): check the credentials (AWS_ACCESS_KEY_ID / AWS_PROFILE) and the bucket policy`;
        else if (status === 301) problem = `bucket "${loc.bucket}" is in another region: set AWS_REGION to the bucket's region`;
        else if (e.name === "CredentialsProviderError") problem = "no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE";
        else problem = `${where} cannot be reached (${e.code ?? e.name ?? (err as Error).message}): check --s3-endpoint and the network`;
        throw new InvalidInputError(`${option} ${display}: ${problem}; nothing was read or written`, { cause: err });
    } finally {
        if (!s3.client) client.destroy();
    }
}

export function openStore(loc: SnapshotLocation, s3: S3Options = {}): SnapshotStore {
    return loc.kind === "dir" ? new DirectoryStore(loc) : new S3Store(loc, s3.client ?? s3Client(s3), s3.partSize);
}
