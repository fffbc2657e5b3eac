import * as assert from "node:assert/strict";
import { createOdooSchema, fixtureCounts, schemaSql, seedOdooFixture } from "../../testing/odooFixture";
import { columnsFor, tables } from "../../testing/odooSchema";
import { connectTo, databaseChecksums, fixtureDatabase } from "../support/odoo";
import { freshDatabase } from "../support/postgres";

describe("Odoo-shaped fixture", () => {
    it("sizes scale 1 for the benchmark: ≥ 100 k partners, 300 k messages, 100 k invoices", () => {
        const n = fixtureCounts(1);
        assert.ok(n.partners >= 100_000 && n.messages >= 300_000 && n.invoices >= 100_000);
        assert.throws(() => fixtureCounts(0), /positive number/);
    });

    it("uses each version's column names (ir_cron.numbercall in 17.0, failure_count in 18.0)", () => {
        const cron = tables.find((t) => t.name === "ir_cron")!;
        const names = (v: "17.0" | "18.0") => columnsFor(cron, v).map((c) => c.name);
        assert.ok(names("17.0").includes("numbercall") && !names("17.0").includes("failure_count"));
        assert.ok(names("18.0").includes("failure_count") && !names("18.0").includes("numbercall"));
        assert.match(schemaSql("18.0"), /"memo" character varying/);
    });

    for (const version of ["17.0", "18.0"] as const) {
        it(`plants consistent books in ${version}: balanced moves, paid invoices without residual, partials that match`, async () => {
            const db = await fixtureDatabase("fixture_books", { version });
            const client = await connectTo(db.url);
            try {
                const { rows } = await client.query(`SELECT
                    (SELECT count(*) FROM (SELECT move_id FROM account_move_line GROUP BY move_id HAVING sum(balance) <> 0) x)::int AS unbalanced,
                    (SELECT count(*) FROM account_move WHERE payment_state = 'paid' AND amount_residual <> 0)::int AS paid_open,
                    (SELECT count(*) FROM account_move WHERE payment_state = 'paid')::int AS paid,
                    (SELECT count(*) FROM account_move WHERE payment_state = 'partial')::int AS partial,
                    (SELECT count(*) FROM account_move WHERE currency_id <> 1)::int AS foreign_currency,
                    (SELECT count(*) FROM ir_cron WHERE active)::int AS active_crons,
                    (SELECT count(*) FROM mail_mail WHERE state = 'outgoing')::int AS queued,
                    (SELECT count(*) FROM mail_message WHERE body ~ '@' AND body ~ '\\+[0-9]')::int AS bodies_with_pii`);
                const r = rows[0];
                assert.equal(r.unbalanced, 0);
                assert.equal(r.paid_open, 0);
                assert.ok(r.paid > 0 && r.partial > 0 && r.foreign_currency > 0, JSON.stringify(r));
                assert.ok(r.active_crons > 1 && r.queued > 0 && r.bodies_with_pii > 0, JSON.stringify(r));
            } finally {
                await client.end();
            }
        });
    }

    it("is deterministic: two separate generations with the same seed are byte-identical, another seed differs", async () => {
        const sums = [];
        for (const seed of ["same", "same", "other"]) {
            const db = await freshDatabase("fixture_det");
            const client = await connectTo(db.url);
            try {
                await createOdooSchema(client);
                await seedOdooFixture(client, { scale: 0.002, seed });
                sums.push(await databaseChecksums(client));
            } finally {
                await client.end();
            }
        }
        assert.deepEqual(sums[0], sums[1]);
        assert.notEqual(sums[0].res_partner, sums[2].res_partner);
        assert.notEqual(sums[0].account_move_line, sums[2].account_move_line);
    });
});
