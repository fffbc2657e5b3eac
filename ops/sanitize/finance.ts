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

export interface FinanceOptions {
    /**
     * A relation (e.g. a temporary table) already holding `financeLineValuesSql`'s rows: the
     * transforms read it instead of computing the per-line values themselves. The in-place
     * sanitizer computes them once this way; the streaming copy leaves it unset (self-contained).
     */
    lineValues?: string;
    /** Readers for the copy group: the transforms' queries leave out the CTEs the group computes once. */
    inGroup?: boolean;
    /**
     * Only the moves with `from <= id < to` (null: unbounded; the first range also takes rows
     * without a move), with their lines and payments: one part of the work (see moveBounds).
     */
    moveRange?: MoveRange;
    /**
     * Ascending move ids that cut the streaming copy's financial group into parts, each read by its
     * own query (FinancePlan pieces): none, one query for all of it.
     */
    moveBounds?: readonly number[];
}

export interface MoveRange {
    from: number | null;
    to: number | null;
}

/** SQL that `expr` (a move id) lies in `range`, or null when the range is everything. Pure. */
export function moveRangeSql(expr: string, range: MoveRange | undefined): string | null {
    if (!range || (range.from === null && range.to === null)) return null;
    for (const bound of [range.from, range.to]) {
        if (bound !== null && !Number.isSafeInteger(bound)) throw new Error(`a move id bound must be a whole number, got ${bound}`);
    }
    if (range.from === null) return `(${expr} < ${range.to} OR ${expr} IS NULL)`;
    return range.to === null ? `${expr} >= ${range.from}` : `${expr} >= ${range.from} AND ${expr} < ${range.to}`;
}

/** The ranges that `bounds` (ascending move ids) cut the moves into: bounds.length + 1 of them. Pure. */
export function moveRanges(bounds: readonly number[]): MoveRange[] {
    const cuts = [...new Set(bounds)].sort((a, b) => a - b);
    return Array.from({ length: cuts.length + 1 }, (_, i) => ({ from: i === 0 ? null : cuts[i - 1], to: i === cuts.length ? null : cuts[i] }));
}

/** The per-line values every financial transform starts from (to materialize once), or null when there are no books. */
export function financeLineValuesSql(fake: FakeContext, catalog: Catalog): string | null {
    return financialParts(fake, catalog).lineValuesSql;
}

export function financialTransforms(fake: FakeContext, catalog: Catalog, options: FinanceOptions = {}): FinancePlan {
    return financialParts(fake, catalog, options).plan;
}

interface FinanceParts {
    plan: FinancePlan;
    lineValuesSql: string | null;
    /** The CTEs computing the per-line values (what a copy group shares). */
    sharedCtes: string[];
}

function financialParts(fake: FakeContext, catalog: Catalog, options: FinanceOptions = {}): FinanceParts {
    const skipped: string[] = [];
    const has = (table: string, column: string) => catalog.hasColumn(table, column);
    const need = (table: string, columns: string[]) => {
        const missing = catalog.missing(table, columns);
        if (missing.length) skipped.push(`${table}: missing ${missing.join(", ")}`);
        return missing.length === 0;
    };
    if (!need("account_move", ["id", "move_type"]) || !need("account_move_line", ["id", "move_id", "balance"])) {
        return { plan: { transforms: [], skipped }, lineValuesSql: null, sharedCtes: [] };
    }
    const T = {
        move: qualifiedTable("account_move"),
        line: qualifiedTable("account_move_line"),
        partner: qualifiedTable("res_partner"),
        currency: qualifiedTable("res_currency"),
        company: qualifiedTable("res_company"),
        partial: qualifiedTable("account_partial_reconcile"),
        payment: qualifiedTable("account_payment"),
    };
    /** `alias.column` when the column exists, else `fallback`. */
    const opt = (table: string, column: string, alias: string, fallback: string) => (has(table, column) ? `${alias}.${quoteIdent(column)}` : fallback);

    // Currencies: rounding step r and, when r is a power of ten, its decimals d.
    const step = has("res_currency", "rounding")
        ? `coalesce(nullif(c.rounding, 0)${has("res_currency", "decimal_places") ? ", power(10::numeric, -c.decimal_places)" : ""}, 0.01)`
        : has("res_currency", "decimal_places")
          ? "coalesce(power(10::numeric, -c.decimal_places), 0.01)"
          : "0.01";
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
    const pcur = (column: string, side: string) =>
        has("account_partial_reconcile", column) ? `pr.${column}` : has("account_move_line", "currency_id") ? `${side}.currency_id` : "NULL::int";
    const scaledCurrency = (column: string, alias: string) =>
        has("account_partial_reconcile", column)
            ? `coalesce(${rnd(`pr.${column} * x.f`, alias)}, ${rnd("pr.amount * x.f", "cc")})`
            : rnd("pr.amount * x.f", "cc");
    /** One row per partial: p.* plus its scaled amount / debit / credit currency amounts (an open-ended FROM list). */
    const inRange = (expr: string) => moveRangeSql(expr, options.moveRange);
    const where = (conditions: (string | null)[]) => {
        const present = conditions.filter((c): c is string => !!c);
        return present.length ? `WHERE ${present.join(" AND ")}` : "";
    };
    /** The partials of a part: those reconciling a line of its moves, on either side. */
    const partialsInRange = inRange("ml.move_id")
        ? `pr.id IN (SELECT rp.id FROM ONLY ${T.partial} rp JOIN ONLY ${T.line} ml ON ml.id = rp.debit_move_id WHERE ${inRange("ml.move_id")}
                     UNION ALL SELECT rp.id FROM ONLY ${T.partial} rp JOIN ONLY ${T.line} ml ON ml.id = rp.credit_move_id WHERE ${inRange("ml.move_id")})`
        : null;
    const scaledPartials = (restrict: string | null = null) => {
        const mv = moveJoins("dl", "d");
        return `SELECT pr.*, ${rnd("pr.amount * x.f", "cc")} AS __amount,
                ${scaledCurrency("debit_amount_currency", "dc")} AS __dac, ${scaledCurrency("credit_amount_currency", "kc")} AS __cac
            FROM ${restrict ? `(SELECT * FROM ONLY ${T.partial} pr WHERE ${restrict} OFFSET 0)` : `ONLY ${T.partial}`} pr
            JOIN ONLY ${T.line} dl ON dl.id = pr.debit_move_id
            ${has("account_partial_reconcile", "credit_currency_id") ? "" : `JOIN ONLY ${T.line} kl ON kl.id = pr.credit_move_id`}
            ${mv.joins}
            CROSS JOIN LATERAL (SELECT ${mv.factor} AS f, ${mv.companyCurrency} AS ccur) x
            LEFT JOIN cur cc ON cc.id = coalesce(${has("account_move_line", "company_currency_id") ? "dl.company_currency_id" : "NULL::int"}, x.ccur)
            LEFT JOIN cur dc ON dc.id = ${pcur("debit_currency_id", "dl")}
            LEFT JOIN cur kc ON kc.id = ${pcur("credit_currency_id", "kl")}`;
    };
    /** A line's inputs (with its move's factor, type and company currency), from the lines of the part. */
    const lineInputs = (restrict: string | null) => {
        const mv = moveJoins("l", "");
        const inputs = `l.id, l.move_id, l.balance AS b0, ${L.r0.replace(/\bb\./g, "l.")} AS r0, ${L.ac0.replace(/\bb\./g, "l.")} AS ac0,
                    ${L.rc0.replace(/\bb\./g, "l.")} AS rc0, ${L.lcur.replace(/\bb\./g, "l.")} AS lcur,
                    ${L.ccur.replace(/\bb\./g, "l.").replace("l.__ccur", mv.companyCurrency)} AS ccur, ${L.display.replace(/\bb\./g, "l.")} AS display,
                    ${opt("account_move_line", "account_id", "l", "NULL::int")} AS account_id,
                    ${mv.factor} AS f, ${mv.moveType} AS mt`;
        const lines = `FROM ONLY ${T.line} l ${mv.joins}`;
        const conditions = where([restrict, inRange("l.move_id"), options.moveRange ? inRange("m.id") : null]);
        return { inputs, lines, conditions };
    };
    /** `lp`: the part's lines with their inputs, read once for the partials and the line base. */
    const partLines = (restrict: string | null) => {
        const { inputs, lines, conditions } = lineInputs(restrict);
        return `lp AS MATERIALIZED (SELECT ${inputs} ${lines} ${conditions})`;
    };

    /**
     * A part's partials scaled from its own lines (`lp`, which the line base needs anyway): those
     * whose debit line is in the part take that line's factor and currencies from `lp`; those that
     * reconcile a line of the part with a debit line of another part join that line, its move and
     * partner (by key for a few, by hash for many: the planner's choice). This replaces two scans of
     * the part's lines and the joins of every partial of the database to its debit line, move and
     * partner (what scaledPartials does for the whole table): at scale 1, 13.9 → 12.3 CPU s for
     * the four parts (median of five alternating rounds, same output).
     */
    const partialsOfPartLines = () => {
        const debitMove = moveJoins("dl", "d");
        const lineCurrency = (alias: string) => (has("account_move_line", "currency_id") ? `${alias}.currency_id` : "NULL::int");
        const companyCurrency = (alias: string, fallback: string) =>
            has("account_move_line", "company_currency_id") ? `coalesce(${alias}.company_currency_id, ${fallback})` : fallback;
        const scaled = `${rnd("pr.amount * x.f", "cc")} AS __amount, ${scaledCurrency("debit_amount_currency", "dc")} AS __dac,
                ${scaledCurrency("credit_amount_currency", "kc")} AS __cac`;
        const currencies = (creditCurrency: string) => `LEFT JOIN cur cc ON cc.id = x.ccur
                LEFT JOIN cur dc ON dc.id = ${has("account_partial_reconcile", "debit_currency_id") ? "pr.debit_currency_id" : "x.lcur"}
                LEFT JOIN cur kc ON kc.id = ${creditCurrency}`;
        const creditLine = has("account_partial_reconcile", "credit_currency_id") ? "" : `JOIN ONLY ${T.line} kl ON kl.id = pr.credit_move_id`;
        const debitInPart = `SELECT pr.debit_move_id, pr.credit_move_id, ${scaled}
            FROM ONLY ${T.partial} pr JOIN lp x ON x.id = pr.debit_move_id ${creditLine}
            ${currencies(has("account_partial_reconcile", "credit_currency_id") ? "pr.credit_currency_id" : lineCurrency("kl"))}`;
        const debitElsewhere = `SELECT pr.debit_move_id, pr.credit_move_id, ${scaled}
            FROM ONLY ${T.partial} pr JOIN lp kp ON kp.id = pr.credit_move_id
            JOIN ONLY ${T.line} dl ON dl.id = pr.debit_move_id ${debitMove.joins}
            CROSS JOIN LATERAL (SELECT dl.move_id, ${companyCurrency("dl", debitMove.companyCurrency)} AS ccur, ${lineCurrency("dl")} AS lcur, ${debitMove.factor} AS f) x
            ${currencies(has("account_partial_reconcile", "credit_currency_id") ? "pr.credit_currency_id" : "kp.lcur")}
            WHERE NOT (${inRange("x.move_id")})`;
        return `spr AS MATERIALIZED (${debitInPart}\n UNION ALL ${debitElsewhere})`;
    };
    /** The part's lines are read once, into `lp`, when the work is a part of the moves (and not restricted further). */
    const linesOnce = (restrict: string | null) => !!options.moveRange && inRange("l.move_id") !== null && restrict === null;
    const partialSums = (restrict: string | null) =>
        partialsOk
            ? [
                  linesOnce(restrict)
                      ? partialsOfPartLines()
                      : `spr AS MATERIALIZED (SELECT s.debit_move_id, s.credit_move_id, s.__amount, s.__dac, s.__cac FROM (${scaledPartials(partialsInRange)}) s)`,
                  "psd AS MATERIALIZED (SELECT debit_move_id AS id, sum(__amount) AS a, sum(__dac) AS ac FROM spr GROUP BY debit_move_id)",
                  "psc AS MATERIALIZED (SELECT credit_move_id AS id, sum(__amount) AS a, sum(__cac) AS ac FROM spr GROUP BY credit_move_id)",
              ]
            : [
                  "psd AS MATERIALIZED (SELECT NULL::int AS id, NULL::numeric AS a, NULL::numeric AS ac WHERE false)",
                  "psc AS MATERIALIZED (SELECT NULL::int AS id, NULL::numeric AS a, NULL::numeric AS ac WHERE false)",
              ];

    /**
     * `lb`: one narrow row per line with everything the computation needs (factor, move type,
     * currencies and their rounding, partial sums) and its new values before the rounding
     * absorption, computed once per line and materialized.
     */
    const lineBase = (restrict: string | null) => {
        const { inputs, lines, conditions } = lineInputs(restrict);
        const sums = `(psd.id IS NOT NULL OR psc.id IS NOT NULL) AS has, coalesce(psd.a, 0) - coalesce(psc.a, 0) AS pa,
                coalesce(psd.ac, 0) - coalesce(psc.ac, 0) AS pac`;
        const inner = linesOnce(restrict)
            ? `SELECT lp.*, ${sums} FROM lp LEFT JOIN psd ON psd.id = lp.id LEFT JOIN psc ON psc.id = lp.id OFFSET 0`
            : `SELECT ${inputs}, ${sums} ${lines} LEFT JOIN psd ON psd.id = l.id LEFT JOIN psc ON psc.id = l.id ${conditions} OFFSET 0`;
        // Numeric arithmetic is the cost here: skip what a line does not need (most lines have no
        // residual and are in the company currency).
        const nr = `CASE WHEN x.r0 = 0 THEN 0 ELSE ${rnd("x.r0 * x.f", "cc")} END`;
        const nrc = `CASE WHEN x.rc0 = 0 THEN 0 ELSE ${rnd("x.rc0 * x.f", "lc")} END`;
        const foreign = "(x.lcur IS NOT NULL AND x.lcur IS DISTINCT FROM x.ccur)";
        return `lb AS MATERIALIZED (SELECT x.*, cc.r AS cr, cc.d AS cd, coalesce(lc.r, cc.r) AS lr, coalesce(lc.d, cc.d) AS ld,
                ${foreign} AS foreign_cur,
                ${nr} AS nr, CASE WHEN ${foreign} THEN ${nrc} END AS nrc,
                CASE WHEN NOT x.has THEN ${rnd("x.b0 * x.f", "cc")} ELSE ${nr} + x.pa END AS nb,
                CASE WHEN NOT ${foreign} THEN NULL WHEN NOT x.has THEN ${rnd("x.ac0 * x.f", "lc")} ELSE ${nrc} + x.pac END AS nac,
                CASE WHEN NOT x.has AND x.r0 = 0 THEN 0 WHEN NOT x.has THEN 1 ELSE 2 END AS pref,
                ${lineKindSql("x.mt", "x.display", "x.b0")} AS kind
            FROM (${inner}) x LEFT JOIN cur cc ON cc.id = x.ccur LEFT JOIN cur lc ON lc.id = x.lcur)`;
    };

    // Kinds of lines in Odoo's move totals (lineKindSql), coded as numbers for `pick` below.
    const kindCodes = { u: 1, t: 2, e: 3, r: 4 } as const;
    const kindCode = `CASE lb.kind ${Object.entries(kindCodes)
        .map(([k, n]) => `WHEN '${k}' THEN ${n}`)
        .join(" ")} ELSE 0 END`;
    /**
     * `mv`: one aggregate over lb per move (no joins) for both what the lines and what the move
     * need. Its rounding difference and the line that takes it (its largest line reconciling
     * nothing, else the largest): `pick` is that line's [preference, -|balance|, id] and, after the
     * id (so never deciding), its kind and which of its amounts take the difference. And the move
     * totals' base sums (kind × balance/currency, as Odoo sums them) before the difference: the
     * move reader takes the difference off the absorbing line's kind.
     */
    const pre = {
        b: "lb.nb - lb.b0",
        c: "CASE WHEN lb.foreign_cur THEN lb.nac ELSE lb.nb END - lb.ac0",
        r: "lb.nr - lb.r0",
        rc: "CASE WHEN lb.foreign_cur THEN lb.nrc ELSE lb.nr END - lb.rc0",
    };
    const kindSums = (["u", "t", "e", "r"] as const).flatMap((kind) =>
        kind === "r"
            ? [`sum(${pre.r}) FILTER (WHERE lb.kind = 'r') AS r_b0`, `sum(${pre.rc}) FILTER (WHERE lb.kind = 'r') AS r_c0`]
            : [`sum(${pre.b}) FILTER (WHERE lb.kind = '${kind}') AS ${kind}_b0`, `sum(${pre.c}) FILTER (WHERE lb.kind = '${kind}') AS ${kind}_c0`],
    );
    const mv = `mv AS MATERIALIZED (SELECT x.move_id, x.delta,
            CASE WHEN x.single AND x.sum_ac0 = 0 THEN x.delta_c ELSE 0 END AS delta_c,
            CASE WHEN x.delta <> 0 OR (x.single AND x.sum_ac0 = 0 AND x.delta_c <> 0) THEN x.pick[3]::int END AS absorber,
            x.pick[4]::int AS absorber_kind, x.pick[5] = 1 AS absorber_r, x.pick[6] = 1 AS absorber_rc, x.pick[7] = 1 AS absorber_fc,
            x.kinded, ${kindSums.map((s) => `x.${s.split(" AS ")[1]}`).join(", ")}
        FROM (SELECT lb.move_id, sum(lb.nb) AS delta, sum(lb.nac) FILTER (WHERE lb.foreign_cur) AS delta_c, sum(lb.ac0) FILTER (WHERE lb.foreign_cur) AS sum_ac0,
                     min(lb.lcur) = max(lb.lcur) AND bool_and(lb.foreign_cur) AS single,
                     min(ARRAY[lb.pref, -abs(lb.b0), lb.id, ${kindCode}, (lb.has OR lb.r0 <> 0)::int, (lb.has OR lb.rc0 <> 0)::int, lb.foreign_cur::int]) AS pick,
                     bool_or(lb.kind IS NOT NULL) AS kinded, ${kindSums.join(", ")}
              FROM lb GROUP BY lb.move_id) x)`;
    /** Per move with a rounding difference: the difference and the line that takes it (read from mv, not computed again). */
    const adj = "adj AS NOT MATERIALIZED (SELECT move_id, delta, delta_c, absorber FROM mv WHERE absorber IS NOT NULL)";
    const computedCtes = (restrict: string | null = null) => [
        cur,
        ...(linesOnce(restrict) ? [partLines(restrict)] : []),
        ...partialSums(restrict),
        lineBase(restrict),
        mv,
        adj,
    ];
    /** The CTEs a transform's own query starts with: none in the copy group (it shares computedCtes). */
    const ctes = (restrict: string | null = null) => (options.inGroup ? [] : options.lineValues ? [cur] : computedCtes(restrict));
    const withCtes = (list: string[], body: string) => (list.length ? `WITH ${list.join(",\n")} ${body}` : body);

    /** The final per-line values over lb (adj joined on the absorbing line), as a subquery `v`. */
    const absorbed = "(a.absorber IS NOT NULL)";
    const computedValues = `(SELECT lb.id, lb.move_id, lb.mt, lb.display, lb.account_id, lb.f, lb.cr, lb.cd, lb.lr, lb.ld, lb.b0, lb.r0, lb.ac0, lb.rc0,
            lb.foreign_cur, (${absorbed} AND lb.has AND a.delta <> 0) AS absorbed_on_reconciled,
            lb.nb - CASE WHEN ${absorbed} THEN a.delta ELSE 0 END AS balance,
            lb.nr - CASE WHEN ${absorbed} AND (lb.has OR lb.r0 <> 0) THEN a.delta ELSE 0 END AS residual,
            CASE WHEN lb.foreign_cur THEN lb.nac - CASE WHEN ${absorbed} THEN a.delta_c ELSE 0 END END AS fc_amount,
            CASE WHEN lb.foreign_cur THEN lb.nrc - CASE WHEN ${absorbed} AND (lb.has OR lb.rc0 <> 0) THEN a.delta_c ELSE 0 END END AS fc_residual
        FROM lb LEFT JOIN adj a ON a.absorber = lb.id OFFSET 0) v`;
    const finalValues = options.lineValues ? `(SELECT * FROM ${options.lineValues}) v` : computedValues;
    const lineValuesSql = `WITH ${computedCtes().join(",\n")} SELECT v.* FROM ${computedValues}`;
    const h = (name: string) => `${helperPrefix}${name}`;
    const hcol = (name: string) => `t.${quoteIdent(h(name))}`;
    const transforms: TableTransform[] = [];

    // account_move_line: balance, debit/credit, residuals, amount_currency, price fields.
    {
        const helpers = {
            balance: "v.balance",
            amount_residual: "v.residual",
            amount_currency: "CASE WHEN v.foreign_cur THEN v.fc_amount ELSE v.balance END",
            amount_residual_currency: "CASE WHEN v.foreign_cur THEN v.fc_residual ELSE v.residual END",
            f: "v.f",
            lr: "v.lr",
            ld: "v.ld",
            cr: "v.cr",
            cd: "v.cd",
            ac0: "v.ac0",
            absorbed_on_reconciled: "v.absorbed_on_reconciled",
        };
        const columns: Record<string, string> = {};
        const set = (column: string, expr: string) => {
            if (has("account_move_line", column)) columns[column] = expr;
        };
        const lcur = { d: hcol("ld"), r: hcol("lr") };
        const ccur = { d: hcol("cd"), r: hcol("cr") };
        const round = (x: string, c: { d: string; r: string }) =>
            `(CASE WHEN ${c.d} IS NOT NULL THEN round(${x}, ${c.d}) ELSE round((${x}) / ${c.r}) * ${c.r} END)`;
        set("balance", hcol("balance"));
        set("debit", `greatest(${hcol("balance")}, 0)`);
        set("credit", `greatest(-${hcol("balance")}, 0)`);
        set("amount_residual", hcol("amount_residual"));
        set("amount_currency", hcol("amount_currency"));
        set("amount_residual_currency", hcol("amount_residual_currency"));
        if (has("account_move_line", "price_subtotal")) {
            // A product line's subtotal is its amount in currency (up to the sign): keep them equal.
            const subtotal =
                `(CASE WHEN t.price_subtotal IS NULL OR t.price_subtotal = 0 THEN t.price_subtotal WHEN ${hcol("ac0")} <> 0 AND t.price_subtotal = ${hcol("ac0")} THEN ${hcol("amount_currency")} ` +
                `WHEN ${hcol("ac0")} <> 0 AND t.price_subtotal = -${hcol("ac0")} THEN -${hcol("amount_currency")} ELSE ${round(`t.price_subtotal * ${hcol("f")}`, lcur)} END)`;
            set("price_subtotal", subtotal);
            if (has("account_move_line", "price_total")) {
                set(
                    "price_total",
                    `CASE WHEN t.price_total = 0 THEN t.price_total ELSE ${subtotal} + ${round(`(t.price_total - t.price_subtotal) * ${hcol("f")}`, lcur)} END`,
                );
            }
        }
        set("price_unit", `CASE WHEN t.price_unit = 0 THEN t.price_unit ELSE round(t.price_unit * ${hcol("f")}, greatest(scale(t.price_unit), 2)) END`);
        set("tax_base_amount", `CASE WHEN t.tax_base_amount = 0 THEN t.tax_base_amount ELSE ${round(`t.tax_base_amount * ${hcol("f")}`, ccur)} END`);
        // Lines of moves the factor table does not know (none in a consistent database) stay as they are.
        for (const [column, expr] of Object.entries(columns)) columns[column] = `coalesce(${expr}, t.${quoteIdent(column)})`;
        transforms.push({
            table: "account_move_line",
            columns,
            from: `(${withCtes(
                ctes(),
                `SELECT l.*, ${Object.entries(helpers)
                    .map(([k, v]) => `${v} AS ${quoteIdent(h(k))}`)
                    .join(", ")}
                FROM ONLY ${T.line} l LEFT JOIN ${finalValues} ON v.id = l.id ${where([inRange("l.move_id")])} OFFSET 0`,
            )}) t`,
            rules: ["finance.account_move_line"],
        });
    }

    // account_move totals: each moves by exactly what Odoo's formula over its lines moved. The
    // aggregate keeps eight base sums (kind × balance/currency); the totals are derived from them.
    if (has("account_move_line", "display_type")) {
        const totals = moveTotalColumns.filter((c) => has("account_move", c));
        const base = (kind: string, currency: boolean) => `${kind}_${currency ? "c" : "b"}`;
        const sums = (kindList: string[], currency: boolean) => `(${kindList.map((k) => `k.${base(k, currency)}`).join(" + ")})`;
        const select = `SELECT m.*, ${totals.map((c) => `${moveTotalSql(c, "m.move_type", sums)} AS ${quoteIdent(h(c))}`).join(", ")}
                    FROM ONLY ${T.move} m LEFT JOIN`;
        let movesFrom: string;
        if (options.lineValues) {
            // Over the final per-line values (the in-place sanitizer's table): the eight base sums.
            const baseSums = ["u", "t", "e", "r"].flatMap((kind) =>
                [false, true].map((currency) => {
                    const column = kind === "r" ? (currency ? "d_rc" : "d_r") : currency ? "d_ac" : "d_b";
                    return `coalesce(sum(n.${column}) FILTER (WHERE n.kind = '${kind}'), 0) AS ${base(kind, currency)}`;
                }),
            );
            const diffs = `(SELECT v.move_id, ${lineKindSql("v.mt", "v.display", "v.b0")} AS kind,
                v.balance - v.b0 AS d_b, v.residual - v.r0 AS d_r,
                CASE WHEN v.foreign_cur THEN v.fc_amount ELSE v.balance END - v.ac0 AS d_ac,
                CASE WHEN v.foreign_cur THEN v.fc_residual ELSE v.residual END - v.rc0 AS d_rc
            FROM ${finalValues}) n`;
            movesFrom = withCtes(
                ctes(),
                `${select} (SELECT n.move_id, ${baseSums.join(", ")} FROM ${diffs} WHERE n.kind IS NOT NULL GROUP BY n.move_id) k ON k.move_id = m.id ${where([inRange("m.id")])}`,
            );
        } else {
            // From mv: the sums before the rounding difference, less what the absorbing line took.
            const absorbs = (kind: string) => `a.absorber IS NOT NULL AND a.absorber_kind = ${kindCodes[kind as keyof typeof kindCodes]}`;
            const taken: Record<string, string> = {
                b: "a.delta",
                c: "CASE WHEN a.absorber_fc THEN a.delta_c ELSE a.delta END",
                rb: "CASE WHEN a.absorber_r THEN a.delta ELSE 0 END",
                rc: "CASE WHEN a.absorber_fc THEN CASE WHEN a.absorber_rc THEN a.delta_c ELSE 0 END WHEN a.absorber_r THEN a.delta ELSE 0 END",
            };
            const finalSums = ["u", "t", "e", "r"].flatMap((kind) =>
                [false, true].map((currency) => {
                    const what = kind === "r" ? (currency ? taken.rc : taken.rb) : currency ? taken.c : taken.b;
                    return `coalesce(a.${kind}_${currency ? "c" : "b"}0 - CASE WHEN ${absorbs(kind)} THEN ${what} ELSE 0 END, 0) AS ${base(kind, currency)}`;
                }),
            );
            movesFrom = withCtes(
                ctes(),
                `${select} (SELECT a.move_id, ${finalSums.join(", ")} FROM mv a WHERE a.kinded) k ON k.move_id = m.id ${where([inRange("m.id")])}`,
            );
        }
        if (totals.length) {
            transforms.push({
                table: "account_move",
                columns: Object.fromEntries(totals.map((c) => [c, `coalesce(t.${quoteIdent(c)} + ${hcol(c)}, t.${quoteIdent(c)})`])),
                from: `(${movesFrom}) t`,
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
        const restrict = `l.move_id IN (SELECT move_id FROM ONLY ${T.payment} WHERE move_id IS NOT NULL)`;
        const liquidity =
            has("account_payment", "outstanding_account_id") && has("account_move_line", "account_id")
                ? "v.account_id = pp.outstanding_account_id"
                : "v.display IS DISTINCT FROM 'payment_term'";
        const columns: Record<string, string> = {
            amount:
                `coalesce(CASE WHEN ${hcol("ac0")} IS NOT NULL AND abs(t.amount) = abs(${hcol("ac0")}) THEN abs(${hcol("ac")}) ` +
                `ELSE round(t.amount * ${hcol("f")}, 2) END, t.amount)`,
        };
        if (has("account_payment", "amount_company_currency_signed")) {
            columns.amount_company_currency_signed =
                `coalesce(CASE WHEN ${hcol("b0")} IS NOT NULL AND abs(t.amount_company_currency_signed) = abs(${hcol("b0")}) ` +
                `THEN sign(t.amount_company_currency_signed) * abs(${hcol("b")}) ELSE round(t.amount_company_currency_signed * ${hcol("f")}, 2) END, t.amount_company_currency_signed)`;
        }
        transforms.push({
            table: "account_payment",
            columns,
            from: `(${withCtes(
                ctes(restrict),
                `SELECT p.*, x.ac AS ${quoteIdent(h("ac"))}, x.ac0 AS ${quoteIdent(h("ac0"))}, x.b AS ${quoteIdent(h("b"))}, x.b0 AS ${quoteIdent(h("b0"))},
                    x.f AS ${quoteIdent(h("f"))}
                FROM ONLY ${T.payment} p
                LEFT JOIN (SELECT pp.id, sum(CASE WHEN v.foreign_cur THEN v.fc_amount ELSE v.balance END) AS ac, sum(v.ac0) AS ac0,
                                  sum(v.balance) AS b, sum(v.b0) AS b0, min(v.f) AS f
                           FROM ${finalValues} JOIN ONLY ${T.payment} pp ON pp.move_id = v.move_id
                           WHERE ${liquidity} GROUP BY pp.id) x ON x.id = p.id ${where([inRange("p.move_id")])}`,
            )}) t`,
            rules: ["finance.account_payment"],
        });
    }
    if (!options.lineValues && !options.inGroup && !options.moveRange) {
        groupLineValueReaders(transforms, computedCtes(), financialParts(fake, catalog, { inGroup: true }).plan);
        if (options.moveBounds?.length)
            splitByMoveRanges(
                transforms,
                moveRanges(options.moveBounds),
                (moveRange) => financialParts(fake, catalog, { moveRange }),
                (moveRange) => financialParts(fake, catalog, { moveRange, inGroup: true }).plan,
            );
    }
    return { plan: { transforms, skipped }, lineValuesSql, sharedCtes: computedCtes() };
}

/**
 * The move lines, moves and payments all start from the same per-line values: in the streaming
 * copy one query computes them once (the shared CTEs: line base, per-move aggregate) and reads the
 * three tables from them (TableTransform.group), instead of three queries computing them each.
 */
function groupLineValueReaders(transforms: TableTransform[], ctes: string[], inGroup: FinancePlan): void {
    const readers = new Map(inGroup.transforms.map((t) => [t.table, t]));
    const shared = ctes.join(",\n");
    for (const t of transforms) {
        const reader = readers.get(t.table);
        if (t.table === "account_partial_reconcile" || !reader?.from) continue;
        t.group = { name: "finance", ctes: shared, from: reader.from };
    }
}

/**
 * Cuts the financial group into parts by move-id range: each part (its moves, their lines and
 * payments, with the partials those lines reconcile) is one query of its own, so that no single
 * query is the copy's critical path and each one's memory is bounded by its part's size. Every
 * move's lines are in its part, so each part computes exactly what the whole computes for it.
 */
function splitByMoveRanges(
    transforms: TableTransform[],
    ranges: MoveRange[],
    standalone: (range: MoveRange) => FinanceParts,
    readers: (range: MoveRange) => FinancePlan,
): void {
    const parts = ranges.map((range) => {
        const alone = standalone(range);
        return {
            froms: new Map(alone.plan.transforms.map((t) => [t.table, t.from])),
            groupFroms: new Map(readers(range).transforms.map((t) => [t.table, t.from])),
            ctes: alone.sharedCtes.join(",\n"),
        };
    });
    for (const t of transforms) {
        if (!t.group) continue;
        t.pieces = parts.map((part, i) => ({
            from: part.froms.get(t.table)!,
            group: { name: `${t.group!.name}#${i + 1}`, ctes: part.ctes, from: part.groupFroms.get(t.table)! },
        }));
    }
}
