/**
 * The same policy code gates a real `pulumi preview --policy-pack policy/odoo-platform` and the
 * offline plan: the pack is started by the Pulumi SDK's own policy-pack runner (ts-node compiling
 * policy/odoo-platform/index.ts with its tsconfig, CrossGuard's gRPC server), configured with the
 * stack's policy configuration (`npm run policy-config`), fed the resources of real plans through
 * the engine's RPCs, and must report exactly what the offline runner reports.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { planStack, PlanResult } from "../../plan/plan";
import { stackPolicyConfig } from "../../plan/policyConfig";
import { platformPack, policyPacks } from "../../policy/registry";
import { packStartTimeoutMs, RunningPack, sharedPolicyPack } from "../support/crossguard";

const ciEnv = { ODOO_PLATFORM_GIT_SHA: "3f2c1e9aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", ODOO_PLATFORM_GIT_BRANCH: "feature/invoice-layout" };
const fixture = (name: string) => path.join(__dirname, "..", "fixtures", name);

/** Offline verdicts as `policy: message` lines, sorted. */
const offline = (plan: PlanResult) =>
    plan.policies
        .filter((p) => p.enforcement !== "disabled")
        .flatMap((p) => p.violations.map((v) => `${p.name}: ${v.message}`))
        .sort();

describe("policy packs under the real CrossGuard server", function () {
    this.timeout(240_000);
    let pack: RunningPack;
    const plans = new Map<string, PlanResult>();
    const cases = [
        { stack: "staging" },
        { stack: "production" },
        { stack: "dev" },
        { stack: "pr-1" },
        { stack: "staging", file: "staging-no-mail-catcher.yaml" },
        { stack: "staging", file: "staging-odoo-stage-production.yaml" },
        { stack: "staging", file: "staging-unpinned-image.yaml" },
        { stack: "staging", file: "staging-public-bucket.yaml" },
    ];

    before(async function () {
        this.timeout(packStartTimeoutMs + 600_000);
        pack = await sharedPolicyPack();
        for (const c of cases) plans.set(c.file ?? c.stack, await planStack({ stack: c.stack, configFile: c.file && fixture(c.file), env: ciEnv }));
    });

    it("serves every policy of the four groups, names and enforcement levels as registered", async () => {
        const info = await pack.info();
        assert.equal(info.name, platformPack.name);
        assert.deepEqual(
            info.policies.map((p) => `${p.name}:${p.enforcement}`),
            policyPacks.flatMap((g) => g.policies.map((p) => `${p.name}:${p.enforcementLevel ?? g.enforcementLevel}`)),
        );
    });

    for (const c of cases) {
        const key = c.file ?? c.stack;
        it(`reports for ${key} exactly what the offline plan reports`, async () => {
            const plan = plans.get(key)!;
            assert.equal(plan.errors.length, 0, plan.errors.join("\n"));
            await pack.configure(stackPolicyConfig(c.stack, { configFile: c.file && fixture(c.file) }));
            const served: string[] = [];
            for (const r of plan.recorded) served.push(...(await pack.analyze(r, plan.recorded)).map((d) => `${d.policy}: ${d.message}`));
            served.push(...(await pack.analyzeStack(plan.recorded)).map((d) => `${d.policy}: ${d.message}`));
            assert.deepEqual(served.sort(), offline(plan));
        });
    }

    it("names the right policy for each acceptance fixture", async () => {
        const stack = (key: string) => plans.get(key)!.recorded;
        await pack.configure(stackPolicyConfig("staging", { configFile: fixture("staging-no-mail-catcher.yaml") }));
        assert.ok(
            (await pack.analyzeStack(stack("staging-no-mail-catcher.yaml"))).some((d) => d.policy === "mail-catcher-only" && d.enforcement === "mandatory"),
        );
    });
});
