/**
 * The financial group computed in Node (ops/sanitize/financeRewrite.ts) against the same group
 * computed by the database's SQL (finance.ts, financeInNode: false): the streaming copy of the same
 * source both ways must write identical move lines, moves, payments and partials, row for row and
 * digit for digit — on the fixture, and on a source with the awkward cases planted (residuals and
 * subtotals NULL, prices with four decimals, lines without a company currency, a journal entry in
 * one foreign currency whose amounts sum to zero, entries mixing currencies, payments found by their outstanding account or
 * not, a move without lines), in one query and in parts.
 */
import * as assert from "node:assert/strict";
import { copyDatabase } from "../../../ops/postgres/copyDatabase";
import { planTableCopies } from "../../../ops/postgres/copyStream";
import { pgTools } from "../../../ops/postgres/tools";
import { platformDataRules } from "../../../ops/staging/dataRules";
import { fixtureDatabase } from "../../support/odoo";
import { freshDatabase } from "../../support/postgres";
import { query } from "../../support/smallDb";

const financial = ["account_move_line", "account_move", "account_payment", "account_partial_reconcile"];

async function copyWith(sourceUrl: string, financeInNode: boolean, parts: boolean): Promise<{ url: string; rewritten: boolean }> {
    const target = await freshDatabase(financeInNode ? "fin_node" : "fin_sql");
    const rules = platformDataRules();
    let rewritten = false;
    await copyDatabase({
        tools: pgTools(),
        sourceUrl,
        targetUrl: target.url,
        jobs: 2,
        minChunkBytes: 64 * 1024,
        transforms: async (snapshot) => {
            const plan = await rules.sanitizePlan(snapshot.client, {
                seed: "rewrite-test",
                strict: false,
                financeLinesPerPart: parts ? 300 : 0,
                financeInNode,
            });
            const lines = plan.transforms.find((t) => t.table === "account_move_line");
            rewritten = !!(lines?.group?.rewrite ?? lines?.pieces?.[0]?.group.rewrite);
            return plan.transforms;
        },
    });
    return { url: target.url, rewritten };
}

async function rowsOf(url: string, table: string): Promise<string[]> {
    return (await query<{ r: string }>(url, `SELECT t::text AS r FROM ${table} t ORDER BY id`)).map((row) => row.r);
}

async function assertSameBothWays(sourceUrl: string, parts: boolean): Promise<void> {
    const sql = await copyWith(sourceUrl, false, parts);
    const node = await copyWith(sourceUrl, true, parts);
    assert.equal(sql.rewritten, false, "financeInNode: false keeps the SQL");
    assert.equal(node.rewritten, true, "the group is rewritten in Node");
    for (const table of financial) {
        const [expected, actual] = [await rowsOf(sql.url, table), await rowsOf(node.url, table)];
        assert.equal(actual.length, expected.length, `${table}: row count`);
        const differing = actual.map((row, i) => (row === expected[i] ? null : `${table}\n  sql:  ${expected[i]}\n  node: ${row}`)).filter(Boolean);
        assert.deepEqual(differing.slice(0, 3), [], `${table}: ${differing.length} rows differ`);
    }
    // And it did scale: most lines differ from production's.
    const [before, after] = [await rowsOf(sourceUrl, "account_move_line"), await rowsOf(node.url, "account_move_line")];
    assert.ok(after.filter((row, i) => row !== before[i]).length > after.length / 2, "the amounts are scaled");
}

describe("the financial group computed in Node writes what the SQL writes (ops/sanitize/financeRewrite.ts)", function () {
    this.timeout(300_000);

    for (const parts of [false, true]) {
        it(`on the Odoo 17.0 fixture${parts ? ", in parts by move range" : ""}`, async () => {
            const source = await fixtureDatabase(`fin_fx${parts ? "p" : ""}`, { scale: 0.004 });
            if (parts) await query(source.url, "ANALYZE account_move_line");
            await assertSameBothWays(source.url, parts);
        });
    }

    it("on planted awkward rows: NULL residuals and subtotals, four-decimal prices, no company currency, a zero-sum foreign entry, mixed-currency entries, payments by outstanding account", async () => {
        const source = await fixtureDatabase("fin_awk", { scale: 0.004 });
        await query(
            source.url,
            `UPDATE account_move_line SET amount_residual = NULL WHERE id % 17 = 0;
             UPDATE account_move_line SET price_subtotal = NULL, price_total = NULL WHERE id % 19 = 0;
             UPDATE account_move_line SET price_unit = price_unit + 0.0005 WHERE id % 7 = 0;
             UPDATE account_move_line SET company_currency_id = NULL WHERE id % 11 = 0;
             UPDATE account_move_line SET tax_base_amount = 12.345 WHERE id % 13 = 0;
             -- one journal entry entirely in USD whose amounts in currency sum to zero (the currency difference path)
             UPDATE account_move_line l SET currency_id = 2, amount_currency = l.balance * 1.1, amount_residual_currency = l.amount_residual * 1.1
              WHERE l.move_id IN (SELECT id FROM account_move WHERE move_type = 'entry' ORDER BY id LIMIT 3);
             -- and entries where only the largest line is in USD (mixed currencies: no currency difference to absorb)
             UPDATE account_move_line l SET currency_id = 2, amount_currency = l.balance * 1.1 + 0.004
              WHERE l.id IN (SELECT DISTINCT ON (x.move_id) x.id FROM account_move_line x JOIN account_move m ON m.id = x.move_id
                              WHERE m.move_type = 'entry' AND m.id NOT IN (SELECT id FROM account_move WHERE move_type = 'entry' ORDER BY id LIMIT 3)
                              ORDER BY x.move_id, abs(x.balance) DESC, x.id);
             -- a move without lines
             INSERT INTO account_move (id, move_type, state, date, journal_id, company_id, currency_id, amount_total)
                  SELECT max(id) + 1, 'entry', 'posted', '2024-01-01', 4, 1, 1, 100 FROM account_move;
             -- payments find their liquidity lines by their outstanding account (Odoo 15+): some have none
             UPDATE account_payment SET outstanding_account_id = NULL WHERE id % 5 = 0;
             ANALYZE`,
        );
        await assertSameBothWays(source.url, false);
        await assertSameBothWays(source.url, true);
    });

    it("stays in SQL when a currency does not round to a power of ten (0.05)", async () => {
        const source = await fixtureDatabase("fin_cash", { scale: 0.004 });
        await query(source.url, "UPDATE res_currency SET rounding = 0.05 WHERE id = 2");
        const copy = await copyWith(source.url, true, false);
        assert.equal(copy.rewritten, false);
        const [{ n }] = await query<{ n: string }>(copy.url, "SELECT count(*) AS n FROM account_move_line");
        assert.ok(Number(n) > 0);
    });

    it("refuses a plan where another rule rewrites a column the Node rewrite reads", () => {
        const table = {
            schema: "public",
            name: "account_move",
            qualified: '"public"."account_move"',
            columns: ["id", "move_type", "amount_total"],
            types: ["int4", "varchar", "numeric"],
            bytes: 1,
            blocks: 1,
            hasRows: true,
        };
        const rewrite = { helpers: [], writes: ["amount_total"], reads: ["id", "move_type", "amount_total"], rows: () => [] };
        const group = { name: "finance", ctes: "x AS (SELECT 1)", from: "ONLY account_move t", rewrite };
        assert.throws(
            () => planTableCopies([table], [{ table: "account_move", columns: { amount_total: "t.amount_total", move_type: "'entry'" }, group }]),
            /public\.account_move: move_type are rewritten by a rule and read by the group's rewrite in Node/,
        );
    });
});
