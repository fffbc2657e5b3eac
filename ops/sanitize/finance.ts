/**
 * Financial anonymization: every amount of a commercial partner's documents is multiplied by one
 * factor in [0.8, 1.2] derived from (seed, commercial partner), so an invoice and the payment that
 * settles it scale alike, and the books stay usable:
 *
 * - partial reconciliations are scaled first (rounded to their currency), and every reconciled line
 *   is rebuilt as `its new partials + its scaled residual`, so a fully paid invoice stays exactly
 *   paid and every partial still equals what it reconciles;
 * - other lines are scaled and rounded to the currency's precision (res_currency.rounding);
 * - the rounding difference of each move goes to one line that reconciles nothing (the largest),
 *   so every move stays balanced to the cent (in its currency too when the move has one currency);
 * - move totals and residuals move by exactly what their lines moved; payments follow their lines.
 *
 * Everything is expressed as self-contained SQL (TableTransform.from): the pipeline streams it, the
 * in-place sanitizer materializes it once before writing.
 */
import type { Catalog } from "../odoo/catalog";
import { moveTotalColumns, moveTotalsQuery } from "../odoo/accounting";
import { qualifiedTable, quoteIdent } from "../odoo/sql";
import { FakeContext, fakeHash } from "./fake";
import type { TableTransform } from "./transform";

/** The factor of commercial partner `partnerExpr` (0 for documents without partner): 0.800000 … 1.200000. */
export function factorSql(fake: FakeContext, partnerExpr: string): string {
    return `round(0.8 + 0.4 * ${fakeHash(fake, "factor", `coalesce(${partnerExpr}, 0)`)}::numeric / 4294967295, 6)`;
}

/** `round(x / step) * step`: rounding to a currency's step (0.01, 0.05, 1). */
const rnd = (x: string, step: string) => `(round((${x}) / ${step}) * ${step})`;

export interface FinancePlan {
    transforms: TableTransform[];
    /** Parts that could not run on this database, with the reason. */
    skipped: string[];
}

/** Prefix of the helper columns a financial `from` adds to `t`. */
export const helperPrefix = "__sz_";

export function financialTransforms(fake: FakeContext, catalog: Catalog): FinancePlan {
    const skipped: string[] = [];
    const has = (table: string, column: string) => catalog.hasColumn(table, column);
    const need = (table: string, columns: string[]) => {
        const missing = catalog.missing(table, columns);
        if (missing.length) skipped.push(`${table}: missing ${missing.join(", ")}`);
        return missing.length === 0;
    };
    if (!need("account_move", ["id"]) || !need("account_move_line", ["id", "move_id", "balance"])) {
        return { transforms: [], skipped };
    }
    const T = {
        move: qualifiedTable("account_move"), line: qualifiedTable("account_move_line"), partner: qualifiedTable("res_partner"),
        currency: qualifiedTable("res_currency"), company: qualifiedTable("res_company"),
        partial: qualifiedTable("account_partial_reconcile"), payment: qualifiedTable("account_payment"),
    };
    const opt = (table: string, column: string, alias: string, fallback: string) =>
        has(table, column) ? `${alias}.${quoteIdent(column)}` : fallback;

    // Factor per move: its commercial partner's.
    const partnerJoin = catalog.hasTable("res_partner") && has("account_move", "partner_id") ? `LEFT JOIN ONLY ${T.partner} p ON p.id = m.partner_id` : "";
    const commercial = [
        opt("account_move", "commercial_partner_id", "m", ""),
        partnerJoin && has("res_partner", "commercial_partner_id") ? "p.commercial_partner_id" : "",
        opt("account_move", "partner_id", "m", ""),
    ].filter(Boolean);
    const fac = `fac AS (SELECT m.id AS move_id, ${factorSql(fake, commercial.length ? `coalesce(${commercial.join(", ")})` : "NULL")} AS f
        FROM ONLY ${T.move} m ${partnerJoin})`;

    // Currency rounding steps.
    const step = has("res_currency", "rounding")
        ? `coalesce(nullif(c.rounding, 0), ${has("res_currency", "decimal_places") ? "power(10::numeric, -c.decimal_places), " : ""}0.01)`
        : has("res_currency", "decimal_places") ? "coalesce(power(10::numeric, -c.decimal_places), 0.01)" : "0.01";
    const cur = catalog.hasTable("res_currency") ? `cur AS (SELECT c.id, ${step} AS r FROM ONLY ${T.currency} c)` : "cur AS (SELECT NULL::int AS id, 0.01 AS r)";

    // Lines with their company currency and own currency.
    const companyCurrency = has("account_move_line", "company_currency_id")
        ? "l.company_currency_id"
        : has("account_move_line", "company_id") && has("res_company", "currency_id") ? `(SELECT co.currency_id FROM ONLY ${T.company} co WHERE co.id = l.company_id)` : "NULL::int";
    const lineCurrency = has("account_move_line", "currency_id") ? `coalesce(l.currency_id, ${companyCurrency})` : companyCurrency;
    const lineCols = (alias: string) => [
        `${alias}.id`, `${alias}.move_id`, `${companyCurrency.replace(/\bl\./g, `${alias}.`)} AS ccur`, `${lineCurrency.replace(/\bl\./g, `${alias}.`)} AS lcur`,
        `coalesce(${alias}.balance, 0) AS b0`,
        `coalesce(${opt("account_move_line", "amount_residual", alias, "0")}, 0) AS r0`,
        `coalesce(${opt("account_move_line", "amount_currency", alias, `${alias}.balance`)}, ${alias}.balance, 0) AS ac0`,
        `coalesce(${opt("account_move_line", "amount_residual_currency", alias, opt("account_move_line", "amount_residual", alias, "0"))}, 0) AS rc0`,
        `${opt("account_move_line", "display_type", alias, "NULL::text")} AS display_type`,
        `${opt("account_move_line", "account_id", alias, "NULL::int")} AS account_id`,
    ].join(", ");
    const allLines = `alll AS (SELECT ${lineCols("l")} FROM ONLY ${T.line} l)`;

    // Scaled partials (none when the table is missing).
    const partialsOk = catalog.hasTable("account_partial_reconcile") &&
        need("account_partial_reconcile", ["id", "debit_move_id", "credit_move_id", "amount"]);
    const pc = (column: string, lineAlias: string) => has("account_partial_reconcile", column)
        ? `coalesce(pr.${column}, ${lineAlias}.lcur)` : `${lineAlias}.lcur`;
    const scaledCurrency = (column: string, stepAlias: string) => has("account_partial_reconcile", column)
        ? rnd(`pr.${column} * fa.f`, `coalesce(${stepAlias}.r, ccr.r, 0.01)`) : rnd("pr.amount * fa.f", "coalesce(ccr.r, 0.01)");
    const partials = partialsOk
        ? `pr AS (SELECT pr.id, pr.debit_move_id, pr.credit_move_id, fa.f,
                ${rnd("pr.amount * fa.f", "coalesce(ccr.r, 0.01)")} AS amount,
                ${scaledCurrency("debit_amount_currency", "dcr")} AS debit_amount_currency,
                ${scaledCurrency("credit_amount_currency", "kcr")} AS credit_amount_currency
            FROM ONLY ${T.partial} pr
            JOIN alll dl ON dl.id = pr.debit_move_id JOIN alll kl ON kl.id = pr.credit_move_id
            JOIN fac fa ON fa.move_id = dl.move_id
            LEFT JOIN cur ccr ON ccr.id = dl.ccur
            LEFT JOIN cur dcr ON dcr.id = ${pc("debit_currency_id", "dl")}
            LEFT JOIN cur kcr ON kcr.id = ${pc("credit_currency_id", "kl")})`
        : `pr AS (SELECT NULL::int AS id, NULL::int AS debit_move_id, NULL::int AS credit_move_id, NULL::numeric AS f,
                NULL::numeric AS amount, NULL::numeric AS debit_amount_currency, NULL::numeric AS credit_amount_currency WHERE false)`;
    const partialSums = `ld AS (SELECT debit_move_id AS id, sum(amount) AS a, sum(debit_amount_currency) AS ac FROM pr GROUP BY 1),
        lc AS (SELECT credit_move_id AS id, sum(amount) AS a, sum(credit_amount_currency) AS ac FROM pr GROUP BY 1)`;

    /** The per-line computation; `restrict` limits the lines (whole moves only) to a subquery of move ids. */
    const chainCtes = (restrict?: string) => {
        const lines = restrict ? `lines AS (SELECT * FROM alll WHERE move_id IN (${restrict}))` : "lines AS (SELECT * FROM alll)";
        return [fac, cur, allLines, partials, partialSums, lines,
            `s1 AS (SELECT l.*, fa.f, coalesce(ccr.r, 0.01) AS cr, coalesce(lcr.r, ccr.r, 0.01) AS lr,
                (l.lcur IS NOT DISTINCT FROM l.ccur) AS company_cur, (ld.id IS NOT NULL OR lc.id IS NOT NULL) AS has_partials,
                coalesce(ld.a, 0) AS nd, coalesce(lc.a, 0) AS nc, coalesce(ld.ac, 0) AS ndc, coalesce(lc.ac, 0) AS ncc
              FROM lines l JOIN fac fa ON fa.move_id = l.move_id LEFT JOIN cur ccr ON ccr.id = l.ccur LEFT JOIN cur lcr ON lcr.id = l.lcur
              LEFT JOIN ld ON ld.id = l.id LEFT JOIN lc ON lc.id = l.id)`,
            `s2 AS (SELECT s1.*, ${rnd("r0 * f", "cr")} AS nr, ${rnd("rc0 * f", "lr")} AS nrc,
                CASE WHEN has_partials THEN ${rnd("r0 * f", "cr")} + nd - nc ELSE ${rnd("b0 * f", "cr")} END AS nb,
                CASE WHEN has_partials THEN ${rnd("rc0 * f", "lr")} + ndc - ncc ELSE ${rnd("ac0 * f", "lr")} END AS nac
              FROM s1)`,
            `s3 AS (SELECT s2.*, sum(nb) OVER w AS delta, sum(nac) OVER w AS delta_c, sum(ac0) OVER w AS sum_ac0,
                (min(lcur) OVER w IS NOT DISTINCT FROM max(lcur) OVER w) AS single_cur,
                row_number() OVER (PARTITION BY move_id ORDER BY CASE WHEN NOT has_partials AND r0 = 0 THEN 0 WHEN NOT has_partials THEN 1 ELSE 2 END,
                                   abs(b0) DESC, id) AS rk
              FROM s2 WINDOW w AS (PARTITION BY move_id))`,
            `s4 AS (SELECT s3.*, nb - CASE WHEN rk = 1 THEN delta ELSE 0 END AS balance,
                nr - CASE WHEN rk = 1 AND (has_partials OR r0 <> 0) THEN delta ELSE 0 END AS amount_residual,
                nac - CASE WHEN rk = 1 AND single_cur AND sum_ac0 = 0 THEN delta_c ELSE 0 END AS fc_amount,
                nrc - CASE WHEN rk = 1 AND single_cur AND sum_ac0 = 0 AND (has_partials OR rc0 <> 0) THEN delta_c ELSE 0 END AS fc_residual,
                (rk = 1 AND delta <> 0 AND has_partials) AS absorbed_on_reconciled
              FROM s3)`,
            `chain AS (SELECT id, move_id, display_type, account_id, f, cr, lr, b0, r0, ac0, rc0, balance, amount_residual,
                CASE WHEN company_cur THEN balance ELSE fc_amount END AS amount_currency,
                CASE WHEN company_cur THEN amount_residual ELSE fc_residual END AS amount_residual_currency,
                absorbed_on_reconciled
              FROM s4)`,
        ];
    };
    const h = (name: string) => `${helperPrefix}${name}`;
    const hcol = (name: string) => `t.${quoteIdent(h(name))}`;
    const transforms: TableTransform[] = [];

    // account_move_line.
    {
        const columns: Record<string, string> = {};
        const set = (column: string, expr: string) => { if (has("account_move_line", column)) columns[column] = `coalesce(${expr}, t.${quoteIdent(column)})`; };
        set("balance", hcol("balance"));
        set("debit", `greatest(${hcol("balance")}, 0)`);
        set("credit", `greatest(-${hcol("balance")}, 0)`);
        set("amount_residual", hcol("amount_residual"));
        set("amount_currency", hcol("amount_currency"));
        set("amount_residual_currency", hcol("amount_residual_currency"));
        const newSubtotal = `(CASE WHEN t.price_subtotal IS NULL THEN NULL WHEN ${hcol("ac0")} <> 0 AND t.price_subtotal = ${hcol("ac0")} THEN ${hcol("amount_currency")} ` +
            `WHEN ${hcol("ac0")} <> 0 AND t.price_subtotal = -${hcol("ac0")} THEN -${hcol("amount_currency")} ELSE ${rnd(`t.price_subtotal * ${hcol("f")}`, hcol("lr"))} END)`;
        if (has("account_move_line", "price_subtotal")) {
            set("price_subtotal", newSubtotal);
            if (has("account_move_line", "price_total")) {
                set("price_total", `${newSubtotal} + ${rnd(`(t.price_total - t.price_subtotal) * ${hcol("f")}`, hcol("lr"))}`);
            }
        }
        set("price_unit", `round(t.price_unit * ${hcol("f")}, greatest(scale(t.price_unit), 2))`);
        set("tax_base_amount", rnd(`t.tax_base_amount * ${hcol("f")}`, hcol("cr")));
        const extra = ["balance", "amount_residual", "amount_currency", "amount_residual_currency", "f", "cr", "lr", "ac0", "absorbed_on_reconciled"]
            .map((c) => `n.${c} AS ${quoteIdent(h(c))}`).join(", ");
        transforms.push({
            table: "account_move_line",
            columns,
            from: `(WITH ${chainCtes().join(",\n")} SELECT l.*, ${extra} FROM ONLY ${T.line} l LEFT JOIN chain n ON n.id = l.id) t`,
            rules: ["finance.account_move_line"],
        });
    }

    // account_move totals: move by exactly what Odoo's formula over the lines moved.
    if (need("account_move", ["move_type"]) && need("account_move_line", ["display_type"])) {
        const totals = moveTotalColumns.filter((c) => has("account_move", c));
        const lines = (prefix: "" | "o") => {
            const v = (c: string, old: string) => (prefix ? `c.${old}` : `c.${c}`);
            return `(SELECT c.move_id, c.display_type, mm.move_type, ${v("balance", "b0")} AS balance, ${v("amount_currency", "ac0")} AS amount_currency,
                ${v("amount_residual", "r0")} AS amount_residual, ${v("amount_residual_currency", "rc0")} AS amount_residual_currency
              FROM chain c JOIN ONLY ${T.move} mm ON mm.id = c.move_id) l`;
        };
        const extra = totals.flatMap((c) => [`nw.${c} AS ${quoteIdent(h(`new_${c}`))}`, `od.${c} AS ${quoteIdent(h(`old_${c}`))}`]).join(", ");
        const columns: Record<string, string> = {};
        for (const c of totals) columns[c] = `coalesce(t.${quoteIdent(c)} + (${hcol(`new_${c}`)} - ${hcol(`old_${c}`)}), t.${quoteIdent(c)})`;
        if (totals.length) {
            transforms.push({
                table: "account_move",
                columns,
                from: `(WITH ${chainCtes().join(",\n")} SELECT m.*, ${extra} FROM ONLY ${T.move} m
                    LEFT JOIN (${moveTotalsQuery(lines(""))}) nw ON nw.move_id = m.id
                    LEFT JOIN (${moveTotalsQuery(lines("o"))}) od ON od.move_id = m.id) t`,
                rules: ["finance.account_move"],
            });
        }
    }

    // account_partial_reconcile.
    if (partialsOk) {
        const columns: Record<string, string> = { amount: `coalesce(${hcol("amount")}, t.amount)` };
        for (const c of ["debit_amount_currency", "credit_amount_currency"]) {
            if (has("account_partial_reconcile", c)) columns[c] = `coalesce(${hcol(c)}, t.${c})`;
        }
        transforms.push({
            table: "account_partial_reconcile",
            columns,
            from: `(WITH ${[fac, cur, allLines, partials].join(",\n")} SELECT p.*, s.amount AS ${quoteIdent(h("amount"))},
                s.debit_amount_currency AS ${quoteIdent(h("debit_amount_currency"))}, s.credit_amount_currency AS ${quoteIdent(h("credit_amount_currency"))}
                FROM ONLY ${T.partial} p LEFT JOIN pr s ON s.id = p.id) t`,
            rules: ["finance.account_partial_reconcile"],
        });
    }

    // account_payment: the amount follows the liquidity lines of its move.
    if (catalog.hasTable("account_payment") && need("account_payment", ["id", "move_id", "amount"])) {
        const liquidity = has("account_payment", "outstanding_account_id") && has("account_move_line", "account_id")
            ? "c.account_id = pp.outstanding_account_id" : "c.display_type IS DISTINCT FROM 'payment_term'";
        const currencyStep = has("account_payment", "currency_id") ? `(SELECT cu.r FROM cur cu WHERE cu.id = p.currency_id)` : "NULL";
        const columns: Record<string, string> = {
            amount: `coalesce(CASE WHEN ${hcol("ac0")} IS NOT NULL AND abs(t.amount) = abs(${hcol("ac0")}) THEN abs(${hcol("ac")}) ` +
                `ELSE ${rnd(`t.amount * ${hcol("f")}`, `coalesce(${hcol("step")}, 0.01)`)} END, t.amount)`,
        };
        if (has("account_payment", "amount_company_currency_signed")) {
            columns.amount_company_currency_signed = `coalesce(CASE WHEN ${hcol("b0")} IS NOT NULL AND abs(t.amount_company_currency_signed) = abs(${hcol("b0")}) ` +
                `THEN sign(t.amount_company_currency_signed) * abs(${hcol("b")}) ELSE ${rnd(`t.amount_company_currency_signed * ${hcol("f")}`, "0.01")} END, t.amount_company_currency_signed)`;
        }
        transforms.push({
            table: "account_payment",
            columns,
            from: `(WITH ${chainCtes(`SELECT move_id FROM ONLY ${T.payment}`).join(",\n")}
                SELECT p.*, x.ac AS ${quoteIdent(h("ac"))}, x.ac0 AS ${quoteIdent(h("ac0"))}, x.b AS ${quoteIdent(h("b"))}, x.b0 AS ${quoteIdent(h("b0"))},
                    fa.f AS ${quoteIdent(h("f"))}, ${currencyStep} AS ${quoteIdent(h("step"))}
                FROM ONLY ${T.payment} p
                LEFT JOIN fac fa ON fa.move_id = p.move_id
                LEFT JOIN (SELECT pp.id, sum(c.amount_currency) AS ac, sum(c.ac0) AS ac0, sum(c.balance) AS b, sum(c.b0) AS b0
                           FROM chain c JOIN ONLY ${T.payment} pp ON pp.move_id = c.move_id WHERE ${liquidity} GROUP BY pp.id) x ON x.id = p.id) t`,
            rules: ["finance.account_payment"],
        });
    }
    return { transforms, skipped };
}
