/**
 * The data rules the pipeline applies, behind one small interface: sanitizing expressions
 * (ops/sanitize), neutralization (ops/neutralize) and the independent verification (ops/verify).
 * The pipeline only orchestrates; what "safe" means lives in those modules.
 */
import { Client } from "pg";
import type { ColumnTransform } from "../postgres/copyStream";
import { InvalidInputError } from "../core/errors";
import { neutralizeContextInput, neutralizeDatabase, planCredentialRevocations, withRevocations } from "../neutralize";
import { guardClient } from "../postgres/connect";
import { markSanitized, planSanitize, transformSessionSettings } from "../sanitize";
import { Catalog, readCatalog } from "../odoo/catalog";
import { verifyAllowDomains, verifyDatabase } from "../verify";
import { rereadScan } from "../pii/rereadScan";
import { ScanPath, StreamScan, StreamScanResult } from "../pii/streamScan";
import { tablesWrittenInTransaction } from "../postgres/written";
import type { SanitizeSpec } from "../snapshot/create";
import { collectKnownValues, describeKnownValues, KnownValueSet } from "../pii/knownValues";

export interface SanitizeSettings {
    seed: string;
    strict: boolean;
    keepCompanyNames?: boolean;
    /** Domains whose addresses the scrub leaves alone. */
    allowDomains?: string[];
    /** Move lines per part of the financial query (SanitizeOptions.financeLinesPerPart). */
    financeLinesPerPart?: number;
}

export interface SanitizePlanResult {
    transforms: ColumnTransform[];
    /** The amounts are scaled (the copy is marked so that they are never scaled twice). */
    financial: boolean;
    /** The rules module's own account of what it planned (rules applied/skipped …), for reports. */
    summary: unknown;
}

export interface NeutralizeSettings {
    baseUrl: string;
    mailHost: string;
    mailPort: number;
}

export interface VerifySettings {
    allowDomains: string[];
    /** The environment's URL: web.base.url must equal it. */
    baseUrl?: string;
    /** Hosts an outgoing mail server may point at (the mail catcher). */
    mailHosts?: string[];
    /** URL of the database being verified and how many connections the PII scan may use. */
    databaseUrl?: string;
    jobs?: number;
    /** Production's personal values, as hashes (collectKnownValues): any found in the copy is a finding. */
    knownValues?: KnownValueSet;
    /** "personal-data": only the scan for personal data (a restored snapshot's proof of sanitizing). */
    scope?: "all" | "personal-data";
    /**
     * Tables the copy's stream scan read (streamScan) and nothing wrote since, and those read back
     * after the writes (rereadScan), with what they found: verify scans the others in the database.
     */
    streamed?: StreamScanResult;
}

/**
 * What a step that writes the copy after it was streamed (markSanitized, neutralize) reports, when
 * rules give a streamScan: every table it inserted into, updated or deleted from. Null or absent: unknown, and
 * every table is scanned again in the database.
 */
export interface CopyWrites {
    written?: readonly string[] | null;
}

export interface VerifyOutcome {
    ok: boolean;
    /** One line per finding: table/column/count. */
    findings: string[];
    /** The verify module's own report, carried into the pipeline's JSON. */
    report: unknown;
    /** How each table was scanned (on the stream, read back, in the database, or skipped by a metadata rule), when a stream scan took part. */
    scanPaths?: ScanPath[];
}

export interface DataRules {
    /** Session settings the sanitizing expressions want where they run (work_mem …). */
    sessionSettings?: Readonly<Record<string, string>>;
    /** Checks the neutralize settings before anything is copied (throws InvalidInputError naming the option). */
    checkSettings?(opts: NeutralizeSettings): void;
    /** Plans the sanitizing expressions on the source (read only). */
    sanitizePlan(client: Client, opts: SanitizeSettings): Promise<SanitizePlanResult>;
    /**
     * Lays the revocation of production's credentials over the sanitizing expressions (on the
     * source, read only), so that they never leave it: what neutralize would write instead.
     */
    revokeCredentials?(client: Client, transforms: ColumnTransform[]): Promise<ColumnTransform[]>;
    /** Records on the copy that it is sanitized. */
    markSanitized(client: Client, info: { financial: boolean }): Promise<void | CopyWrites>;
    neutralize(client: Client, opts: NeutralizeSettings): Promise<unknown>;
    /**
     * The PII scan of verify, run on the rows as the streaming copy writes them (`catalog` is the
     * source's): what the stream did not cover and what was written after the copy (markSanitized's
     * and neutralize's results say which, as CopyWrites) is read back (rereadScan) or, without
     * that, scanned in the database.
     */
    streamScan?(catalog: Catalog, opts: Pick<VerifySettings, "allowDomains" | "baseUrl" | "knownValues">): StreamScan;
    /**
     * The same scan over `tables` read back from the copy after the steps that wrote it (`catalog`
     * is the copy's): verify then reads none of them in the database.
     */
    rereadScan?(
        read: { binDir: string; url: string; catalog: Catalog; tables: readonly string[] },
        opts: Pick<VerifySettings, "allowDomains" | "baseUrl" | "knownValues">,
    ): Promise<StreamScanResult>;
    verify(client: Client, opts: VerifySettings): Promise<VerifyOutcome>;
    /** Collects production's personal values as hashes, on the source, for verify's known-value scan. */
    collectKnownValues?(client: Client, opts: SanitizeSettings, readers?: { jobs: number; connect: () => Promise<Client> }): Promise<KnownValueSet>;
}

/**
 * For the personal-data proof of a restored snapshot: every table the sanitize rules do not cover,
 * left out of the scan. Those tables hold what neutralize replaces later (an SMTP login, a PayPal
 * account, a calendar id are addresses too) and the full verify after neutralize scans them; the
 * tables the rules cover must already be clean, whatever the manifest claims.
 */
async function outsideSanitizeRules(client: Client): Promise<string[]> {
    // Only which tables the rules cover: the expressions are never run here.
    const plan = await planSanitize(client, { seed: "proof", skipFinance: true, validate: false });
    const covered = new Set(plan.rules.filter((r) => r.status === "applied").map((r) => r.table));
    const catalog = await readCatalog(client);
    return [...catalog.tables.keys()].filter((t) => !covered.has(t)).map((t) => `${t}.*`);
}

/** The platform's rules (ops/sanitize, ops/neutralize, ops/verify). */
export function platformDataRules(): DataRules {
    return {
        sessionSettings: transformSessionSettings,
        checkSettings: (opts) => {
            try {
                neutralizeContextInput({ baseUrl: opts.baseUrl, mailHost: opts.mailHost, mailPort: opts.mailPort });
            } catch (err) {
                throw new InvalidInputError((err as Error).message);
            }
        },
        sanitizePlan: async (client, opts) => {
            const plan = await planSanitize(client, { ...opts });
            const applied = plan.rules.filter((r) => r.status === "applied").length;
            return {
                transforms: plan.transforms,
                financial: plan.financial.applied,
                summary: { rulesApplied: applied, rulesSkipped: plan.rules.length - applied, scrubbed: plan.scrubbed.length, financial: plan.financial },
            };
        },
        revokeCredentials: async (client, transforms) => withRevocations(transforms, await planCredentialRevocations(client)),
        markSanitized: async (client, info) => {
            // One transaction, so that PostgreSQL can say which tables it wrote.
            await client.query("BEGIN");
            try {
                await markSanitized(client, info);
                const written = await tablesWrittenInTransaction(client);
                await client.query("COMMIT");
                return { written };
            } catch (err) {
                await client.query("ROLLBACK").catch(() => undefined);
                throw err;
            }
        },
        streamScan: (catalog, opts) => new StreamScan(catalog, { allowDomains: verifyAllowDomains(opts), knownValues: opts.knownValues }),
        rereadScan: (read, opts) => rereadScan({ ...read, options: { allowDomains: verifyAllowDomains(opts), knownValues: opts.knownValues } }),
        collectKnownValues: async (client, opts, readers) =>
            collectKnownValues(client, {
                catalog: await readCatalog(client),
                keepCompanyNames: opts.keepCompanyNames ?? true,
                allowDomains: opts.allowDomains,
                ...readers,
            }),
        neutralize: (client, opts) => neutralizeDatabase(client, { baseUrl: opts.baseUrl, mailHost: opts.mailHost, mailPort: opts.mailPort }),
        verify: async (client, opts) => {
            const url = opts.databaseUrl;
            const report = await verifyDatabase(client, {
                allowDomains: opts.allowDomains,
                baseUrl: opts.baseUrl,
                mailHosts: opts.mailHosts,
                knownValues: opts.knownValues,
                streamed: opts.streamed,
                jobs: url ? opts.jobs : 1,
                ...(opts.scope === "personal-data" ? { checks: [], ignore: await outsideSanitizeRules(client) } : {}),
                connect: url
                    ? async () => {
                          const extra = guardClient(new Client({ connectionString: url, application_name: "odoo-platform verify" }));
                          await extra.connect();
                          return extra;
                      }
                    : undefined,
            });
            // The proof of a restored snapshot is about personal data: live-looking credentials are
            // neutralize's, after the restore (the full verify then refuses any left).
            const findings = opts.scope === "personal-data" ? report.findings.filter((f) => f.kind !== "token") : report.findings;
            return {
                ok: findings.length === 0,
                findings: findings.map((f) => `${f.check}: ${f.table}${f.column ? `.${f.column}` : ""} (${f.count}) — ${f.message}`),
                report: opts.knownValues ? { ...report, knownValues: describeKnownValues(opts.knownValues) } : report,
                ...(report.scanPaths ? { scanPaths: report.scanPaths } : {}),
            };
        },
    };
}

/** The `snapshot create --sanitize` spec over the platform's rules. */
export function sanitizeSpec(opts: SanitizeSettings, rules: DataRules = platformDataRules()): SanitizeSpec {
    return {
        seed: opts.seed,
        strict: opts.strict,
        sessionSettings: rules.sessionSettings,
        plan: async (snapshot) => {
            const planned = await rules.sanitizePlan(snapshot.client, opts);
            return {
                ...planned,
                transforms: rules.revokeCredentials ? await rules.revokeCredentials(snapshot.client, planned.transforms) : planned.transforms,
            };
        },
        knownValues: rules.collectKnownValues ? { keepCompanyNames: opts.keepCompanyNames ?? true } : undefined,
    };
}
