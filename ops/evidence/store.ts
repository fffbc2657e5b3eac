/**
 * Writing evidence: one INSERT per row (columns checked against the contract in schema.ts) and
 * the evidence files, committed together: if the row cannot be written no file stays behind, and if
 * the files cannot be written the row is rolled back.
 */
import type { Client } from "pg";
import { connect, DatabaseUrl } from "../postgres/connect";
import { EvidenceBundle, EvidenceFile, writeBundle } from "./files";
import { evidenceColumns, evidenceSchemaName, EvidenceRow, EvidenceTable } from "./schema";

/** INSERT … RETURNING id. Unknown columns are a programming error, caught here rather than in SQL. */
export async function insertRow<T extends EvidenceTable>(client: Client, table: T, row: EvidenceRow<T>): Promise<number> {
    const allowed = new Set<string>(evidenceColumns[table]);
    const entries = Object.entries(row).filter(([, v]) => v !== undefined);
    for (const [column] of entries) {
        if (!allowed.has(column)) throw new Error(`ops.${table} has no writable column ${column}`);
    }
    const columns = entries.map(([c]) => `"${c}"`).join(", ");
    const values = entries.map(([, v]) => (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) ? JSON.stringify(v) : v));
    const params = values.map((_, i) => `$${i + 1}`).join(", ");
    const { rows } = await client.query(`INSERT INTO ${evidenceSchemaName}.${table} (${columns}) VALUES (${params}) RETURNING id`, values);
    return Number(rows[0].id);
}

export interface Recorded {
    ids: number[];
    evidenceUri: string;
    files: string[];
}

/**
 * Runs `write` in a transaction on the evidence database, then writes the bundle (plus the files
 * `describe` derives from the new ids) and commits. Nothing stays half-written.
 */
export async function recordEvidence(
    db: DatabaseUrl,
    bundle: EvidenceBundle,
    write: (client: Client) => Promise<number[]>,
    describe: (ids: number[]) => EvidenceFile[],
): Promise<Recorded> {
    const client = await connect(db);
    try {
        await client.query("BEGIN");
        let undo: (() => void) | undefined;
        try {
            const ids = await write(client);
            const files = writeBundle(bundle, describe(ids));
            undo = files.undo;
            await client.query("COMMIT");
            return { ids, evidenceUri: bundle.uri, files: files.written };
        } catch (err) {
            await client.query("ROLLBACK").catch(() => undefined);
            undo?.();
            throw err;
        }
    } finally {
        await client.end();
    }
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
