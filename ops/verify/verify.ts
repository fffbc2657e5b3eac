/**
 * `verifyDatabase`: an independent, read-only check that a staging database is safe to serve.
 * It never trusts what sanitize or neutralize reported: every check re-reads the data, and the PII
 * scan reads every text column of every table. The deploy pipeline routes no traffic to a database
 * with findings.
 */
import type { Client } from "pg";
import type { Progress } from "../cli/runtime";
import { readCatalog } from "../odoo/catalog";
import { defaultAllowedDomains, normalizeDomain } from "../pii/patterns";
import { PiiFinding, scanForPii, scannedColumns as scannedColumnsOf } from "../pii/scan";
import { Finding, productionIdentityFromMarker, verifyChecks, VerifyCheck, VerifyContext } from "./checks";

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
    progress?: Progress;
}

export interface VerifyReport {
    ok: boolean;
    /** PII findings carry `kind` (email / phone); their samples are `<row id>: <masked match>`. */
    findings: (Finding & { kind?: PiiFinding["kind"] })[];
    checks: { name: string; description: string; status: "passed" | "failed" | "skipped"; reason?: string }[];
    allowDomains: string[];
    scanned: { tables: number; columns: number };
    seconds: number;
}

export async function verifyDatabase(client: Client, options: VerifyOptions = {}): Promise<VerifyReport> {
    const started = Date.now();
    const progress = options.progress;
    const allowDomains = [...new Set([
        ...defaultAllowedDomains,
        ...(options.allowDomains ?? []).map(normalizeDomain),
        ...(options.baseUrl ? [normalizeDomain(new URL(options.baseUrl).hostname)] : []),
    ])];
    // Read-only and one snapshot: verify changes nothing and sees one consistent state.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
        await client.query("SET LOCAL jit = off");
        const catalog = await readCatalog(client);
        const marker = await productionIdentityFromMarker(client, catalog);
        const ctx: VerifyContext = {
            catalog,
            mailHosts: ["invalid", ...(options.mailHosts ?? [])],
            production: { url: options.productionUrl ?? marker.url, uuid: options.productionUuid, uuidSha256: options.productionUuid ? undefined : marker.uuidSha256 },
            baseUrl: options.baseUrl,
            sampleLimit: options.sampleLimit ?? 3,
        };
        const findings: VerifyReport["findings"] = [];
        const checks: VerifyReport["checks"] = [];
        for (const check of options.checks ?? verifyChecks) {
            progress?.step(`check ${check.name}`);
            const missing = catalog.missing(check.table, check.columns);
            if (!catalog.hasTable(check.table) || missing.length) {
                checks.push({ name: check.name, description: check.description, status: "skipped",
                    reason: catalog.hasTable(check.table) ? `no ${missing.map((c) => `${check.table}.${c}`).join(", ")}` : `no table ${check.table}` });
                continue;
            }
            const found = await check.run(client, ctx);
            findings.push(...found);
            checks.push({ name: check.name, description: check.description, status: found.length ? "failed" : "passed" });
        }
        let scannedColumns = 0;
        if (!options.skipPiiScan) {
            progress?.step(`PII scan of every text column (allowed domains: ${allowDomains.join(", ")})`);
            const pii = await scanForPii(client, catalog, {
                allowDomains, ignore: options.ignore, sampleLimit: ctx.sampleLimit, jobs: options.jobs, connect: options.connect,
                onTable: (table, i, total) => {
                    scannedColumns += scannedColumnsOf(catalog, table, { ignore: options.ignore }).length;
                    progress?.update(i + 1, total);
                },
            });
            for (const f of pii) {
                findings.push({ check: "pii", table: f.table, column: f.column, kind: f.kind, count: f.rows,
                    samples: f.samples.map((x) => `${x.id ?? "?"}: ${x.value}`),
                    message: `${f.rows} row(s) of ${f.table}.${f.column} hold ${f.kind === "email" ? "an e-mail address outside the allowed domains" : "a phone number"}: sanitize (--strict for undeclared tables) or allow the domain` });
            }
            checks.push({ name: "pii", description: "no e-mail address outside the allowed domains and no phone number in any text column",
                status: pii.length ? "failed" : "passed" });
        }
        await client.query("COMMIT");
        progress?.done(findings.length ? `${findings.length} finding(s)` : "no findings");
        return {
            ok: findings.length === 0, findings, checks, allowDomains,
            scanned: { tables: catalog.tables.size, columns: scannedColumns }, seconds: (Date.now() - started) / 1000,
        };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
