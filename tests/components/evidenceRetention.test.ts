import * as assert from "node:assert/strict";
import { retentionRules } from "../../components/snapshotRetention";
import { buildCli } from "../../ops/cli/main";
import { parseAge } from "../../ops/evidence/prunePolicy";
import { planStack } from "../../plan/plan";

describe("evidence retention in the snapshot bucket", () => {
    it("expires archived evidence when it reaches the prune command's delete age", () => {
        const rule = retentionRules().find((r) => r.id === "evidence-archive");
        assert.ok(rule);
        assert.equal(rule.prefix, "evidence/");
        // Objects are uploaded at --compress-after and must be gone at --delete-after (CLI defaults).
        const prune = buildCli()
            .commands.find((c) => c.name() === "evidence")!
            .commands.find((c) => c.name() === "prune")!;
        const defaults = prune.opts() as { compressAfter: string; deleteAfter: string };
        assert.equal(rule.expireAfterDays, parseAge(defaults.deleteAfter, "") - parseAge(defaults.compressAfter, ""));
        assert.equal(
            retentionRules({ evidenceCompressAfterDays: 14, evidenceDeleteAfterDays: 365 }).find((r) => r.id === "evidence-archive")!.expireAfterDays,
            351,
        );
    });

    it("is a lifecycle rule of the production SnapshotBucket", async function () {
        this.timeout(60_000);
        const plan = await planStack({ stack: "production", env: { ...process.env, ODOO_PLATFORM_GIT_SHA: "abcdef1" } });
        const lifecycle = plan.resources.find((r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
        assert.ok(lifecycle);
        const rules = lifecycle.inputs.rules as { id: string; filter: { prefix: string }; expiration: { days: number }; status: string }[];
        const evidence = rules.find((r) => r.id === "evidence-archive");
        assert.deepEqual(evidence && [evidence.filter.prefix, evidence.expiration.days, evidence.status], ["evidence/", 60, "Enabled"]);
    });
});
