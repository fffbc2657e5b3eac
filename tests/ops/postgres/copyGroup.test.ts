/**
 * Copy groups: one source query for several tables (the financial anonymization's move lines,
 * moves and payments), split back into one COPY stream per table on the way.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { Readable } from "node:stream";
import { TableInfo } from "../../../ops/postgres/catalog";
import { assignPlans, columnAsText, groupCopyOut, groupRowSplitter, planTableCopies, sourceSegments } from "../../../ops/postgres/copyStream";
import { freshDatabase, testPostgres } from "../../support/postgres";

const table = (name: string, columns: string[], types: string[] | undefined, bytes = 1000): TableInfo => ({
    schema: "public",
    name,
    qualified: `"public"."${name}"`,
    columns,
    types,
    bytes,
    blocks: 1,
    hasRows: true,
});

async function split(input: string[], counts: number[], ...moreGroups: number[][]): Promise<string> {
    const chunks: Buffer[] = [];
    const splitter = groupRowSplitter([{ columnCounts: counts, tables: ["a", "b", "c"] }, ...moreGroups.map((columnCounts) => ({ columnCounts }))]);
    await new Promise<void>((resolve, reject) => {
        Readable.from(input.map((s) => Buffer.from(s)))
            .pipe(splitter)
            .on("data", (c: Buffer) => chunks.push(c))
            .on("end", resolve)
            .on("error", reject);
        splitter.on("error", reject);
    });
    return Buffer.concat(chunks).toString();
}

describe("copy groups (one query for several tables)", () => {
    it("casts columns to the text COPY writes, and refuses types whose cast differs", () => {
        assert.equal(columnAsText("t.x", "bool"), "(CASE t.x WHEN true THEN 't' WHEN false THEN 'f' END)");
        assert.equal(columnAsText("t.x", "numeric"), "(t.x)::text");
        assert.equal(columnAsText("t.x", "_int4"), "(t.x)::text");
        assert.equal(columnAsText("t.x", "bpchar"), null);
        assert.equal(columnAsText("t.x", "inet"), null);
    });

    it("gives, on a real server, exactly the text COPY writes for every type it casts", async () => {
        const pg = await testPostgres();
        const db = await freshDatabase("copytext");
        const columns: [string, string, string[]][] = [
            ["i2", "int2", ["-32768", "NULL"]],
            ["i4", "int4", ["7", "NULL"]],
            ["i8", "int8", ["9223372036854775807", "NULL"]],
            ["o", "oid", ["4294967295", "NULL"]],
            ["n", "numeric", ["1.50", "'NaN'", "NULL"]],
            ["f4", "float4", ["0.1", "'-Infinity'", "NULL"]],
            ["f8", "float8", ["0.1", "1e300", "'NaN'"]],
            ["t", "text", [`E'tab\\there\\nnew line \\\\ back'`, "''", "NULL"]],
            ["v", "varchar", ["'ünïcode ✓'", "NULL", "NULL"]],
            ["d", "date", ["'2024-02-29'", "'infinity'", "NULL"]],
            ["tm", "time", ["'23:59:59.999999'", "NULL", "NULL"]],
            ["ttz", "timetz", ["'10:00+05:30'", "NULL", "NULL"]],
            ["ts", "timestamp", ["'2024-01-01 00:00:00.5'", "NULL", "NULL"]],
            ["tstz", "timestamptz", ["'2024-06-01 12:00+02'", "NULL", "NULL"]],
            ["iv", "interval", ["'1 year 2 mons 3 days 04:05:06'", "NULL", "NULL"]],
            ["j", "json", [`'{"a": [1, "\\t"]}'`, "NULL", "NULL"]],
            ["jb", "jsonb", [`'{"name": {"en_US": "x\\ny"}}'`, "NULL", "NULL"]],
            ["b", "bytea", ["'\\x00ff5c'::bytea", "''::bytea", "NULL"]],
            ["u", "uuid", ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "NULL", "NULL"]],
            ["bo", "bool", ["true", "false", "NULL"]],
            ["ai", "_int4", ["ARRAY[1,NULL,3]", "'{}'", "NULL"]],
            ["at", "_text", [`ARRAY['a b', 'c"d', NULL, E'e\\tf']`, "NULL", "NULL"]],
        ];
        const rows = [0, 1, 2].map((r) => `(${columns.map(([, , values]) => values[r] ?? "NULL").join(", ")})`);
        const ddl = `CREATE TABLE every_type (${columns.map(([name, type]) => `${name} ${type.startsWith("_") ? `${type.slice(1)}[]` : type}`).join(", ")});
            INSERT INTO every_type VALUES ${rows.join(", ")};`;
        const psql = (sql: string) =>
            execFileSync(path.join(pg.binDir, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-c", sql], { encoding: "utf8" });
        psql(ddl);
        const asText = columns.map(([name, type]) => {
            const text = columnAsText(`t.${name}`, type);
            assert.ok(text, `${type} has a cast`);
            return text;
        });
        const plain = psql("COPY (SELECT * FROM every_type t) TO STDOUT");
        assert.equal(psql(`COPY (SELECT ${asText.join(", ")} FROM every_type t) TO STDOUT`), plain);
        assert.match(plain, /\\x00ff5c/, "the bytea value is in the rows compared");
    });

    it("plans group members only when every column type has an exact cast", () => {
        const group = { name: "g", ctes: "v AS (SELECT 1)", from: "(SELECT * FROM x) t" };
        const transforms = [
            { table: "a", columns: { n: "t.n * 2" }, group },
            { table: "b", columns: { n: "t.n * 3" }, group },
        ];
        const { plans } = planTableCopies(
            [table("a", ["id", "n", "ok"], ["int4", "numeric", "bool"]), table("b", ["id", "n"], ["int4", "bpchar"])],
            transforms,
        );
        assert.deepEqual(plans[0].group?.textColumns, ['(t."id")::text', "((t.n * 2))::text", `(CASE t."ok" WHEN true THEN 't' WHEN false THEN 'f' END)`]);
        assert.equal(plans[1].group, undefined, "bpchar has no exact cast: b is copied by its own query");
    });

    it("reads the leading members of a group with one tagged, padded UNION and the rest one by one", () => {
        const group = { name: "g", ctes: "v AS MATERIALIZED (SELECT 1)", from: "" };
        const { plans } = planTableCopies(
            [table("a", ["id", "n"], ["int4", "numeric"]), table("b", ["id"], ["int4"]), table("c", ["id"], ["int4"])],
            [
                { table: "a", columns: { n: "t.n" }, group: { ...group, from: "A t" } },
                { table: "b", columns: { id: "t.id" }, group: { ...group, from: "B t" } },
            ],
        );
        const segments = sourceSegments(plans);
        assert.deepEqual(
            segments.map((s) => [s.grouped, s.plans.map((p) => p.table.name)]),
            [
                [true, ["a", "b"]],
                [false, ["c"]],
            ],
        );
        assert.equal(
            segments[0].copyOut,
            `SET max_parallel_workers_per_gather = 0; COPY (WITH v AS MATERIALIZED (SELECT 1) SELECT '0'::text, (t."id")::text, ((t.n))::text FROM A t UNION ALL ` +
                `SELECT '1'::text, ((t.id))::text, NULL::text FROM B t) TO STDOUT; RESET max_parallel_workers_per_gather`,
        );
        assert.throws(() => groupCopyOut([plans[0], plans[2]]), /not in a copy group/);
        // A lone member is read by its self-contained query.
        assert.deepEqual(
            sourceSegments([plans[1], plans[2]]).map((s) => s.grouped),
            [false, false],
        );
    });

    it("keeps a group's tables together at the head of one worker", () => {
        const group = { name: "g", ctes: "", from: "X t" };
        const { plans } = planTableCopies(
            [table("a", ["id"], ["int4"], 10), table("big", ["id"], ["int4"], 5000), table("b", ["id"], ["int4"], 10), table("c", ["id"], ["int4"], 3000)],
            [
                { table: "a", columns: { id: "t.id" }, group },
                { table: "b", columns: { id: "t.id" }, group },
            ],
        );
        const lists = assignPlans(plans, 2).map((l) => l.map((p) => p.table.name));
        const withGroup = lists.find((l) => l.includes("a"))!;
        assert.deepEqual(withGroup.slice(0, 2), ["a", "b"]);
        assert.deepEqual(lists.flat().sort(), ["a", "b", "big", "c"]);
    });

    it("splits tagged rows into one stream per table, across chunk boundaries, with empty members", async () => {
        const out = await split(["0\t1\tx\n0\t2\t", "y\n2\t7\t\\N\t\\N\n\\.\n", "plain\trow\n\\.\n"], [3, 1, 1]);
        assert.equal(out, "1\tx\n2\ty\n\\.\n\\.\n7\n\\.\nplain\trow\n\\.\n");
        assert.equal(await split(["\\.\n"], [1, 2]), "\\.\n\\.\n", "no rows at all: every member still ends");
    });

    it("reads a table in its transform's parts, each part in its own group query, several parts on one worker", () => {
        const part = (i: number, from: string) => ({
            from: `${from}${i} t`,
            group: { name: `g#${i}`, ctes: `v${i} AS (SELECT ${i})`, from: `${from}G${i} t` },
        });
        const { plans } = planTableCopies(
            [table("a", ["id", "n"], ["int4", "numeric"], 4000), table("b", ["id"], ["int4"], 4000), table("c", ["id"], ["int4"], 10)],
            [
                {
                    table: "a",
                    columns: { n: "t.n" },
                    from: "A t",
                    group: { name: "g", ctes: "", from: "AG t" },
                    pieces: [part(1, "A"), part(2, "A"), part(3, "A")],
                },
                {
                    table: "b",
                    columns: { id: "t.id" },
                    from: "B t",
                    group: { name: "g", ctes: "", from: "BG t" },
                    pieces: [part(1, "B"), part(2, "B"), part(3, "B")],
                },
            ],
        );
        assert.deepEqual(
            plans.map((p) => [p.table.name, p.part?.index, p.group?.name, p.table.bytes]),
            [
                ["a", 0, "g#1", 1334],
                ["a", 1, "g#2", 1334],
                ["a", 2, "g#3", 1334],
                ["b", 0, "g#1", 1334],
                ["b", 1, "g#2", 1334],
                ["b", 2, "g#3", 1334],
                ["c", undefined, undefined, 10],
            ],
        );
        assert.equal(plans[1].copyOut, 'COPY (SELECT t."id", (t.n) AS "n" FROM A2 t) TO STDOUT', "a part read alone uses its own row source");
        const whole = planTableCopies(
            [table("a", ["id", "n"], ["int4", "numeric"], 4000)],
            [{ table: "a", columns: { n: "t.n" }, from: "A t", group: { name: "g", ctes: "", from: "AG t" }, pieces: [part(1, "A"), part(2, "A")] }],
            { parts: false },
        ).plans;
        assert.deepEqual(
            whole.map((p) => [p.part, p.copyOut]),
            [[undefined, 'COPY (SELECT t."id", (t.n) AS "n" FROM A t) TO STDOUT']],
            "parts: false, one query per table (one file per table in a snapshot)",
        );
        // One worker: its parts first, each a group query of its own, then the other tables.
        const [list] = assignPlans(plans, 1);
        const segments = sourceSegments(list);
        assert.deepEqual(
            segments.map((s) => [s.grouped, s.plans.map((p) => `${p.table.name}${p.part ? p.part.index : ""}`)]),
            [
                [true, ["a0", "b0"]],
                [true, ["a1", "b1"]],
                [true, ["a2", "b2"]],
                [false, ["c"]],
            ],
        );
        assert.match(segments[1].copyOut, /WITH v2 AS \(SELECT 2\) SELECT '0'::text, .* FROM AG2 t UNION ALL SELECT '1'::text, .* FROM BG2 t\)/);
        // Two workers: the parts spread over both, each part's tables together.
        const lists = assignPlans(plans, 2);
        assert.equal(lists.length, 2);
        for (const l of lists) {
            for (const s of sourceSegments(l).filter((s) => s.grouped))
                assert.deepEqual(
                    s.plans.map((p) => p.table.name),
                    ["a", "b"],
                );
        }
        assert.deepEqual(lists.flat().length, plans.length);
    });

    it("splits the rows of several group queries in a row, then passes the rest through", async () => {
        const out = await split(["0\t1\n1\t2\n\\.\n0\t", "3\tx\n\\.\n", "\\.\n", "plain\n\\.\n"], [1, 1], [2, 1], [1]);
        assert.equal(out, "1\n\\.\n2\n\\.\n3\tx\n\\.\n\\.\n\\.\nplain\n\\.\n");
        await assert.rejects(split(["0\t1\n\\.\n"], [1], [1]), /ended before its end-of-data line/, "the second query never ended");
    });

    it("fails on rows out of order, untagged, too wide, or a stream that stops early", async () => {
        await assert.rejects(split(["1\tx\n0\ty\n\\.\n"], [1, 1]), /rows of a arrived after those of b/);
        await assert.rejects(split(["x\n\\.\n"], [1, 1]), /no table tag/);
        await assert.rejects(split(["1\tx\ty\n\\.\n"], [2, 1]), /more columns than the table/);
        await assert.rejects(split(["0\tx\n"], [1, 1]), /ended before its end-of-data line/);
    });
});
