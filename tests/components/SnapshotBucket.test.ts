import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lifecycleRules, readerPolicy, tlsOnlyPolicy, writerPolicy } from "../../components/SnapshotBucket";
import { backupTier, retentionRules } from "../../components/snapshotRetention";
import { planStack, PlanResult } from "../../plan/plan";

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
            assert.deepEqual(days, { "production/daily/": 8, "production/weekly/": 29, "production/monthly/": 94, "production/promotion/": 14, "staging/": 30, "evidence/": 60 });
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
        assert.deepEqual(reader.Statement.find((s: any) => s.Sid === "UseSnapshotKey"), { Sid: "UseSnapshotKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key] });
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
        assert.equal(writerPolicy("arn:aws:s3:::b").Statement.some((s) => s.Sid === "UseSnapshotKey"), false);
        assert.deepEqual(readerPolicy("arn:aws:s3:::b").Statement[0].Condition, { StringLike: { "s3:prefix": ["staging/*"] } });
    });
});
