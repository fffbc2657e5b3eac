/**
 * Whole-program tests: the real index.ts evaluated under the mock runtime for each committed stack
 * configuration and for the acceptance fixtures, with every registered pack.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { readStackConfigFile } from "../../config/files";
import { guardTargets } from "../../plan/guard";
import { planStack, projectDir } from "../../plan/plan";
import { policyPacks } from "../../policy/registry";

const fixture = (name: string) => path.join(projectDir, "tests", "fixtures", name);
const ciEnv = { ODOO_PLATFORM_GIT_SHA: "3f2c1e9aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", ODOO_PLATFORM_GIT_BRANCH: "feature/invoice-layout" };

/** Mandatory policies that failed, as `pack/policy`. */
const failed = (result: Awaited<ReturnType<typeof planStack>>) =>
    result.policies.filter((p) => p.enforcement === "mandatory" && p.violations.length).map((p) => `${p.pack}/${p.name}`);

describe("whole program under every policy pack", () => {
    it("registers the five packs, with policy names unique across them", () => {
        assert.deepEqual(
            policyPacks.map((p) => p.name),
            ["contracts", "neutralization", "security", "pr-limits", "kubernetes"],
        );
        const names = policyPacks.flatMap((p) => p.policies.map((policy) => policy.name));
        assert.equal(new Set(names).size, names.length);
    });

    for (const target of guardTargets()) {
        it(`committed stack ${target.stack} (${target.configFile ?? "Pulumi.pr.yaml"}) passes every pack`, async () => {
            const result = await planStack({
                stack: target.stack,
                configFile: target.configFile && path.join(projectDir, target.configFile),
                env: { ...ciEnv, ...target.env },
            });
            assert.deepEqual(result.errors, []);
            assert.deepEqual(failed(result), []);
            assert.equal(result.exitCode, 0);
            assert.equal(result.policies.length, names().length);
        });
    }

    const cases: { file: string; policy: string; message: RegExp }[] = [
        { file: "staging-no-mail-catcher.yaml", policy: "neutralization/mail-catcher-only", message: /the staging stack runs Odoo .* without a mail catcher/ },
        {
            file: "staging-odoo-stage-production.yaml",
            policy: "neutralization/odoo-stage-matches",
            message: /runs with ODOO_STAGE=production in the staging stage/,
        },
        {
            file: "staging-unpinned-image.yaml",
            policy: "contracts/images-pinned-by-digest",
            message: /runs ghcr\.io\/insightpulseai\/odoo:17\.0 through RemoteImage "odoo-image"/,
        },
        {
            file: "staging-public-bucket.yaml",
            policy: "security/snapshot-bucket-private",
            message:
                /Bucket "snapshots" \(insightpulseai-odoo-staging-snapshots\) has blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets turned off/,
        },
    ];
    for (const { file, policy, message } of cases) {
        it(`fixture ${file} fails ${policy} (and nothing else)`, async () => {
            const result = await planStack({ stack: "staging", configFile: fixture(file), env: ciEnv });
            assert.equal(result.exitCode, 1);
            assert.deepEqual(failed(result), [policy]);
            const verdict = result.policies.find((p) => `${p.pack}/${p.name}` === policy)!;
            assert.ok(
                verdict.violations.some((v) => message.test(v.message)),
                verdict.violations.map((v) => v.message).join("\n"),
            );
        });

        it(`fixture ${file} is Pulumi.staging.yaml with one change`, () => {
            const base = readStackConfigFile(path.join(projectDir, "Pulumi.staging.yaml")).values;
            const changed = readStackConfigFile(fixture(file)).values;
            const differing = [...new Set([...Object.keys(base), ...Object.keys(changed)])].filter((k) => base[k] !== changed[k]);
            assert.equal(differing.length, 1, `differs in ${differing.join(", ")}`);
        });
    }

    it("the Odoo container waits for the staging database's verify step (the graph the policy reads)", async () => {
        const result = await planStack({ stack: "staging", env: ciEnv });
        const odoo = result.recorded.find((r) => r.name === "odoo-odoo")!;
        const verify = result.recorded.find((r) => r.name.endsWith("-verify"))!;
        assert.ok(odoo.dependencies.includes(verify.urn));
        assert.ok(Object.values(odoo.propertyDependencies).flat().length > 0);
    });
});

const names = () => policyPacks.flatMap((p) => p.policies.map((policy) => policy.name));
