/** `s3://bucket/prefix` URLs: one parser for every option that takes one. Pure. */
import { InvalidInputError } from "../core/errors";

export interface S3Location {
    bucket: string;
    /** Key prefix without leading or trailing slash ("" for the bucket root). */
    prefix: string;
    /** The URL as given. */
    url: string;
}

/** S3's bucket naming rule (3–63 lower-case letters, digits, dots and dashes). */
const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Url(text: string): boolean {
    return text.startsWith("s3://");
}

/**
 * Parses `s3://bucket/some/prefix`, naming `option` in every error. `requirePrefix` refuses the bucket
 * root (a snapshot must not be written over a whole bucket).
 */
export function parseS3Url(url: string, option: string, opts: { requirePrefix?: boolean } = {}): S3Location {
    const match = /^s3:\/\/([^/]*)\/?(.*?)\/*$/.exec(url);
    if (!match) throw new InvalidInputError(`${option} must be an S3 URL such as s3://my-bucket/evidence (got "${url}")`);
    if (!bucketName.test(match[1])) {
        throw new InvalidInputError(`${option}: "${match[1]}" is not an S3 bucket name (3–63 lower-case letters, digits, dots, dashes)`);
    }
    const prefix = match[2].replace(/^\/+/, "");
    if (opts.requirePrefix && !prefix) throw new InvalidInputError(`${option} must be s3://<bucket>/<prefix> with a non-empty prefix, got "${url}"`);
    return { bucket: match[1], prefix, url };
}
