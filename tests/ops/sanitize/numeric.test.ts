/**
 * ops/sanitize/numeric.ts against a real PostgreSQL: the same operations on the same random values
 * (scales 0–8, magnitudes up to 30 digits, negatives, zeros at several scales), and the text
 * numeric_out prints must be identical, display scale included.
 */
import * as assert from "node:assert/strict";
import * as N from "../../../ops/sanitize/numeric";
import { freshDatabase } from "../../support/postgres";
import { query } from "../../support/smallDb";

/** A deterministic generator (mulberry32), so a failure names a reproducible value. */
function random(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function randomNumeric(next: () => number): string {
    const scale = Math.floor(next() * 9);
    const digits = 1 + Math.floor(next() * (next() < 0.2 ? 30 : 9));
    let units = "";
    for (let i = 0; i < digits; i++) units += Math.floor(next() * 10);
    if (next() < 0.1) units = "0";
    // Half-way cases (…5 at the rounding position) on purpose.
    if (next() < 0.2) units = `${units.slice(0, -1)}5`;
    const padded = units.padStart(scale + 1, "0");
    const text = scale ? `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}` : padded;
    return next() < 0.4 ? `-${text}` : text;
}

describe("numeric arithmetic in Node, as PostgreSQL computes and prints it (ops/sanitize/numeric.ts)", function () {
    this.timeout(60_000);

    it("parses and prints numeric_out's text exactly, and refuses NaN and infinities", () => {
        for (const text of ["0", "0.00", "-1.50", "123456789012345678901234567890.123456", "-0.000001"]) {
            assert.equal(N.formatNumeric(N.parseNumeric(text)!), text);
        }
        assert.equal(N.parseNumeric("\\N"), null);
        assert.throws(() => N.parseNumeric("NaN"), /not a finite numeric: "NaN"/);
        assert.throws(() => N.parseNumeric("Infinity"), /not a finite numeric/);
    });

    it("+, -, ×, round(x, d), greatest(x, 0), sign(x) × abs(y), sum and comparisons agree with the server on 2 000 random pairs", async () => {
        const next = random(15);
        const pairs = Array.from({ length: 2000 }, () => ({ a: randomNumeric(next), b: randomNumeric(next), d: Math.floor(next() * 7) }));
        const db = await freshDatabase("numeric");
        const values = pairs.map((p, i) => `(${i}, '${p.a}'::numeric, '${p.b}'::numeric, ${p.d})`).join(", ");
        const rows = await query<Record<string, string | number>>(
            db.url,
            `SELECT i, (a + b)::text AS add, (a - b)::text AS sub, (a * b)::text AS mul, round(a * b, d)::text AS round,
                    round(a, d)::text AS round_a, greatest(a, 0)::text AS greatest, (sign(a) * abs(b))::text AS signabs, (-a)::text AS neg,
                    (a = b) AS eq, (a < b) AS lt
               FROM (VALUES ${values}) v(i, a, b, d) ORDER BY i`,
        );
        for (const row of rows) {
            const p = pairs[Number(row.i)];
            const a = N.parseNumeric(p.a);
            const b = N.parseNumeric(p.b);
            const say = (what: string) => `${what} of ${p.a} and ${p.b} (d ${p.d})`;
            assert.equal(N.formatNumeric(N.add(a, b)!), row.add, say("sum"));
            assert.equal(N.formatNumeric(N.sub(a, b)!), row.sub, say("difference"));
            assert.equal(N.formatNumeric(N.mul(a, b)!), row.mul, say("product"));
            assert.equal(N.formatNumeric(N.round(N.mul(a, b), p.d)!), row.round, say("rounded product"));
            assert.equal(N.formatNumeric(N.round(a, p.d)!), row.round_a, say("round"));
            assert.equal(N.formatNumeric(N.greatest(a, N.zero)!), row.greatest, say("greatest"));
            assert.equal(N.formatNumeric(N.mul(N.sign(a), N.abs(b))!), row.signabs, say("sign × abs"));
            assert.equal(N.formatNumeric(N.neg(a)!), row.neg, say("negation"));
            assert.equal(N.equals(a, b), row.eq, say("equality"));
            assert.equal(N.compare(a, b) === -1, row.lt, say("order"));
        }
        const [sum] = await query<{ s: string }>(db.url, `SELECT sum(a)::text AS s FROM (VALUES ${values}) v(i, a, b, d)`);
        const total = new N.Sum();
        for (const p of pairs) total.add(N.parseNumeric(p.a));
        total.add(null);
        assert.equal(N.formatNumeric(total.value()!), sum.s);
        assert.equal(new N.Sum().value(), null, "the sum of nothing is NULL");
    });

    it("passes NULL on as SQL does, and greatest ignores it", () => {
        const one = N.int(1);
        for (const op of [N.add, N.sub, N.mul]) {
            assert.equal(op(null, one), null);
            assert.equal(op(one, null), null);
        }
        assert.equal(N.round(null, 2), null);
        assert.equal(N.round(one, null), null);
        assert.equal(N.formatNumeric(N.greatest(null, N.zero)!), "0");
        assert.equal(N.compare(null, one), null);
        assert.equal(N.equals(null, null), false);
    });
});
