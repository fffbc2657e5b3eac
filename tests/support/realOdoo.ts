/**
 * A fresh database with a real Odoo schema (the base-only Odoo 16.0 dump of ../shared/odoo-schemas,
 * loaded by tests/support/realDumps.ts), for tests that need real Odoo tables but no particular
 * module. Tests that use it say clearly when the folder is absent and use the generated Odoo-shaped
 * fixture instead; the dumps are never copied into the project.
 */
import { Client } from "pg";
import { createOdooSchema } from "../../testing/odooFixture";
import { freshDatabase } from "./postgres";
import { dumpDatabase, realDumps, realDumpsDir } from "./realDumps";

export interface OdooDatabase {
    name: string;
    url: string;
    /** Where the schema came from, for the test's output. */
    source: string;
}

const baseOnly = "odoo16-maaranodoo-baseonly";

/**
 * A fresh database with the real Odoo 16.0 base schema (odoo16-maaranodoo-baseonly.sql) when the
 * dumps are here, else the generated Odoo 17 fixture schema.
 */
export async function odooDatabase(prefix: string): Promise<OdooDatabase> {
    const dump = realDumps().find((d) => d.name === baseOnly);
    if (dump) {
        const db = await dumpDatabase(dump, prefix);
        return { ...db, source: `real Odoo 16.0 schema (${baseOnly}.sql)` };
    }
    console.log(
        `      (real Odoo schemas not found${realDumpsDir() ? ` (no ${baseOnly}.sql in ${realDumpsDir()})` : ""}: using the generated Odoo 17 fixture schema)`,
    );
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
