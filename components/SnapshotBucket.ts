/**
 * The S3 bucket that holds production snapshots: encrypted at rest, versioned, every public-access
 * block on, TLS-only, lifecycle rules for backup retention, plus IAM policies for the one writer
 * (the production snapshot job) and the readers (staging restores: sanitized snapshots only).
 *
 * Resources: https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucket/ and its
 * BucketServerSideEncryptionConfiguration, BucketVersioning, BucketPublicAccessBlock, BucketPolicy,
 * BucketLifecycleConfiguration companions.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RetentionOptions, retentionRules } from "./snapshotRetention";

export interface SnapshotBucketArgs {
    bucketName: string;
    tags: Record<string, string>;
    /** Turn on all four public-access blocks (default true; the security policy requires it). */
    blockPublicAccess?: boolean;
    /** SSE-KMS with this key; AES256 when unset. */
    kmsKeyId?: pulumi.Input<string>;
    retention?: RetentionOptions;
}

export class SnapshotBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly writerPolicyArn: pulumi.Output<string>;
    public readonly readerPolicyArn: pulumi.Output<string>;

    constructor(name: string, args: SnapshotBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:data:SnapshotBucket", name, {}, opts);
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName ?? "")) {
            throw new Error(`SnapshotBucket: args.bucketName must be an S3 bucket name (3–63 lower-case letters, digits, dots, dashes), got "${args.bucketName}"`);
        }
        const child = { parent: this };
        const block = args.blockPublicAccess ?? true;

        const bucket = new aws.s3.Bucket(`${name}`, { bucket: args.bucketName, forceDestroy: false, tags: args.tags }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.id,
            rules: [{
                applyServerSideEncryptionByDefault: args.kmsKeyId
                    ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyId }
                    : { sseAlgorithm: "AES256" },
                bucketKeyEnabled: !!args.kmsKeyId,
            }],
        }, child);
        new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.id,
            blockPublicAcls: block,
            blockPublicPolicy: block,
            ignorePublicAcls: block,
            restrictPublicBuckets: block,
        }, child);
        new aws.s3.BucketPolicy(`${name}-tls-only`, {
            bucket: bucket.id,
            policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyPolicy(arn))),
        }, { ...child, dependsOn: [publicAccess] });
        new aws.s3.BucketLifecycleConfiguration(`${name}-retention`, {
            bucket: bucket.id,
            rules: [
                ...retentionRules(args.retention).map((rule) => ({
                    id: rule.id,
                    status: "Enabled",
                    filter: { prefix: rule.prefix },
                    expiration: { days: rule.expireAfterDays },
                    noncurrentVersionExpiration: { noncurrentDays: 7 },
                })),
                { id: "abort-incomplete-uploads", status: "Enabled", filter: { prefix: "" }, abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } },
            ],
        }, child);

        const writer = new aws.iam.Policy(`${name}-writer`, {
            description: `Write production snapshots to ${args.bucketName}`,
            policy: bucket.arn.apply((arn) => JSON.stringify(writerPolicy(arn))),
            tags: args.tags,
        }, child);
        const reader = new aws.iam.Policy(`${name}-reader`, {
            description: `Read snapshots from ${args.bucketName} (staging restores: sanitized snapshots only)`,
            policy: bucket.arn.apply((arn) => JSON.stringify(readerPolicy(arn))),
            tags: args.tags,
        }, child);

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.writerPolicyArn = writer.arn;
        this.readerPolicyArn = reader.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, writerPolicyArn: this.writerPolicyArn, readerPolicyArn: this.readerPolicyArn });
    }
}

export function tlsOnlyPolicy(bucketArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
    };
}

export function writerPolicy(bucketArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "List", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
            { Sid: "Write", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"], Resource: [`${bucketArn}/*`] },
        ],
    };
}

export function readerPolicy(bucketArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "List", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
            { Sid: "Read", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucketArn}/staging/*`] },
        ],
    };
}
