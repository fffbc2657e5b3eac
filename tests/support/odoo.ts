/**
 * Odoo-shaped test databases: the fixture is generated once per (scale, seed, version) into a
 * template database, then each test gets its own copy (`CREATE DATABASE … TEMPLATE`, a file copy),
 * so every test starts from the same planted production data without paying for the generator.
 */
import { Client } from "pg";
import { createOdooSchema, OdooVersion, seedOdooFixture } from "../../testing/odooFixture";
import { freshDatabase, testPostgres } from "./postgres";

export interface FixtureDbOptions {
    scale?: number;
    seed?: string;
    version?: OdooVersion;
}

const templates = new Map<string, Promise<string>>();
let copies = 0;

async function template(options: Required<FixtureDbOptions>): Promise<string> {
    const key = `${options.scale}|${options.seed}|${options.version}`;
    let name = templates.get(key);
    if (!name) {
        name = (async () => {
            const db = await freshDatabase(`tpl_${options.version.replace(".", "")}`);
            const client = new Client({ connectionString: db.url });
            await client.connect();
            try {
                await createOdooSchema(client, { version: options.version });
                await seedOdooFixture(client, { scale: options.scale, seed: options.seed, version: options.version });
            } finally {
                await client.end();
            }
            return db.name;
        })();
        templates.set(key, name);
    }
    return name;
}

/** A fresh database holding the fixture; returns its name and URL. */
export async function fixtureDatabase(prefix: string, options: FixtureDbOptions = {}): Promise<{ name: string; url: string }> {
    const resolved = { scale: options.scale ?? 0.002, seed: options.seed ?? "test", version: options.version ?? ("17.0" as OdooVersion) };
    const source = await template(resolved);
    const pg = await testPostgres();
    const name = `${prefix}_${process.pid}_c${++copies}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`);
    } finally {
        await admin.end();
    }
    return { name, url: pg.urlFor(name) };
}

/** Connects to `url`; the caller ends the client. */
export async function connectTo(url: string): Promise<Client> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return client;
}

/** An order-independent checksum of every row of `table` (ordered by its first column). */
export async function tableChecksum(client: Client, table: string): Promise<string> {
    const { rows } = await client.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM "${table}" t`);
    return rows[0].sum;
}

/** Checksums of every table in the public schema. */
export async function databaseChecksums(client: Client): Promise<Record<string, string>> {
    const { rows } = await client.query<{ relname: string }>(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
    );
    const sums: Record<string, string> = {};
    for (const { relname } of rows) sums[relname] = await tableChecksum(client, relname);
    return sums;
}
