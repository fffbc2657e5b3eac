/**
 * Which tables the current transaction wrote: what a step that changes a database after it was
 * copied reports, so that whatever scanned the rows on their way scans those tables again.
 */
import type { Client } from "pg";

/**
 * Tables the current transaction inserted into, updated or deleted from (catalog keys: `name` in public,
 * `schema.name` elsewhere), as PostgreSQL counts them for the transaction itself
 * (pg_stat_xact_user_tables: immediate, unlike the cumulative statistics; it may also show writes
 * of the session's earlier transactions not yet flushed, never fewer than this one's). Null when the
 * server does not count (track_counts off): then nobody can say, and the caller must assume all.
 * Deletes count too: what a scan saw of the rows before is no longer what the table holds.
 */
export async function tablesWrittenInTransaction(client: Client): Promise<string[] | null> {
    const {
        rows: [setting],
    } = await client.query<{ on: boolean }>("SELECT current_setting('track_counts')::boolean AS on");
    if (!setting.on) return null;
    const { rows } = await client.query<{ schemaname: string; relname: string }>(
        "SELECT schemaname, relname FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY schemaname, relname",
    );
    return rows.map((r) => (r.schemaname === "public" ? r.relname : `${r.schemaname}.${r.relname}`));
}
