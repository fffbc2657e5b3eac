/**
 * The financial anonymization's per-line arithmetic in Node, for the streaming copy: the source
 * sends one part's move lines, moves and payments as plain COPY rows (the lines with a few helper
 * columns the database computes cheaply: the move's factor and type, the company currency, the
 * sums of the line's scaled partials), and this module writes the rows finance.ts's SQL would have
 * written, byte for byte (same values, same display scales: numeric.ts). The SQL computing them
 * (finance.ts: the line base `lb`, the per-move aggregate `mv`, the readers of the three tables) is
 * the specification; each step below names the part of it it follows. What it saves is the
 * database's numeric arithmetic and the text output of the rewritten columns, the bulk of the
 * financial query's cost; the partials and their sums stay in SQL (one hash join per part).
 *
 * Used only where every currency the rows can meet rounds to a power of ten (the SQL's `d` is
 * known): finance.ts keeps its SQL otherwise. Pure.
 */
import { moveTotalFormulas, type MoveTotalColumn, invoiceMoveTypes } from "../odoo/accounting";
import * as numericOps from "./numeric";
import type { Nullable, Numeric } from "./numeric";

// A plain object: a module namespace compiled to CommonJS reads each export through a getter,
// which on this path (millions of calls) costs more than the arithmetic.
const N = { ...numericOps };

/** A currency as finance.ts's `cur` has it: its rounding step and its decimals (the step is 10^-decimals). */
export interface CurrencyRounding {
    rounding: Numeric;
    decimals: number;
}

export interface FinanceRewriteConfig {
    /** Every currency of res_currency, by id. */
    currencies: ReadonlyMap<number, CurrencyRounding>;
    /** A payment's liquidity lines are those on its outstanding account (else: not the payment terms). */
    liquidityByAccount: boolean;
}

/** The helper columns the source adds to each move line, in this order, as text. */
export const lineHelperColumns = ["mid", "f", "mt", "mccur", "has", "pa", "pac"] as const;

/** One table of the group as it came from the source: COPY text rows (no newline) of `columns` (plus the helpers, for the lines). */
export interface GroupTable {
    table: string;
    columns: readonly string[];
    rows: string[];
}

/** The columns the rewrite writes and reads, per table (the group's query sends them plain). Pure. */
export function financeRewriteColumns(table: string): { writes: string[]; reads: string[] } {
    const lineWrites = [
        "balance",
        "debit",
        "credit",
        "amount_residual",
        "amount_currency",
        "amount_residual_currency",
        "price_subtotal",
        "price_total",
        "price_unit",
        "tax_base_amount",
    ];
    if (table === "account_move_line")
        return { writes: lineWrites, reads: [...lineWrites, "id", "move_id", "currency_id", "company_currency_id", "display_type", "account_id"] };
    const totals = Object.keys(moveTotalFormulas);
    if (table === "account_move") return { writes: totals, reads: [...totals, "id", "move_type"] };
    const payment = ["amount", "amount_company_currency_signed"];
    if (table === "account_payment") return { writes: payment, reads: [...payment, "move_id", "outstanding_account_id"] };
    throw new Error(`the financial rewrite has no columns for ${table}`);
}

type Kind = "u" | "t" | "e" | "r";
const kindCodes: Record<Kind, number> = { u: 1, t: 2, e: 3, r: 4 };
const invoiceTypes = new Set<string>(invoiceMoveTypes);

/** accounting.ts lineKindSql. */
function lineKind(moveType: string | null, display: string | null, balance: Nullable): Kind | null {
    if (moveType !== null && invoiceTypes.has(moveType)) {
        if (display === "product" || display === "rounding") return "u";
        if (display === "tax") return "t";
        if (display === "payment_term") return "r";
        return null;
    }
    return N.compare(balance, N.zero) === 1 ? "e" : null;
}

const text = (field: string | undefined): string | null => (field === undefined || field === "\\N" ? null : field);
const integer = (field: string | undefined): number | null => {
    const t = text(field);
    return t === null ? null : Number(t);
};
const numeric = (field: string | undefined): Nullable => (field === undefined ? null : N.parseNumeric(field));
const out = (n: Nullable): string => (n === null ? "\\N" : N.formatNumeric(n));

/** Per line: what lb holds and the final values computed from it (one class, so every line has one shape). */
class Line {
    id: number;
    moveId: number;
    inBase = false;
    b0: Nullable = null;
    r0: Numeric = N.zero;
    ac0: Numeric = N.zero;
    rc0: Numeric = N.zero;
    lcur: number | null = null;
    f: Nullable = null;
    display: string | null = null;
    accountId: number | null = null;
    cc: CurrencyRounding | undefined = undefined;
    lc: CurrencyRounding | undefined = undefined;
    foreign = false;
    has = false;
    nr: Nullable = null;
    nrc: Nullable = null;
    nb: Nullable = null;
    nac: Nullable = null;
    pref = 0;
    kind: Kind | null = null;
    // The final values (computedValues).
    balance: Nullable = null;
    residual: Nullable = null;
    fcAmount: Nullable = null;
    fcResidual: Nullable = null;
    constructor(
        readonly fields: string[],
        id: number,
        moveId: number,
    ) {
        this.id = id;
        this.moveId = moveId;
    }
}

/** Per move: mv. */
interface Move {
    delta: numericOps.Sum;
    deltaCRaw: numericOps.Sum;
    sumAc0: numericOps.Sum;
    minLcur: number | null;
    maxLcur: number | null;
    allForeign: boolean;
    pick: Line | null;
    kinded: boolean;
    sums: Record<`${Kind}_${"b" | "c"}`, numericOps.Sum>;
    // derived
    absorber: number | null;
    deltaFinal: Nullable;
    deltaC: Nullable;
}

/** ARRAY[pref, -abs(b0), id, …] < the other's (min() over them picks the absorbing line); NULL sorts last. */
function picksBefore(a: Line, b: Line): boolean {
    if (a.pref !== b.pref) return a.pref < b.pref;
    const x = N.neg(N.abs(a.b0));
    const y = N.neg(N.abs(b.b0));
    if (x === null || y === null) {
        if (x !== y) return y === null;
    } else {
        const c = N.compare(x, y);
        if (c !== 0) return c === -1;
    }
    return a.id < b.id;
}

function newMove(): Move {
    const s = () => new N.Sum();
    return {
        delta: s(),
        deltaCRaw: s(),
        sumAc0: s(),
        minLcur: null,
        maxLcur: null,
        allForeign: true,
        pick: null,
        kinded: false,
        sums: { u_b: s(), u_c: s(), t_b: s(), t_c: s(), e_b: s(), e_c: s(), r_b: s(), r_c: s() },
        absorber: null,
        deltaFinal: null,
        deltaC: null,
    };
}

/** round to a currency (finance.ts rnd): NULL without the currency. */
const roundTo = (x: Nullable, c: CurrencyRounding | undefined): Nullable => (c === undefined ? null : N.round(x, c.decimals));

/**
 * Rewrites one part of the financial group: `tables` holds its account_move_line rows (with
 * lineHelperColumns after the table's columns), and its account_move and account_payment rows
 * when the group carries them. Returns each table's rows as they are to be loaded (helpers
 * dropped), in the same order as `tables`.
 */
export function rewriteFinanceGroup(config: FinanceRewriteConfig, tables: readonly GroupTable[]): string[][] {
    const lineTable = tables.find((t) => t.table === "account_move_line");
    if (!lineTable) throw new Error("the financial group has no account_move_line rows");
    const moves = new Map<number, Move>();
    const lines = lineTable.rows.map((row) => readLine(config, lineTable.columns, row, moves));
    for (const move of moves.values()) settleMove(move);
    const finalLines = lines.map((line) => finishLine(line, moves));
    return tables.map((t) => {
        if (t === lineTable) return writeLines(lineTable.columns, finalLines);
        if (t.table === "account_move") return t.rows.map((row) => writeMove(t.columns, row, moves));
        if (t.table === "account_payment") return writePayments(config, t.columns, t.rows, finalLines);
        throw new Error(`the financial group carries ${t.table}, which it has no rewrite for`);
    });
}

function columnIndex(columns: readonly string[]): (name: string) => number {
    const index = new Map(columns.map((c, i) => [c, i]));
    return (name) => index.get(name) ?? -1;
}

const lineIndexes = new WeakMap<readonly string[], Record<string, number>>();
function lineColumns(columns: readonly string[]): Record<string, number> {
    let cached = lineIndexes.get(columns);
    if (cached) return cached;
    const at = columnIndex(columns);
    const helpers = Object.fromEntries(lineHelperColumns.map((h, i) => [`h_${h}`, columns.length + i]));
    cached = {
        ...helpers,
        id: at("id"),
        move_id: at("move_id"),
        balance: at("balance"),
        amount_residual: at("amount_residual"),
        amount_currency: at("amount_currency"),
        amount_residual_currency: at("amount_residual_currency"),
        currency_id: at("currency_id"),
        company_currency_id: at("company_currency_id"),
        display_type: at("display_type"),
        account_id: at("account_id"),
        debit: at("debit"),
        credit: at("credit"),
        price_subtotal: at("price_subtotal"),
        price_total: at("price_total"),
        price_unit: at("price_unit"),
        tax_base_amount: at("tax_base_amount"),
    };
    lineIndexes.set(columns, cached);
    return cached;
}

/** The lb row of a line (or a line outside lb: its move is not in the part's moves). */
function readLine(config: FinanceRewriteConfig, columns: readonly string[], row: string, moves: Map<number, Move>): Line {
    const c = lineColumns(columns);
    const fields = row.split("\t");
    if (fields.length !== columns.length + lineHelperColumns.length) {
        throw new Error(`a move line row has ${fields.length} fields, expected ${columns.length + lineHelperColumns.length}`);
    }
    const line = new Line(fields, Number(fields[c.id]), Number(fields[c.move_id]));
    line.inBase = text(fields[c.h_mid]) !== null;
    if (!line.inBase) return line;
    const f = (i: number): string | undefined => (i < 0 ? undefined : fields[i]);
    line.b0 = numeric(f(c.balance));
    line.r0 = N.coalesce(numeric(f(c.amount_residual)), N.zero)!;
    line.ac0 = N.coalesce(N.coalesce(numeric(f(c.amount_currency)), line.b0), N.zero)!;
    line.rc0 = N.coalesce(c.amount_residual_currency >= 0 ? numeric(f(c.amount_residual_currency)) : numeric(f(c.amount_residual)), N.zero)!;
    line.lcur = integer(f(c.currency_id));
    const ccur = integer(f(c.company_currency_id)) ?? integer(fields[c.h_mccur]);
    line.display = text(f(c.display_type));
    line.accountId = integer(f(c.account_id));
    line.f = numeric(fields[c.h_f]);
    const moveType = text(fields[c.h_mt]);
    line.has = fields[c.h_has] === "t";
    const pa = numeric(fields[c.h_pa]);
    const pac = numeric(fields[c.h_pac]);
    line.cc = ccur === null ? undefined : config.currencies.get(ccur);
    line.lc = line.lcur === null ? undefined : config.currencies.get(line.lcur);
    line.foreign = line.lcur !== null && line.lcur !== ccur;
    // lb: nr, nrc, nb, nac, pref, kind.
    const nrc = N.isZero(line.rc0) ? N.zero : roundTo(N.mul(line.rc0, line.f), line.lc);
    line.nr = N.isZero(line.r0) ? N.zero : roundTo(N.mul(line.r0, line.f), line.cc);
    line.nrc = line.foreign ? nrc : null;
    line.nb = !line.has ? roundTo(N.mul(line.b0, line.f), line.cc) : N.add(line.nr, pa);
    line.nac = !line.foreign ? null : !line.has ? roundTo(N.mul(line.ac0, line.f), line.lc) : N.add(nrc, pac);
    line.pref = !line.has && N.isZero(line.r0) ? 0 : !line.has ? 1 : 2;
    line.kind = lineKind(moveType, line.display, line.b0);
    // mv: the per-move aggregate.
    let move = moves.get(line.moveId);
    if (!move) moves.set(line.moveId, (move = newMove()));
    move.delta.add(line.nb);
    if (line.foreign) {
        move.deltaCRaw.add(line.nac);
        move.sumAc0.add(line.ac0);
    } else move.allForeign = false;
    if (line.lcur !== null) {
        if (move.minLcur === null || line.lcur < move.minLcur) move.minLcur = line.lcur;
        if (move.maxLcur === null || line.lcur > move.maxLcur) move.maxLcur = line.lcur;
    }
    if (!move.pick || picksBefore(line, move.pick)) move.pick = line;
    if (line.kind !== null) {
        move.kinded = true;
        if (line.kind === "r") {
            move.sums.r_b.add(N.sub(line.nr, line.r0));
            move.sums.r_c.add(N.sub(line.foreign ? line.nrc : line.nr, line.rc0));
        } else {
            move.sums[`${line.kind}_b`].add(N.sub(line.nb, line.b0));
            move.sums[`${line.kind}_c`].add(N.sub(line.foreign ? line.nac : line.nb, line.ac0));
        }
    }
    return line;
}

/** mv's derived columns: the rounding difference and the line that takes it. */
function settleMove(move: Move): void {
    const single = move.minLcur !== null && move.minLcur === move.maxLcur && move.allForeign;
    const delta = move.delta.value();
    const deltaCRaw = move.deltaCRaw.value();
    const sumAc0 = move.sumAc0.value();
    const zeroAc0 = single && sumAc0 !== null && N.isZero(sumAc0);
    move.deltaFinal = delta;
    move.deltaC = zeroAc0 ? deltaCRaw : N.zero;
    const absorbs = (delta !== null && !N.isZero(delta)) || (zeroAc0 && deltaCRaw !== null && !N.isZero(deltaCRaw));
    move.absorber = absorbs && move.pick ? move.pick.id : null;
}

/** computedValues: the final balance, residual and currency amounts of a line. */
function finishLine(line: Line, moves: Map<number, Move>): Line {
    if (!line.inBase) return line;
    const move = moves.get(line.moveId)!;
    const absorbed = move.absorber === line.id;
    const delta = move.deltaFinal;
    const deltaC = move.deltaC;
    line.balance = N.sub(line.nb, absorbed ? delta : N.zero);
    line.residual = N.sub(line.nr, absorbed && (line.has || !N.isZero(line.r0)) ? delta : N.zero);
    line.fcAmount = line.foreign ? N.sub(line.nac, absorbed ? deltaC : N.zero) : null;
    line.fcResidual = line.foreign ? N.sub(line.nrc, absorbed && (line.has || !N.isZero(line.rc0)) ? deltaC : N.zero) : null;
    return line;
}

/** The account_move_line reader: every rewritten column as coalesce(new, original). */
function writeLines(columns: readonly string[], lines: Line[]): string[] {
    const c = lineColumns(columns);
    const width = columns.length;
    return lines.map((line) => {
        const fields = line.fields;
        const set = (i: number, value: Nullable) => {
            if (i >= 0 && value !== null) fields[i] = out(value);
        };
        const inBase = line.inBase;
        const balance = inBase ? line.balance : null;
        const residual = inBase ? line.residual : null;
        const amountCurrency = inBase ? (line.foreign ? line.fcAmount : line.balance) : null;
        const residualCurrency = inBase ? (line.foreign ? line.fcResidual : line.residual) : null;
        const f = inBase ? line.f : null;
        const ac0 = inBase ? line.ac0 : null;
        const lineRounding = inBase ? (line.lc ?? line.cc) : undefined;
        set(c.balance, balance);
        // greatest(x, 0) is 0 when x is NULL: written even for a line outside lb, as the SQL does.
        set(c.debit, N.greatest(balance, N.zero));
        set(c.credit, N.greatest(N.neg(balance), N.zero));
        set(c.amount_residual, residual);
        set(c.amount_currency, amountCurrency);
        set(c.amount_residual_currency, residualCurrency);
        if (c.price_subtotal >= 0) {
            const ps = numeric(fields[c.price_subtotal]);
            let subtotal: Nullable;
            if (ps === null || N.isZero(ps)) subtotal = ps;
            else if (ac0 !== null && !N.isZero(ac0) && N.equals(ps, ac0)) subtotal = amountCurrency;
            else if (ac0 !== null && !N.isZero(ac0) && N.equals(ps, N.neg(ac0))) subtotal = N.neg(amountCurrency);
            else subtotal = roundTo(N.mul(ps, f), lineRounding);
            if (c.price_total >= 0) {
                const pt = numeric(fields[c.price_total]);
                const total = pt !== null && N.isZero(pt) ? pt : N.add(subtotal, roundTo(N.mul(N.sub(pt, ps), f), lineRounding));
                set(c.price_total, total);
            }
            set(c.price_subtotal, subtotal);
        }
        if (c.price_unit >= 0) {
            const pu = numeric(fields[c.price_unit]);
            set(c.price_unit, pu !== null && N.isZero(pu) ? pu : N.round(N.mul(pu, f), pu === null ? null : Math.max(pu.scale, 2)));
        }
        if (c.tax_base_amount >= 0) {
            const tba = numeric(fields[c.tax_base_amount]);
            set(c.tax_base_amount, tba !== null && N.isZero(tba) ? tba : roundTo(N.mul(tba, f), inBase ? line.cc : undefined));
        }
        fields.length = width;
        return fields.join("\t");
    });
}

const moveIndexes = new WeakMap<readonly string[], { id: number; moveType: number; totals: [MoveTotalColumn, number][] }>();

/** The account_move reader: each stored total moves by what Odoo's formula over its lines moved. */
function writeMove(columns: readonly string[], row: string, moves: Map<number, Move>): string {
    let c = moveIndexes.get(columns);
    if (!c) {
        const at = columnIndex(columns);
        c = {
            id: at("id"),
            moveType: at("move_type"),
            totals: (Object.keys(moveTotalFormulas) as MoveTotalColumn[]).map((t) => [t, at(t)] as [MoveTotalColumn, number]).filter(([, i]) => i >= 0),
        };
        moveIndexes.set(columns, c);
    }
    const fields = row.split("\t");
    const move = moves.get(Number(fields[c.id]));
    if (!move || !move.kinded || !c.totals.length) return row;
    const moveType = text(fields[c.moveType]);
    const pick = move.pick!;
    const absorberKind = move.absorber !== null ? (pick.kind === null ? 0 : kindCodes[pick.kind]) : -1;
    const absorberR = pick.has || !N.isZero(pick.r0);
    const absorberRc = pick.has || !N.isZero(pick.rc0);
    const absorberFc = pick.foreign;
    const delta = move.deltaFinal;
    const deltaC = move.deltaC;
    const taken = {
        b: delta,
        c: absorberFc ? deltaC : delta,
        rb: absorberR ? delta : N.zero,
        rc: absorberFc ? (absorberRc ? deltaC : N.zero) : absorberR ? delta : N.zero,
    };
    const base = (kind: Kind, currency: boolean): Numeric => {
        const what = kind === "r" ? (currency ? taken.rc : taken.rb) : currency ? taken.c : taken.b;
        const sum = move.sums[`${kind}_${currency ? "c" : "b"}`].value();
        return N.coalesce(N.sub(sum, absorberKind === kindCodes[kind] ? what : N.zero), N.zero)!;
    };
    const direction = moveType === "entry" || moveType === "in_invoice" || moveType === "out_refund" || moveType === "in_receipt" ? 1 : -1;
    const kindsOf = { untaxed: ["u"], tax: ["t"], total: ["u", "t", "e"], residual: ["r"] } as const;
    for (const [column, i] of c.totals) {
        const formula = moveTotalFormulas[column];
        const factorName = "entry" in formula && moveType === "entry" ? formula.entry : formula.factor;
        const factor = factorName === "direction" ? direction : factorName === "-direction" ? -direction : factorName === "-1" ? -1 : 1;
        let sum: Numeric | null = null;
        for (const kind of kindsOf[formula.sum]) sum = sum === null ? base(kind, formula.currency) : N.add(sum, base(kind, formula.currency));
        const original = numeric(fields[i]);
        const moved = N.add(original, N.mul(N.int(factor), sum));
        if (moved !== null) fields[i] = out(moved);
    }
    return fields.join("\t");
}

/** The account_payment reader: the amount follows the liquidity lines of the payment's move. */
function writePayments(config: FinanceRewriteConfig, columns: readonly string[], rows: string[], lines: Line[]): string[] {
    const at = columnIndex(columns);
    const ci = {
        moveId: at("move_id"),
        amount: at("amount"),
        signed: at("amount_company_currency_signed"),
        outstanding: at("outstanding_account_id"),
    };
    const byMove = new Map<number, Line[]>();
    for (const line of lines) {
        if (!line.inBase) continue;
        const list = byMove.get(line.moveId);
        if (list) list.push(line);
        else byMove.set(line.moveId, [line]);
    }
    return rows.map((row) => {
        const fields = row.split("\t");
        const moveId = integer(fields[ci.moveId]);
        const outstanding = ci.outstanding >= 0 ? integer(fields[ci.outstanding]) : null;
        const liquidity = (moveId === null ? [] : (byMove.get(moveId) ?? [])).filter((l) =>
            config.liquidityByAccount ? l.accountId !== null && outstanding !== null && l.accountId === outstanding : l.display !== "payment_term",
        );
        let ac: Nullable = null;
        let ac0: Nullable = null;
        let b: Nullable = null;
        let b0: Nullable = null;
        let f: Nullable = null;
        if (liquidity.length) {
            const sums = { ac: new N.Sum(), ac0: new N.Sum(), b: new N.Sum(), b0: new N.Sum() };
            for (const l of liquidity) {
                sums.ac.add(l.foreign ? l.fcAmount : l.balance);
                sums.ac0.add(l.ac0);
                sums.b.add(l.balance);
                sums.b0.add(l.b0);
                if (l.f !== null && (f === null || N.compare(l.f, f) === -1)) f = l.f;
            }
            [ac, ac0, b, b0] = [sums.ac.value(), sums.ac0.value(), sums.b.value(), sums.b0.value()];
        }
        const amount = numeric(fields[ci.amount]);
        const newAmount = ac0 !== null && N.equals(N.abs(amount), N.abs(ac0)) ? N.abs(ac) : N.round(N.mul(amount, f), 2);
        if (newAmount !== null) fields[ci.amount] = out(newAmount);
        if (ci.signed >= 0) {
            const signed = numeric(fields[ci.signed]);
            const newSigned = b0 !== null && N.equals(N.abs(signed), N.abs(b0)) ? N.mul(N.sign(signed), N.abs(b)) : N.round(N.mul(signed, f), 2);
            if (newSigned !== null) fields[ci.signed] = out(newSigned);
        }
        return fields.join("\t");
    });
}
