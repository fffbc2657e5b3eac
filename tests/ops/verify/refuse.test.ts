import * as assert from "node:assert/strict";
import { createOdooSchema } from "../../../testing/odooFixture";
import { runCli } from "../../support/cli";
import { connectTo } from "../../support/odoo";
import { freshDatabase } from "../../support/postgres";
import { seedSmallDb } from "../../support/smallDb";

describe("db verify refuses what it cannot vouch for", function () {
    this.timeout(120_000);

    it('an empty database: exit 1, not an Odoo database (it used to pass with "0 tables scanned")', async () => {
        const db = await freshDatabase("ver_empty");
        const run = await runCli(["db", "verify", "--db", db.url]);
        assert.equal(run.code, 1, run.stdout);
        assert.match(run.stdout, /not an Odoo database: the database has no tables at all/);
    });

    it("a database that is not Odoo: exit 1, naming the missing tables", async () => {
        const db = await freshDatabase("ver_other");
        await seedSmallDb(db.url);
        const run = await runCli(["db", "verify", "--db", db.url, "--json"]);
        assert.equal(run.code, 1);
        assert.equal(run.json.findings[0].check, "odoo-database");
        // The small database (tests/support/smallDb.ts) has ir_module_module, res_users and res_partner.
        assert.match(run.json.findings[0].message, /no ir_model, ir_model_data, ir_config_parameter, res_company tables/);
    });

    it("an Odoo schema without its base module, then one with nothing to scan: exit 1 each time", async () => {
        const db = await freshDatabase("ver_bare");
        const client = await connectTo(db.url);
        try {
            await createOdooSchema(client);
            let run = await runCli(["db", "verify", "--db", db.url]);
            assert.equal(run.code, 1);
            assert.match(run.stdout, /ir_module_module has no base module/);
            await client.query("INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed')");
            run = await runCli(["db", "verify", "--db", db.url, "--json"]);
            assert.equal(run.code, 1);
            assert.ok(
                run.json.findings.some((f: { check: string }) => f.check === "nothing-scanned"),
                run.stdout,
            );
        } finally {
            await client.end();
        }
    });
});
