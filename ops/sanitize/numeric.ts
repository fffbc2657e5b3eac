/**
 * PostgreSQL `numeric` arithmetic in Node, exact to the digit and to the display scale, for the
 * financial rewrite (financeRewrite.ts) that must write byte for byte what the SQL of finance.ts
 * writes. A value is an integer count of units of 10^-scale; the scale is the display scale
 * numeric_out prints (numeric.c: a sum or difference takes the larger scale, a product the sum of
 * both, round(x, d) the scale d). NULL is `null`, and every operation passes it on, as SQL does.
 * Pure.
 */

export interface Numeric {
    /** The value × 10^scale. */
    readonly units: bigint;
    readonly scale: number;
}

export type Nullable = Numeric | null;

const powers: bigint[] = [];
/** 10^n as a bigint. */
function pow10(n: number): bigint {
    for (let i = powers.length; i <= n; i++) powers.push(i === 0 ? 1n : powers[i - 1] * 10n);
    return powers[n];
}

export const zero: Numeric = { units: 0n, scale: 0 };

/** The integer literal `n` (scale 0), as `0` or `1` in SQL. */
export function int(n: number): Numeric {
    return { units: BigInt(n), scale: 0 };
}

/** A numeric's text as COPY writes it (`-12.50`), or null for `\N`. Throws on NaN and infinities. */
export function parseNumeric(text: string): Nullable {
    if (text === "\\N") return null;
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!m) throw new Error(`not a finite numeric: "${text}"`);
    const fraction = m[3] ?? "";
    const units = BigInt(m[2] + fraction);
    return { units: m[1] ? -units : units, scale: fraction.length };
}

/** numeric_out: the digits with exactly `scale` of them after the point, no sign on zero. */
export function formatNumeric(n: Numeric): string {
    const negative = n.units < 0n;
    const digits = (negative ? -n.units : n.units).toString();
    if (n.scale === 0) return negative ? `-${digits}` : digits;
    const padded = digits.padStart(n.scale + 1, "0");
    const text = `${padded.slice(0, padded.length - n.scale)}.${padded.slice(padded.length - n.scale)}`;
    return negative ? `-${text}` : text;
}

function rescale(n: Numeric, scale: number): bigint {
    return scale === n.scale ? n.units : n.units * pow10(scale - n.scale);
}

export function add(a: Nullable, b: Nullable): Nullable {
    if (a === null || b === null) return null;
    const scale = Math.max(a.scale, b.scale);
    return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function sub(a: Nullable, b: Nullable): Nullable {
    if (a === null || b === null) return null;
    const scale = Math.max(a.scale, b.scale);
    return { units: rescale(a, scale) - rescale(b, scale), scale };
}

export function mul(a: Nullable, b: Nullable): Nullable {
    if (a === null || b === null) return null;
    return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function neg(a: Nullable): Nullable {
    return a === null ? null : { units: -a.units, scale: a.scale };
}

export function abs(a: Nullable): Nullable {
    return a === null ? null : a.units < 0n ? { units: -a.units, scale: a.scale } : a;
}

/** sign(numeric): -1, 0 or 1 at scale 0. */
export function sign(a: Nullable): Nullable {
    return a === null ? null : int(a.units < 0n ? -1 : a.units > 0n ? 1 : 0);
}

/** round(x, d) for d ≥ 0: half away from zero, at scale d. */
export function round(a: Nullable, d: number | null): Nullable {
    if (a === null || d === null) return null;
    if (d >= a.scale) return { units: rescale(a, d), scale: d };
    const divisor = pow10(a.scale - d);
    const magnitude = a.units < 0n ? -a.units : a.units;
    let q = magnitude / divisor;
    if ((magnitude % divisor) * 2n >= divisor) q += 1n;
    return { units: a.units < 0n ? -q : q, scale: d };
}

/** -1, 0, 1 (scales do not matter: 1.50 = 1.5), or null when either is NULL. */
export function compare(a: Nullable, b: Nullable): -1 | 0 | 1 | null {
    if (a === null || b === null) return null;
    const scale = Math.max(a.scale, b.scale);
    const x = rescale(a, scale);
    const y = rescale(b, scale);
    return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(a: Numeric): boolean {
    return a.units === 0n;
}

/** `a = b` in a WHEN: NULL is false. */
export function equals(a: Nullable, b: Nullable): boolean {
    return compare(a, b) === 0;
}

/** sum(): NULLs skipped, NULL when nothing was summed; the larger scale. */
export class Sum {
    private units = 0n;
    private scale = 0;
    private any = false;
    add(x: Nullable): void {
        if (x === null) return;
        if (!this.any) {
            this.units = x.units;
            this.scale = x.scale;
            this.any = true;
            return;
        }
        if (x.scale > this.scale) {
            this.units *= pow10(x.scale - this.scale);
            this.scale = x.scale;
        }
        this.units += rescale(x, this.scale);
    }
    value(): Nullable {
        return this.any ? { units: this.units, scale: this.scale } : null;
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
