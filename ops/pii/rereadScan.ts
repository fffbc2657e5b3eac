/**
 * The stream scan over tables read back from a database: the refresh's copy scans its rows as it
 * writes them (ops/pii/streamScan.ts), but what neutralize and the sanitize marker write afterwards,
 * the tables without rows and those a metadata rule filters by other tables never went through that
 * stream. They are read back here, one `COPY (SELECT <scanned columns> …) TO STDOUT` each (the
 * metadata rule's row filter in the query), and run through the same detectors in Node, so that
 * verify reads nothing in the database with the known values' hashes installed. Read only.
 */
import { Writable } from "node:stream";
import type { Catalog } from "../odoo/catalog";
import { qualifiedTable, quoteIdent } from "../odoo/sql";
import { sourceScript } from "../postgres/copyStream";
import { startTool } from "../postgres/tools";
import { metadataScope } from "./metadata";
import { scanColumnPlans } from "./scan";
import { StreamScan, StreamScanOptions, StreamScanResult } from "./streamScan";

export interface RereadPlan {
    /** Catalog key. */
    table: string;
    /** The COPY's columns, in order: `id` (for samples) when the table has one, then the scanned columns. */
    columns: string[];
    copyOut: string;
}

/**
 * The reads of `tables` that the scan can take (a table skipped whole by a metadata rule, or without
 * a column to scan, is left out): each its scanned columns, filtered by its metadata rule. Pure.
 */
export function rereadPlans(catalog: Catalog, tables: readonly string[], options: Pick<StreamScanOptions, "ignore">): RereadPlan[] {
    return [...new Set(tables)]
        .filter((t) => catalog.hasTable(t))
        .sort()
        .flatMap((table) => {
            const scope = metadataScope(catalog, table);
            if (scope.skip) return [];
            const scanned = scanColumnPlans(catalog, table, options).map((c) => c.column);
            if (!scanned.length) return [];
            const columns = [...(catalog.hasColumn(table, "id") && !scanned.includes("id") ? ["id"] : []), ...scanned];
            const where = scope.where ? ` WHERE ${scope.where}` : "";
            return [
                {
                    table,
                    columns,
                    copyOut: `COPY (SELECT ${columns.map((c) => `t.${quoteIdent(c)}`).join(", ")} FROM ONLY ${qualifiedTable(table)} t${where}) TO STDOUT`,
                },
            ];
        });
}

/**
 * Reads `tables` back from `url` (one psql, one snapshot) and scans their rows in Node. The result
 * lists every table read, marked `reread`, with what was found in it.
 */
export async function rereadScan(opts: {
    binDir: string;
    url: string;
    catalog: Catalog;
    tables: readonly string[];
    options: StreamScanOptions;
    /** PGOPTIONS for the reading session. */
    settings?: Readonly<Record<string, string>>;
}): Promise<StreamScanResult> {
    const plans = rereadPlans(opts.catalog, opts.tables, opts.options);
    if (!plans.length) return { tables: [], findings: [] };
    const scan = new StreamScan(opts.catalog, { ...opts.options, filteredReads: true });
    // Planned before psql starts: a table the scan cannot take fails here, with nothing running.
    const scanner = scan.transform(plans.map((p) => ({ table: p.table, columns: p.columns })));
    const run = startTool(opts.binDir, "psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], {
        url: opts.url,
        what: "reading back the tables written after the copy, for the PII scan",
        stdio: ["pipe", "pipe", "pipe"],
        settings: opts.settings,
    });
    run.child.stdin!.on("error", () => undefined);
    run.child.stdin!.end(
        sourceScript(
            undefined,
            plans.map((p) => p.copyOut),
        ),
    );
    const scanned = new Promise<void>((resolve, reject) => {
        scanner.on("error", reject);
        // Nothing is kept: the rows only pass through the detectors.
        const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
        sink.on("finish", resolve);
        sink.on("error", reject);
        run.child.stdout!.pipe(scanner).pipe(sink);
    });
    // A scan that fails stops psql (which would otherwise wait on a full pipe); its error is the one reported.
    scanned.catch(() => run.child.kill("SIGTERM"));
    await Promise.all([scanned, run.done]);
    const result = scan.result();
    return { tables: result.tables.map((t) => ({ ...t, reread: true })), findings: result.findings };
}
