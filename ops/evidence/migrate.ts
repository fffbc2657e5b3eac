/**
 * The versioned migration runner of the `ops` evidence schema (`odoo-platform evidence migrate`).
 *
 * Migrations are ordered SQL files in ./migrations (`NNNN_name.sql`). Each applied one is recorded in
 * ops.schema_migrations with the SHA-256 of its text; a later run refuses to continue if an applied
 * migration was edited (add a new one instead) or if the database has one this code does not know.
 * A session advisory lock serializes concurrent runs, and all pending migrations apply in one
 * transaction: either the schema reaches the new version or it stays where it was.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Client } from "pg";
import { InvalidInputError, OperationFailedError, UnavailableError } from "../core/errors";
import type { Progress } from "../core/progress";
import { connect, DatabaseUrl, inTransaction } from "../postgres/connect";
import { evidenceSchemaName } from "./schema";
import { isPostgresIdentifier } from "../../config/naming";

export const migrationsDir = path.join(__dirname, "migrations");

export interface Migration {
    version: number;
    name: string;
    file: string;
    sql: string;
    checksum: string;
}

export interface AppliedMigration {
    version: number;
    name: string;
    checksum: string;
}

/** SHA-256 of a migration's text, line endings normalized (a checkout with CRLF is not an edit). */
export function migrationChecksum(sql: string): string {
    return `sha256:${createHash("sha256").update(sql.replace(/\r\n/g, "\n"), "utf8").digest("hex")}`;
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads the migrations of a directory, in order; numbering must be 1, 2, 3 … without gaps. */
export function loadMigrations(dir = migrationsDir): Migration[] {
    const files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".sql"))
        .sort();
    const migrations = files.map((file) => {
        const match = fileName.exec(file);
        if (!match) throw new Error(`migration file ${path.join(dir, file)} must be named NNNN_lower_case_name.sql`);
        const sql = fs.readFileSync(path.join(dir, file), "utf8");
        return { version: Number(match[1]), name: match[2], file, sql, checksum: migrationChecksum(sql) };
    });
    migrations.forEach((m, i) => {
        if (m.version !== i + 1) throw new Error(`migrations in ${dir} must be numbered 0001, 0002, … without gaps: ${m.file} is number ${i + 1}`);
    });
    return migrations;
}

/** A fingerprint of the whole migration set (the EvidenceSchema component reruns migrate when it changes). */
export function migrationsFingerprint(migrations: Migration[] = loadMigrations()): string {
    return createHash("sha256")
        .update(migrations.map((m) => `${m.version}:${m.checksum}`).join("\n"))
        .digest("hex")
        .slice(0, 16);
}

export interface MigrationPlan {
    pending: Migration[];
    /** Why the run must stop before changing anything. */
    problems: string[];
}

/** Pure: what is left to apply, or why nothing may be applied. */
export function planMigrations(known: Migration[], applied: AppliedMigration[]): MigrationPlan {
    const problems: string[] = [];
    const byVersion = new Map(known.map((m) => [m.version, m]));
    for (const a of applied) {
        const m = byVersion.get(a.version);
        if (!m) {
            problems.push(`the database has migration ${a.version} (${a.name}) that this odoo-platform does not know: run a newer odoo-platform`);
        } else if (m.checksum !== a.checksum) {
            problems.push(
                `migration ${a.version} (${m.file}) was edited after it was applied (database ${a.checksum}, file ${m.checksum}): ` +
                    `restore the original file and put the change in a new migration`,
            );
        }
    }
    const done = new Set(applied.map((a) => a.version));
    return { pending: problems.length ? [] : known.filter((m) => !done.has(m.version)), problems };
}

/** Session advisory lock key: the first 8 bytes of SHA-256("odoo-platform:evidence-migrate"). */
export const migrateLockKey = BigInt.asIntN(
    64,
    BigInt(`0x${createHash("sha256").update("odoo-platform:evidence-migrate").digest("hex").slice(0, 16)}`),
).toString();

/**
 * A migration's SQL for another schema name than `ops` (the migrations are written for `ops`;
 * their checksums stay those of the files). Qualified names and `SCHEMA ops` are rewritten.
 */
export function forSchema(sql: string, schema: string): string {
    if (schema === evidenceSchemaName) return sql;
    return sql.replace(/\bops\.(?=[a-z_%"])/g, `${schema}.`).replace(/\bSCHEMA ops\b/g, `SCHEMA ${schema}`);
}

/** Tables the migrations create (`CREATE TABLE ops.<name>`), by version. */
export const createdTables = (m: Migration): string[] => [...m.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?ops\.(\w+)/g)].map((x) => x[1]);

const bootstrapSql = (schema: string) => `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
    version      integer PRIMARY KEY CONSTRAINT schema_migrations_version_positive CHECK (version > 0),
    name         text NOT NULL,
    checksum     text NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    applied_by   text NOT NULL DEFAULT session_user,
    execution_ms integer NOT NULL
);`;

export interface MigrateOptions {
    /** Report what would be applied; change nothing. */
    dryRun?: boolean;
    /** How long to wait for another run's lock (default 60 s). */
    lockTimeoutMs?: number;
    migrations?: Migration[];
    progress?: Progress;
    /** Schema to migrate (default ops): another name when the database already has an `ops` of its own. */
    schema?: string;
}

export interface MigrateReport {
    database: string;
    dryRun: boolean;
    /** Schema version after the run (before it, for a dry run). */
    version: number;
    applied: { version: number; name: string; ms: number }[];
    pending: { version: number; name: string }[];
    alreadyApplied: number;
}

async function readApplied(client: Client, schema: string): Promise<AppliedMigration[] | undefined> {
    const exists = await client.query(`SELECT to_regclass('${schema}.schema_migrations') IS NOT NULL AS present`);
    if (!exists.rows[0].present) return undefined;
    const { rows } = await client.query(`SELECT version, name, checksum FROM ${schema}.schema_migrations ORDER BY version`);
    return rows;
}

/**
 * Tables of the schema that evidence migrate did not create and would collide with: every table
 * when the schema has no schema_migrations (someone else's `ops`), else the tables a pending
 * migration is about to create.
 */
async function conflictingTables(client: Client, schema: string, applied: AppliedMigration[] | undefined, pending: Migration[]): Promise<string[]> {
    const { rows } = await client.query<{ relname: string }>(
        `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname`,
        [schema],
    );
    const existing = rows.map((r) => r.relname);
    if (!applied) return existing;
    const toCreate = new Set(pending.flatMap(createdTables));
    return existing.filter((t) => toCreate.has(t));
}

export async function migrateEvidence(db: DatabaseUrl, options: MigrateOptions = {}): Promise<MigrateReport> {
    const migrations = options.migrations ?? loadMigrations();
    const schema = options.schema ?? evidenceSchemaName;
    if (!isPostgresIdentifier(schema)) throw new InvalidInputError(`evidence schema "${schema}" must be a lower-case PostgreSQL identifier`);
    const client = await connect(db);
    try {
        await client.query(`SET lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs ?? 60_000))}`);
        options.progress?.step("waiting for the migration lock");
        try {
            await client.query("SELECT pg_advisory_lock($1)", [migrateLockKey]);
        } catch (err) {
            if ((err as { code?: string }).code === "55P03") {
                throw new UnavailableError(
                    `another \`evidence migrate\` has held the lock on ${db.display} for longer than the lock timeout: let it finish, then run again`,
                );
            }
            throw err;
        }
        await client.query("RESET lock_timeout");
        try {
            const recorded = await readApplied(client, schema);
            const applied = recorded ?? [];
            const plan = planMigrations(migrations, applied);
            if (plan.problems.length) throw new OperationFailedError(`evidence schema on ${db.display}: ${plan.problems.join("; ")}`);
            // Checked in a dry run too: nothing may be created next to tables someone else owns.
            const conflicts = await conflictingTables(client, schema, recorded, plan.pending);
            if (conflicts.length) {
                throw new InvalidInputError(
                    `schema ${schema} on ${db.display} already holds ${conflicts.map((t) => `${schema}.${t}`).join(", ")}, which evidence migrate did not create: ` +
                        `nothing was changed. Give the evidence its own schema (--schema <name>, or EVIDENCE_SCHEMA) or move those tables away`,
                );
            }
            const report: MigrateReport = {
                database: db.display,
                dryRun: !!options.dryRun,
                version: applied.length ? Math.max(...applied.map((a) => a.version)) : 0,
                applied: [],
                pending: plan.pending.map((m) => ({ version: m.version, name: m.name })),
                alreadyApplied: applied.length,
            };
            if (options.dryRun || plan.pending.length === 0) return report;

            await inTransaction(client, async () => {
                await client.query(bootstrapSql(schema));
                for (const m of plan.pending) {
                    options.progress?.step(`applying ${m.file}`);
                    const started = Date.now();
                    try {
                        await client.query(forSchema(m.sql, schema));
                    } catch (err) {
                        throw new OperationFailedError(`migration ${m.file} failed, nothing was applied: ${(err as Error).message}`);
                    }
                    const ms = Date.now() - started;
                    await client.query(`INSERT INTO ${schema}.schema_migrations (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)`, [
                        m.version,
                        m.name,
                        m.checksum,
                        ms,
                    ]);
                    report.applied.push({ version: m.version, name: m.name, ms });
                }
            });
            report.version = plan.pending[plan.pending.length - 1].version;
            report.pending = [];
            return report;
        } finally {
            await client.query("SELECT pg_advisory_unlock($1)", [migrateLockKey]).catch(() => undefined);
        }
    } finally {
        await client.end();
    }
}
