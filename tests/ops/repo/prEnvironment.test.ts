import { strict as assert } from "node:assert";
import * as path from "node:path";
import { ciEnv, containerType, one, plan, upload } from "../../support/plan";
import { materializeRepo, removeRepo } from "../../support/repoFixtures";

/**
 * A PR stack of the fixture monorepo, planned under Pulumi's mock runtime: the prepare container's
 * script installs exactly the modules selection chose — CI points odoo-platform:repoDir at the pull
 * request's checkout (ODOO_PLATFORM_REPO_DIR).
 */
describe("PR environment of an adopted repository (fixture monorepo)", () => {
    let repo: string;
    before(() => {
        repo = materializeRepo("monorepo", "monorepo-fixed");
    });
    after(() => removeRepo(repo));

    it("installs the repository's own modules with their dependencies, never every core module, and logs what it leaves out", async () => {
        const result = await plan("pr-7", { env: ciEnv({ ODOO_PLATFORM_REPO_DIR: repo }), configFile: stackFile(repo, {}) });
        const script = upload(one(result, containerType, "odoo-prepare"), "/opt/odoo-platform/prepare.sh");
        assert.match(script, /^install=\(ipai_ai_connector ipai_base ipai_finance ipai_next ipai_website\)$/m);
        assert.match(script, /-i "base\$\{modules:\+,\$modules\}"/);
        assert.match(script, /not installed: ipai_finance_reports \(depends on account_reports \(an Odoo 18\.0 Enterprise module, not in the repository\)\)/);
        assert.match(script, /not installed: ipai_hr \(depends on ipai_legacy_sync \(installable: False/);
        assert.doesNotMatch(script, /install=\([^)]*\b(queue_job|base_technical_user|account)\b/);
    });

    it("fails the deployment, naming the modules, when missingDependencies is fail", async () => {
        const result = await planStack7({ ODOO_PLATFORM_REPO_DIR: repo }, repo, { missingDependencies: "fail" });
        assert.ok(result.errors.join("\n").match(/ipai_finance_reports: depends on account_reports/), result.errors.join("\n"));
    });
});

import * as fs from "node:fs";
import { planStack } from "../../../plan/plan";
async function planStack7(env: Record<string, string>, repo: string, extra: Record<string, string>) {
    return planStack({ stack: "pr-7", env: ciEnv(env), configFile: stackFile(repo, extra) });
}

/** The PR stack's own config for the monorepo (on top of this project's Pulumi.pr.yaml defaults). */
function stackFile(repo: string, extra: Record<string, string>): string {
    const file = path.join(repo, "Pulumi.pr-7.yaml");
    const lines = [
        "config:",
        '  odoo-platform:odooVersion: "18.0"',
        "  odoo-platform:odooImage: ghcr.io/example/odoo:18.0",
        ...Object.entries(extra).map(([k, v]) => `  odoo-platform:${k}: ${v}`),
    ];
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
}
