/**
 * The financial query in parts: move-id ranges that cover every move exactly once, and bounds
 * read from the planner's statistics of a real server so that the parts hold about as many lines.
 * That the parts together write exactly the rows of the one query: here on partials that reconcile
 * lines of one part as well as lines of two (the fixture's invoices and payments are far apart in
 * move ids, so nearly all of its partials join two parts), and on the recorded digests
 * (sanitizedDigests.test.ts).
 */
import * as assert from "node:assert/strict";
import { Client } from "pg";
import { copyDatabase } from "../../../ops/postgres/copyDatabase";
import { pgTools } from "../../../ops/postgres/tools";
import { moveRanges, moveRangeSql } from "../../../ops/sanitize/finance";
import { financeMoveBounds } from "../../../ops/sanitize/sanitize";
import { platformDataRules } from "../../../ops/staging/dataRules";
import { fixtureDatabase } from "../../support/odoo";
import { freshDatabase } from "../../support/postgres";
import { query, tableDigest } from "../../support/smallDb";

describe("financial query in parts (move-id ranges)", function () {
    this.timeout(60000);

    it("cuts the moves into ranges that cover every id once, the first one also taking rows without a move", () => {
        assert.deepEqual(moveRanges([]), [{ from: null, to: null }]);
        assert.deepEqual(moveRanges([30, 10, 10]), [
            { from: null, to: 10 },
            { from: 10, to: 30 },
            { from: 30, to: null },
        ]);
        assert.equal(moveRangeSql("l.move_id", { from: null, to: null }), null);
        assert.equal(moveRangeSql("l.move_id", { from: null, to: 10 }), "(l.move_id < 10 OR l.move_id IS NULL)");
        assert.equal(moveRangeSql("l.move_id", { from: 10, to: 30 }), "l.move_id >= 10 AND l.move_id < 30");
        assert.equal(moveRangeSql("l.move_id", { from: 30, to: null }), "l.move_id >= 30");
        assert.throws(() => moveRangeSql("l.move_id", { from: 1.5, to: null }), /whole number/);
    });

    it("reads bounds from pg_stats that give parts of about the asked number of lines, and none without statistics", async () => {
        const db = await freshDatabase("finparts");
        // Lines per move vary (1 to 9) so that equal id ranges would not give equal parts.
        await query(db.url, "CREATE TABLE account_move_line (id serial PRIMARY KEY, move_id int)");
        await query(db.url, "INSERT INTO account_move_line (move_id) SELECT m FROM generate_series(1, 4000) m, generate_series(1, 1 + m % 9) k");
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
            assert.deepEqual(await financeMoveBounds(client, 5000), [], "never analyzed: one query");
            await client.query("ANALYZE account_move_line");
            const total = Number((await client.query("SELECT count(*) AS n FROM account_move_line")).rows[0].n);
            assert.deepEqual(await financeMoveBounds(client, 0), []);
            assert.deepEqual(await financeMoveBounds(client, total * 2), [], "smaller than one part");
            const bounds = await financeMoveBounds(client, 5000);
            assert.equal(bounds.length, Math.ceil(total / 5000) - 1);
            assert.deepEqual(
                [...bounds].sort((a, b) => a - b),
                bounds,
                "ascending",
            );
            const counts: number[] = [];
            for (const r of moveRanges(bounds)) {
                const sql = moveRangeSql("move_id", r) ?? "true";
                counts.push(Number((await client.query(`SELECT count(*) AS n FROM account_move_line WHERE ${sql}`)).rows[0].n));
            }
            assert.equal(
                counts.reduce((a, b) => a + b, 0),
                total,
                "every line in exactly one part",
            );
            const mean = total / counts.length;
            for (const n of counts) assert.ok(Math.abs(n - mean) < mean * 0.25, `parts of about equal size: ${counts.join(", ")}`);
        } finally {
            await client.end();
        }
    });

    // The second shape: partials without their per-side currencies and amounts (Odoo 13 and
    // before), where a partial's currencies come from its lines.
    const shapes = [
        { shape: "", drop: [] as string[] },
        {
            shape: ", on partials without per-side currencies",
            drop: ["debit_currency_id", "credit_currency_id", "debit_amount_currency", "credit_amount_currency"],
        },
    ];
    for (const { shape, drop } of shapes) {
        it(`writes in parts exactly what one query writes, for partials within one part and across two${shape}`, async () => {
            const source = await fixtureDatabase("finparts_src", { scale: 0.004 });
            for (const column of drop) await query(source.url, `ALTER TABLE account_partial_reconcile DROP COLUMN ${column}`);
            // Every third partial is moved to a credit line of the next move after its debit line's:
            // both lines then fall in one part (but where a bound falls between them).
            const moved = await query<{ n: string }>(
                source.url,
                `WITH x AS (SELECT DISTINCT ON (pr.id) pr.id AS partial, l.id AS line
                        FROM account_partial_reconcile pr JOIN account_move_line d ON d.id = pr.debit_move_id
                        JOIN account_move_line l ON l.move_id = d.move_id + 1 AND l.balance < 0
                        WHERE pr.id % 3 = 0 ORDER BY pr.id, l.id)
             UPDATE account_partial_reconcile pr SET credit_move_id = x.line FROM x WHERE pr.id = x.partial RETURNING pr.id::text AS n`,
            );
            assert.ok(moved.length >= 10, `partials within one part (${moved.length})`);
            await query(source.url, "ANALYZE account_move_line");
            const copy = async (linesPerPart: number) => {
                const target = await freshDatabase(`finparts_dst_${drop.length}_${linesPerPart}`);
                let pieces = 0;
                await copyDatabase({
                    tools: pgTools(),
                    sourceUrl: source.url,
                    targetUrl: target.url,
                    jobs: 2,
                    transforms: async (snapshot) => {
                        const planned = await platformDataRules().sanitizePlan(snapshot.client, {
                            seed: "parts",
                            strict: false,
                            financeLinesPerPart: linesPerPart,
                        });
                        pieces = planned.transforms.find((t) => t.table === "account_move_line")?.pieces?.length ?? 0;
                        return planned.transforms;
                    },
                });
                const tables = ["account_move", "account_move_line", "account_payment", "account_partial_reconcile"];
                return { pieces, digests: Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await tableDigest(target.url, t)]))) };
            };
            const whole = await copy(0);
            const parts = await copy(300);
            assert.equal(whole.pieces, 0);
            assert.ok(parts.pieces >= 6, `the financial query is cut into parts (${parts.pieces})`);
            assert.deepEqual(parts.digests, whole.digests);
            // And both are anonymized: no financial table came through as it was.
            for (const [table, digest] of Object.entries(whole.digests)) {
                assert.notEqual(digest, await tableDigest(source.url, table), `${table} was rewritten`);
            }
        });
    }
});
