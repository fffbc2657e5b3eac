/**
 * Financial anonymization: every amount of a commercial partner's documents is multiplied by one
 * factor in [0.8, 1.2] derived from (seed, commercial partner), so an invoice and the payment that
 * settles it scale alike, and the books stay usable:
 *
 * - partial reconciliations are scaled first (rounded to their currency), and every reconciled line
 *   is rebuilt as `its scaled residual + its new partials`, so a fully paid invoice stays exactly
 *   paid and every partial still equals what it reconciles;
 * - other lines are scaled and rounded to their currency's precision (res_currency.rounding);
 * - each move's rounding difference goes to one line that reconciles nothing (its largest), so
 *   every move stays balanced to the cent (in its currency too when it has a single one);
 * - move totals and residuals move by exactly what their lines moved; payments follow their
 *   liquidity lines.
 *
 * All of it is self-contained SQL (TableTransform.from): hash joins and hash aggregates, no sort
 * over the lines. The pipeline streams it; the in-place sanitizer materializes it before writing.
 */
import type { Catalog } from "../odoo/catalog";
import { lineKindSql, moveTotalColumns, moveTotalSql } from "../odoo/accounting";
import { qualifiedTable, quoteIdent } from "../odoo/sql";
import { FakeContext, fakeHash } from "./fake";
import type { TableTransform } from "./transform";

/** The factor of commercial partner `partnerExpr` (0 for documents without partner): 0.800000 … 1.200000. */
export function factorSql(fake: FakeContext, partnerExpr: string): string {
    return `round(0.8 + ${fakeHash(fake, "factor", `coalesce(${partnerExpr}, 0)`)}::numeric * 0.4 / 4294967295, 6)`;
}

/**
 * Rounds to a currency: `round(x, d)` when its step is a power of ten (d decimals, one numeric
 * operation), `round(x / step) * step` otherwise (0.05 …).
 */
const rnd = (x: string, cur: string) => `(CASE WHEN ${cur}.d IS NOT NULL THEN round(${x}, ${cur}.d) ELSE round((${x}) / ${cur}.r) * ${cur}.r END)`;

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
    if (!need("account_move", ["id", "move_type"]) || !need("account_move_line", ["id", "move_id", "balance"])) {
        return { transforms: [], skipped };
    }
    const T = {
        move: qualifiedTable("account_move"), line: qualifiedTable("account_move_line"), partner: qualifiedTable("res_partner"),
        currency: qualifiedTable("res_currency"), company: qualifiedTable("res_company"),
        partial: qualifiedTable("account_partial_reconcile"), payment: qualifiedTable("account_payment"),
    };
    /** `alias.column` when the column exists, else `fallback`. */
    const opt = (table: string, column: string, alias: string, fallback: string) => (has(table, column) ? `${alias}.${quoteIdent(column)}` : fallback);

    // Currencies: rounding step r and, when r is a power of ten, its decimals d.
    const step = has("res_currency", "rounding")
        ? `coalesce(nullif(c.rounding, 0)${has("res_currency", "decimal_places") ? ", power(10::numeric, -c.decimal_places)" : ""}, 0.01)`
        : has("res_currency", "decimal_places") ? "coalesce(power(10::numeric, -c.decimal_places), 0.01)" : "0.01";
    const cur = catalog.hasTable("res_currency")
        ? `cur AS MATERIALIZED (SELECT x.id, x.r, CASE WHEN x.r = power(10::numeric, -round(-log(x.r))::int) THEN round(-log(x.r))::int END AS d
             FROM (SELECT c.id, ${step} AS r FROM ONLY ${T.currency} c) x)`
        : "cur AS MATERIALIZED (SELECT NULL::int AS id, 0.01::numeric AS r, 2 AS d)";

    // Per move: its factor (its commercial partner's), type and company currency — joined inline
    // (real tables, so the planner sees real row counts and hashes the small sides).
    const moveJoins = (lineAlias: string, suffix: string) => {
        const m = `m${suffix}`;
        const p = `p${suffix}`;
        const co = `co${suffix}`;
        const partnerJoin = catalog.hasTable("res_partner") && has("account_move", "partner_id");
        const commercial = [
            opt("account_move", "commercial_partner_id", m, ""),
            partnerJoin && has("res_partner", "commercial_partner_id") ? `${p}.commercial_partner_id` : "",
            opt("account_move", "partner_id", m, ""),
        ].filter(Boolean);
        const companyJoin = has("account_move", "company_id") && has("res_company", "currency_id");
        return {
            joins: `JOIN ONLY ${T.move} ${m} ON ${m}.id = ${lineAlias}.move_id
                ${partnerJoin ? `LEFT JOIN ONLY ${T.partner} ${p} ON ${p}.id = ${m}.partner_id` : ""}
                ${companyJoin ? `LEFT JOIN ONLY ${T.company} ${co} ON ${co}.id = ${m}.company_id` : ""}`,
            factor: factorSql(fake, commercial.length ? `coalesce(${commercial.join(", ")})` : "NULL"),
            companyCurrency: companyJoin ? `${co}.currency_id` : "NULL::int",
            moveType: `${m}.move_type`,
        };
    };

    // Line columns (with fallbacks for what a version lacks), over the line base `b`.
    const L = {
        r0: `coalesce(${opt("account_move_line", "amount_residual", "b", "0")}, 0)`,
        ac0: `coalesce(${opt("account_move_line", "amount_currency", "b", "b.balance")}, b.balance, 0)`,
        rc0: `coalesce(${opt("account_move_line", "amount_residual_currency", "b", opt("account_move_line", "amount_residual", "b", "0"))}, 0)`,
        lcur: has("account_move_line", "currency_id") ? "b.currency_id" : "NULL::int",
        ccur: has("account_move_line", "company_currency_id") ? "coalesce(b.company_currency_id, b.__ccur)" : "b.__ccur",
        display: opt("account_move_line", "display_type", "b", "NULL::text"),
    };

    // Scaled partials (each partial scales with its debit line's move) and their sums per line side.
    const partialsOk = catalog.hasTable("account_partial_reconcile") && need("account_partial_reconcile", ["id", "debit_move_id", "credit_move_id", "amount"]);
    const pcur = (column: string, side: string) => (has("account_partial_reconcile", column) ? `pr.${column}`
        : has("account_move_line", "currency_id") ? `${side}.currency_id` : "NULL::int");
    const scaledCurrency = (column: string, alias: string) => (has("account_partial_reconcile", column)
        ? `coalesce(${rnd(`pr.${column} * x.f`, alias)}, ${rnd("pr.amount * x.f", "cc")})` : rnd("pr.amount * x.f", "cc"));
    /** One row per partial: p.* plus its scaled amount / debit / credit currency amounts (an open-ended FROM list). */
    const scaledPartials = () => {
        const mv = moveJoins("dl", "d");
        return `SELECT pr.*, ${rnd("pr.amount * x.f", "cc")} AS __amount,
                ${scaledCurrency("debit_amount_currency", "dc")} AS __dac, ${scaledCurrency("credit_amount_currency", "kc")} AS __cac
            FROM ONLY ${T.partial} pr
            JOIN ONLY ${T.line} dl ON dl.id = pr.debit_move_id
            ${has("account_partial_reconcile", "credit_currency_id") ? "" : `JOIN ONLY ${T.line} kl ON kl.id = pr.credit_move_id`}
            ${mv.joins}
            CROSS JOIN LATERAL (SELECT ${mv.factor} AS f, ${mv.companyCurrency} AS ccur) x
            LEFT JOIN cur cc ON cc.id = coalesce(${has("account_move_line", "company_currency_id") ? "dl.company_currency_id" : "NULL::int"}, x.ccur)
            LEFT JOIN cur dc ON dc.id = ${pcur("debit_currency_id", "dl")}
            LEFT JOIN cur kc ON kc.id = ${pcur("credit_currency_id", "kl")}`;
    };
    const partialSums = partialsOk
        ? [`psd AS MATERIALIZED (SELECT s.debit_move_id AS id, sum(s.__amount) AS a, sum(s.__dac) AS ac FROM (${scaledPartials()}) s GROUP BY s.debit_move_id)`,
            `psc AS MATERIALIZED (SELECT s.credit_move_id AS id, sum(s.__amount) AS a, sum(s.__cac) AS ac FROM (${scaledPartials()}) s GROUP BY s.credit_move_id)`]
        : ["psd AS MATERIALIZED (SELECT NULL::int AS id, NULL::numeric AS a, NULL::numeric AS ac WHERE false)",
            "psc AS MATERIALIZED (SELECT NULL::int AS id, NULL::numeric AS a, NULL::numeric AS ac WHERE false)"];

    /** The line base `b`: every line column plus its factor, move type, company currency and partial sums (fenced: computed once per row). */
    const lineBase = (restrict: string) => {
        const mv = moveJoins("l", "");
        return `(SELECT l.*, ${mv.factor} AS __f, ${mv.moveType} AS __mt, ${mv.companyCurrency} AS __ccur,
                (psd.id IS NOT NULL OR psc.id IS NOT NULL) AS __has, coalesce(psd.a, 0) - coalesce(psc.a, 0) AS __pa,
                coalesce(psd.ac, 0) - coalesce(psc.ac, 0) AS __pac
            FROM ONLY ${T.line} l ${mv.joins}
            LEFT JOIN psd ON psd.id = l.id LEFT JOIN psc ON psc.id = l.id ${restrict} OFFSET 0) b
            LEFT JOIN cur cc ON cc.id = ${L.ccur} LEFT JOIN cur lcc ON lcc.id = ${L.lcur}`;
    };

    // Per line, before the rounding absorption: new balance / residual / amount_currency / residual_currency.
    const foreign = `(${L.lcur} IS NOT NULL AND ${L.lcur} IS DISTINCT FROM ${L.ccur})`;
    const nr = rnd(`${L.r0} * b.__f`, "cc");
    const nb = `(CASE WHEN NOT b.__has THEN ${rnd("b.balance * b.__f", "cc")} ELSE ${nr} + b.__pa END)`;
    const nrc = rnd(`${L.rc0} * b.__f`, "lcc");
    const nac = `(CASE WHEN NOT b.__has THEN ${rnd(`${L.ac0} * b.__f`, "lcc")} ELSE ${nrc} + b.__pac END)`;
    /** Absorbing line preference: reconciles nothing and is not an open item (0), an open item without partials (1), anything (2). */
    const pref = `(CASE WHEN NOT b.__has AND ${L.r0} = 0 THEN 0 WHEN NOT b.__has THEN 1 ELSE 2 END)`;

    /** Per move with a rounding difference: the difference and the line that takes it. */
    const adj = (restrict: string) => `adj AS MATERIALIZED (SELECT x.move_id, x.delta,
            CASE WHEN x.single AND x.sum_ac0 = 0 THEN x.delta_c ELSE 0 END AS delta_c, x.pick[3]::int AS absorber
        FROM (SELECT b.move_id, sum(${nb}) AS delta, sum(CASE WHEN ${foreign} THEN ${nac} END) AS delta_c,
                     sum(${L.ac0}) FILTER (WHERE ${foreign}) AS sum_ac0, min(${L.lcur}) = max(${L.lcur}) AND bool_and(${foreign}) AS single,
                     min(ARRAY[${pref}, -abs(b.balance), b.id]) AS pick
              FROM ${lineBase(restrict)} GROUP BY b.move_id) x
        WHERE x.delta <> 0 OR (x.single AND x.sum_ac0 = 0 AND x.delta_c <> 0))`;
    const ctes = (restrict = "") => [cur, ...partialSums, adj(restrict)];

    /**
     * The final per-line values (adj joined as `a` on the absorbing line), fenced with OFFSET 0 so
     * each is computed once per row however often callers use it. An open subquery: callers close it.
     */
    const absorbed = "(a.absorber IS NOT NULL)";
    const values = {
        balance: `${nb} - CASE WHEN ${absorbed} THEN a.delta ELSE 0 END`,
        amount_residual: `${nr} - CASE WHEN ${absorbed} AND (b.__has OR ${L.r0} <> 0) THEN a.delta ELSE 0 END`,
        fc_amount: `${nac} - CASE WHEN ${absorbed} THEN a.delta_c ELSE 0 END`,
        fc_residual: `${nrc} - CASE WHEN ${absorbed} AND (b.__has OR ${L.rc0} <> 0) THEN a.delta_c ELSE 0 END`,
    };
    const finalLine = (restrict = "") => `(SELECT b.*, cc.r AS __cr, cc.d AS __cd, coalesce(lcc.r, cc.r) AS __lr, coalesce(lcc.d, cc.d) AS __ld,
            ${foreign} AS __foreign, ${L.ac0} AS __ac0, ${L.rc0} AS __rc0, ${L.r0} AS __r0, ${L.display} AS __display,
            (${absorbed} AND b.__has AND a.delta <> 0) AS __absorbed_on_reconciled,
            ${values.balance} AS __balance, ${values.amount_residual} AS __residual,
            ${values.fc_amount} AS __fc_amount, ${values.fc_residual} AS __fc_residual
        FROM ${lineBase(restrict)} LEFT JOIN adj a ON a.absorber = b.id OFFSET 0`;
    const h = (name: string) => `${helperPrefix}${name}`;
    const hcol = (name: string) => `t.${quoteIdent(h(name))}`;
    const transforms: TableTransform[] = [];

    // account_move_line: balance, debit/credit, residuals, amount_currency, price fields.
    {
        const helpers = {
            balance: "n.__balance", amount_residual: "n.__residual",
            amount_currency: "CASE WHEN n.__foreign THEN n.__fc_amount ELSE n.__balance END",
            amount_residual_currency: "CASE WHEN n.__foreign THEN n.__fc_residual ELSE n.__residual END",
            f: "n.__f", lr: "n.__lr", ld: "n.__ld", cr: "n.__cr", cd: "n.__cd", ac0: "n.__ac0", absorbed_on_reconciled: "n.__absorbed_on_reconciled",
        };
        const columns: Record<string, string> = {};
        const set = (column: string, expr: string) => { if (has("account_move_line", column)) columns[column] = expr; };
        const lcur = { d: hcol("ld"), r: hcol("lr") };
        const ccur = { d: hcol("cd"), r: hcol("cr") };
        const round = (x: string, c: { d: string; r: string }) => `(CASE WHEN ${c.d} IS NOT NULL THEN round(${x}, ${c.d}) ELSE round((${x}) / ${c.r}) * ${c.r} END)`;
        set("balance", hcol("balance"));
        set("debit", `greatest(${hcol("balance")}, 0)`);
        set("credit", `greatest(-${hcol("balance")}, 0)`);
        set("amount_residual", hcol("amount_residual"));
        set("amount_currency", hcol("amount_currency"));
        set("amount_residual_currency", hcol("amount_residual_currency"));
        if (has("account_move_line", "price_subtotal")) {
            // A product line's subtotal is its amount in currency (up to the sign): keep them equal.
            const subtotal = `(CASE WHEN t.price_subtotal IS NULL THEN NULL WHEN ${hcol("ac0")} <> 0 AND t.price_subtotal = ${hcol("ac0")} THEN ${hcol("amount_currency")} ` +
                `WHEN ${hcol("ac0")} <> 0 AND t.price_subtotal = -${hcol("ac0")} THEN -${hcol("amount_currency")} ELSE ${round(`t.price_subtotal * ${hcol("f")}`, lcur)} END)`;
            set("price_subtotal", subtotal);
            if (has("account_move_line", "price_total")) set("price_total", `${subtotal} + ${round(`(t.price_total - t.price_subtotal) * ${hcol("f")}`, lcur)}`);
        }
        set("price_unit", `round(t.price_unit * ${hcol("f")}, greatest(scale(t.price_unit), 2))`);
        set("tax_base_amount", round(`t.tax_base_amount * ${hcol("f")}`, ccur));
        // Lines of moves the factor table does not know (none in a consistent database) stay as they are.
        for (const [column, expr] of Object.entries(columns)) columns[column] = `coalesce(${expr}, t.${quoteIdent(column)})`;
        transforms.push({
            table: "account_move_line",
            columns,
            from: `(WITH ${ctes().join(",\n")} SELECT n.*, ${Object.entries(helpers).map(([k, v]) => `${v} AS ${quoteIdent(h(k))}`).join(", ")}
                FROM ${finalLine()}) n OFFSET 0) t`,
            rules: ["finance.account_move_line"],
        });
    }

    // account_move totals: each moves by exactly what Odoo's formula over its lines moved. The
    // aggregate keeps eight base sums (kind × balance/currency); the totals are derived from them.
    if (has("account_move_line", "display_type")) {
        const totals = moveTotalColumns.filter((c) => has("account_move", c));
        const base = (kind: string, currency: boolean) => `${kind}_${currency ? "c" : "b"}`;
        const sums = (kindList: string[], currency: boolean) => `(${kindList.map((k) => `k.${base(k, currency)}`).join(" + ")})`;
        const baseSums = ["u", "t", "e", "r"].flatMap((kind) => [false, true].map((currency) => {
            const column = kind === "r" ? (currency ? "d_rc" : "d_r") : currency ? "d_ac" : "d_b";
            return `coalesce(sum(n.${column}) FILTER (WHERE n.kind = '${kind}'), 0) AS ${base(kind, currency)}`;
        }));
        const diffs = `(SELECT n.move_id, ${lineKindSql("n.__mt", "n.__display", "n.balance")} AS kind,
                n.__balance - n.balance AS d_b, n.__residual - n.__r0 AS d_r,
                CASE WHEN n.__foreign THEN n.__fc_amount ELSE n.__balance END - n.__ac0 AS d_ac,
                CASE WHEN n.__foreign THEN n.__fc_residual ELSE n.__residual END - n.__rc0 AS d_rc
            FROM ${finalLine()}) n) n`;
        if (totals.length) {
            transforms.push({
                table: "account_move",
                columns: Object.fromEntries(totals.map((c) => [c, `coalesce(t.${quoteIdent(c)} + ${hcol(c)}, t.${quoteIdent(c)})`])),
                from: `(WITH ${ctes().join(",\n")} SELECT m.*, ${totals.map((c) => `${moveTotalSql(c, "m.move_type", sums)} AS ${quoteIdent(h(c))}`).join(", ")}
                    FROM ONLY ${T.move} m LEFT JOIN (SELECT n.move_id, ${baseSums.join(", ")} FROM ${diffs} WHERE n.kind IS NOT NULL GROUP BY n.move_id) k
                    ON k.move_id = m.id) t`,
                rules: ["finance.account_move"],
            });
        }
    } else {
        skipped.push("account_move totals: account_move_line.display_type is missing");
    }

    // account_partial_reconcile.
    if (partialsOk) {
        const columns: Record<string, string> = { amount: "coalesce(t.__amount, t.amount)" };
        if (has("account_partial_reconcile", "debit_amount_currency")) columns.debit_amount_currency = "coalesce(t.__dac, t.debit_amount_currency)";
        if (has("account_partial_reconcile", "credit_amount_currency")) columns.credit_amount_currency = "coalesce(t.__cac, t.credit_amount_currency)";
        transforms.push({
            table: "account_partial_reconcile",
            columns,
            from: `(WITH ${cur} ${scaledPartials()}) t`,
            rules: ["finance.account_partial_reconcile"],
        });
    }

    // account_payment: its amount follows the liquidity lines of its move.
    if (catalog.hasTable("account_payment") && need("account_payment", ["id", "move_id", "amount"])) {
        const restrict = `WHERE l.move_id IN (SELECT move_id FROM ONLY ${T.payment} WHERE move_id IS NOT NULL)`;
        const liquidity = has("account_payment", "outstanding_account_id") && has("account_move_line", "account_id")
            ? "n.account_id = pp.outstanding_account_id" : "n.__display IS DISTINCT FROM 'payment_term'";
        const columns: Record<string, string> = {
            amount: `coalesce(CASE WHEN ${hcol("ac0")} IS NOT NULL AND abs(t.amount) = abs(${hcol("ac0")}) THEN abs(${hcol("ac")}) ` +
                `ELSE round(t.amount * ${hcol("f")}, 2) END, t.amount)`,
        };
        if (has("account_payment", "amount_company_currency_signed")) {
            columns.amount_company_currency_signed = `coalesce(CASE WHEN ${hcol("b0")} IS NOT NULL AND abs(t.amount_company_currency_signed) = abs(${hcol("b0")}) ` +
                `THEN sign(t.amount_company_currency_signed) * abs(${hcol("b")}) ELSE round(t.amount_company_currency_signed * ${hcol("f")}, 2) END, t.amount_company_currency_signed)`;
        }
        transforms.push({
            table: "account_payment",
            columns,
            from: `(WITH ${ctes(restrict).join(",\n")}
                SELECT p.*, x.ac AS ${quoteIdent(h("ac"))}, x.ac0 AS ${quoteIdent(h("ac0"))}, x.b AS ${quoteIdent(h("b"))}, x.b0 AS ${quoteIdent(h("b0"))},
                    x.f AS ${quoteIdent(h("f"))}
                FROM ONLY ${T.payment} p
                LEFT JOIN (SELECT pp.id, sum(CASE WHEN n.__foreign THEN n.__fc_amount ELSE n.__balance END) AS ac, sum(n.__ac0) AS ac0,
                                  sum(n.__balance) AS b, sum(n.balance) AS b0, min(n.__f) AS f
                           FROM ${finalLine(restrict)}) n JOIN ONLY ${T.payment} pp ON pp.move_id = n.move_id
                           WHERE ${liquidity} GROUP BY pp.id) x ON x.id = p.id) t`,
            rules: ["finance.account_payment"],
        });
    }
    return { transforms, skipped };
}
