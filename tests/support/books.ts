/**
 * The accounting invariants the financial anonymization must keep, as SQL over every move: each
 * query returns the number of violations (0 on sound books).
 */
import type { Client } from "pg";

export const bookInvariants: Record<string, string> = {
    "moves balanced to the cent": `SELECT count(*) FROM (SELECT move_id FROM account_move_line GROUP BY move_id HAVING sum(balance) <> 0) x`,
    "single-currency moves balanced in their currency": `SELECT count(*) FROM (SELECT move_id FROM account_move_line GROUP BY move_id
        HAVING min(currency_id) = max(currency_id) AND sum(amount_currency) <> 0) x`,
    "debit - credit = balance": `SELECT count(*) FROM account_move_line WHERE debit - credit <> balance OR debit < 0 OR credit < 0`,
    "amounts rounded to their currency": `SELECT count(*) FROM account_move_line l JOIN res_currency c ON c.id = l.currency_id
        WHERE round(l.amount_currency / c.rounding) * c.rounding <> l.amount_currency OR round(l.balance, 2) <> l.balance`,
    "fully paid invoices have no residual": `SELECT count(*) FROM account_move m WHERE m.payment_state = 'paid' AND (m.amount_residual <> 0
        OR EXISTS (SELECT 1 FROM account_move_line l WHERE l.move_id = m.id AND l.display_type = 'payment_term' AND (l.amount_residual <> 0 OR l.amount_residual_currency <> 0)))`,
    "partially paid invoices still have a residual": `SELECT count(*) FROM account_move WHERE payment_state = 'partial' AND amount_residual = 0`,
    "every reconciled line = its residual + its partials": `SELECT count(*) FROM (
        SELECT l.balance - coalesce(d.s, 0) + coalesce(c.s, 0) AS r, l.amount_currency - coalesce(d.sc, 0) + coalesce(c.sc, 0) AS rc,
               l.amount_residual, l.amount_residual_currency
        FROM account_move_line l
        LEFT JOIN (SELECT debit_move_id id, sum(amount) s, sum(debit_amount_currency) sc FROM account_partial_reconcile GROUP BY 1) d ON d.id = l.id
        LEFT JOIN (SELECT credit_move_id id, sum(amount) s, sum(credit_amount_currency) sc FROM account_partial_reconcile GROUP BY 1) c ON c.id = l.id
        WHERE d.id IS NOT NULL OR c.id IS NOT NULL) x WHERE r <> amount_residual OR rc <> amount_residual_currency`,
    "invoice residual = its payment-term lines": `SELECT count(*) FROM account_move m JOIN (SELECT move_id, sum(amount_residual_currency) r
        FROM account_move_line WHERE display_type = 'payment_term' GROUP BY 1) x ON x.move_id = m.id WHERE m.move_type <> 'entry' AND abs(x.r) <> m.amount_residual`,
    "invoice total = its payment-term lines": `SELECT count(*) FROM account_move m JOIN (SELECT move_id, sum(amount_currency) t
        FROM account_move_line WHERE display_type = 'payment_term' GROUP BY 1) x ON x.move_id = m.id WHERE m.move_type <> 'entry' AND abs(x.t) <> m.amount_total`,
    "invoice untaxed + tax = total": `SELECT count(*) FROM account_move WHERE move_type <> 'entry' AND amount_untaxed + amount_tax <> amount_total`,
    "payment amount = its liquidity line": `SELECT count(*) FROM account_payment p JOIN (SELECT move_id, account_id, sum(amount_currency) ac
        FROM account_move_line GROUP BY 1, 2) x ON x.move_id = p.move_id AND x.account_id = p.outstanding_account_id WHERE abs(x.ac) <> p.amount`,
};

/** Violations per invariant (all zero on sound books). */
export async function bookViolations(client: Client): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [name, sql] of Object.entries(bookInvariants)) out[name] = Number((await client.query(sql)).rows[0].count);
    return out;
}
