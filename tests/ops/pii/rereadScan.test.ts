import * as assert from "node:assert/strict";
import { Catalog, CatalogColumn, readCatalog } from "../../../ops/odoo/catalog";
import { collectKnownValues } from "../../../ops/pii/knownValues";
import { rereadPlans, rereadScan } from "../../../ops/pii/rereadScan";
import { PiiFinding, scanDatabase } from "../../../ops/pii/scan";
import { pgTools } from "../../../ops/postgres/tools";
import { connectTo, fixtureDatabase } from "../../support/odoo";
import { plantLeakTable } from "../../support/plantedLeaks";

const allowDomains = ["example.com", "staging.acme.test"];
const line = (f: PiiFinding) => `${f.table}.${f.column}:${f.kind}:${f.rows}${f.knownKinds ? `:${f.knownKinds.join("+")}` : ""}`;

describe("PII scan of tables read back after the copy (ops/pii/rereadScan.ts)", function () {
    this.timeout(180_000);

    it("reads only the scanned columns (and id), with a metadata rule's row filter, and leaves out what the rules skip", () => {
        const col = (name: string, type: string): [string, CatalogColumn] => [name, { name, type, notNull: false }];
        const table = (name: string, columns: [string, CatalogColumn][]) =>
            [name, { schema: "public", name, key: name, columns: new Map(columns), estimatedRows: 0, bytes: 0 }] as const;
        const catalog = new Catalog(
            new Map([
                table("a", [col("id", "integer"), col("note", "text"), col("amount", "numeric"), col("info", "jsonb")]),
                table("numbers", [col("id", "integer"), col("amount", "numeric")]),
                table("ir_ui_view", [col("id", "integer"), col("arch_db", "jsonb")]),
                table("ir_model_data", [col("id", "integer"), col("model", "character varying"), col("res_id", "integer")]),
                table("ir_module_module", [col("id", "integer"), col("author", "character varying")]),
            ]),
        );
        const plans = rereadPlans(catalog, ["a", "numbers", "ir_ui_view", "ir_module_module", "missing", "a"], {});
        assert.deepEqual(
            plans.map((p) => [p.table, p.columns.join(",")]),
            [
                ["a", "id,note,info"],
                ["ir_ui_view", "id,arch_db"],
            ],
        );
        assert.equal(plans[0].copyOut, 'COPY (SELECT t."id", t."note", t."info" FROM ONLY "public"."a" t) TO STDOUT');
        assert.match(plans[1].copyOut, /FROM ONLY "public"\."ir_ui_view" t WHERE NOT \(.*ir_model_data/);
        assert.deepEqual(
            rereadPlans(catalog, ["a"], { ignore: ["a.note"] }).map((p) => p.columns),
            [["id", "info"]],
        );
    });

    it("fails, naming the read, when the database cannot give a table back (and leaves nothing running)", async () => {
        const db = await fixtureDatabase("rr_fail");
        const col = (name: string, type: string): [string, CatalogColumn] => [name, { name, type, notNull: false }];
        const catalog = new Catalog(
            new Map([
                [
                    "x_gone",
                    {
                        schema: "public",
                        name: "x_gone",
                        key: "x_gone",
                        columns: new Map([col("id", "integer"), col("note", "text")]),
                        estimatedRows: 1,
                        bytes: 1,
                    },
                ],
            ]),
        );
        await assert.rejects(
            rereadScan({ binDir: pgTools().binDir, url: db.url, catalog, tables: ["x_gone"], options: { allowDomains } }),
            /reading back the tables written after the copy[\s\S]*x_gone/,
        );
    });

    it("finds exactly what the database scan finds, on every table of a planted copy, metadata-filtered tables included", async () => {
        const db = await fixtureDatabase("rr_copy");
        const client = await connectTo(db.url);
        try {
            await plantLeakTable(client);
            // A view a user typed (scanned) and one a module loaded (left out by the metadata rule, which reads ir_model_data).
            const views = await client.query<{ id: number }>(
                `INSERT INTO ir_ui_view (name, type, priority, mode, arch_db) VALUES ('custom', 'qweb', 16, 'primary', '{"en_US": "<p>ceo@realcustomer.org</p>"}'),
                 ('loaded', 'qweb', 16, 'primary', '{"en_US": "<p>author@realcustomer.org</p>"}') RETURNING id`,
            );
            await client.query(`INSERT INTO ir_model_data (module, name, model, res_id) VALUES ('sale', 'loaded_view', 'ir.ui.view', $1)`, [views.rows[1].id]);
            // An empty table with a text column: read back too, with no rows.
            await client.query("CREATE TABLE x_empty (id serial PRIMARY KEY, note text)");
            const catalog = await readCatalog(client);
            const set = await collectKnownValues(client, { catalog, allowDomains });
            const reread = await rereadScan({
                binDir: pgTools().binDir,
                url: db.url,
                catalog,
                tables: [...catalog.tables.keys()],
                options: { allowDomains, knownValues: set },
            });
            const inDb = await scanDatabase(client, catalog, { allowDomains, knownValues: set });
            assert.deepEqual(reread.findings.map(line).sort(), inDb.findings.map(line).sort());
            // Every table the database scan read, and none it skipped, each marked as read back.
            assert.equal(reread.tables.length, inDb.tables);
            assert.ok(reread.tables.every((t) => t.reread));
            const tables = new Set(reread.tables.map((t) => t.table));
            for (const t of ["x_planted", "ir_ui_view", "x_empty", "res_partner"]) assert.ok(tables.has(t), t);
            for (const s of inDb.skipped) assert.ok(!tables.has(s.table), s.table);
            assert.equal(reread.tables.find((t) => t.table === "x_empty")!.rows, 0);
            assert.equal(
                reread.tables.reduce((n, t) => n + t.rows, 0),
                inDb.rows,
            );
            const found = reread.findings.map(line);
            const viewSamples = reread.findings.find((f) => f.table === "ir_ui_view" && f.kind === "email")?.samples.map((x) => String(x.id));
            assert.ok(viewSamples?.includes(String(views.rows[0].id)), `the typed view counts: ${viewSamples}`);
            assert.ok(!viewSamples?.includes(String(views.rows[1].id)), `the loaded one does not: ${viewSamples}`);
            for (const planted of ["x_planted.note:known:1:name", "x_planted.other:known:1:phone", "x_planted.info:iban:1", "x_planted.api_token:token:1"])
                assert.ok(found.includes(planted), `${planted}\n${found.join("\n")}`);
            assert.ok(!JSON.stringify(reread.findings).includes("jane.doe"), "samples are masked");
        } finally {
            await client.end();
        }
    });
});
