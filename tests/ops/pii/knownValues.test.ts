import * as assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readCatalog } from "../../../ops/odoo/catalog";
import { KnownValueCopyScanner } from "../../../ops/pii/copyScan";
import { collectKnownValues, isKnownValue, scanTablesForKnownValues } from "../../../ops/pii/knownValues";
import { scanDatabase } from "../../../ops/pii/scan";
import { connectTo, fixtureDatabase } from "../../support/odoo";

describe("known-value scan (ops/pii/knownValues.ts)", function () {
    this.timeout(120_000);

    it("collects production's values as hashes only, finds them anywhere in SQL and in a COPY stream alike, and never the sanitizer's fakes", async () => {
        const db = await fixtureDatabase("kv");
        const client = await connectTo(db.url);
        try {
            const catalog = await readCatalog(client);
            const set = await collectKnownValues(client, { catalog });
            assert.ok(
                set.counts.name > 20 && set.counts.email > 50 && set.counts.phone > 50 && set.counts.iban > 10 && set.counts.token > 5,
                JSON.stringify(set.counts),
            );
            const { rows } = await client.query(
                "SELECT name, email, phone FROM res_partner WHERE id > 4 AND NOT is_company AND email IS NOT NULL ORDER BY id LIMIT 3",
            );
            // Nothing of a value is kept: the set holds digests and numbers only.
            assert.ok(!JSON.stringify({ ...set, md5: [...set.md5.a, ...set.md5.b], kinds: [...set.kinds.keys()] }).includes(rows[0].email));
            for (const r of rows) {
                for (const v of [r.name, r.email.toUpperCase(), ` ${r.email} `, r.phone, r.phone.replace(/ /g, "")]) assert.ok(isKnownValue(set, v), v);
            }
            for (const v of ["Alex Sample", "test+42@example.com", "+1 555-0142", "Rue de la Paix 1", "BE00 0000 0000 0042"])
                assert.ok(!isKnownValue(set, v), v);

            await client.query("CREATE TABLE x_notes (id serial PRIMARY KEY, who varchar, info jsonb, other text)");
            await client.query(
                "INSERT INTO x_notes (who, info, other) VALUES ($1, jsonb_build_object('fr_FR', $2::text), 'nothing'), ('Nobody Here', '{}', $3)",
                [rows[0].name, rows[1].email, rows[2].phone.replace(/ /g, "-")],
            );
            const after = await readCatalog(client);
            const sql = await scanDatabase(client, after, { allowDomains: ["example.com"], tables: ["x_notes"], knownValues: set, kinds: "contact" });
            assert.deepEqual(
                sql.findings.filter((f) => f.kind === "known").map((f) => `${f.column}:${f.rows}:${f.knownKinds}`),
                ["info:1:email", "other:1:phone", "who:1:name"],
            );
            const params = await scanTablesForKnownValues(client, after, set, ["x_notes"]);
            assert.deepEqual(
                params.map((h) => `${h.column}:${h.count}`),
                ["info:1", "other:1", "who:1"],
            );

            const copy = (await client.query("SELECT string_agg(concat_ws(E'\\t', id, who, info::text, other), E'\\n') AS t FROM x_notes")).rows[0].t + "\n";
            const scanner = new KnownValueCopyScanner(set, [
                { name: "id", kind: "skip" },
                { name: "who", kind: "text" },
                { name: "info", kind: "json" },
                { name: "other", kind: "text" },
            ]);
            await pipeline(Readable.from([Buffer.from(copy.slice(0, 7)), Buffer.from(copy.slice(7))]), scanner, async function* (s) {
                for await (const _ of s) void _;
            });
            assert.deepEqual(Object.fromEntries(scanner.hits), { who: 1, info: 1, other: 1 });
        } finally {
            await client.end();
        }
    });
});
