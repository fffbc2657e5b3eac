/**
 * The real Odoo dumps in /work/shared/odoo-schemas (Odoo 12 with data, 16 and 18 schema only),
 * loaded into a fresh database of the test server the way their README says: the roles they own
 * objects by first, foreign keys off while loading. Tests that use them skip, saying so, when the
 * folder is not there.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { freshDatabase, testPostgres } from "./postgres";
import { query } from "./smallDb";

export const realSchemasDir = process.env.ODOO_PLATFORM_REAL_SCHEMAS ?? "/work/shared/odoo-schemas";

export function realDump(file: string): string | null {
    const full = path.join(realSchemasDir, file);
    return fs.existsSync(full) ? full : null;
}

export async function loadRealDump(file: string, prefix: string): Promise<{ name: string; url: string }> {
    const full = realDump(file);
    if (!full) throw new Error(`${file} is not in ${realSchemasDir}`);
    const pg = await testPostgres();
    for (const role of ["openpg", "prisma"]) {
        await query(pg.url, `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role}; END IF; END $$`);
    }
    const db = await freshDatabase(prefix);
    const loaded = spawnSync(path.join(pg.binDir, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", full], {
        encoding: "utf8",
        env: { ...process.env, PGOPTIONS: "-c session_replication_role=replica -c client_min_messages=warning" },
        maxBuffer: 64 * 1024 * 1024,
    });
    if (loaded.status !== 0) throw new Error(`loading ${file} failed: ${loaded.stderr.slice(-2000)}`);
    return db;
}
