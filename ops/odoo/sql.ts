/**
 * Small SQL text builders shared by the fixture, the sanitizer, the neutralizer and the verifier.
 * Pure functions: they return SQL text, they never talk to a database.
 */

/** A double-quoted identifier (`user` → `"user"`), safe for any name. */
export function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** A single-quoted string literal (standard_conforming_strings on, PostgreSQL's default). */
export function quoteLiteral(value: string): string {
    if (value.includes("\0")) throw new Error("SQL literal cannot contain a NUL character");
    return `'${value.replace(/'/g, "''")}'`;
}

/** `schema.table` quoted; a bare name is taken as `public.name`. */
export function qualifiedTable(table: string): string {
    const [schema, name] = table.includes(".") ? table.split(".", 2) : ["public", table];
    return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * An unsigned 32-bit hash (0 … 4294967295) of `parts` joined with ':', from md5: stable across
 * PostgreSQL versions and platforms (unlike hashtext), so the same input always gives the same
 * fake data. `parts` are SQL expressions (cast to text here) or literals built by the caller.
 */
export function hash32(parts: string[], slice: 1 | 9 | 17 | 25 = 1): string {
    const text = parts.map((p) => `(${p})::text`).join(` || ':' || `);
    return `(('x' || substr(md5(${text}), ${slice}, 8))::bit(32)::bigint)`;
}

/** `ARRAY['a','b'][1 + hash % n]`: one element of `values` picked by a hash expression. */
export function pick(values: readonly string[], hashExpr: string): string {
    const array = `(ARRAY[${values.map(quoteLiteral).join(",")}]::text[])`;
    return `${array}[1 + (${hashExpr} % ${values.length})]`;
}

/** Rounds `expr` to a currency's rounding step (0.01, 0.05, 1 …); a missing step means 0.01. */
export function roundTo(expr: string, rounding: string): string {
    return `(round((${expr}) / COALESCE(NULLIF(${rounding}, 0), 0.01)) * COALESCE(NULLIF(${rounding}, 0), 0.01))`;
}
