import * as assert from "node:assert/strict";
import {
    branchSlug,
    databaseName,
    dockerLabels,
    environmentNames,
    imageDigestOf,
    isDnsLabel,
    isDnsName,
    isPinnedByDigest,
    isPostgresIdentifier,
    labelKeys,
    maxDnsLabel,
    prHostLabel,
    resourceLabels,
} from "../../config/naming";
import { stackIdentity } from "../../config/stage";

const hostile = [
    "feature/Invoice-Layout",
    "ÉMILE/çà-va?",
    "日本語のブランチ",
    "---leading-and-trailing---",
    "UPPER_case.With.Dots",
    "a".repeat(200),
    `${"x-".repeat(100)}end`,
    "emoji-🚀-launch",
    "refs/heads/fix//double//slash",
    "",
];

describe("naming", () => {
    describe("branchSlug", () => {
        it("folds accents, lower-cases and replaces every other run with one dash", () => {
            assert.equal(branchSlug("feature/Invoice-Layout"), "feature-invoice-layout");
            assert.equal(branchSlug("ÉMILE/çà-va?"), "emile-ca-va");
            assert.equal(branchSlug("UPPER_case.With.Dots"), "upper-case-with-dots");
            assert.equal(branchSlug("---leading-and-trailing---"), "leading-and-trailing");
            assert.equal(branchSlug("refs/heads/fix//double//slash"), "refs-heads-fix-double-slash");
        });

        it("gives branches with nothing ASCII a stable, distinct hash slug", () => {
            const a = branchSlug("日本語のブランチ");
            const b = branchSlug("другая-ветка");
            assert.match(a, /^b[0-9a-f]{6}$/);
            assert.notEqual(a, b);
            assert.equal(branchSlug("日本語のブランチ"), a);
        });

        it("never ends in a dash after truncation", () => {
            for (const branch of hostile) {
                for (let max = 1; max <= 70; max += 7) {
                    const slug = branchSlug(branch, max);
                    assert.ok(slug.length <= max && slug.length > 0, `${branch} → "${slug}" (max ${max})`);
                    assert.doesNotMatch(slug, /^-|-$/);
                }
            }
        });
    });

    describe("PR hosts", () => {
        it("is pr-<n>-<slug>.dev.<domain> with every label ≤ 63 characters, mail host included", () => {
            for (const branch of hostile) {
                for (const pr of [1, 42, 123456789]) {
                    const names = environmentNames({ stack: `pr-${pr}`, stage: "pr", prNumber: pr }, { domain: "insightpulseai.com", branch });
                    assert.ok(names.host.startsWith(`pr-${pr}-`), names.host);
                    assert.ok(names.host.endsWith(".dev.insightpulseai.com"), names.host);
                    for (const host of [names.host, names.mailHost]) {
                        assert.ok(isDnsName(host), `${host} is not a valid DNS name`);
                        for (const label of host.split(".")) assert.ok(label.length <= maxDnsLabel, `${label} is ${label.length} long`);
                    }
                }
            }
        });

        it("is deterministic and case-insensitive in the branch", () => {
            assert.equal(prHostLabel(7, "Feature/X"), prHostLabel(7, "feature/x"));
            assert.equal(prHostLabel(7, "feature/x"), "pr-7-feature-x");
        });

        it("rejects a PR number that is not a positive integer", () => {
            assert.throws(() => prHostLabel(0, "x"), /positive integer/);
            assert.throws(() => prHostLabel(1.5, "x"), /positive integer/);
        });
    });

    describe("databases, containers and networks", () => {
        it("names the PR database odoo_pr_<n> and every Docker object after the stack", () => {
            const names = environmentNames(stackIdentity("pr-42"), { domain: "example.com", branch: "x" });
            assert.equal(names.database, "odoo_pr_42");
            assert.equal(databaseName(stackIdentity("staging")), "odoo_staging");
            assert.equal(names.containers.odoo, "odoo-pr-42-odoo");
            assert.equal(names.containers.mailCatcher, "odoo-pr-42-mailpit");
            assert.equal(names.networks.internal, "odoo-pr-42-internal");
            assert.equal(names.volumes.filestore, "odoo-pr-42-filestore");
            for (const n of [...Object.values(names.containers), ...Object.values(names.networks), ...Object.values(names.volumes)]) {
                assert.match(n, /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, `${n} is not a valid Docker object name`);
            }
        });

        it("uses the stage's default host unless overridden", () => {
            assert.equal(environmentNames(stackIdentity("staging"), { domain: "example.com" }).host, "staging.example.com");
            assert.equal(environmentNames(stackIdentity("production"), { domain: "example.com" }).host, "erp.example.com");
            const prod = environmentNames(stackIdentity("production"), { domain: "example.com", hostOverride: "odoo.example.com" });
            assert.equal(prod.host, "odoo.example.com");
            assert.equal(prod.mailHost, "odoo-mail.example.com");
        });
    });

    describe("labels", () => {
        it("carries stage, stack and git SHA, plus PR number and TTL on PR stacks, sorted for Docker", () => {
            const labels = resourceLabels({ stage: "pr", stack: "pr-9", gitSha: "abc1234", prNumber: 9, prTtlHours: 72 });
            assert.equal(labels[labelKeys.stage], "pr");
            assert.equal(labels[labelKeys.stack], "pr-9");
            assert.equal(labels[labelKeys.gitSha], "abc1234");
            assert.equal(labels[labelKeys.pr], "9");
            assert.equal(labels[labelKeys.ttlHours], "72");
            const docker = dockerLabels(labels);
            assert.deepEqual(
                docker.map((l) => l.label),
                [...docker.map((l) => l.label)].sort(),
            );
            assert.ok(!(labelKeys.pr in resourceLabels({ stage: "staging", stack: "staging", gitSha: "abc1234" })));
        });
    });

    it("validates DNS labels and names", () => {
        assert.ok(isDnsLabel("a"));
        assert.ok(!isDnsLabel("-a"));
        assert.ok(!isDnsLabel("a".repeat(64)));
        assert.ok(isDnsName("example.com"));
        assert.ok(!isDnsName("example..com"));
        assert.ok(!isDnsName("exa mple.com"));
    });

    it("validates lower-case PostgreSQL identifiers, and every database name it derives is one", () => {
        for (const ok of ["odoo", "_x", "odoo_staging_1", "a".repeat(63)]) assert.ok(isPostgresIdentifier(ok), ok);
        for (const bad of ["", "1odoo", "Odoo", "odoo-staging", "odoo staging", "a".repeat(64), 'odoo"; DROP']) assert.ok(!isPostgresIdentifier(bad), bad);
        for (const stack of ["dev", "staging", "production", "pr-7", `br-${branchSlug("feature/Invoice-Layout")}`]) {
            assert.ok(isPostgresIdentifier(databaseName(stackIdentity(stack))), stack);
        }
    });

    it("tells an image pinned by digest from one a tag could move, and gives its digest", () => {
        const digest = `sha256:${"ab12".repeat(16)}`;
        for (const image of [`ghcr.io/acme/odoo@${digest}`, `registry:5000/acme/odoo:17.0@${digest}`]) {
            assert.ok(isPinnedByDigest(image), image);
            assert.equal(imageDigestOf(image), digest);
        }
        for (const image of [
            "ghcr.io/acme/odoo:17.0",
            `ghcr.io/acme/odoo@${digest.slice(0, -1)}`,
            `ghcr.io/acme/odoo@${digest.toUpperCase()}`,
            `ghcr.io/acme/odoo@${digest} `,
            digest,
            "",
        ]) {
            assert.ok(!isPinnedByDigest(image), image);
            assert.equal(imageDigestOf(image), undefined);
        }
    });
});
