/**
 * Databases the tests treat as "made by odoo-platform": marked the way a refresh or a restore marks
 * its copies (ops/postgres/managed.ts), so a test of what happens to a staging database is not
 * refused for touching a database the tool never made. A test of that refusal uses an unmarked one.
 */
import { Client } from "pg";
import { writeMark } from "../../ops/postgres/managed";
import { readCatalog } from "../../ops/odoo/catalog";
import { scanDatabase } from "../../ops/pii/scan";
import { platformDataRules } from "../../ops/staging/dataRules";
import { freshDatabase, testPostgres } from "./postgres";
import { query } from "./smallDb";

export async function markManaged(name: string, state: "building" | "verified" = "verified"): Promise<void> {
    const pg = await testPostgres();
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    try {
        await writeMark(admin, name, { createdBy: "test", state, sanitized: true });
    } finally {
        await admin.end();
    }
}

/** A fresh marked database holding `marker(note)`. */
export async function managedDatabase(prefix: string, note: string): Promise<{ name: string; url: string }> {
    const db = await freshDatabase(prefix);
    await query(db.url, `CREATE TABLE marker (note text); INSERT INTO marker VALUES ('${note.replace(/'/g, "''")}')`);
    await markManaged(db.name);
    return db;
}

/** The proof `snapshot restore --require-sanitized` runs: the platform's scan for personal data. */
export async function proveNoPersonalData(url: string): Promise<{ ok: boolean; findings: string[] }> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return await platformDataRules().verify(client, { allowDomains: ["example.com"], scope: "personal-data" });
    } finally {
        await client.end();
    }
}

/**
 * The same proof by the PII scan alone, for the small non-Odoo test databases the snapshot
 * mechanics are tested on (the platform's verify refuses a database that is not Odoo).
 */
export async function scanForPersonalData(url: string): Promise<{ ok: boolean; findings: string[] }> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        const result = await scanDatabase(client, await readCatalog(client), { allowDomains: ["example.com"] });
        const findings = result.findings.map((f) => `${f.kind}: ${f.table}.${f.column} (${f.rows})`);
        return { ok: findings.length === 0 && result.rows > 0, findings };
    } finally {
        await client.end();
    }
}
