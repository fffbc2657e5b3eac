/**
 * Options shared by the `db` commands: the database URL, repeatable values, and the connection
 * wrapper that turns an unreachable database into exit 2.
 */
import { Option } from "commander";
import type { Client } from "pg";
import { parse } from "pg-connection-string";
import { isInvalidInput, UsageError } from "../cli/runtime";
import { connect, DatabaseUrl, parseDatabaseUrl } from "../postgres/connect";

/** commander collector for repeatable options (`--allow-domain a --allow-domain b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Parses an integer option or fails with a usage error naming it. */
export function integerOption(name: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got "${value}"`);
    return Number(value);
}

/** The password of a URL (`postgresql://u:pw@h/db` or `?password=`), else PGPASSWORD: for child processes only. */
export function databasePassword(db: DatabaseUrl): string | undefined {
    return parse(db.url).password || process.env.PGPASSWORD || undefined;
}

/** Connects to --db, runs `fn`, always disconnects. */
export async function withClient<T>(url: string | undefined, fn: (client: Client, db: DatabaseUrl) => Promise<T>): Promise<T> {
    const db = parseDatabaseUrl(url);
    const client = await connect(db);
    try {
        return await fn(client, db);
    } finally {
        await client.end().catch(() => undefined);
    }
}

/** Turns a plain Error thrown while validating options into a usage error (exit 2). */
export function asUsage<T>(fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        throw isInvalidInput(err) ? err : new UsageError((err as Error).message);
    }
}

/** `--confirm <name>`: the database's own name, typed again, to rewrite one that looks like production. */
export const confirmOption = (): Option =>
    new Option("--confirm <name>", "the database's name, repeated: needed when it looks like production (active crons, live mail servers, not neutralized) and odoo-platform did not create it");
