/**
 * One real PostgreSQL server per test process, started on first use and stopped when mocha ends
 * (see hooks.ts). Each test asks for its own fresh database, so tests never share state.
 */
import { Client } from "pg";
import { startThrowawayPostgres, ThrowawayPostgres } from "../../testing/throwawayPostgres";

let server: Promise<ThrowawayPostgres> | undefined;
let counter = 0;

export function testPostgres(): Promise<ThrowawayPostgres> {
    server ??= startThrowawayPostgres();
    return server;
}

/** Creates an empty database with a unique name and returns its URL. */
export async function freshDatabase(prefix = "test"): Promise<{ name: string; url: string }> {
    const pg = await testPostgres();
    const name = `${prefix}_${process.pid}_${++counter}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
        await client.query(`CREATE DATABASE "${name}"`);
    } finally {
        await client.end();
    }
    return { name, url: pg.urlFor(name) };
}

export async function stopTestPostgres(): Promise<void> {
    if (!server) return;
    const started = await server.catch(() => undefined);
    started?.stop();
    server = undefined;
}
