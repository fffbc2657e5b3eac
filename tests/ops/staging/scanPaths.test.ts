/** How the refresh accounts for the two scan paths (pure parts of ops/staging/refresh.ts). */
import * as assert from "node:assert/strict";
import { Catalog, CatalogColumn } from "../../../ops/odoo/catalog";
import { StreamScan } from "../../../ops/pii/streamScan";
import { scanSummary, unionOfWrites, withoutTables } from "../../../ops/staging/refresh";

describe("refresh scan paths", () => {
    it("unites what the steps after the copy wrote, and knows nothing when one step cannot say", () => {
        assert.deepEqual(unionOfWrites([{ written: ["b", "a"] }, { written: ["a", "c"] }]), ["a", "b", "c"]);
        assert.equal(unionOfWrites([{ written: ["a"] }, { rules: 1 }]), null);
        assert.equal(unionOfWrites([{ written: null }]), null);
        assert.equal(unionOfWrites([undefined]), null);
    });

    it("drops what the stream saw of tables written afterwards, and says why each table was read in the database", () => {
        const result = {
            tables: [
                { table: "a", rows: 2, columns: 1 },
                { table: "b", rows: 1, columns: 1 },
            ],
            findings: [
                { table: "a", column: "x", kind: "email" as const, rows: 1, samples: [] },
                { table: "b", column: "x", kind: "email" as const, rows: 1, samples: [] },
            ],
        };
        assert.deepEqual(withoutTables(result, new Set(["a"])), { tables: [result.tables[1]], findings: [result.findings[1]] });

        const col = (name: string, type: string): [string, CatalogColumn] => [name, { name, type, notNull: false }];
        const table = (name: string, extra: [string, CatalogColumn][] = []) =>
            [
                name,
                { schema: "public", name, key: name, columns: new Map([col("id", "integer"), col("x", "text"), ...extra]), estimatedRows: 0, bytes: 0 },
            ] as const;
        const catalog = new Catalog(new Map([table("a"), table("b"), table("ir_ui_view"), table("empty"), table("ir_model_data", [col("res_id", "integer")])]));
        const scan = new StreamScan(catalog, { allowDomains: ["example.com"] });
        const summary = scanSummary(
            [
                { table: "a", path: "database" },
                { table: "b", path: "stream" },
                { table: "empty", path: "database" },
                { table: "ir_ui_view", path: "database" },
                { table: "ir_model", path: "skipped", reason: "the model registry" },
            ],
            scan,
            ["a"],
        );
        assert.deepEqual(
            summary.tables.map((t) => `${t.table}:${t.path}:${t.reason ?? ""}`),
            [
                "a:database:written after the copy",
                "b:stream:",
                "empty:database:no rows were copied",
                "ir_ui_view:database:metadata rule over other tables: views loaded from module files and never edited (edited views and website pages are scanned)",
                "ir_model:skipped:the model registry",
            ],
        );
        assert.deepEqual([summary.stream, summary.database, summary.skipped], [1, 3, 1]);
        assert.match(scanSummary([{ table: "a", path: "database" }], scan, null).tables[0].reason!, /could not say/);
        assert.match(scanSummary([{ table: "a", path: "database" }], undefined, null).tables[0].reason!, /no scan on the stream/);
    });
});
