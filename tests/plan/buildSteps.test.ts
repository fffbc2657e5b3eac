/**
 * The build steps in real plans (the program under Pulumi's mock runtime, with every policy pack):
 * a PR build plan holds the test step with the selected modules and tags; staging and production
 * hold the module update step, and their Odoo container waits for it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stepLabel, stepScriptPath } from "../../components/odooSteps";
import { ciEnv, containerType, labelsOf, one, ofType, plan, upload } from "../support/plan";

/** A checkout with two of our modules (what `pr up` reads from the PR head). */
function sourceCheckout(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-source-"));
    for (const m of ["sale_custom", "invoice_layout"]) {
        fs.mkdirSync(path.join(dir, "addons", m), { recursive: true });
        fs.writeFileSync(path.join(dir, "addons", m, "__manifest__.py"), `{"name": "${m}", "version": "17.0.1.0.0"}\n`);
    }
    return dir;
}

const mandatoryViolations = (result: Awaited<ReturnType<typeof plan>>) =>
    result.policies
        .filter((p) => p.enforcement === "mandatory" && p.violations.length)
        .map((p) => `${p.pack}/${p.name}: ${p.violations.map((v) => v.message).join("; ")}`);

describe("build steps in the plan", function () {
    this.timeout(120_000);
    const source = sourceCheckout();

    it("a PR build plan contains the test step with the selected modules and tags, and passes every policy", async () => {
        const result = await plan("pr-7", { env: ciEnv({ ODOO_PLATFORM_REPO_DIR: source }) });
        const tests = one(result, containerType, "odoo-tests");
        const command = tests.inputs.command as string[];
        assert.deepEqual(command.slice(0, 3), ["python3", stepScriptPath, "test"]);
        const option = (flag: string) => command[command.indexOf(flag) + 1];
        assert.equal(option("--modules"), "invoice_layout,sale_custom");
        assert.equal(option("--tags"), "at_install/invoice_layout,at_install/sale_custom,post_install/invoice_layout,post_install/sale_custom");
        assert.equal(option("--database"), "odoo_pr_7_tests");
        assert.equal(option("--timeout"), String(30 * 60));
        assert.equal(tests.inputs.attach, true);
        assert.equal(tests.inputs.mustRun, false);
        assert.equal(labelsOf(tests)[stepLabel], "tests");
        assert.ok(upload(tests, stepScriptPath).includes("def cmd_test(args):"));
        assert.ok(tests.dependsOn.includes("odoo-prepare"), "tests run after the environment's own install");
        assert.ok(!one(result, containerType, "odoo-odoo").dependsOn.includes("odoo-tests"), "the environment serves while its tests run");
        assert.deepEqual(mandatoryViolations(result), []);
        assert.deepEqual((result.outputs.tests as Record<string, unknown>).modules, ["invoice_layout", "sale_custom"]);
    });

    it("a branch environment (stack br-<slug>) plans like a PR: its host, database, labels and test step, every policy clean", async () => {
        const result = await plan("br-feature-invoice", { env: ciEnv({ ODOO_PLATFORM_REPO_DIR: source, ODOO_PLATFORM_GIT_BRANCH: "feature/invoice" }) });
        assert.equal(result.outputs.url, "https://br-feature-invoice.dev.insightpulseai.com");
        assert.equal(result.outputs.databaseName, "odoo_br_feature_invoice");
        const tests = one(result, containerType, "odoo-tests");
        assert.equal((tests.inputs.command as string[])[(tests.inputs.command as string[]).indexOf("--database") + 1], "odoo_br_feature_invoice_tests");
        assert.equal(labelsOf(one(result, containerType, "odoo-odoo"))["odoo-platform.branch-environment"], "feature-invoice");
        assert.deepEqual(mandatoryViolations(result), []);
    });

    it("a repository without modules plans no test step", async () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "pr-empty-"));
        const result = await plan("pr-7", { env: ciEnv({ ODOO_PLATFORM_REPO_DIR: empty }) });
        assert.equal(ofType(result, containerType).filter((c) => c.name === "odoo-tests").length, 0);
        assert.equal(result.outputs.tests, null);
    });

    for (const stack of ["staging", "production"]) {
        it(`${stack}: the module update step runs before the new Odoo container, which waits for it`, async () => {
            const result = await plan(stack, { env: ciEnv({ ODOO_PLATFORM_REPO_DIR: source }) });
            const update = one(result, containerType, "odoo-update");
            const command = update.inputs.command as string[];
            assert.deepEqual(command.slice(0, 3), ["python3", stepScriptPath, "update"]);
            assert.equal(command[command.indexOf("--install") + 1], "invoice_layout,sale_custom");
            assert.equal(command[command.indexOf("--database") + 1], `odoo_${stack}`);
            assert.equal(labelsOf(update)[stepLabel], "update");
            assert.ok(one(result, containerType, "odoo-odoo").dependsOn.includes("odoo-update"));
            assert.equal(ofType(result, containerType).filter((c) => c.name === "odoo-tests").length, 0, "no test step outside dev/PR by default");
            assert.deepEqual(mandatoryViolations(result), []);
        });
    }
});
