/**
 * The same policy code gates a real `pulumi preview --policy-pack policy/<pack>` and the offline
 * plan: each pack is started by the Pulumi SDK's own policy-pack runner (ts-node compiling
 * policy/<pack>/index.ts with its tsconfig, CrossGuard's gRPC server), fed the resources of real
 * plans through the engine's RPCs, and must report exactly what the offline runner reports.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { planStack, PlanResult } from "../../plan/plan";
import { policyPacks } from "../../policy/registry";
import { RunningPack, startPolicyPack } from "../support/crossguard";

const ciEnv = { ODOO_PLATFORM_GIT_SHA: "3f2c1e9aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", ODOO_PLATFORM_GIT_BRANCH: "feature/invoice-layout" };
const fixture = (name: string) => path.join(__dirname, "..", "fixtures", name);

/** Offline verdicts of one pack as `policy: message` lines, sorted. */
const offline = (plan: PlanResult, pack: string) =>
    plan.policies
        .filter((p) => p.pack === pack && p.enforcement !== "disabled")
        .flatMap((p) => p.violations.map((v) => `${p.name}: ${v.message}`))
        .sort();

describe("policy packs under the real CrossGuard server", function () {
    this.timeout(240_000);
    const running: RunningPack[] = [];
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

    before(async () => {
        // Compile and serve the four packs side by side, as the CLI does for several --policy-pack flags.
        const started = await Promise.allSettled(policyPacks.map((p) => startPolicyPack(p.name)));
        for (const s of started) if (s.status === "fulfilled") running.push(s.value);
        const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
        if (failed) throw failed.reason;
        for (const c of cases) plans.set(c.file ?? c.stack, await planStack({ stack: c.stack, configFile: c.file && fixture(c.file), env: ciEnv }));
    });
    after(() => running.forEach((p) => p.stop()));

    it("each pack serves its policies, names and enforcement levels as registered", async () => {
        for (const pack of running) {
            const definition = policyPacks.find((p) => p.name === pack.pack)!;
            const info = await pack.info();
            assert.equal(info.name, definition.name);
            assert.deepEqual(
                info.policies.map((p) => `${p.name}:${p.enforcement}`),
                definition.policies.map((p) => `${p.name}:${p.enforcementLevel ?? definition.enforcementLevel}`),
            );
        }
    });

    for (const c of cases) {
        const key = c.file ?? c.stack;
        it(`reports for ${key} exactly what the offline plan reports`, async () => {
            const plan = plans.get(key)!;
            assert.equal(plan.errors.length, 0, plan.errors.join("\n"));
            for (const pack of running) {
                const served: string[] = [];
                for (const r of plan.recorded) served.push(...(await pack.analyze(r, plan.recorded)).map((d) => `${d.policy}: ${d.message}`));
                served.push(...(await pack.analyzeStack(plan.recorded)).map((d) => `${d.policy}: ${d.message}`));
                assert.deepEqual(served.sort(), offline(plan, pack.pack), `pack ${pack.pack}`);
            }
        });
    }

    it("names the right policy for each acceptance fixture", async () => {
        const neutralization = running.find((p) => p.pack === "neutralization")!;
        const stack = (key: string) => plans.get(key)!.recorded;
        assert.ok((await neutralization.analyzeStack(stack("staging-no-mail-catcher.yaml"))).some((d) => d.policy === "mail-catcher-only" && d.enforcement === "mandatory"));
    });
});
