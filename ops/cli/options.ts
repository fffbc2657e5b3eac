/**
 * Options every command group shares, defined once so they mean the same everywhere:
 * `--db` is always the Odoo database, `--evidence-db` always the evidence database (EVIDENCE_DB_URL),
 * one S3 option set, one `--jobs` range, one set of sanitize options.
 */
import { randomBytes } from "node:crypto";
import { Command, Option } from "commander";
import type { Client } from "pg";
import { parse } from "pg-connection-string";
import { InvalidInputError } from "../core/errors";
import { DatabaseUrl, parseDatabaseUrl, withConnection } from "../postgres/connect";
import type { S3Options } from "../s3";
import { UsageError } from "./runtime";

/** commander collector for repeatable options (`--allow-domain a --allow-domain b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Parses an integer option or fails with a usage error naming it. */
export function integerOption(name: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new InvalidInputError(`${name} must be a whole number, got "${value}"`);
    return Number(value);
}

/** The password of a URL (`postgresql://u:pw@h/db` or `?password=`), else PGPASSWORD: for child processes only. */
export function databasePassword(db: DatabaseUrl): string | undefined {
    return parse(db.url).password || process.env.PGPASSWORD || undefined;
}

/** Connects to `url`, runs `fn`, always disconnects. */
export async function withClient<T>(url: string | undefined, fn: (client: Client, db: DatabaseUrl) => Promise<T>): Promise<T> {
    const db = parseDatabaseUrl(url);
    return withConnection(db, (client) => fn(client, db));
}

/** Turns a plain Error thrown while validating options into a usage error (exit 2). */
export function asUsage<T>(fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        throw err instanceof InvalidInputError || err instanceof UsageError ? err : new InvalidInputError((err as Error).message);
    }
}

/** `--confirm <name>`: the database's own name, typed again, to rewrite one that looks like production. */
export const confirmOption = (): Option =>
    new Option(
        "--confirm <name>",
        "the database's name, repeated: needed when it looks like production (active crons, live mail servers, not neutralized) and odoo-platform did not create it",
    );

// --- the Odoo database and the evidence database -----------------------------------------------

/** `--db <url>`: the Odoo database the command works on, in every command. */
export const odooDbOption = (description = "the Odoo database (libpq URL)", env?: string): Option => {
    const option = new Option("--db <url>", description);
    return env ? option.env(env) : option.makeOptionMandatory();
};

export const evidenceDbVariable = "EVIDENCE_DB_URL";

/** `--evidence-db <url>`, else $EVIDENCE_DB_URL: the database holding the ops schema. */
export const evidenceDbOption = (): Option =>
    new Option("--evidence-db <url>", "evidence database URL (ops schema); password from PGPASSWORD or the URL").env(evidenceDbVariable);

/** The evidence database of a command's options, checked. */
export function evidenceDb(opts: { evidenceDb?: string }): DatabaseUrl {
    return parseDatabaseUrl(opts.evidenceDb, `--evidence-db (or ${evidenceDbVariable})`);
}

/**
 * For commands that read only the evidence database, where `--db` once meant that database: it now
 * always means the Odoo one, so a hidden `--db` says where the URL goes instead of commander's
 * "unknown option".
 */
export const misplacedDbOption = (command: string): Option =>
    new Option("--db <url>").hideHelp().argParser(() => {
        throw new InvalidInputError(
            `${command} reads the evidence database: give it as --evidence-db <url> (or ${evidenceDbVariable}); --db is always the Odoo database`,
        );
    });

// --- parallelism -------------------------------------------------------------------------------

export const jobsRange = { min: 1, max: 64 } as const;

/** `--jobs <n>` of any command: a whole number from 1 to 64. */
export function parseJobs(value: string | undefined, fallback = 2): number {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < jobsRange.min || n > jobsRange.max) {
        throw new InvalidInputError(`--jobs must be a whole number from ${jobsRange.min} to ${jobsRange.max}, got "${value}"`);
    }
    return n;
}

/** The `--jobs` option, parsed and range-checked as it is read. */
export const jobsOption = (description: string, fallback = 2): Option =>
    new Option("--jobs <n>", `${description} (${jobsRange.min}–${jobsRange.max})`).default(fallback).argParser((value) => parseJobs(value));

// --- S3 ----------------------------------------------------------------------------------------

export interface S3CliOptions {
    s3Endpoint?: string;
    s3Region?: string;
}

export const s3EndpointOption = (): Option =>
    new Option(
        "--s3-endpoint <url>",
        "S3-compatible server instead of AWS: MinIO, Supabase Storage, R2 (or ODOO_PLATFORM_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)",
    );
export const s3RegionOption = (): Option => new Option("--s3-region <region>", "S3 region (or AWS_REGION, AWS_DEFAULT_REGION; default us-east-1)");

/** `--s3-endpoint` and `--s3-region`, the one S3 option set (ops/s3/client.ts reads the fallbacks). */
export function withS3Options(command: Command): Command {
    return command.addOption(s3EndpointOption()).addOption(s3RegionOption());
}

export function s3OptionsOf(opts: S3CliOptions): S3Options {
    return { endpoint: opts.s3Endpoint, region: opts.s3Region };
}

// --- sanitize ----------------------------------------------------------------------------------

/** Environment variable read when --seed is not given (keeps the seed out of the process list). */
export const seedEnv = "ODOO_PLATFORM_SANITIZE_SEED";

/**
 * The sanitize options every command that sanitizes shares (`db sanitize`, `snapshot create
 * --sanitize`, `staging refresh`), so they cannot drift apart. `scope` prefixes the help text.
 */
export function addSanitizeOptions(command: Command, scope = ""): Command {
    return command
        .option(
            "--seed <seed>",
            `${scope}seed of the deterministic fake data (default: $${seedEnv}, else random); keep it secret: it unlocks the original amounts`,
        )
        .option("--strict", `${scope}also scrub e-mail addresses and phone numbers from every text column of every table`)
        .option("--keep-company-names", `${scope}keep company names (default; people's names are always replaced)`, true)
        .option("--no-keep-company-names", `${scope}replace company names too`);
}

/**
 * The seed to use: --seed, else $ODOO_PLATFORM_SANITIZE_SEED, else a random one (the output is then
 * not repeatable, and a warning says so). There is deliberately no fixed default: a seed anyone can
 * read would let them divide the anonymized amounts back into the real ones.
 */
export function resolveSanitizeSeed(given: string | undefined, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
    const seed = given ?? process.env[seedEnv];
    if (seed) return seed;
    warn(`warning: no --seed and no $${seedEnv}: using a random seed, the output will not be repeatable`);
    return randomBytes(16).toString("hex");
}

// --- evidence files ----------------------------------------------------------------------------

/** Options every emitter shares: where the evidence files go. */
export function withEvidenceFiles(command: Command): Command {
    return command
        .option("--evidence-dir <dir>", "root of the evidence files", "evidence")
        .addOption(new Option("--stamp <stamp>", "evidence/<stamp>/… directory, e.g. 20261124T153012Z (default: now)").env("ODOO_PLATFORM_EVIDENCE_STAMP"))
        .option("--evidence-uri <uri>", "what the row's evidence_uri says (default: the local directory)")
        .option("--json", "print the report as JSON");
}
