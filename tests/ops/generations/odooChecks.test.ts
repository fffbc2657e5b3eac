/**
 * What a database is, on real Odoo schemas (12 with data, 16 and 18 schema only) and on the
 * fixture: an Odoo database with data, and whether it still looks like production.
 */
import * as assert from "node:assert/strict";
import { Client } from "pg";
import { probeOdoo, probeProductionSigns } from "../../../ops/generations/odooChecks";
import { fixtureDatabase } from "../../support/odoo";
import { freshDatabase } from "../../support/postgres";
import { loadRealDump, realDump, realSchemasDir } from "../../support/realSchemas";
import { query } from "../../support/smallDb";

async function probe(url: string) {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return { odoo: await probeOdoo(client), signs: await probeProductionSigns(client) };
    } finally {
        await client.end();
    }
}

describe("Odoo and production probes", function () {
    this.timeout(180000);

    it("an empty database is not an Odoo database", async () => {
        const empty = await freshDatabase("probe_empty");
        assert.deepEqual((await probe(empty.url)).odoo, { isOdoo: false, problem: "it has no ir_module_module table", version: null, partners: 0, users: 0 });
        assert.equal((await probe(empty.url)).signs.looksLikeProduction, false);
    });

    it("the fixture looks like production until it is neutralized", async () => {
        const db = await fixtureDatabase("probe_fixture");
        const before = await probe(db.url);
        assert.equal(before.odoo.isOdoo, true);
        assert.equal(before.signs.looksLikeProduction, true);
        assert.ok(before.signs.activeCrons > 0 && before.signs.liveMailServers > 0, JSON.stringify(before.signs));
        await query(db.url, "INSERT INTO ir_config_parameter (key, value) VALUES ('database.is_neutralized', 'true')");
        assert.equal((await probe(db.url)).signs.looksLikeProduction, false);
    });

    describe("on real Odoo dumps", () => {
        before(function () {
            if (!realDump("odoo12-prisma.sql")) {
                console.log(`    (skipped: no real Odoo dumps in ${realSchemasDir})`);
                this.skip();
            }
        });

        it("Odoo 12 with data: an Odoo database that looks like production (its crons run, nothing neutralized)", async () => {
            const db = await loadRealDump("odoo12-prisma.sql", "real12");
            const { odoo, signs } = await probe(db.url);
            assert.equal(odoo.isOdoo, true, odoo.problem);
            assert.match(odoo.version ?? "", /^12\.0/);
            assert.ok(odoo.partners >= 40);
            assert.equal(signs.neutralized, false);
            assert.ok(signs.activeCrons > 0, JSON.stringify(signs));
            assert.equal(signs.looksLikeProduction, true);
        });

        for (const [file, version] of [
            ["odoo16-maaranodoo-baseonly.sql", "16"],
            ["odoo18-basemail.sql", "18"],
        ] as const) {
            it(`Odoo ${version}, schema only: refused as a source because it holds no data; read without error (no smtp_authentication assumed)`, async function () {
                if (!realDump(file)) this.skip();
                const db = await loadRealDump(file, `real${version}`);
                const { odoo, signs } = await probe(db.url);
                assert.equal(odoo.isOdoo, false);
                assert.match(odoo.problem ?? "", /base module is not in ir_module_module|holds no data/);
                assert.equal(signs.looksLikeProduction, false);
            });
        }
    });
});
