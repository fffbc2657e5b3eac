/**
 * `verifyDatabase`: an independent, read-only check that a staging database is safe to serve.
 * It never trusts what sanitize or neutralize reported: every check re-reads the data, and the PII
 * scan reads every text column of every table (Odoo's own metadata excepted, by rule). The deploy
 * pipeline routes no traffic to a database with findings, nor to one that is not an Odoo database
 * or where nothing was there to scan: a verify that saw nothing proves nothing.
 */
import type { Client } from "pg";
import { Catalog, readCatalog } from "../odoo/catalog";
import { readOdooFields } from "../odoo/fields";
import { qualifiedTable } from "../odoo/sql";
import { installKnownValues, KnownValueSet } from "../pii/knownValues";
import { metadataScope } from "../pii/metadata";
import { defaultAllowedDomains, normalizeDomain } from "../pii/patterns";
import { PiiFinding, PiiKind, scanDatabase, scannedColumns } from "../pii/scan";
import type { ScanPath, StreamScanResult } from "../pii/streamScan";
import { Finding, productionIdentityFromMarker, verifyChecks, VerifyCheck, VerifyContext } from "./checks";
import type { Progress } from "../core/progress";

export interface VerifyOptions {
    /** Domains whose addresses may remain (example.com is always allowed). */
    allowDomains?: readonly string[];
    /** The environment's URL: web.base.url must equal it, and its host is an allowed domain. */
    baseUrl?: string;
    /** Hosts an outgoing mail server may point at (the catcher); `invalid` is always allowed. */
    mailHosts?: readonly string[];
    /** Production's identity; defaults to the marker neutralize recorded. */
    productionUrl?: string;
    productionUuid?: string;
    /** `table.column` or `table.*` left out of the PII scan (known false positives). */
    ignore?: readonly string[];
    /** Skip the PII scan (checks only). */
    skipPiiScan?: boolean;
    sampleLimit?: number;
    /** Run the PII scan over this many connections (the biggest cost of verify on a large database). */
    jobs?: number;
    /** Opens another connection to the same database, for `jobs` > 1. */
    connect?: () => Promise<Client>;
    checks?: readonly VerifyCheck[];
    /**
     * Production's personal values, as hashes (ops/pii/knownValues.ts collectKnownValues): any of
     * them found in a text or jsonb column is a finding. Given by `staging refresh`, where
     * production is at hand.
     */
    knownValues?: KnownValueSet;
    /**
     * Tables whose rows were already scanned in Node (ops/pii/streamScan.ts on the copy's way, or
     * ops/pii/rereadScan.ts after it, with the same allowed domains, ignores and known values), with
     * what was found: the PII scan reads every other table in the database. Give only tables nothing
     * wrote to after they were scanned.
     */
    streamed?: StreamScanResult;
    progress?: Progress;
}

export interface VerifyReport {
    ok: boolean;
    /** PII findings carry `kind` (email / phone); their samples are `<row id>: <masked match>`. */
    findings: (Finding & { kind?: PiiFinding["kind"] })[];
    checks: { name: string; description: string; status: "passed" | "failed" | "skipped"; reason?: string }[];
    allowDomains: string[];
    /** What the PII scan read: tables and columns compared, rows read, metadata tables left out by rule. */
    scanned: { tables: number; columns: number; rows: number; metadataTables: number; streamTables?: number; databaseTables?: number };
    /** How each table with text columns was scanned (on the copy's stream, read back, in the database, or skipped by a metadata rule). */
    scanPaths?: ScanPath[];
    seconds: number;
}

/** The domains verify allows: example.com, the given ones and the environment's own host. */
export function verifyAllowDomains(options: Pick<VerifyOptions, "allowDomains" | "baseUrl">): string[] {
    return [
        ...new Set([
            ...defaultAllowedDomains,
            ...(options.allowDomains ?? []).map(normalizeDomain),
            ...(options.baseUrl ? [normalizeDomain(new URL(options.baseUrl).hostname)] : []),
        ]),
    ];
}

/** Tables every Odoo database has (base): without them it is not one. */
export const odooCoreTables = ["ir_module_module", "ir_model", "ir_model_data", "ir_config_parameter", "res_partner", "res_users", "res_company"] as const;

/** Why `catalog` is not an Odoo database (null when it is). */
export async function notOdooReason(client: Client, catalog: Catalog): Promise<string | null> {
    if (catalog.tables.size === 0) return "the database has no tables at all";
    const missing = odooCoreTables.filter((t) => !catalog.hasTable(t));
    if (missing.length) return `no ${missing.join(", ")} table${missing.length > 1 ? "s" : ""} (every Odoo database has them)`;
    if (!catalog.hasColumn("ir_module_module", "state")) return "ir_module_module has no state column";
    const { rows } = await client.query(`SELECT state FROM ${qualifiedTable("ir_module_module")} WHERE name = 'base'`);
    if (!rows.length) return "ir_module_module has no base module";
    if (rows[0].state !== "installed" && rows[0].state !== "to upgrade") return `the base module is ${rows[0].state}, not installed`;
    return null;
}

const piiMessages: Record<PiiKind, string> = {
    email: "an e-mail address outside the allowed domains",
    phone: "a phone number",
    iban: "a valid IBAN (mod-97)",
    card: "a payment card number (Luhn)",
    vat: "a valid VAT number",
    token: "a key- or token-shaped value",
    known: "a production personal value",
};

/**
 * The tables the PII scan reads in the database: those no stream scanned, that have a column to
 * scan and that no metadata rule skips whole. Pure.
 */
export function databaseScanTables(catalog: Catalog, options: Pick<VerifyOptions, "streamed" | "ignore">): string[] {
    const streamed = new Set((options.streamed?.tables ?? []).map((t) => t.table));
    return [...catalog.tables.keys()].filter(
        (t) => !streamed.has(t) && !metadataScope(catalog, t).skip && scannedColumns(catalog, t, { ignore: options.ignore }).length > 0,
    );
}

export async function verifyDatabase(client: Client, options: VerifyOptions = {}): Promise<VerifyReport> {
    const started = Date.now();
    const progress = options.progress;
    const allowDomains = verifyAllowDomains(options);
    // The known values go into this session's temporary tables before the read-only transaction,
    // unless the streams scanned every table that has something to scan (then nothing reads them).
    const knownInDatabase =
        !!options.knownValues && !options.skipPiiScan && (!options.streamed || databaseScanTables(await readCatalog(client), options).length > 0);
    if (knownInDatabase) await installKnownValues(client, options.knownValues!);
    // Read-only and one snapshot: verify changes nothing and sees one consistent state.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
        await client.query("SET LOCAL jit = off");
        const catalog = await readCatalog(client);
        const findings: VerifyReport["findings"] = [];
        const checks: VerifyReport["checks"] = [];
        const notOdoo = await notOdooReason(client, catalog);
        if (notOdoo) {
            findings.push({
                check: "odoo-database",
                table: "ir_module_module",
                count: 0,
                message: `not an Odoo database: ${notOdoo}. verify checks Odoo databases only; point --db at one`,
            });
            checks.push({ name: "odoo-database", description: "the database is an Odoo database (base installed)", status: "failed", reason: notOdoo });
            await client.query("COMMIT");
            progress?.done("not an Odoo database");
            return {
                ok: false,
                findings,
                checks,
                allowDomains,
                scanned: { tables: 0, columns: 0, rows: 0, metadataTables: 0 },
                seconds: (Date.now() - started) / 1000,
            };
        }
        checks.push({ name: "odoo-database", description: "the database is an Odoo database (base installed)", status: "passed" });
        const fields = await readOdooFields(client, catalog);
        const marker = await productionIdentityFromMarker(client, catalog);
        const ctx: VerifyContext = {
            catalog,
            fields,
            mailHosts: ["invalid", ...(options.mailHosts ?? [])],
            production: {
                url: options.productionUrl ?? marker.url,
                uuid: options.productionUuid,
                uuidSha256: options.productionUuid ? undefined : marker.uuidSha256,
            },
            baseUrl: options.baseUrl,
            sampleLimit: options.sampleLimit ?? 3,
        };
        for (const check of options.checks ?? verifyChecks) {
            progress?.step(`check ${check.name}`);
            const missing = catalog.missing(check.table, check.columns);
            if (!catalog.hasTable(check.table) || missing.length) {
                checks.push({
                    name: check.name,
                    description: check.description,
                    status: "skipped",
                    reason: catalog.hasTable(check.table) ? `no ${missing.map((c) => `${check.table}.${c}`).join(", ")}` : `no table ${check.table}`,
                });
                continue;
            }
            let found: Finding[];
            try {
                found = await check.run(client, ctx);
            } catch (err) {
                throw new Error(
                    `verify check ${check.name} (${check.table}${check.columns.length ? `.${check.columns.join(", ")}` : ""}) failed: ${(err as Error).message}`,
                );
            }
            findings.push(...found);
            checks.push({ name: check.name, description: check.description, status: found.length ? "failed" : "passed" });
        }
        const scanned: VerifyReport["scanned"] = { tables: 0, columns: 0, rows: 0, metadataTables: 0 };
        let scanPaths: ScanPath[] | undefined;
        if (!options.skipPiiScan) {
            const streamed = options.streamed ? new Map(options.streamed.tables.filter((t) => catalog.hasTable(t.table)).map((t) => [t.table, t])) : undefined;
            progress?.step(
                `PII scan of every text column${streamed ? ` not scanned on the copy's stream (${streamed.size} tables were)` : ""} (allowed domains: ${allowDomains.join(", ")}${options.knownValues ? "; production's values" : ""})`,
            );
            const inDatabase = streamed ? [...catalog.tables.keys()].filter((t) => !streamed.has(t)) : undefined;
            if (options.knownValues && !knownInDatabase && databaseScanTables(catalog, options).length) {
                throw new Error("verify: a table to scan in the database appeared after the known values were left out; run verify again");
            }
            const result = await scanDatabase(
                client,
                catalog,
                {
                    allowDomains,
                    ignore: options.ignore,
                    sampleLimit: ctx.sampleLimit,
                    jobs: options.jobs,
                    connect: options.connect,
                    tables: inDatabase,
                    knownValues: knownInDatabase ? options.knownValues : undefined,
                    onTable: (_table, i, total) => progress?.update(i + 1, total),
                },
                true,
            );
            Object.assign(scanned, { tables: result.tables, columns: result.columns, rows: result.rows, metadataTables: result.skipped.length });
            if (streamed) {
                const onStream = [...streamed.values()].filter((t) => t.columns > 0);
                result.findings.push(...options.streamed!.findings.filter((f) => streamed.has(f.table)));
                const order = (f: PiiFinding) => `${f.table}\u0000${f.column}\u0000${f.kind}`;
                result.findings.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
                scanned.tables += onStream.length;
                scanned.columns += onStream.reduce((n, t) => n + t.columns, 0);
                scanned.rows += [...streamed.values()].reduce((n, t) => n + t.rows, 0);
                scanned.streamTables = onStream.length;
                scanned.databaseTables = result.tables;
            }
            const skipped = new Map(result.skipped.map((s) => [s.table, s.reason]));
            scanPaths = [...catalog.tables.keys()].sort().flatMap((t): ScanPath[] => {
                if (skipped.has(t)) return [{ table: t, path: "skipped", reason: skipped.get(t) }];
                if (!scannedColumns(catalog, t, { ignore: options.ignore }).length) return [];
                const onStream = streamed?.get(t);
                return [{ table: t, path: onStream ? (onStream.reread ? "reread" : "stream") : "database" }];
            });
            for (const f of result.findings) {
                const what = f.kind === "known" ? `${piiMessages.known}${f.knownKinds?.length ? ` (${f.knownKinds.join(", ")})` : ""}` : piiMessages[f.kind];
                const fix =
                    f.kind === "known"
                        ? "a value copied from production survived: add a sanitize rule for this column"
                        : f.kind === "token"
                          ? "revoke it (db neutralize) or sanitize the column"
                          : "sanitize (--strict for undeclared tables) or allow the domain";
                findings.push({
                    check: f.kind === "known" ? "known-values" : "pii",
                    table: f.table,
                    column: f.column,
                    kind: f.kind,
                    count: f.rows,
                    samples: f.samples.map((x) => `${x.id ?? "?"}: ${x.value}`),
                    message: `${f.rows}${f.capped ? "+" : ""} row(s) of ${f.table}.${f.column} hold ${what}: ${fix}`,
                });
            }
            checks.push({
                name: "pii",
                description:
                    "no e-mail address outside the allowed domains, phone, IBAN, card or VAT number in any text column; no live-looking token in a credential column",
                status: result.findings.some((f) => f.kind !== "known") ? "failed" : "passed",
            });
            if (options.knownValues) {
                checks.push({
                    name: "known-values",
                    description: "no production name, e-mail, phone, street, VAT, IBAN or token in any text or jsonb column",
                    status: result.findings.some((f) => f.kind === "known") ? "failed" : "passed",
                });
            }
            // Rows read on either path: a refresh whose streams read everything scans nothing here.
            if (scanned.rows === 0) {
                findings.push({
                    check: "nothing-scanned",
                    table: "*",
                    count: 0,
                    message: "nothing was scanned: no table holds a row to read (an empty or half-restored database proves nothing)",
                });
                checks.push({ name: "nothing-scanned", description: "the scan read at least one row", status: "failed" });
            }
        }
        await client.query("COMMIT");
        progress?.done(findings.length ? `${findings.length} finding(s)` : "no findings");
        return {
            ok: findings.length === 0,
            findings,
            checks,
            allowDomains,
            scanned,
            ...(scanPaths ? { scanPaths } : {}),
            seconds: (Date.now() - started) / 1000,
        };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
