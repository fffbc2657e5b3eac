import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lifecycleRules, readerPolicy, SnapshotBucket, SnapshotBucketArgs, tlsOnlyPolicy, writerPolicy } from "../../components/SnapshotBucket";
import { backupTier, retentionRules } from "../../components/snapshotRetention";
import { planStack, PlanResult } from "../../plan/plan";
import { buildUnderMocks, failureOf } from "../support/component";
import { one as oneNamed } from "../support/plan";

const env = { ...process.env, ODOO_PLATFORM_GIT_SHA: "abcdef1" };
const byType = (plan: PlanResult, type: string) => plan.recorded.filter((r) => r.type === type);
const one = (plan: PlanResult, type: string) => {
    const found = byType(plan, type);
    assert.equal(found.length, 1, `exactly one ${type}`);
    return found[0];
};

describe("SnapshotBucket", function () {
    this.timeout(60000);

    describe("in the production plan", () => {
        let plan: PlanResult;
        before(async () => {
            plan = await planStack({ stack: "production", env });
            assert.deepEqual(plan.errors, []);
        });

        it("encrypts at rest (AES256 by default), versions objects and disables ACLs", () => {
            const sse = one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs as any;
            assert.deepEqual(sse.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "AES256" });
            const versioning = one(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs as any;
            assert.equal(versioning.versioningConfiguration.status, "Enabled");
            const ownership = one(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs as any;
            assert.equal(ownership.rule.objectOwnership, "BucketOwnerEnforced");
            const bucket = one(plan, "aws:s3/bucket:Bucket").inputs as any;
            assert.equal(bucket.bucket, "insightpulseai-odoo-snapshots");
            assert.equal(bucket.forceDestroy, false);
        });

        it("turns on all four public-access blocks and denies any request without TLS 1.2", () => {
            const block = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs as any;
            for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(block[flag], true, flag);
            const policy = JSON.parse((one(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs as any).policy);
            const insecure = policy.Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
            assert.equal(insecure.Effect, "Deny");
            assert.deepEqual(insecure.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.deepEqual(insecure.Resource, ["arn:aws:s3:::insightpulseai-odoo-snapshots", "arn:aws:s3:::insightpulseai-odoo-snapshots/*"]);
            const bucketPolicy = byType(plan, "aws:s3/bucketPolicy:BucketPolicy")[0];
            const publicAccess = byType(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0];
            assert.ok(bucketPolicy.dependencies.includes(publicAccess.urn), "the policy waits for the public-access block");
        });

        it("keeps production backups 7 daily / 4 weekly / 3 monthly and expires staging snapshots", () => {
            const rules = (one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs as any).rules as any[];
            const days = Object.fromEntries(rules.filter((r) => r.expiration?.days).map((r) => [r.filter.prefix, r.expiration.days]));
            assert.deepEqual(days, {
                "production/daily/": 8,
                "production/weekly/": 29,
                "production/monthly/": 94,
                "production/promotion/": 14,
                "staging/": 30,
                "evidence/": 60,
            });
            assert.ok(rules.every((r) => r.status === "Enabled"));
            assert.equal(rules.find((r) => r.id === "abort-incomplete-uploads").abortIncompleteMultipartUpload.daysAfterInitiation, 2);
            assert.equal(rules.find((r) => r.id === "remove-expired-delete-markers").expiration.expiredObjectDeleteMarker, true);
        });

        it("publishes writer and reader policies: the writer cannot delete, the reader sees only staging/", () => {
            const policies = byType(plan, "aws:iam/policy:Policy").map((p) => ({ name: p.name, doc: JSON.parse((p.inputs as any).policy) }));
            const writer = policies.find((p) => p.name === "snapshots-writer")!.doc;
            const reader = policies.find((p) => p.name === "snapshots-reader")!.doc;
            const actions = (doc: any) => doc.Statement.flatMap((s: any) => s.Action);
            assert.ok(actions(writer).includes("s3:PutObject"));
            assert.ok(!actions(writer).some((a: string) => /Delete/.test(a)), "no delete for the writer");
            assert.deepEqual(reader.Statement.find((s: any) => s.Sid === "ReadStaging").Resource, ["arn:aws:s3:::insightpulseai-odoo-snapshots/staging/*"]);
            assert.ok(!JSON.stringify(reader).includes("production/"));
        });
    });

    it("takes KMS encryption and retention from the stack configuration", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-plan-"));
        const file = path.join(dir, "Pulumi.production.yaml");
        const key = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab";
        fs.writeFileSync(
            file,
            fs.readFileSync(path.resolve(__dirname, "../../Pulumi.production.yaml"), "utf8") +
                `  odoo-platform:snapshotKmsKeyId: ${key}\n  odoo-platform:snapshotKeepDaily: 14\n  odoo-platform:stagingSnapshotDays: 90\n`,
        );
        const plan = await planStack({ stack: "production", configFile: file, env });
        assert.deepEqual(plan.errors, []);
        const sse = one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs as any;
        assert.deepEqual(sse.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: key });
        assert.equal(sse.rules[0].bucketKeyEnabled, true);
        const rules = (one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs as any).rules as any[];
        assert.equal(rules.find((r) => r.id === "production-daily").expiration.days, 15);
        assert.equal(rules.find((r) => r.id === "staging-snapshots").expiration.days, 90);
        const reader = JSON.parse((byType(plan, "aws:iam/policy:Policy").find((p) => p.name === "snapshots-reader")!.inputs as any).policy);
        assert.deepEqual(
            reader.Statement.find((s: any) => s.Sid === "UseSnapshotKey"),
            { Sid: "UseSnapshotKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key] },
        );
    });

    it("gives staging its own bucket, apart from production's backups", async () => {
        const plan = await planStack({ stack: "staging", env });
        const bucket = one(plan, "aws:s3/bucket:Bucket").inputs as any;
        assert.equal(bucket.bucket, "insightpulseai-odoo-staging-snapshots");
        const block = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs as any;
        assert.equal(block.restrictPublicBuckets, true);
    });

    it("has retention and policy helpers that refuse nonsense and keep their shape", () => {
        assert.throws(() => retentionRules({ dailyKeep: 0 }), /retention.dailyKeep must be a whole number of at least 1/);
        assert.deepEqual(lifecycleRules({ noncurrentVersionDays: 3 })[0].noncurrentVersionExpiration, { noncurrentDays: 3 });
        assert.equal(backupTier(new Date("2026-02-01T02:00:00Z")), "monthly");
        assert.equal(backupTier(new Date("2026-02-08T02:00:00Z")), "weekly");
        assert.equal(backupTier(new Date("2026-02-09T02:00:00Z")), "daily");
        assert.equal(tlsOnlyPolicy("arn:aws:s3:::b").Statement.length, 2);
        assert.equal(
            writerPolicy("arn:aws:s3:::b").Statement.some((s) => s.Sid === "UseSnapshotKey"),
            false,
        );
        assert.deepEqual(readerPolicy("arn:aws:s3:::b").Statement[0].Condition, { StringLike: { "s3:prefix": ["staging/*"] } });
    });
});

describe("SnapshotBucket from its own args", function () {
    this.timeout(60_000);
    const args = (over: Partial<SnapshotBucketArgs> = {}): SnapshotBucketArgs => ({
        bucketName: "example-snapshots",
        tags: { "odoo-platform.stack": "production" },
        ...over,
    });
    const build = (a: SnapshotBucketArgs) =>
        buildUnderMocks(
            () => new SnapshotBucket("snapshots", a),
            (b) => ({ bucketName: b.bucketName, writer: b.writerPolicyDocument, reader: b.readerPolicyDocument }),
        );
    const s3 = (kind: string) => `aws:s3/${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`;
    const statementIds = (policy: unknown) => (JSON.parse(String(policy)) as { Statement: { Sid: string }[] }).Statement.map((st) => st.Sid);

    it("by default: SSE-S3, every public-access block on, TLS-only policy after the block, lifecycle after versioning, kept by `keep`", async () => {
        const built = await build(args({ keep: { protect: true, retainOnDelete: true } }));
        const bucket = oneNamed(built, s3("Bucket"), "snapshots");
        assert.deepEqual(
            [bucket.inputs.bucket, bucket.inputs.forceDestroy, bucket.inputs.tags],
            ["example-snapshots", false, { "odoo-platform.stack": "production" }],
        );
        const options = built.recorded.find((r) => r.name === "snapshots" && r.custom)!.options;
        assert.deepEqual([options.protect, options.retainOnDelete], [true, true]);
        const sse = oneNamed(built, s3("BucketServerSideEncryptionConfiguration"), "snapshots-encryption").inputs.rules[0];
        assert.deepEqual([sse.applyServerSideEncryptionByDefault, sse.bucketKeyEnabled], [{ sseAlgorithm: "AES256" }, false]);
        const block = oneNamed(built, s3("BucketPublicAccessBlock"), "snapshots-public-access");
        for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(block.inputs[flag], true, flag);
        assert.ok(block.dependsOn.includes("snapshots-ownership"));
        const policy = oneNamed(built, s3("BucketPolicy"), "snapshots-tls-only");
        assert.deepEqual(JSON.parse(policy.inputs.policy), tlsOnlyPolicy("arn:aws:s3:::example-snapshots"));
        assert.ok(policy.dependsOn.includes("snapshots-public-access"));
        const lifecycle = oneNamed(built, s3("BucketLifecycleConfiguration"), "snapshots-retention");
        assert.deepEqual(lifecycle.inputs.rules, JSON.parse(JSON.stringify(lifecycleRules())));
        assert.ok(lifecycle.dependsOn.includes("snapshots-versioning"));
        assert.equal(oneNamed(built, s3("BucketVersioning"), "snapshots-versioning").inputs.versioningConfiguration.status, "Enabled");
        assert.equal(built.outputs.bucketName, "example-snapshots");
        assert.deepEqual(JSON.parse(String(built.outputs.writer)), writerPolicy("arn:aws:s3:::example-snapshots"));
        assert.deepEqual(statementIds(oneNamed(built, "aws:iam/policy:Policy", "snapshots-reader").inputs.policy), ["ListStaging", "ReadStaging"]);
    });

    it("with a KMS key: SSE-KMS with a bucket key, and both policies may use the key", async () => {
        const key = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab";
        const built = await build(args({ kmsKeyId: key, retention: { stagingSnapshotDays: 45 } }));
        const sse = oneNamed(built, s3("BucketServerSideEncryptionConfiguration"), "snapshots-encryption").inputs.rules[0];
        assert.deepEqual([sse.applyServerSideEncryptionByDefault, sse.bucketKeyEnabled], [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: key }, true]);
        assert.deepEqual(statementIds(built.outputs.writer), ["List", "Write", "UseSnapshotKey"]);
        assert.deepEqual(statementIds(built.outputs.reader), ["ListStaging", "ReadStaging", "UseSnapshotKey"]);
        const rules = oneNamed(built, s3("BucketLifecycleConfiguration"), "snapshots-retention").inputs.rules as {
            id: string;
            expiration?: { days?: number };
        }[];
        assert.equal(rules.find((r) => r.id === "staging-snapshots")?.expiration?.days, 45);
    });

    it("blockPublicAccess false turns the four blocks off (the security policy then reports it)", async () => {
        const block = oneNamed(await build(args({ blockPublicAccess: false })), s3("BucketPublicAccessBlock"), "snapshots-public-access");
        for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(block.inputs[flag], false, flag);
    });

    it("refuses a bad bucket name or retention before creating anything, naming the field", async () => {
        const cases: [SnapshotBucketArgs, RegExp][] = [
            [args({ bucketName: "Example_Snapshots" }), /args\.bucketName must be an S3 bucket name .* got "Example_Snapshots"/],
            [args({ bucketName: "ab" }), /args\.bucketName must be an S3 bucket name/],
            [args({ retention: { dailyKeep: 0 } }), /retention\.dailyKeep must be a whole number of at least 1, got 0/],
        ];
        for (const [bad, message] of cases) {
            const failure = await failureOf(() => new SnapshotBucket("snapshots", bad));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `${message}: nothing is created`);
        }
    });
});
