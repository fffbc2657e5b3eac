import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { guardTargets, renderGuard, runGuard, samplePrTarget } from "../../plan/guard";
import { projectDir } from "../../plan/plan";

describe("npm run guard", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("plans every Pulumi.<stack>.yaml of the repository and a sample PR stack", () => {
        assert.deepEqual(guardTargets(), [
            { stack: "dev", configFile: "Pulumi.dev.yaml" },
            { stack: "production", configFile: "Pulumi.production.yaml" },
            { stack: "staging", configFile: "Pulumi.staging.yaml" },
            samplePrTarget,
        ]);
    });

    it("fails (exit 1) when a stack violates a mandatory policy, printing one line per stack and the violations", async () => {
        fs.copyFileSync(path.join(projectDir, "tests", "fixtures", "staging-no-mail-catcher.yaml"), path.join(dir, "Pulumi.staging.yaml"));
        fs.copyFileSync(path.join(projectDir, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.dev.yaml"));
        const targets = guardTargets(dir).filter((t) => t !== samplePrTarget);
        assert.deepEqual(
            targets.map((t) => t.stack),
            ["dev", "staging"],
        );
        const { exitCode, results } = await runGuard(targets, dir);
        assert.equal(exitCode, 1);
        const lines = renderGuard(results).split("\n");
        assert.match(lines[0], /^dev +✓ clean \(\d+ resources, \d+ policies\) {2}\[Pulumi\.dev\.yaml\]$/);
        assert.match(lines[1], /^staging +✗ blocked by neutralization\/mail-catcher-only {2}\[Pulumi\.staging\.yaml\]$/);
        assert.match(lines[2], /^ {4}neutralization\/mail-catcher-only \(mandatory\) odoo-(update|odoo): the staging stack runs Odoo/);
        assert.equal(lines[lines.length - 1], "Guard FAILED: 2 stacks planned, 1 blocked by policy, 0 with invalid configuration.");
    });

    it("fails (exit 2) on a stack file whose configuration is invalid or whose name is not a stage", async () => {
        fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), "config:\n  odoo-platform:domain: insightpulseai.com\n");
        fs.writeFileSync(path.join(dir, "Pulumi.sandbox.yaml"), "config: {}\n");
        const { exitCode, results } = await runGuard(
            guardTargets(dir).filter((t) => t.stack !== "dev" && t !== samplePrTarget),
            dir,
        );
        assert.equal(exitCode, 2);
        const text = renderGuard(results);
        assert.match(text, /^sandbox {2}✗ invalid configuration {2}\[Pulumi\.sandbox\.yaml\]\n {4}- stack name "sandbox" does not name a stage/m);
        assert.match(text, /^staging {2}✗ invalid configuration/m);
        assert.match(text, /odoo-platform:odooImage is required for the staging stage/);
    });
});
