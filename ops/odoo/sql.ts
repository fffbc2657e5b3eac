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

/** `ARRAY['a','b'][1 + hash % n]`: one element of `values` picked by a hash expression. */
export function pick(values: readonly string[], hashExpr: string): string {
    const array = `(ARRAY[${values.map(quoteLiteral).join(",")}]::text[])`;
    return `${array}[1 + (${hashExpr} % ${values.length})]`;
}
