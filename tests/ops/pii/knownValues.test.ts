import * as assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readCatalog } from "../../../ops/odoo/catalog";
import { KnownValueCopyScanner } from "../../../ops/pii/copyScan";
import { collectKnownValues, isKnownValue, knownValueLookup, scanTablesForKnownValues } from "../../../ops/pii/knownValues";
import { scanDatabase } from "../../../ops/pii/scan";
import { connectTo, fixtureDatabase } from "../../support/odoo";
import { freshDatabase } from "../../support/postgres";

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

            // Spread over three connections: the same set (its values, their kinds and sources, in the same order).
            const spread = await collectKnownValues(client, { catalog, jobs: 3, connect: () => connectTo(db.url) });
            const shape = (x: typeof set) => ({
                counts: x.counts,
                sources: x.sources,
                maxBytes: x.maxBytes,
                byteLengths: x.byteLengths,
                a: x.sql.a.length,
                b: x.sql.b.length,
            });
            assert.deepEqual(shape(spread), shape(set));
            assert.ok(spread.sources.length > 10 && new Set(spread.sources.map((s) => s.table)).size > 3, "several tables, so several reads");

            // The md5 forms (for a server whose hashes Node cannot compute): one per value of each
            // form, and a lookup without the server's probe finds the same values by them alone.
            const withMd5 = await collectKnownValues(client, { catalog, md5Forms: true });
            assert.equal(withMd5.md5.a.size, withMd5.sql.a.length);
            assert.equal(withMd5.md5.b.size, withMd5.sql.b.length);
            assert.deepEqual(withMd5.counts, set.counts);
            const byMd5Only = { ...withMd5, probe: undefined };
            assert.equal(knownValueLookup(byMd5Only).sameHash, false);
            for (const r of rows) for (const v of [r.name, r.email.toUpperCase(), r.phone.replace(/ /g, "")]) assert.ok(isKnownValue(byMd5Only, v), v);
            for (const v of ["Alex Sample", "test+42@example.com", "+1 555-0142"]) assert.ok(!isKnownValue(byMd5Only, v), v);

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

    it("counts each distinct value once per column and once in all, and merges the kinds of a value read from several tables", async () => {
        const db = await freshDatabase("kvmerge");
        const client = await connectTo(db.url);
        try {
            await client.query(`
                CREATE TABLE res_company (id serial PRIMARY KEY, name varchar);
                CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar, email varchar, phone varchar, street varchar, is_company boolean);
                CREATE TABLE res_users (id serial PRIMARY KEY, login varchar);
                CREATE TABLE hr_employee (id serial PRIMARY KEY, name varchar);
                INSERT INTO res_company (name) VALUES ('Acme Holdings Ltd');
                INSERT INTO res_partner (name, email, phone, street, is_company) VALUES
                    ('Marie Curie-Dubois', 'Marie.Curie@Lab.org', '+33 6 12 34 56 78', 'Rue Victor Hugo 12', false),
                    ('Marie Curie-Dubois', ' marie.curie@lab.org ', NULL, NULL, false),
                    ('Acme Holdings Ltd', NULL, NULL, NULL, true),
                    ('Acme Holdings Ltd', NULL, '+33 (6) 12-34-56-78', NULL, false),
                    ('Avenue Foch 221 B', NULL, NULL, 'Avenue Foch 221 B', false);
                INSERT INTO res_users (login) VALUES ('marie.curie@lab.org');
                INSERT INTO hr_employee (name) VALUES ('Rue Victor Hugo 12'), ('Léa Müller');`);
            const set = await collectKnownValues(client, { catalog: await readCatalog(client) });
            const values = Object.fromEntries(set.sources.map((s) => [`${s.table}.${s.column}`, s.values]));
            // A name equal to a company's is kept in the copy, so never collected; the same
            // e-mail and phone in two spellings are one value each.
            assert.deepEqual(values, {
                "res_partner.name": 2,
                "res_partner.email": 1,
                "res_partner.phone": 1,
                "res_partner.street": 2,
                "res_users.login": 1,
                "hr_employee.name": 2,
            });
            assert.deepEqual(set.counts, { name: 4, email: 1, phone: 1, street: 2, vat: 0, iban: 0, token: 0 });
            assert.equal(set.sql.a.length, 5);
            assert.equal(set.sql.b.length, 1);
            assert.deepEqual(set.maxBytes, { a: 19, b: 11 });
            // Node hashes only text whose form has one of these lengths (in bytes: léa müller is 12).
            assert.deepEqual(set.byteLengths, { a: [12, 17, 18, 19], b: [11] });
            const lookup = knownValueLookup(set);
            assert.deepEqual([...(lookup.kinds("Rue Victor Hugo 12") ?? [])].sort(), ["name", "street"]);
            assert.deepEqual([...(lookup.kinds(" avenue foch 221 b") ?? [])].sort(), ["name", "street"]);
            assert.deepEqual(lookup.kinds("MARIE.CURIE@LAB.ORG"), ["email"]);
            assert.deepEqual(lookup.kinds("33612345678"), ["phone"]);
            assert.deepEqual(lookup.kinds("léa müller"), ["name"]);
            assert.equal(lookup.kinds("Acme Holdings Ltd"), null);
        } finally {
            await client.end();
        }
    });
});
