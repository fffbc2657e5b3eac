/**
 * The StackReference contract: what PR stacks read from the shared (staging) stack must be what the
 * staging stack really exports — the offline plan's mock (plan/mockOutputs.ts) included.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sampleStackReferenceOutputs } from "../../plan/mockOutputs";
import { planStack } from "../../plan/plan";
import { ciEnv, plan } from "../support/plan";

describe("shared stack outputs", () => {
    it("the mocked StackReference outputs equal what the staging stack exports", async () => {
        const staging = await plan("staging");
        assert.deepEqual(staging.outputs.edge, sampleStackReferenceOutputs.edge);
        const pr = await plan("pr-7");
        assert.equal(pr.outputs.sharedStack, "insightpulseai/odoo-platform/staging");
    });

    it("production exports its own edge, on its own host, without the PR wildcard", async () => {
        const production = await plan("production");
        const edge = production.outputs.edge as Record<string, unknown>;
        assert.equal(edge.dockerHost, "ssh://deploy@prod-1.insightpulseai.com");
        assert.equal(edge.prParentDomain, null);
    });

    it("a PR stack pointed at another Docker host than the shared router's is refused with the fix", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-"));
        const file = path.join(dir, "Pulumi.pr-7.yaml");
        fs.writeFileSync(file, "config:\n  odoo-platform:dockerHost: ssh://deploy@other-host.example.com\n");
        const result = await planStack({ stack: "pr-7", configFile: file, env: ciEnv() });
        assert.equal(result.exitCode, 2);
        assert.match(
            result.errors.join("\n"),
            /router of insightpulseai\/odoo-platform\/staging runs on ssh:\/\/deploy@nonprod-1\.insightpulseai\.com: point dockerHost/,
        );
    });
});
