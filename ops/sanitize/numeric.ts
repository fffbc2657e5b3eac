/**
 * PostgreSQL `numeric` arithmetic in Node, exact to the digit and to the display scale, for the
 * financial rewrite (financeRewrite.ts) that must write byte for byte what the SQL of finance.ts
 * writes. A value is an integer count of units of 10^-scale; the scale is the display scale
 * numeric_out prints (numeric.c: a sum or difference takes the larger scale, a product the sum of
 * both, round(x, d) the scale d). NULL is `null`, and every operation passes it on, as SQL does.
 *
 * The units are a JavaScript number while they are a safe integer (every amount of an ordinary
 * ledger: no allocation, no bigint arithmetic) and a bigint beyond; each operation checks and
 * moves to bigint only when its exact result would not be safe. Pure.
 */

export interface Numeric {
    /** The value × 10^scale: a safe integer as a number, a bigint only beyond Number.MAX_SAFE_INTEGER. */
    readonly units: number | bigint;
    readonly scale: number;
}

export type Nullable = Numeric | null;

const maxSafe = Number.MAX_SAFE_INTEGER;
const maxSafeBig = BigInt(maxSafe);
const numberPowers = Array.from({ length: 16 }, (_, i) => 10 ** i);
const bigPowers: bigint[] = [];
function bigPow10(n: number): bigint {
    for (let i = bigPowers.length; i <= n; i++) bigPowers.push(i === 0 ? 1n : bigPowers[i - 1] * 10n);
    return bigPowers[n];
}

/** A bigint result as a number when it is safe (so that small values are always numbers). */
function settle(units: bigint): number | bigint {
    return units <= maxSafeBig && units >= -maxSafeBig ? Number(units) : units;
}

const big = (units: number | bigint): bigint => (typeof units === "bigint" ? units : BigInt(units));

/** units × 10^n, exact. */
function shift(units: number | bigint, n: number): number | bigint {
    if (n === 0) return units;
    if (typeof units === "number" && n < 16) {
        const r = units * numberPowers[n];
        if (r <= maxSafe && r >= -maxSafe) return r;
    }
    return settle(big(units) * bigPow10(n));
}

function plus(x: number | bigint, y: number | bigint): number | bigint {
    if (typeof x === "number" && typeof y === "number") {
        const r = x + y;
        if (r <= maxSafe && r >= -maxSafe) return r;
    }
    return settle(big(x) + big(y));
}

function times(x: number | bigint, y: number | bigint): number | bigint {
    if (typeof x === "number" && typeof y === "number") {
        const r = x * y;
        if (r <= maxSafe && r >= -maxSafe) return r;
    }
    return settle(big(x) * big(y));
}

export const zero: Numeric = { units: 0, scale: 0 };

/** The integer literal `n` (scale 0), as `0` or `1` in SQL. */
export function int(n: number): Numeric {
    return { units: n, scale: 0 };
}

/** A numeric's text as COPY writes it (`-12.50`), or null for `\N`. Throws on NaN and infinities. */
export function parseNumeric(text: string): Nullable {
    if (text === "\\N") return null;
    const length = text.length;
    let start = 0;
    if (text.charCodeAt(0) === 45 /* - */) start = 1;
    let point = -1;
    for (let i = start; i < length; i++) {
        const c = text.charCodeAt(i);
        if (c === 46 /* . */ && point < 0 && i > start && i < length - 1) point = i;
        else if (c < 48 || c > 57) throw new Error(`not a finite numeric: "${text}"`);
    }
    if (length === start) throw new Error(`not a finite numeric: "${text}"`);
    const digits = point < 0 ? text.slice(start) : text.slice(start, point) + text.slice(point + 1);
    const scale = point < 0 ? 0 : length - point - 1;
    const units = digits.length < 16 ? Number(digits) : settle(BigInt(digits));
    return { units: start && units !== 0 ? -units : units, scale };
}

/** numeric_out: the digits with exactly `scale` of them after the point, no sign on zero. */
export function formatNumeric(n: Numeric): string {
    const negative = n.units < 0;
    const digits = (negative ? -n.units : n.units).toString();
    if (n.scale === 0) return negative ? `-${digits}` : digits;
    const padded = digits.length > n.scale ? digits : digits.padStart(n.scale + 1, "0");
    const text = `${padded.slice(0, padded.length - n.scale)}.${padded.slice(padded.length - n.scale)}`;
    return negative ? `-${text}` : text;
}

export function add(a: Nullable, b: Nullable): Nullable {
    if (a === null || b === null) return null;
    if (a.scale === b.scale) return { units: plus(a.units, b.units), scale: a.scale };
    const scale = a.scale > b.scale ? a.scale : b.scale;
    return { units: plus(shift(a.units, scale - a.scale), shift(b.units, scale - b.scale)), scale };
}

export function sub(a: Nullable, b: Nullable): Nullable {
    return add(a, neg(b));
}

export function mul(a: Nullable, b: Nullable): Nullable {
    if (a === null || b === null) return null;
    return { units: times(a.units, b.units), scale: a.scale + b.scale };
}

export function neg(a: Nullable): Nullable {
    if (a === null) return null;
    return { units: typeof a.units === "number" ? (a.units === 0 ? 0 : -a.units) : settle(-a.units), scale: a.scale };
}

export function abs(a: Nullable): Nullable {
    return a === null ? null : a.units < 0 ? neg(a) : a;
}

/** sign(numeric): -1, 0 or 1 at scale 0. */
export function sign(a: Nullable): Nullable {
    return a === null ? null : int(a.units < 0 ? -1 : a.units > 0 ? 1 : 0);
}

/** round(x, d) for d ≥ 0: half away from zero, at scale d. */
export function round(a: Nullable, d: number | null): Nullable {
    if (a === null || d === null) return null;
    if (d >= a.scale) return { units: shift(a.units, d - a.scale), scale: d };
    const k = a.scale - d;
    const units = a.units;
    if (typeof units === "number" && k < 16) {
        const divisor = numberPowers[k];
        const magnitude = units < 0 ? -units : units;
        const rest = magnitude % divisor;
        let q = (magnitude - rest) / divisor;
        if (rest * 2 >= divisor) q += 1;
        return { units: units < 0 && q !== 0 ? -q : q, scale: d };
    }
    const divisor = bigPow10(k);
    const value = big(units);
    const magnitude = value < 0n ? -value : value;
    let q = magnitude / divisor;
    if ((magnitude % divisor) * 2n >= divisor) q += 1n;
    return { units: settle(value < 0n ? -q : q), scale: d };
}

/** -1, 0, 1 (scales do not matter: 1.50 = 1.5), or null when either is NULL. */
export function compare(a: Nullable, b: Nullable): -1 | 0 | 1 | null {
    if (a === null || b === null) return null;
    let x = a.units;
    let y = b.units;
    if (a.scale !== b.scale) {
        const scale = a.scale > b.scale ? a.scale : b.scale;
        x = shift(x, scale - a.scale);
        y = shift(y, scale - b.scale);
    }
    return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether the value is zero (small values are always numbers, so a bigint is never zero). */
export function isZero(a: Numeric): boolean {
    return a.units === 0;
}

/** `a = b` in a WHEN: NULL is false. */
export function equals(a: Nullable, b: Nullable): boolean {
    return compare(a, b) === 0;
}

/** sum(): NULLs skipped, NULL when nothing was summed; the larger scale. */
export class Sum {
    private total: Nullable = null;
    add(x: Nullable): void {
        if (x !== null) this.total = this.total === null ? x : add(this.total, x);
    }
    value(): Nullable {
        return this.total;
    }
}

/** greatest(a, b): NULLs ignored; on a tie the first argument (PostgreSQL keeps it). */
export function greatest(a: Nullable, b: Nullable): Nullable {
    if (a === null) return b;
    if (b === null) return a;
    return compare(b, a) === 1 ? b : a;
}

/** coalesce(a, b). */
export function coalesce(a: Nullable, b: Nullable): Nullable {
    return a ?? b;
}
