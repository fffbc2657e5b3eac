/**
 * The S3 bucket that holds production backups and sanitized staging snapshots (the layout written
 * by `odoo-platform snapshot create`, see ops/snapshot/manifest.ts):
 * - encrypted at rest (SSE-KMS with the given key, else SSE-S3 AES256), ACLs disabled
 *   (BucketOwnerEnforced), versioned, all four public-access blocks on;
 * - a bucket policy that refuses any request not made over TLS 1.2+;
 * - lifecycle rules from components/snapshotRetention.ts: production backups kept 7 daily /
 *   4 weekly / 3 monthly as Odoo.sh does, staging snapshots and promotion backups expiring,
 *   old versions and abandoned multipart uploads cleaned up;
 * - IAM policy documents (and managed policies) for the one writer (the production snapshot job:
 *   may write, never delete) and the readers (staging restores: sanitized `staging/` only).
 *
 * Resources: https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucket/ and its
 * BucketServerSideEncryptionConfiguration, BucketVersioning, BucketPublicAccessBlock, BucketPolicy,
 * BucketOwnershipControls and BucketLifecycleConfiguration companions.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DataRetention } from "./retention";
import { RetentionOptions, retentionRules, stagingPrefix } from "./snapshotRetention";

export interface SnapshotBucketArgs {
    bucketName: string;
    tags: Record<string, string>;
    /** Turn on all four public-access blocks (default true; the security policy requires it). */
    blockPublicAccess?: boolean;
    /** SSE-KMS with this key (ARN); SSE-S3 AES256 when unset. */
    kmsKeyId?: pulumi.Input<string>;
    retention?: RetentionOptions;
    /** How the bucket is kept (components/retention.ts): it holds every backup. */
    keep?: DataRetention;
}

export class SnapshotBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly writerPolicyArn: pulumi.Output<string>;
    public readonly readerPolicyArn: pulumi.Output<string>;
    /** The policy documents themselves (JSON), for roles defined outside this stack. */
    public readonly writerPolicyDocument: pulumi.Output<string>;
    public readonly readerPolicyDocument: pulumi.Output<string>;

    constructor(name: string, args: SnapshotBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): refused args (a bucket name, a retention) register nothing.
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName ?? "")) {
            throw new Error(
                `SnapshotBucket: args.bucketName must be an S3 bucket name (3–63 lower-case letters, digits, dots, dashes), got "${args.bucketName}"`,
            );
        }
        const rules = lifecycleRules(args.retention);
        super("odoo-platform:data:SnapshotBucket", name, {}, opts);
        const child = { parent: this };
        const block = args.blockPublicAccess ?? true;

        const bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, forceDestroy: false, tags: args.tags }, { ...child, ...args.keep });
        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            {
                bucket: bucket.id,
                rule: { objectOwnership: "BucketOwnerEnforced" },
            },
            child,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: args.kmsKeyId
                            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyId }
                            : { sseAlgorithm: "AES256" },
                        bucketKeyEnabled: !!args.kmsKeyId,
                    },
                ],
            },
            child,
        );
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: block,
                blockPublicPolicy: block,
                ignorePublicAcls: block,
                restrictPublicBuckets: block,
            },
            { ...child, dependsOn: [ownership] },
        );
        new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            {
                bucket: bucket.id,
                policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyPolicy(arn))),
            },
            { ...child, dependsOn: [publicAccess] },
        );
        // Noncurrent-version rules only mean something once versioning is on.
        new aws.s3.BucketLifecycleConfiguration(`${name}-retention`, { bucket: bucket.id, rules }, { ...child, dependsOn: [versioning] });

        const kmsKeyArn = args.kmsKeyId ? pulumi.output(args.kmsKeyId) : pulumi.output(undefined);
        this.writerPolicyDocument = pulumi.all([bucket.arn, kmsKeyArn]).apply(([arn, key]) => JSON.stringify(writerPolicy(arn, { kmsKeyArn: key })));
        this.readerPolicyDocument = pulumi.all([bucket.arn, kmsKeyArn]).apply(([arn, key]) => JSON.stringify(readerPolicy(arn, { kmsKeyArn: key })));
        const writer = new aws.iam.Policy(
            `${name}-writer`,
            {
                description: `Write production backups and sanitized staging snapshots to ${args.bucketName} (no delete)`,
                policy: this.writerPolicyDocument,
                tags: args.tags,
            },
            child,
        );
        const reader = new aws.iam.Policy(
            `${name}-reader`,
            {
                description: `Read sanitized staging snapshots from ${args.bucketName}/${stagingPrefix}`,
                policy: this.readerPolicyDocument,
                tags: args.tags,
            },
            child,
        );

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.writerPolicyArn = writer.arn;
        this.readerPolicyArn = reader.arn;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            writerPolicyArn: this.writerPolicyArn,
            readerPolicyArn: this.readerPolicyArn,
            writerPolicyDocument: this.writerPolicyDocument,
            readerPolicyDocument: this.readerPolicyDocument,
        });
    }
}

/** The lifecycle rules of the bucket, from the retention table. Pure. */
export function lifecycleRules(opts: RetentionOptions = {}): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    const noncurrentDays = opts.noncurrentVersionDays ?? 7;
    return [
        ...retentionRules(opts).map((rule) => ({
            id: rule.id,
            status: "Enabled",
            filter: { prefix: rule.prefix },
            expiration: { days: rule.expireAfterDays },
            // An expired (or overwritten) object stays recoverable as a noncurrent version this long.
            noncurrentVersionExpiration: { noncurrentDays },
        })),
        { id: "abort-incomplete-uploads", status: "Enabled", filter: { prefix: "" }, abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } },
        { id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } },
    ];
}

interface Statement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export function tlsOnlyPolicy(bucketArn: string): { Version: string; Statement: Statement[] } {
    const resources = [bucketArn, `${bucketArn}/*`];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: resources,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyOutdatedTls",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: resources,
                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
            },
        ],
    };
}

const kmsStatement = (actions: string[], kmsKeyArn?: string): Statement[] =>
    kmsKeyArn ? [{ Sid: "UseSnapshotKey", Effect: "Allow", Action: actions, Resource: [kmsKeyArn] }] : [];

/**
 * The production snapshot job: writes backups and sanitized snapshots, checks for existing ones,
 * and may abort its own multipart uploads — but never deletes (expiry is the lifecycle's job, so a
 * leaked writer key cannot wipe the backups).
 */
export function writerPolicy(bucketArn: string, opts: { kmsKeyArn?: string } = {}): { Version: string; Statement: Statement[] } {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "List", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: [bucketArn] },
            {
                Sid: "Write",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: [`${bucketArn}/production/*`, `${bucketArn}/${stagingPrefix}*`],
            },
            ...kmsStatement(["kms:GenerateDataKey", "kms:Decrypt"], opts.kmsKeyArn),
        ],
    };
}

/** Staging (and PR) restores: read sanitized snapshots under `staging/`, nothing else. */
export function readerPolicy(bucketArn: string, opts: { kmsKeyArn?: string } = {}): { Version: string; Statement: Statement[] } {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListStaging",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [bucketArn],
                Condition: { StringLike: { "s3:prefix": [`${stagingPrefix}*`] } },
            },
            { Sid: "ReadStaging", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucketArn}/${stagingPrefix}*`] },
            ...kmsStatement(["kms:Decrypt"], opts.kmsKeyArn),
        ],
    };
}
