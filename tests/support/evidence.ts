/**
 * Evidence databases for tests: a fresh database with the `ops` schema migrated, and URLs that log
 * in as ops_writer / ops_reader (the test server trusts local connections, so the roles only need
 * LOGIN; roles are cluster-wide, so they are created once and shared by every test database).
 */
import { Client } from "pg";
import { migrateEvidence } from "../../ops/evidence/migrate";
import { parseDatabaseUrl } from "../../ops/postgres/connect";
import { freshDatabase, testPostgres } from "./postgres";

export interface EvidenceDatabase {
    name: string;
    /** As the owner (postgres). */
    url: string;
    writerUrl: string;
    readerUrl: string;
}

async function ensureLoginRoles(): Promise<void> {
    const pg = await testPostgres();
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
        for (const role of ["ops_writer", "ops_reader"]) {
            await client.query(`DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN;
                ELSE ALTER ROLE ${role} LOGIN; END IF; END $$`);
        }
    } finally {
        await client.end();
    }
}

export async function evidenceDatabase(prefix = "evidence"): Promise<EvidenceDatabase> {
    await ensureLoginRoles();
    const { name, url } = await freshDatabase(prefix);
    await migrateEvidence(parseDatabaseUrl(url));
    const as = (role: string) => url.replace("postgresql://postgres@", `postgresql://${role}@`);
    return { name, url, writerUrl: as("ops_writer"), readerUrl: as("ops_reader") };
}

/** Runs one query on a URL and returns the rows. */
export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return (await client.query(sql, params)).rows as T[];
    } finally {
        await client.end();
    }
}

/** Row counts of every evidence table: "nothing written" is this staying the same. */
export async function evidenceCounts(url: string): Promise<Record<string, number>> {
    const rows = await query<{ t: string; n: string }>(
        url,
        `
        SELECT 'builds' AS t, count(*) AS n FROM ops.builds UNION ALL
        SELECT 'health_checks', count(*) FROM ops.health_checks UNION ALL
        SELECT 'deployments', count(*) FROM ops.deployments UNION ALL
        SELECT 'migrations', count(*) FROM ops.migrations`,
    );
    return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}
