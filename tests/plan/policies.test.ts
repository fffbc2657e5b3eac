/** The offline CrossGuard runner: configuration, enforcement, and what it hands to policies. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { blocks, loadPolicyConfig, PolicyConfigError, runPolicyPacks } from "../../plan/policies";
import { planStack } from "../../plan/plan";
import { resource } from "../support/policies";

const seen: { config?: unknown; provider?: unknown; resources?: PolicyResource[] } = {};
const everyResource: ResourceValidationPolicy = {
    name: "every-resource",
    description: "reports every resource",
    configSchema: { properties: { limit: { type: "number", default: 3 }, names: { type: "array", default: ["a"] } } },
    validateResource: (args, report) => {
        seen.config = args.getConfig();
        if (args.type === "docker:index/volume:Volume") seen.provider = args.provider;
        report(`saw ${args.name}`);
    },
};
const wholeStack: StackValidationPolicy = {
    name: "whole-stack",
    description: "looks at the stack",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        seen.resources = args.resources;
        report("stack-level finding");
        report("about one resource", args.resources[0].urn);
    },
};
const pack = { name: "demo", enforcementLevel: "mandatory" as const, policies: [everyResource, wholeStack] };

const provider = resource("dev", "pulumi:providers:docker", "docker", { host: "unix:///var/run/docker.sock" });
const password = resource("dev", "random:index/randomPassword:RandomPassword", "pw", { length: 32 }, { outputs: { length: 32, result: "generated" } });
const volume = resource("dev", "docker:index/volume:Volume", "vol", { name: "v" }, { provider, propertyDependencies: { name: [password] } });

describe("offline policy runner", () => {
    it("applies the schema's defaults, the pack's enforcement and the policy's own", async () => {
        const verdicts = await runPolicyPacks([pack], [provider, volume]);
        assert.deepEqual(seen.config, { limit: 3, names: ["a"] });
        assert.equal(verdicts[0].enforcement, "mandatory");
        assert.equal(verdicts[1].enforcement, "advisory");
        assert.deepEqual(
            verdicts[0].violations.map((v) => v.message),
            ["saw docker", "saw vol"],
        );
        assert.deepEqual(
            verdicts[1].violations.map((v) => v.resource),
            ["(stack)", "docker"],
        );
        assert.ok(blocks(verdicts));
    });

    it("hands resource policies their provider, and stack policies outputs, parents and property dependencies", async () => {
        await runPolicyPacks([pack], [provider, password, volume]);
        assert.deepEqual(seen.provider, { type: "pulumi:providers:docker", props: { host: "unix:///var/run/docker.sock" }, urn: provider.urn, name: "docker" });
        const [, pw, vol] = seen.resources!;
        assert.equal(pw.props.result, "generated");
        assert.deepEqual(vol.propertyDependencies.name, [pw]);
        assert.deepEqual(vol.dependencies, [pw]);
    });

    it("takes enforcement from the config: per policy, the `all` key, string shorthand; remediate validates as mandatory", async () => {
        const levels = async (config: Parameters<typeof runPolicyPacks>[2]) => (await runPolicyPacks([pack], [volume], config)).map((v) => v.enforcement);
        assert.deepEqual(await levels({ all: "advisory" }), ["advisory", "advisory"]);
        assert.deepEqual(await levels({ all: "advisory", "whole-stack": { enforcementLevel: "mandatory" } }), ["advisory", "mandatory"]);
        assert.deepEqual(await levels({ "every-resource": "remediate" }), ["mandatory", "advisory"]);
        const disabled = await runPolicyPacks([pack], [volume], { "every-resource": "disabled" });
        assert.deepEqual(disabled[0].violations, []);
        assert.ok(!blocks(disabled));
    });

    it("passes configured properties over the defaults", async () => {
        await runPolicyPacks([pack], [volume], { "every-resource": { limit: 10 } });
        assert.deepEqual(seen.config, { limit: 10, names: ["a"] });
    });

    it("refuses configuration for unknown policies or properties, wrong types and levels — all at once", async () => {
        await assert.rejects(
            runPolicyPacks([pack], [volume], { "no-such-policy": "advisory", "every-resource": { limit: "ten", colour: 1 }, all: "loud" as never }),
            (err: Error) => {
                assert.ok(err instanceof PolicyConfigError);
                assert.match(err.message, /no-such-policy is not a policy of the registered packs \(every-resource, whole-stack\)/);
                assert.match(err.message, /every-resource\.limit must be of type number/);
                assert.match(err.message, /every-resource\.colour is not a configuration property of every-resource \(limit, names\)/);
                assert.match(err.message, /all: enforcementLevel must be one of advisory, mandatory, remediate, disabled, got "loud"/);
                return true;
            },
        );
    });

    it("loads a --policy-pack-config file, and the plan exits 2 on an invalid one", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
        const good = path.join(dir, "good.json");
        fs.writeFileSync(good, JSON.stringify({ "pr-ttl-label": "advisory" }));
        assert.deepEqual(loadPolicyConfig(good), { "pr-ttl-label": "advisory" });
        fs.writeFileSync(path.join(dir, "bad.json"), "{ nope");
        assert.throws(() => loadPolicyConfig(path.join(dir, "bad.json")), /bad\.json is not valid JSON/);
        assert.throws(() => loadPolicyConfig(path.join(dir, "missing.json")), /cannot read policy configuration .*missing\.json: ENOENT/);

        const result = await planStack({ stack: "dev", policyConfig: { "mail-catcher-only": { smtpHost: "x" } } });
        assert.equal(result.exitCode, 2);
        assert.match(result.errors[0], /mail-catcher-only\.smtpHost is not a configuration property/);
        const relaxed = await planStack({ stack: "dev", policyConfig: { all: "advisory" } });
        assert.ok(relaxed.policies.every((p) => p.enforcement === "advisory"));
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
