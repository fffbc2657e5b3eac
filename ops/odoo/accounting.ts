/**
 * Odoo's accounting formulas as SQL, shared by the fixture (which writes consistent books) and the
 * financial anonymization (which moves each stored total by exactly what its lines moved).
 *
 * Source: `account.move._compute_amount` and `_compute_direction_sign` (odoo/odoo 17.0/18.0,
 * addons/account/models/account_move.py).
 */

/** Move types whose totals follow the invoice branch of `_compute_amount`. */
export const invoiceMoveTypes = ["out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt"] as const;

/** `direction_sign`: +1 for entries and outbound documents, -1 otherwise (SQL over `moveType`). */
export function directionSignSql(moveType: string): string {
    return `(CASE WHEN ${moveType} IN ('entry', 'in_invoice', 'out_refund', 'in_receipt') THEN 1 ELSE -1 END)`;
}

/**
 * Which sum of line amounts a line feeds: 'u' untaxed (invoice product/rounding lines), 't' tax,
 * 'r' residual (payment terms), 'e' the debit side of a journal entry; NULL for none.
 */
export function lineKindSql(moveType: string, displayType: string, balance: string): string {
    return `(CASE WHEN ${moveType} IN (${invoiceMoveTypes.map((t) => `'${t}'`).join(", ")}) THEN
        CASE WHEN ${displayType} IN ('product', 'rounding') THEN 'u' WHEN ${displayType} = 'tax' THEN 't' WHEN ${displayType} = 'payment_term' THEN 'r' END
        WHEN ${balance} > 0 THEN 'e' END)`;
}

type Sum = "untaxed" | "tax" | "total" | "residual";
type Factor = "direction" | "-direction" | "-1" | "+1";

/**
 * Every stored total as `factor × sum(amount of kind)`: `currency` picks amount_currency (else
 * balance); for entries `entry` replaces the factor (the abs() of `_compute_amount`, positive
 * there because an entry's total is the sum of its debits).
 */
export const moveTotalFormulas = {
    amount_untaxed: { sum: "untaxed", currency: true, factor: "direction" },
    amount_tax: { sum: "tax", currency: true, factor: "direction" },
    amount_total: { sum: "total", currency: true, factor: "direction" },
    amount_residual: { sum: "residual", currency: true, factor: "-direction" },
    amount_untaxed_signed: { sum: "untaxed", currency: false, factor: "-1" },
    amount_untaxed_in_currency_signed: { sum: "untaxed", currency: true, factor: "-1" },
    amount_tax_signed: { sum: "tax", currency: false, factor: "-1" },
    amount_total_signed: { sum: "total", currency: false, factor: "-1", entry: "+1" },
    amount_total_in_currency_signed: { sum: "total", currency: true, factor: "-1", entry: "+1" },
    amount_residual_signed: { sum: "residual", currency: false, factor: "+1" },
} as const satisfies Record<string, { sum: Sum; currency: boolean; factor: Factor; entry?: Factor }>;

export type MoveTotalColumn = keyof typeof moveTotalFormulas;
export const moveTotalColumns = Object.keys(moveTotalFormulas) as MoveTotalColumn[];

const kinds: Record<Sum, string[]> = { untaxed: ["u"], tax: ["t"], total: ["u", "t", "e"], residual: ["r"] };

/**
 * SQL for one total from per-move sums: `sums(kind list, currency?)` returns the SQL of the matching
 * sum; `moveType` is the move's type column.
 */
export function moveTotalSql(column: MoveTotalColumn, moveType: string, sums: (kindList: string[], currency: boolean) => string): string {
    const f = moveTotalFormulas[column];
    const factor = (x: Factor) =>
        x === "direction" ? directionSignSql(moveType) : x === "-direction" ? `-${directionSignSql(moveType)}` : x === "-1" ? "-1" : "1";
    const sum = `(${sums(kinds[f.sum], f.currency)})`;
    const entry = "entry" in f ? f.entry : undefined;
    return entry ? `(CASE WHEN ${moveType} = 'entry' THEN ${factor(entry)} ELSE ${factor(f.factor)} END * ${sum})` : `(${factor(f.factor)} * ${sum})`;
}

/**
 * A query with one row per move of `lines` (`move_id, <each moveTotalColumns>`), computed the way
 * Odoo does. `lines` is a relation aliased `l` with move_id, move_type, display_type, balance,
 * amount_currency, amount_residual, amount_residual_currency.
 */
export function moveTotalsQuery(lines: string): string {
    const sums = (kindList: string[], currency: boolean) => {
        const amount = kindList[0] === "r" ? (currency ? "amount_residual_currency" : "amount_residual") : currency ? "amount_currency" : "balance";
        return `coalesce(sum(k.${amount}) FILTER (WHERE k.kind IN (${kindList.map((x) => `'${x}'`).join(", ")})), 0)`;
    };
    return `SELECT k.move_id, ${moveTotalColumns.map((c) => `${moveTotalSql(c, "min(k.move_type)", sums)} AS ${c}`).join(", ")}
        FROM (SELECT l.move_id, l.move_type, l.balance, l.amount_currency, l.amount_residual, l.amount_residual_currency,
                     ${lineKindSql("l.move_type", "l.display_type", "l.balance")} AS kind FROM ${lines} OFFSET 0) k
        GROUP BY k.move_id`;
}
