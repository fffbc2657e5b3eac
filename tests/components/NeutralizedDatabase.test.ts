import * as assert from "node:assert/strict";
import { neutralizedDatabaseCommands, shellWord } from "../../components/NeutralizedDatabase";
import { isSecretValue } from "../../plan/mockRuntime";
import { planStack, PlanResult } from "../../plan/plan";

const env = { ...process.env, ODOO_PLATFORM_GIT_SHA: "abcdef1", PGPASSWORD: "admin-password-from-ci" };

describe("NeutralizedDatabase", function () {
    this.timeout(60000);
    let plan: PlanResult;
    const find = (name: string) => {
        const r = plan.recorded.find((x) => x.name === name);
        assert.ok(r, `resource ${name} planned`);
        return r!;
    };

    before(async () => {
        plan = await planStack({ stack: "staging", env });
        assert.deepEqual(plan.errors, []);
    });

    it("creates the owner role with a random secret password and the database on the stage's server", () => {
        const provider = find("database-server");
        assert.equal((provider.inputs as any).host, "db-nonprod.internal.insightpulseai.com");
        assert.equal((provider.inputs as any).sslmode, "require");
        const role = find("database-owner").inputs as any;
        assert.equal(role.name, "odoo_staging_owner");
        assert.equal(role.login, true);
        assert.ok(isSecretValue(role.password), "the owner password is a secret");
        const db = find("database-database");
        assert.equal((db.inputs as any).name, "odoo_staging");
        assert.equal((db.inputs as any).owner, "odoo_staging_owner");
        assert.equal(db.type, "postgresql:index/database:Database");
    });

    it("runs restore → neutralize → verify → swap in that order, rerun when the snapshot changes", () => {
        const restore = find("database-restore");
        const neutralize = find("database-neutralize");
        const verify = find("database-verify");
        const swap = find("database-swap");
        assert.ok(restore.dependencies.includes(find("database-database").urn));
        assert.ok(restore.dependencies.includes(find("database-owner").urn));
        assert.deepEqual(neutralize.dependencies, [restore.urn]);
        assert.deepEqual(verify.dependencies, [neutralize.urn]);
        assert.deepEqual(swap.dependencies, [verify.urn]);
        for (const step of [restore, neutralize, verify, swap]) {
            assert.equal((step.inputs as any).triggers[0], "s3://insightpulseai-odoo-staging-snapshots/staging/latest");
        }
        assert.match((restore.inputs as any).create, /snapshot restore --from "\$SNAPSHOT_URI" --db "\$PENDING_DB_URL" --owner odoo_staging_owner --require-sanitized/);
        assert.match((neutralize.inputs as any).create, /db neutralize --db "\$PENDING_DB_URL" --base-url https:\/\/staging.insightpulseai.com --mail-host mailpit --mail-port 1025/);
        assert.match((verify.inputs as any).create, /db verify --db "\$PENDING_DB_URL" --base-url https:\/\/staging.insightpulseai.com --mail-host mailpit --allow-domain example.com --allow-domain staging.insightpulseai.com$/);
        assert.match((swap.inputs as any).create, /staging swap --db "\$TARGET_DB_URL" --candidate odoo_staging__pending/);
        assert.match((swap.inputs as any).delete, /staging cleanup/);
    });

    it("gates the Odoo container on verify and swap, so traffic never reaches an unverified copy", () => {
        const odoo = find("odoo-odoo");
        assert.ok(odoo.dependencies.includes(find("database-verify").urn));
        assert.ok(odoo.dependencies.includes(find("database-swap").urn));
    });

    it("keeps the admin password out of command lines: only in a secret environment variable", () => {
        for (const name of ["database-restore", "database-neutralize", "database-verify", "database-swap"]) {
            const inputs = find(name).inputs as any;
            // The runtime marks the whole environment map secret once one value in it is.
            const environment = isSecretValue(inputs.environment) ? (inputs.environment.value as any) : inputs.environment;
            assert.ok(isSecretValue(inputs.environment) || isSecretValue(environment.PGPASSWORD), `${name}: PGPASSWORD is secret`);
            assert.equal(isSecretValue(environment.PGPASSWORD) ? environment.PGPASSWORD.value : environment.PGPASSWORD, "admin-password-from-ci");
            assert.ok(!JSON.stringify({ create: inputs.create, delete: inputs.delete, url: environment.TARGET_DB_URL }).includes("admin-password-from-ci"));
            assert.equal(environment.PENDING_DB_URL, "postgresql://postgres@db-nonprod.internal.insightpulseai.com:5432/odoo_staging__pending?sslmode=require");
        }
    });

    it("is absent from dev and snapshot-less PR stacks, which keep the fresh demo database", async () => {
        for (const stack of ["dev", "pr-12"]) {
            const p = await planStack({ stack, env: { ...env, ODOO_PLATFORM_GIT_BRANCH: "feature/x" } });
            assert.deepEqual(p.errors, [], stack);
            assert.equal(p.recorded.filter((r) => r.type === "odoo-platform:data:NeutralizedDatabase").length, 0, stack);
            const init = p.recorded.find((r) => r.name === "odoo-prepare");
            assert.ok(init, `${stack}: one-shot prepare container (fresh database with demo data)`);
        }
    });

    it("quotes values for the shell", () => {
        assert.equal(shellWord("https://x.example.com"), "https://x.example.com");
        assert.equal(shellWord("it's"), `'it'\\''s'`);
        const cmds = neutralizedDatabaseCommands({ owner: "o", baseUrl: "https://a b", mailCatcher: { host: "m", port: 1 }, allowedDomains: [], pending: "p" });
        assert.match(cmds.neutralize.create, /--base-url 'https:\/\/a b'/);
        assert.equal(cmds.verify.create, `npx --no-install odoo-platform db verify --db "$PENDING_DB_URL" --base-url 'https://a b' --mail-host m`);
    });
});
