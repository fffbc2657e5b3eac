/**
 * Real Odoo database schemas (pg_dump files of real installations, ../shared/odoo-schemas/, see its
 * README) loaded into a fresh test database. Tests that use them say clearly when the folder is
 * absent and use the generated Odoo-shaped fixture instead; the dumps are never copied into the
 * project.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { createOdooSchema } from "../../ops/odoo/fixture";
import { freshDatabase, testPostgres } from "./postgres";

export const odooSchemasDir = process.env.ODOO_PLATFORM_ODOO_SCHEMAS ?? path.resolve(__dirname, "../../../shared/odoo-schemas");

export interface OdooDatabase {
    name: string;
    url: string;
    /** Where the schema came from, for the test's output. */
    source: string;
}

const loaded = new Map<string, Promise<string>>();

async function loadTemplate(file: string): Promise<string> {
    const db = await freshDatabase(`tpl_${path.basename(file, ".sql").replace(/[^a-z0-9]/gi, "_")}`);
    const pg = await testPostgres();
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    try {
        // The dumps own their objects by these roles (README): create them first, strip nothing.
        for (const role of ["openpg", "prisma"]) await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role}; END IF; END $$`);
    } finally {
        await admin.end();
    }
    const run = spawnSync(path.join(pg.binDir, "psql"), ["-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", file], {
        encoding: "utf8",
        env: { ...process.env, PGOPTIONS: "-c session_replication_role=replica" },
        maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`loading ${file} failed: ${run.stderr.slice(-2000)}`);
    return db.name;
}

/**
 * A fresh database with the real Odoo 16.0 base schema (odoo16-maaranodoo-baseonly.sql) when the
 * dumps are here, else the generated Odoo 17 fixture schema.
 */
export async function odooDatabase(prefix: string): Promise<OdooDatabase> {
    const file = path.join(odooSchemasDir, "odoo16-maaranodoo-baseonly.sql");
    const pg = await testPostgres();
    if (fs.existsSync(file)) {
        let template = loaded.get(file);
        if (!template) loaded.set(file, (template = loadTemplate(file)));
        const source = await template;
        const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        try {
            await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`);
        } finally {
            await admin.end();
        }
        return { name, url: pg.urlFor(name), source: `real Odoo 16.0 schema (${path.basename(file)})` };
    }
    console.log(`      (real Odoo schemas not found at ${odooSchemasDir}: using the generated Odoo 17 fixture schema)`);
    const db = await freshDatabase(prefix);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
        await createOdooSchema(client, { version: "17.0" });
    } finally {
        await client.end();
    }
    return { ...db, source: "generated Odoo 17.0 fixture schema" };
}
