/**
 * A table transform: how to read one table so that what comes out is sanitized. The same
 * transforms drive the in-place `sanitizeDatabase` and the streaming copy of the staging pipeline
 * (`COPY (<transformSelectSql>) TO STDOUT` on the source → `COPY … FROM STDIN` on the target), so
 * the data is written only once.
 *
 * Expressions are self-contained SQL: they read only the source database (no temporary tables, no
 * session state), so any connection can run them, in a read-only transaction or under an
 * exported snapshot.
 */
import { qualifiedTable, quoteIdent } from "../odoo/sql";

export interface TableTransform {
    /** `res_partner` (schema public) or `schema.table`. */
    table: string;
    /**
     * Column → SQL expression over the original row, aliased `t`. Columns not listed are copied
     * unchanged.
     */
    columns: Record<string, string>;
    /**
     * Replaces the default row source `ONLY <table> t` when a transform needs other rows (the
     * financial anonymization joins partials, moves and partners): a FROM item that defines alias
     * `t` with every column of the table, plus the extra columns the expressions read
     * (`(SELECT l.*, n.x AS __sz_x FROM ONLY account_move_line l LEFT JOIN (…) n ON …) t`).
     * Still self-contained SQL: run it anywhere the plain SELECT runs.
     */
    from?: string;
    /**
     * Tables whose row sources share work (the financial per-line values): the streaming copy reads
     * the group's tables with one query computing `ctes` once, each from its group `from`; any
     * other reader uses the self-contained `from` (ops/postgres/copyStream.ts CopyGroup).
     */
    group?: { name: string; ctes: string; from: string };
    /**
     * The table read in parts (the financial group by move-id range): each part's row source and
     * group, which together give exactly the rows of `from`. The streaming copy reads every part
     * as a table piece of its own; other readers use `from`.
     */
    pieces?: { from: string; group: { name: string; ctes: string; from: string } }[];
    /** Why the transform exists, for reports: the rule names it carries. */
    rules?: string[];
}

/**
 * Session settings the transforms are written for: the financial ones hash-join and aggregate the
 * move lines, which wants memory for in-memory hashes; JIT compiling their large expressions
 * costs more than it saves. Set them (SET …) on every session that runs a transform.
 */
export const transformSessionSettings: Readonly<Record<string, string>> = { work_mem: "256MB", jit: "off" };

/** The default row source of a transform: `ONLY "public"."res_partner" t`. */
export function transformFrom(transform: TableTransform): string {
    return transform.from ?? `ONLY ${qualifiedTable(transform.table)} t`;
}

/**
 * The SELECT that reads `transform.table` sanitized, with `columnNames` in that order (every column
 * of the table, as the COPY target lists them). Pure.
 */
export function transformSelectSql(transform: TableTransform, columnNames: readonly string[]): string {
    const select = columnNames.map((column) => {
        const expr = transform.columns[column];
        return expr === undefined ? `t.${quoteIdent(column)}` : `(${expr}) AS ${quoteIdent(column)}`;
    });
    return `SELECT ${select.join(", ")} FROM ${transformFrom(transform)}`;
}

/** Merges transforms of the same table (later columns win). Pure. */
export function mergeTransforms(transforms: readonly TableTransform[]): TableTransform[] {
    const byTable = new Map<string, TableTransform>();
    for (const t of transforms) {
        const prior = byTable.get(t.table);
        if (!prior) {
            byTable.set(t.table, { ...t, columns: { ...t.columns }, rules: [...(t.rules ?? [])] });
            continue;
        }
        if (prior.from && t.from && prior.from !== t.from) {
            throw new Error(`two transforms of ${t.table} need different row sources; merge their joins into one`);
        }
        byTable.set(t.table, {
            table: t.table,
            columns: { ...prior.columns, ...t.columns },
            from: prior.from ?? t.from,
            ...((prior.group ?? t.group) ? { group: prior.group ?? t.group } : {}),
            ...((prior.pieces ?? t.pieces) ? { pieces: prior.pieces ?? t.pieces } : {}),
            rules: [...(prior.rules ?? []), ...(t.rules ?? [])],
        });
    }
    return [...byTable.values()];
}
