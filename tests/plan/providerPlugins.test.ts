/**
 * Every resource asks the engine for a provider plugin by version (the SDK sends the package's
 * version with each registration); the engine downloads that plugin before it can even preview. A
 * version that was never released — @pulumi/command 4.5.0's resources ask for command v4.5.0, while
 * pulumi-command's releases end at v1.2.1 — makes every stack with a Command unable to preview.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { providerPlugins } from "../../plan/providers";
import { deployPlan, firstCommit, secondDeployStacks } from "../support/secondDeploy";

const projectDir = path.resolve(__dirname, "..", "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const installed = (pkg: string): string => String(require(path.join(projectDir, "node_modules", pkg, "package.json")).version).replace(/^v/, "");

describe("provider plugins the engine is asked for", function () {
    this.timeout(120_000);

    it("the installed provider packages are the ones the table was checked against", () => {
        for (const p of providerPlugins) assert.equal(installed(p.package), p.version, `${p.package}: ${p.releases}`);
    });

    for (const { stack } of secondDeployStacks) {
        it(`${stack}: every resource asks for a released plugin version`, async () => {
            const plan = await deployPlan(stack, firstCommit);
            const asked = new Map<string, Set<string>>();
            for (const r of plan.recorded.filter((x) => x.custom && x.pluginVersion)) {
                const plugin = r.type.startsWith("pulumi:providers:") ? r.type.split(":")[2] : r.type.split(":")[0];
                if (!asked.has(plugin)) asked.set(plugin, new Set());
                asked.get(plugin)!.add(r.pluginVersion!);
            }
            assert.ok(asked.size > 0, "the mock runtime records the versions");
            for (const [plugin, versions] of asked) {
                const known = providerPlugins.find((p) => p.plugin === plugin);
                assert.ok(known, `plugin ${plugin} is not in plan/providers.ts providerPlugins`);
                assert.deepEqual([...versions], [known!.version], `${plugin}: asked for ${[...versions].join(", ")}, released: ${known!.releases}`);
            }
        });
    }
});
