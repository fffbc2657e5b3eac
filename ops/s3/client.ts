/**
 * The one S3 client factory: AWS, or an S3-compatible server (MinIO, Supabase Storage, Cloudflare R2)
 * given by --s3-endpoint / ODOO_PLATFORM_S3_ENDPOINT / AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, with
 * path-style addressing, which every such server accepts.
 */
import { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { InvalidInputError } from "../core/errors";
import { stripUrlCredentials } from "../core/secrets";

export interface S3Options {
    /** Endpoint of an S3-compatible server (path-style addressing is used with it). */
    endpoint?: string;
    region?: string;
    /** Multipart part size in bytes (S3's minimum is 5 MiB; default 8 MiB). */
    partSize?: number;
    /** A ready client (tests observe the requests it sends). */
    client?: S3Client;
}

/** The endpoint variables read when no --s3-endpoint is given, in order. */
export const s3EndpointVariables = ["ODOO_PLATFORM_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"] as const;

/** The S3-compatible endpoint in use (option, then the variables), checked: the SDK would only fail on it at the first request. */
export function s3Endpoint(opts: S3Options = {}, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const sources: [string | undefined, string][] = [
        [opts.endpoint, "--s3-endpoint"],
        ...s3EndpointVariables.map((name): [string | undefined, string] => [env[name], name]),
    ];
    const [endpoint, from] = sources.find(([value]) => value) ?? [undefined, ""];
    if (endpoint === undefined) return undefined;
    let url: URL | undefined;
    try {
        url = new URL(endpoint);
    } catch {
        url = undefined;
    }
    if (!url || !["http:", "https:"].includes(url.protocol))
        throw new InvalidInputError(`${from} must be an http(s) URL such as https://s3.example.com (got "${stripUrlCredentials(endpoint)}")`);
    return endpoint;
}

/** The region: option, then AWS_REGION / AWS_DEFAULT_REGION, else us-east-1 (what S3-compatible servers expect). */
export function s3Region(opts: S3Options = {}, env: NodeJS.ProcessEnv = process.env): string {
    return opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
}

/** An S3 client for AWS or, with an endpoint, an S3-compatible server. */
export function s3Client(opts: S3Options = {}): S3Client {
    if (opts.client) return opts.client;
    const endpoint = s3Endpoint(opts);
    const config: S3ClientConfig = { region: s3Region(opts) };
    if (endpoint) {
        config.endpoint = endpoint;
        config.forcePathStyle = true;
    }
    return new S3Client(config);
}
