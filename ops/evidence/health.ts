/**
 * `odoo-platform health`: is the environment serving? HTTP 200 from Odoo's health endpoint
 * (`/web/health`, answered without a session by Odoo 16+ with {"status": "pass"}) and a working
 * connection to its database holding an installed `base` module. Retries until both pass or the
 * wait runs out (a container just replaced needs a few seconds), then records the result.
 */
import { Client } from "pg";
import { InvalidInputError } from "../core/errors";
import type { Progress } from "../core/progress";
import { stripUrlCredentials } from "../core/secrets";
import { clientConfig, DatabaseUrl, guardClient, parseDatabaseUrl } from "../postgres/connect";
import { EvidenceFile, planBundle, resolveStamp } from "./files";
import { EvidenceRow, parseEnvironment, parseGitSha } from "./schema";
import { insertRow, json, recordEvidence } from "./store";

export const healthPath = "/web/health";

export interface HttpProbe {
    url: string;
    ok: boolean;
    status: number | null;
    ms: number;
    error?: string;
}

export interface DatabaseProbe {
    database: string;
    ok: boolean;
    ms: number;
    error?: string;
}

export interface HealthResult {
    ok: boolean;
    attempts: number;
    http: HttpProbe;
    database: DatabaseProbe;
    checkedAt: string;
}

/** `https://erp.example.com` → `https://erp.example.com/web/health`; a URL with a path is used as given. */
export function healthUrl(base: string): string {
    let url: URL;
    try {
        url = new URL(base);
    } catch {
        throw new InvalidInputError(`--url must be an http(s) URL such as https://erp.example.com, got "${base}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidInputError(`--url must be http or https, got "${base}"`);
    if (url.pathname === "/" || url.pathname === "") url.pathname = healthPath;
    return url.toString();
}

/**
 * Probes `target` (which may carry `user:password@`, sent as HTTP basic auth, and a token in its
 * query); the probe reports, and evidence stores, only the URL without credentials.
 */
export async function probeHttp(target: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<HttpProbe> {
    const started = Date.now();
    const url = stripUrlCredentials(target);
    const parsed = new URL(target);
    const headers: Record<string, string> = { accept: "application/json" };
    if (parsed.username || parsed.password) {
        headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString("base64")}`;
        parsed.username = "";
        parsed.password = "";
    }
    try {
        const response = await fetchImpl(parsed.toString(), { signal: AbortSignal.timeout(timeoutMs), redirect: "manual", headers });
        const body = await response.text();
        const ms = Date.now() - started;
        if (response.status !== 200) return { url, ok: false, status: response.status, ms, error: `HTTP ${response.status} (expected 200)` };
        // Odoo answers {"status": "pass"}; anything else that is JSON with another status is a failure.
        let status: unknown;
        try {
            status = (JSON.parse(body) as { status?: unknown }).status;
        } catch {
            status = undefined;
        }
        if (status !== undefined && status !== "pass") return { url, ok: false, status: 200, ms, error: `health status "${String(status)}" (expected "pass")` };
        return { url, ok: true, status: 200, ms };
    } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        const reason = e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? stripUrlCredentials(e.message));
        return { url, ok: false, status: null, ms: Date.now() - started, error: reason };
    }
}

export async function probeDatabase(db: DatabaseUrl, timeoutMs: number): Promise<DatabaseProbe> {
    const started = Date.now();
    const client = guardClient(new Client(clientConfig(db, { connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs })));
    try {
        await client.connect();
        const { rows: found } = await client.query("SELECT to_regclass('ir_module_module') IS NOT NULL AS present");
        const { rows } = found[0].present ? await client.query("SELECT state AS base FROM ir_module_module WHERE name = 'base'") : { rows: [] };
        const base = (rows[0]?.base ?? null) as string | null;
        const ms = Date.now() - started;
        if (base === null) return { database: db.database, ok: false, ms, error: "connected, but it is not an Odoo database (no installed base module)" };
        if (base !== "installed") return { database: db.database, ok: false, ms, error: `connected, but module base is "${base}" (expected installed)` };
        return { database: db.database, ok: true, ms };
    } catch (err) {
        return { database: db.database, ok: false, ms: Date.now() - started, error: (err as Error).message };
    } finally {
        await client.end().catch(() => undefined);
    }
}

export interface CheckOptions {
    url: string;
    db: DatabaseUrl;
    timeoutMs: number;
    /** Keep retrying for this long (0: one attempt). */
    waitMs: number;
    intervalMs: number;
    fetchImpl?: typeof fetch;
    progress?: Progress;
}

export async function checkHealth(options: CheckOptions): Promise<HealthResult> {
    const deadline = Date.now() + options.waitMs;
    let attempts = 0;
    for (;;) {
        attempts++;
        const [http, database] = await Promise.all([
            probeHttp(options.url, options.timeoutMs, options.fetchImpl),
            probeDatabase(options.db, options.timeoutMs),
        ]);
        const ok = http.ok && database.ok;
        if (ok || Date.now() + options.intervalMs > deadline) return { ok, attempts, http, database, checkedAt: new Date().toISOString() };
        options.progress?.step(
            `attempt ${attempts}: ${[http.error && `http ${http.error}`, database.error && `database ${database.error}`].filter(Boolean).join("; ")}; retrying`,
        );
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
}

/** "10s", "2m", "500ms" or plain seconds. */
export function parseDuration(value: string | undefined, option: string, fallbackMs: number): number {
    if (value === undefined) return fallbackMs;
    const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
    if (!match) throw new InvalidInputError(`${option} must be a duration such as 10s, 2m or 500ms, got "${value}"`);
    const n = Number(match[1]);
    return Math.round(match[2] === "ms" ? n : match[2] === "m" ? n * 60_000 : n * 1000);
}

export interface HealthOptions {
    url?: string;
    db?: string;
    environment?: string;
    gitSha?: string;
    timeout?: string;
    wait?: string;
    interval?: string;
    evidenceDb?: string;
    record: boolean;
    evidenceDir: string;
    stamp?: string;
    evidenceUri?: string;
}

export interface HealthReport extends HealthResult {
    /** ops.health_checks id (null when not recorded). */
    id: number | null;
    environment: string | null;
    evidenceUri?: string;
}

export async function runHealth(
    opts: HealthOptions,
    env: Record<string, string | undefined> = process.env,
    progress?: Progress,
    fetchImpl?: typeof fetch,
): Promise<HealthReport> {
    if (!opts.url) throw new InvalidInputError("--url is required: the environment's public URL, e.g. https://erp.example.com");
    const url = healthUrl(opts.url);
    const db = parseDatabaseUrl(opts.db, "--db");
    const timeoutMs = parseDuration(opts.timeout, "--timeout", 10_000);
    const waitMs = parseDuration(opts.wait, "--wait", 0);
    const intervalMs = parseDuration(opts.interval, "--interval", 5_000);
    const gitSha = opts.gitSha ? parseGitSha(opts.gitSha, "--git-sha") : undefined;
    let evidence: DatabaseUrl | undefined;
    let environment: string | null = null;
    let bundle;
    if (opts.record) {
        if (!opts.evidenceDb)
            throw new InvalidInputError("--evidence-db (or EVIDENCE_DB_URL) is required to record the result; pass --no-record to only check");
        evidence = parseDatabaseUrl(opts.evidenceDb, "--evidence-db");
        environment = parseEnvironment(opts.environment, "--environment");
        bundle = planBundle({ root: opts.evidenceDir, stamp: resolveStamp(opts.stamp, env), kind: "deploy", uri: opts.evidenceUri });
    }

    progress?.step(`checking ${stripUrlCredentials(url)} and ${db.display}`);
    const result = await checkHealth({ url, db, timeoutMs, waitMs, intervalMs, fetchImpl, progress });
    if (!evidence || !bundle) return { id: null, environment, ...result };

    const row: EvidenceRow<"health_checks"> = {
        environment,
        git_sha: gitSha ?? null,
        // Stored for ever, append-only: never with the credentials it was given.
        url: stripUrlCredentials(url),
        http_status: result.http.status,
        http_ok: result.http.ok,
        http_ms: result.http.ms,
        database_name: result.database.database,
        database_ok: result.database.ok,
        database_ms: result.database.ms,
        ok: result.ok,
        attempts: result.attempts,
        detail: { http: result.http, database: result.database },
        checked_at: new Date(result.checkedAt),
    };
    const recorded = await recordEvidence(
        evidence,
        bundle,
        async (client) => [await insertRow(client, "health_checks", row)],
        ([id]) => [{ name: `health-${id}.json`, content: json({ id, ...result }) } satisfies EvidenceFile],
    );
    return { id: recorded.ids[0], environment, evidenceUri: recorded.evidenceUri, ...result };
}
