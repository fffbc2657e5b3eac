import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { planStack, PlanResult } from "../../plan/plan";

const root = path.resolve(__dirname, "../..");
const sha = "0123456789abcdef0123456789abcdef01234567";
const ciEnv = { ...process.env, ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "feature/Invoice-Layout" };

const ofType = (plan: PlanResult, type: string) => plan.resources.filter((r) => r.type === type);
const named = (plan: PlanResult, name: string) => {
    const found = plan.resources.find((r) => r.name === name);
    assert.ok(found, `resource ${name} not in the plan: ${plan.resources.map((r) => r.name).join(", ")}`);
    return found;
};

function planCli(args: string[], env: NodeJS.ProcessEnv = ciEnv) {
    const result = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "plan/cli.ts", ...args], {
        cwd: root,
        env,
        encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("offline plan", function () {
    this.timeout(120_000);

    it("plans staging: a neutralized database restored before the Odoo container starts", async () => {
        const plan = await planStack({ stack: "staging", env: ciEnv });
        assert.deepEqual(plan.errors, []);
        assert.equal(plan.stage, "staging");
        assert.equal(ofType(plan, "odoo-platform:environment:OdooEnvironment").length, 1);
        assert.equal(ofType(plan, "odoo-platform:data:NeutralizedDatabase").length, 1);
        const odoo = named(plan, "odoo-odoo");
        assert.equal(odoo.parent, "odoo");
        assert.ok((odoo.inputs.envs as string[]).includes("ODOO_STAGE=staging"));
        assert.match(String(odoo.inputs.image), /@sha256:[0-9a-f]{64}$/);
        // Traffic only reaches the database after verify: the container depends on the verify step.
        const container = plan.recorded.find((r) => r.name === "odoo-odoo")!;
        const verify = plan.recorded.find((r) => r.name === "database-verify")!;
        assert.ok(container.dependencies.includes(verify.urn), "the Odoo container must depend on the verify step");
        assert.equal(plan.outputs.url, "https://staging.insightpulseai.com");
        assert.equal(plan.outputs.gitSha, sha);
        assert.equal((plan.outputs.evidence as Record<string, unknown>).neutralized, true);
    });

    it("plans production: no mail catcher, a real relay, the evidence schema and the backup bucket", async () => {
        const plan = await planStack({ stack: "production", env: ciEnv });
        assert.deepEqual(plan.errors, []);
        assert.ok(!plan.resources.some((r) => r.name.includes("mailpit")));
        assert.equal(ofType(plan, "odoo-platform:evidence:EvidenceSchema").length, 1);
        assert.equal(ofType(plan, "aws:s3/bucket:Bucket")[0].inputs.bucket, "insightpulseai-odoo-snapshots");
        assert.equal(plan.outputs.mailCatcherUrl, null);
        assert.equal(plan.outputs.url, "https://erp.insightpulseai.com");
        // Odoo connects with production's own role, which Pulumi may never drop.
        const role = plan.recorded.find((r) => r.type === "postgresql:index/role:Role" && r.name === "database-owner");
        assert.equal(role?.inputs.name, "odoo_production_owner");
        assert.ok(plan.resources.some((r) => r.type === "odoo-platform:data:ProductionDatabase"));
    });

    it("plans dev with local Docker only: no cloud resource at all", async () => {
        const plan = await planStack({ stack: "dev", env: { ...process.env, ODOO_PLATFORM_GIT_SHA: sha } });
        assert.deepEqual(plan.errors, []);
        const cloud = plan.resources.filter((r) => /^(aws|cloudflare|github|postgresql|pulumi:providers:(aws|cloudflare|github|postgresql))/.test(r.type));
        assert.deepEqual(
            cloud.map((r) => r.type),
            [],
        );
        assert.ok((named(plan, "odoo-odoo").inputs.command as string[]).includes("--dev=all"));
    });

    it("plans a PR stack from the PR defaults and CI values alone", async () => {
        const plan = await planStack({ stack: "pr-42", env: ciEnv });
        assert.deepEqual(plan.errors, []);
        assert.equal(plan.stage, "pr");
        assert.equal(plan.outputs.url, "https://pr-42-feature-invoice-layout.dev.insightpulseai.com");
        assert.equal(plan.outputs.databaseName, "odoo_pr_42");
        assert.equal(named(plan, "odoo-internal").inputs.internal, true);
        const labels = named(plan, "odoo-odoo").inputs.labels as { label: string; value: string }[];
        assert.deepEqual(
            labels.find((l) => l.label === "odoo-platform.pr"),
            { label: "odoo-platform.pr", value: "42" },
        );
    });

    it("never shows a secret's value, and marks it [secret]", async () => {
        const password = "pl41n-t3xt-must-not-leak";
        const plan = await planStack({ stack: "staging", env: { ...ciEnv, PGPASSWORD: password } });
        const json = JSON.stringify(plan.resources) + JSON.stringify(plan.outputs);
        assert.ok(!json.includes(password), "the database password leaked into the plan");
        assert.equal(named(plan, "database-server").inputs.password, "[secret]");
        assert.equal(named(plan, "odoo-odoo").inputs.uploads, "[secret]");
    });

    it("is deterministic: the same config gives the same plan", async () => {
        const a = await planStack({ stack: "pr-7", env: ciEnv });
        const b = await planStack({ stack: "pr-7", env: ciEnv });
        assert.deepEqual(a.resources, b.resources);
        assert.deepEqual(a.outputs, b.outputs);
    });

    it("rejects a stack name that names no stage, and a missing config file", async () => {
        const bad = await planStack({ stack: "prod", env: ciEnv });
        assert.equal(bad.exitCode, 2);
        assert.match(bad.errors[0], /pr-<number>/);
        const missing = await planStack({ stack: "staging", configFile: "/nonexistent/Pulumi.staging.yaml", env: ciEnv });
        assert.equal(missing.exitCode, 2);
        assert.match(missing.errors[0], /does not exist/);
    });

    describe("npm run plan (the CLI)", () => {
        it("prints one JSON document for pr-42 and exits 0", () => {
            const { code, stdout, stderr } = planCli(["--stack", "pr-42", "--json"]);
            assert.equal(code, 0, stderr);
            const doc = JSON.parse(stdout);
            assert.deepEqual(
                Object.keys(doc)
                    .filter((k) => ["stack", "stage", "resources", "outputs", "policies"].includes(k))
                    .sort(),
                ["outputs", "policies", "resources", "stack", "stage"],
            );
            assert.equal(doc.stack, "pr-42");
            assert.match(doc.outputs.url, /^https:\/\/pr-42-/);
            for (const r of doc.resources) assert.deepEqual(Object.keys(r).sort(), ["inputs", "name", "parent", "type"]);
        });

        it("prints the whole document through a pipe, however large (production's is over 64 KiB)", () => {
            const { code, stdout, stderr } = planCli(["--stack", "production", "--json"]);
            assert.equal(code, 0, stderr);
            assert.ok(stdout.length > 65536, `only ${stdout.length} bytes`);
            assert.equal(JSON.parse(stdout).stack, "production");
        });

        it("exits 2 on a config file with three mistakes, naming all three keys and the file", () => {
            const { code, stderr } = planCli(["--stack", "staging", "--config-file", "tests/fixtures/staging-three-mistakes.yaml"]);
            assert.equal(code, 2);
            for (const key of ["odoo-platform:domain", "odoo-platform:odooWorkers", "odoo-platform:dbHots"])
                assert.ok(stderr.includes(key), `${key} not named in:\n${stderr}`);
            assert.match(stderr, /did you mean odoo-platform:dbHost\?/);
            assert.match(stderr, /tests\/fixtures\/staging-three-mistakes\.yaml/);
        });

        it("exits 2 on bad usage", () => {
            assert.equal(planCli([]).code, 2);
        });
    });
});
