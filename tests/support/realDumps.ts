/**
 * The real Odoo database dumps of ../shared/odoo-schemas (README there: their source and how to
 * load them). Each dump is loaded once per test process into a template database; tests get their
 * own copy (`CREATE DATABASE … TEMPLATE`). Set ODOO_PLATFORM_ODOO_SCHEMAS to use another folder.
 * The dumps are never copied into the project.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { testPostgres } from "./postgres";

export interface RealDump {
    /** `odoo16-maaranodoo` */
    name: string;
    file: string;
    /** The Odoo series, from the file name (the README gives the evidence). */
    series: number;
}

/** The dumps folder: $ODOO_PLATFORM_ODOO_SCHEMAS, else ../shared/odoo-schemas next to the repository; undefined when absent. */
export function realDumpsDir(): string | undefined {
    const dir = process.env.ODOO_PLATFORM_ODOO_SCHEMAS ?? path.resolve(__dirname, "..", "..", "..", "shared", "odoo-schemas");
    return fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? dir : undefined;
}

export function realDumps(): RealDump[] {
    const dir = realDumpsDir();
    if (!dir) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".sql"))
        .sort()
        .map((f) => ({
            name: f.replace(/\.sql$/, ""),
            file: path.join(dir, f),
            series: Number(/^odoo(\d+)/.exec(f)?.[1] ?? 0),
        }));
}

/** Prints once, clearly, why the real-dump tests do not run. */
export function skipMessage(): string {
    return (
        `real Odoo dumps not found (looked in ${process.env.ODOO_PLATFORM_ODOO_SCHEMAS ?? path.resolve(__dirname, "..", "..", "..", "shared", "odoo-schemas")}; ` +
        "set ODOO_PLATFORM_ODOO_SCHEMAS): the tests on real Odoo 12/16/18 schemas are SKIPPED"
    );
}

const templates = new Map<string, Promise<string>>();
let copies = 0;

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const pg = await testPostgres();
    const c = new Client({ connectionString: pg.url });
    await c.connect();
    try {
        return await fn(c);
    } finally {
        await c.end();
    }
}

let roles: Promise<void> | undefined;

/**
 * The roles the dumps own objects by (OWNER TO / GRANT): created once per process, before any
 * dump loads (dumps load in parallel, and two concurrent CREATE ROLE of one name collide).
 */
function dumpRoles(): Promise<void> {
    roles ??= admin(async (c) => {
        for (const role of ["openpg", "prisma"]) {
            await c.query(`DO $$ BEGIN CREATE ROLE ${role}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
        }
    });
    return roles;
}

/** Loads `dump` into a template database once per process (the README's recipe) and returns its name. */
export function dumpTemplate(dump: RealDump): Promise<string> {
    let name = templates.get(dump.file);
    if (!name) {
        name = (async () => {
            const pg = await testPostgres();
            const db = `tpl_${dump.name.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}_${process.pid}`;
            await dumpRoles();
            await admin((c) => c.query(`CREATE DATABASE "${db}"`));
            const psql = path.join(pg.binDir, "psql");
            // Asynchronous, so several dumps load at once while the tests of another run.
            await new Promise<void>((resolve, reject) => {
                const child = spawn(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg.urlFor(db), "-f", dump.file], {
                    env: { ...process.env, PGOPTIONS: "-c session_replication_role=replica" },
                    stdio: ["ignore", "ignore", "pipe"],
                });
                let stderr = "";
                child.stderr.on("data", (d: Buffer) => {
                    if (stderr.length < 4000) stderr += d.toString();
                });
                child.on("error", reject);
                child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`loading ${dump.file} failed (exit ${code}): ${stderr}`))));
            });
            const c = new Client({ connectionString: pg.urlFor(db) });
            await c.connect();
            try {
                await c.query("ANALYZE");
            } finally {
                await c.end();
            }
            return db;
        })();
        templates.set(dump.file, name);
    }
    return name;
}

/** A fresh copy of a database (a template or any database nobody is connected to). */
export async function copyDatabase(source: string, prefix: string): Promise<{ name: string; url: string }> {
    const pg = await testPostgres();
    const name = `${prefix}_${process.pid}_r${++copies}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
    await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`));
    return { name, url: pg.urlFor(name) };
}

/** A fresh copy of `dump`. */
export async function dumpDatabase(dump: RealDump, prefix: string): Promise<{ name: string; url: string }> {
    return copyDatabase(await dumpTemplate(dump), prefix);
}

/** `pg_dump --data-only` of a database, as text. */
export async function dataOnlyDump(url: string): Promise<string> {
    const pg = await testPostgres();
    const result = spawnSync(path.join(pg.binDir, "pg_dump"), ["--data-only", "--no-owner", "-d", url], { encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`pg_dump --data-only failed: ${result.stderr}`);
    return result.stdout;
}
