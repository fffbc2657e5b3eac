/**
 * Odoo's accounting formulas as SQL, shared by the fixture (which writes consistent books) and the
 * financial anonymization (which recomputes move totals from the scaled lines).
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

/** The account_move columns `_compute_amount` stores. */
export const moveTotalColumns = [
    "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
    "amount_untaxed_signed", "amount_untaxed_in_currency_signed", "amount_tax_signed", "amount_total_signed",
    "amount_total_in_currency_signed", "amount_residual_signed",
] as const;
export type MoveTotalColumn = (typeof moveTotalColumns)[number];

/**
 * A query with one row per move of `lines` (`move_id, <each moveTotalColumns>`), computed the way
 * Odoo does from the lines' balance / amount_currency / residuals / display_type. `lines` is a
 * relation (table or subquery, aliased) with columns move_id, move_type, display_type, balance,
 * amount_currency, amount_residual, amount_residual_currency.
 */
export function moveTotalsQuery(lines: string): string {
    const isInvoice = `l.move_type IN (${invoiceMoveTypes.map((t) => `'${t}'`).join(", ")})`;
    const product = `${isInvoice} AND l.display_type IN ('product', 'rounding')`;
    const tax = `${isInvoice} AND l.display_type = 'tax'`;
    const term = `${isInvoice} AND l.display_type = 'payment_term'`;
    const entryDebit = `NOT (${isInvoice}) AND l.balance > 0`;
    const sum = (expr: string, where: string) => `COALESCE(sum(${expr}) FILTER (WHERE ${where}), 0)`;
    const sign = directionSignSql("a.move_type");
    const entry = `a.move_type = 'entry'`;
    return `SELECT a.move_id,
        ${sign} * a.untaxed_c AS amount_untaxed,
        ${sign} * a.tax_c AS amount_tax,
        ${sign} * a.total_c AS amount_total,
        -${sign} * a.residual_c AS amount_residual,
        -a.untaxed AS amount_untaxed_signed,
        -a.untaxed_c AS amount_untaxed_in_currency_signed,
        -a.tax AS amount_tax_signed,
        CASE WHEN ${entry} THEN abs(a.total) ELSE -a.total END AS amount_total_signed,
        CASE WHEN ${entry} THEN abs(${sign} * a.total_c) ELSE -a.total_c END AS amount_total_in_currency_signed,
        a.residual AS amount_residual_signed
    FROM (
        SELECT l.move_id, min(l.move_type) AS move_type,
            ${sum("l.balance", product)} AS untaxed, ${sum("l.amount_currency", product)} AS untaxed_c,
            ${sum("l.balance", tax)} AS tax, ${sum("l.amount_currency", tax)} AS tax_c,
            ${sum("l.balance", `(${product}) OR (${tax}) OR (${entryDebit})`)} AS total,
            ${sum("l.amount_currency", `(${product}) OR (${tax}) OR (${entryDebit})`)} AS total_c,
            ${sum("l.amount_residual", term)} AS residual, ${sum("l.amount_residual_currency", term)} AS residual_c
        FROM ${lines}
        GROUP BY l.move_id
    ) a`;
}
