/**
 * The known-value scan where production is at hand but the copy is never loaded into a database
 * (`snapshot create --sanitize`): production's personal values are collected as hashes from the
 * source snapshot; every sanitized COPY stream is checked in Node as it is written; the tables the
 * snapshot carries unchanged are checked with one query on the same source snapshot. Any hit fails
 * the snapshot with table.column and a count, never the value.
 */
import type { Transform } from "node:stream";
import type { Client } from "pg";
import { Catalog, readCatalog } from "../odoo/catalog";
import { CopyScanColumn, KnownValueCopyScanner } from "../pii/copyScan";
import { collectKnownValues, describeHits, KnownValueHit, KnownValueSet, scanTablesForKnownValues } from "../pii/knownValues";

export interface GuardTable {
    schema: string;
    name: string;
    /** The columns the COPY stream carries, in order. */
    columns: readonly string[];
}

export class KnownValueGuard {
    readonly #scanners: { table: string; scanner: KnownValueCopyScanner }[] = [];

    constructor(
        readonly set: KnownValueSet,
        private readonly catalog: Catalog,
    ) {}

    /** A pass-through that checks one table's COPY text stream. */
    stream(table: GuardTable): Transform {
        const key = keyOf(table);
        const info = this.catalog.table(key);
        const columns: CopyScanColumn[] = table.columns.map((name) => {
            const type = info?.columns.get(name)?.type ?? "";
            return {
                name,
                kind: type === "jsonb" || type === "json" ? "json" : ["text", "character varying", "character", "citext"].includes(type) ? "text" : "skip",
            };
        });
        const scanner = new KnownValueCopyScanner(this.set, columns);
        this.#scanners.push({ table: key, scanner });
        return scanner;
    }

    /** After the streams: checks the tables copied unchanged on the source, and returns every hit. */
    async finish(source: Client, unchanged: readonly GuardTable[]): Promise<KnownValueHit[]> {
        const hits: KnownValueHit[] = [];
        for (const { table, scanner } of this.#scanners) for (const [column, count] of scanner.hits) hits.push({ table, column, count });
        hits.push(...(await scanTablesForKnownValues(source, this.catalog, this.set, unchanged.map(keyOf))));
        return hits.sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
    }
}

const keyOf = (t: GuardTable) => (t.schema === "public" ? t.name : `${t.schema}.${t.name}`);

/** Collects production's values on `source` (inside the caller's snapshot) and returns the guard. */
export async function knownValueGuard(
    source: Client,
    options: { keepCompanyNames?: boolean; allowDomains?: readonly string[] } = {},
): Promise<KnownValueGuard> {
    const catalog = await readCatalog(source);
    // Credentials are neutralize's, after the restore: the snapshot is checked for personal values only.
    return new KnownValueGuard(
        await collectKnownValues(source, {
            catalog,
            keepCompanyNames: options.keepCompanyNames,
            allowDomains: options.allowDomains,
            credentials: false,
        }),
        catalog,
    );
}

/** The error a snapshot fails with when production values survived. */
export class KnownValueLeak extends Error {
    constructor(readonly hits: readonly KnownValueHit[]) {
        super(`production personal values survived sanitizing: ${describeHits(hits)}. Add sanitize rules for these columns; the snapshot was not completed`);
        this.name = "KnownValueLeak";
    }
}
