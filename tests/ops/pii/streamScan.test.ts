import * as assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Catalog, CatalogColumn, readCatalog } from "../../../ops/odoo/catalog";
import { collectKnownValues, KnownValueSet } from "../../../ops/pii/knownValues";
import { hashTextExtended, int64Halves } from "../../../ops/pii/pgHash";
import { PiiFinding, scanDatabase } from "../../../ops/pii/scan";
import { emailPattern } from "../../../ops/pii/patterns";
import { HitSink, StreamScan, ValueScanner } from "../../../ops/pii/streamScan";
import { copyDatabase } from "../../../ops/postgres/copyDatabase";
import { pgTools } from "../../../ops/postgres/tools";
import { connectTo, fixtureDatabase } from "../../support/odoo";
import { plantLeakTable } from "../../support/plantedLeaks";
import { freshDatabase } from "../../support/postgres";

const allowDomains = ["example.com", "staging.acme.test"];
const line = (f: PiiFinding) => `${f.table}.${f.column}:${f.kind}:${f.rows}${f.knownKinds ? `:${f.knownKinds.join("+")}` : ""}`;

describe("PII scan on the COPY stream (ops/pii/streamScan.ts)", function () {
    this.timeout(180_000);

    it("reports an e-mail exactly where the database's pattern finds one, sanitizer addresses included (which skip the pattern)", () => {
        const domains = ["example.com", "staging.example.org"];
        const pattern = new RegExp(emailPattern(domains), "i");
        const scanner = new ValueScanner({ allowDomains: domains, kinds: "contact" });
        const values = [
            "test+100234@example.com",
            "test+res_partner-7@staging.example.org",
            "@example.com",
            "john@gmail.com",
            "test+1@example.com, john@gmail.com",
            "john@gmail.com test+1@example.com",
            "test+1@EXAMPLE.COM",
            "test+1@sub.example.com",
            "test+1@example.com.evil.io",
            "test+1@example.co",
            "x@example.comx",
            "mail me: a@b.cd",
            // An allowed domain that ends before a character no domain continues with.
            '"Casey Generic" <test+41998@example.com>',
            "<65552.1700000000.4059992867-openerp-37340-res.partner@example.com>",
            "Test+1@Example.Com>",
            "x@example.com_x",
            "x@example.com.>",
            "x@example.com.-evil.io",
            "x@example.com, ",
            "x@example.com.evil.io>",
            "x@example.com-evil.io",
            "x@example.com9",
            "<x@example.com>, y@gmail.com",
            "x@staging.example.org.uk>",
            "x@staging.example.org>",
        ];
        for (const value of values) {
            let email = false;
            const sink: HitSink = { hit: (kind) => void (email ||= kind === "email") };
            scanner.scan(value, { type: "text", token: false }, sink);
            assert.equal(email, pattern.test(value), value);
        }
    });

    it("computes PostgreSQL's hashtextextended in Node, for any text and seed", async () => {
        const { url } = await freshDatabase("pghash");
        const client = await connectTo(url);
        try {
            const values = [
                "",
                "a",
                "abcd",
                "abcdefgh",
                "abcdefghijk",
                "abcdefghijkl",
                "jane.doe@gmail.com",
                "Ünïcödé straße 12 — 東京",
                "x".repeat(97),
                "+32470123456",
            ];
            for (const seed of ["0", "-4242424242424242", "9223372036854775807", "17"]) {
                for (const v of values) {
                    const { rows } = await client.query<{ h: string }>("SELECT hashtextextended($1, $2)::text AS h", [v, seed]);
                    assert.deepEqual(hashTextExtended(v, ...int64Halves(seed)), int64Halves(rows[0].h), `${JSON.stringify(v)} / ${seed}`);
                }
            }
        } finally {
            await client.end();
        }
    });

    it("finds exactly what the database scan finds, table.column by table.column, on the planted production copy", async () => {
        const prod = await fixtureDatabase("ss_prod");
        const client = await connectTo(prod.url);
        let set: KnownValueSet;
        try {
            await plantLeakTable(client);
            // A view a user typed (scanned) and one a module loaded (metadata, left out): the rule reads ir_model_data.
            await client
                .query(`INSERT INTO ir_ui_view (name, type, arch_db) VALUES ('custom', 'qweb', '{"en_US": "<p>ceo@realcustomer.org</p>"}')`)
                .catch(() => undefined);
            const catalog = await readCatalog(client);
            set = await collectKnownValues(client, { catalog, allowDomains });
            const target = await freshDatabase("ss_copy");
            const scan = new StreamScan(catalog, { allowDomains, knownValues: set });
            // Big tables cut into TID-range pieces over two workers: a table's rows come from several streams.
            await copyDatabase({
                tools: pgTools(),
                sourceUrl: prod.url,
                targetUrl: target.url,
                jobs: 2,
                minChunkBytes: 64 * 1024,
                inspect: (plans) => scan.transform(plans.map((p) => ({ table: p.table.name, columns: p.table.columns }))),
            });
            const streamed = scan.result();
            const onStream = new Set(streamed.tables.map((t) => t.table));
            assert.ok(onStream.has("x_planted") && onStream.has("res_partner") && onStream.has("mail_message"), [...onStream].join(", "));
            assert.equal(scan.pathOf("ir_module_module").path, "skipped");
            assert.equal(scan.pathOf("ir_ui_view").path, "database", "a metadata rule over other tables is the database's");
            assert.ok(!onStream.has("ir_ui_view") && !onStream.has("ir_module_module"));

            const copy = await connectTo(target.url);
            try {
                const inDb = await scanDatabase(copy, await readCatalog(copy), { allowDomains, knownValues: set });
                const dbLines = inDb.findings
                    .filter((f) => onStream.has(f.table))
                    .map(line)
                    .sort();
                assert.deepEqual(streamed.findings.map(line).sort(), dbLines);
                // The planted values are among them, each under its own detector; the look-alikes are not.
                const planted = streamed.findings
                    .filter((f) => f.table === "x_planted")
                    .map(line)
                    .sort();
                assert.deepEqual(planted, [
                    // The token is production's own value too: a credential column is collected.
                    "x_planted.api_token:known:1:token",
                    "x_planted.api_token:token:1",
                    "x_planted.code:vat:1",
                    "x_planted.info:email:2",
                    "x_planted.info:iban:1",
                    "x_planted.info:known:1:email",
                    "x_planted.note:card:1",
                    "x_planted.note:email:2",
                    "x_planted.note:known:1:name",
                    "x_planted.note:phone:2",
                    "x_planted.note:vat:1",
                    "x_planted.other:card:1",
                    "x_planted.other:known:1:phone",
                    "x_planted.other:phone:1",
                ]);
                assert.ok(dbLines.length > planted.length + 5, "the fixture's own planted leaks are found too");
                const rows = (await copy.query("SELECT sum(n_live_tup)::int AS n FROM pg_stat_user_tables")).rows[0].n;
                assert.ok(streamed.tables.reduce((n, t) => n + t.rows, 0) <= rows + 10);
                // Samples are masked, as in the database scan.
                assert.ok(!JSON.stringify(streamed.findings).includes("jane.doe"));
            } finally {
                await copy.end();
            }
        } finally {
            await client.end();
        }
    });

    it("reads rows split anywhere across chunks (inside a UTF-8 character, an escape, between tables)", async () => {
        const col = (name: string, type: string): [string, CatalogColumn] => [name, { name, type, notNull: false }];
        const catalog = new Catalog(
            new Map([
                ["a", { schema: "public", name: "a", key: "a", columns: new Map([col("id", "integer"), col("note", "text")]), estimatedRows: 0, bytes: 0 }],
                [
                    "b",
                    {
                        schema: "public",
                        name: "b",
                        key: "b",
                        columns: new Map([col("id", "integer"), col("secret_key", "character varying")]),
                        estimatedRows: 0,
                        bytes: 0,
                    },
                ],
            ]),
        );
        const text = "1\tünï jane@realcustomer.org\n2\t\\N\n3\tx\\ty@realcustomer.org\n\\.\n1\tA1b2C3d4E5f6G7h8I9j0\n\\.\n";
        const bytes = Buffer.from(text, "utf8");
        const run = async (pieces: Buffer[]) => {
            const scan = new StreamScan(catalog, { allowDomains });
            const t = scan.transform([
                { table: "a", columns: ["id", "note"] },
                { table: "b", columns: ["id", "secret_key"] },
            ]);
            let out = Buffer.alloc(0);
            await pipeline(Readable.from(pieces), t, async function* (s) {
                for await (const chunk of s) out = Buffer.concat([out, chunk as Buffer]);
            });
            assert.ok(out.equals(bytes), "the bytes pass unchanged");
            return scan.result();
        };
        const whole = await run([bytes]);
        assert.deepEqual(whole.findings.map(line).sort(), ["a.note:email:2", "b.secret_key:token:1"]);
        assert.deepEqual(whole.tables, [
            { table: "a", rows: 3, columns: 1 },
            { table: "b", rows: 1, columns: 1 },
        ]);
        const single = await run([...bytes].map((b) => Buffer.from([b])));
        assert.deepEqual(single, whole);
    });

    it("reports a repeated value on every row it is in, whether a column's values repeat or not (the replayed hits)", async () => {
        const col = (name: string, type: string): [string, CatalogColumn] => [name, { name, type, notNull: false }];
        const catalog = new Catalog(
            new Map([
                [
                    "t",
                    {
                        schema: "public",
                        name: "t",
                        key: "t",
                        columns: new Map([col("id", "integer"), col("state", "character varying"), col("ref", "character varying")]),
                        estimatedRows: 0,
                        bytes: 0,
                    },
                ],
            ]),
        );
        // state: four values over every row (one a phone, one an address); ref: unique values
        // (the memo gives up on it), a phone on every 7th row, and more than the memo holds.
        const states = ["posted", "+32 470 12 34 56", "draft", "jane@realcustomer.org"];
        const rows: string[] = [];
        const expected = { statePhone: 0, stateEmail: 0, refPhone: 0, refEmail: 0 };
        for (let id = 1; id <= 6000; id++) {
            const state = states[id % 4];
            const ref = id % 7 === 0 ? "+32 470 12 34 56" : id % 11 === 0 ? `x${id % 300}@realcustomer.org` : `REF/${id}`;
            if (state.startsWith("+")) expected.statePhone++;
            if (state.includes("@")) expected.stateEmail++;
            if (ref.startsWith("+")) expected.refPhone++;
            if (ref.includes("@")) expected.refEmail++;
            rows.push(`${id}\t${state}\t${ref}`);
        }
        const scan = new StreamScan(catalog, { allowDomains, sampleLimit: 2 });
        const t = scan.transform([{ table: "t", columns: ["id", "state", "ref"] }]);
        await pipeline(Readable.from([Buffer.from(`${rows.join("\n")}\n\\.\n`)]), t, async function* (s) {
            for await (const _ of s) void _;
        });
        const result = scan.result();
        assert.deepEqual(result.findings.map(line).sort(), [
            `t.ref:email:${expected.refEmail}`,
            `t.ref:phone:${expected.refPhone}`,
            `t.state:email:${expected.stateEmail}`,
            `t.state:phone:${expected.statePhone}`,
        ]);
        // Samples name the rows they were found in, replayed or not.
        const phone = result.findings.find((f) => f.column === "state" && f.kind === "phone")!;
        assert.deepEqual(
            phone.samples.map((x) => x.id),
            ["1", "5"],
        );
    });
});
