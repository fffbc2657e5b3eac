import * as assert from "node:assert/strict";
import { TableInfo } from "../../../ops/postgres/catalog";
import { assignToWorkers, parseCopyTags, planTableCopies, sourceScript, splitLargeTables, targetScript } from "../../../ops/postgres/copyStream";

const table = (name: string, columns: string[], bytes = 100): TableInfo => ({
    schema: "public",
    name,
    qualified: `"public"."${name}"`,
    columns,
    bytes,
    blocks: Math.ceil(bytes / 8192),
    hasRows: true,
});

describe("COPY stream planning", () => {
    it("applies transforms in the SELECT, copies other tables plainly, and reports what does not exist", () => {
        const { plans, skipped } = planTableCopies(
            [table("res_partner", ["id", "name", "email"]), table("res_company", ["id", "name"])],
            [
                { table: "res_partner", columns: { email: "'test+' || t.id || '@example.com'", fax: "NULL" } },
                { table: "public.res_partner", columns: { name: "'Partner ' || t.id" } },
                { table: "hr_employee", columns: { ssnid: "NULL" } },
            ],
        );
        assert.equal(
            plans[0].copyOut,
            `COPY (SELECT t."id", ('Partner ' || t.id) AS "name", ('test+' || t.id || '@example.com') AS "email" FROM ONLY "public"."res_partner" t) TO STDOUT`,
        );
        assert.deepEqual(plans[0].transformed, ["name", "email"]);
        assert.equal(plans[0].copyIn, `\\copy "public"."res_partner" ("id", "name", "email") from pstdin`);
        assert.equal(plans[1].copyOut, `COPY "public"."res_company" ("id", "name") TO STDOUT`);
        assert.deepEqual(plans[1].transformed, []);
        assert.deepEqual(skipped, [{ table: "public.res_partner", column: "fax" }, { table: "public.hr_employee" }]);
    });

    it("spreads tables over workers heaviest first, so the big ones do not share a worker", () => {
        const lists = assignToWorkers([1, 50, 2, 40, 3, 5], (n) => n, 2);
        assert.deepEqual(lists, [
            [50, 1],
            [40, 5, 3, 2],
        ]);
        assert.deepEqual(
            assignToWorkers([7], (n) => n, 4),
            [[7]],
        );
    });

    it("writes psql scripts that end each table with \\. and read the data from stdin", () => {
        const script = sourceScript("00000003-0000001B-1", ["COPY a TO STDOUT", "COPY (SELECT\n 1) TO STDOUT"]);
        assert.equal(
            script,
            "\\set ON_ERROR_STOP on\nSET jit = 'off';\nBEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\nSET TRANSACTION SNAPSHOT '00000003-0000001B-1';\n" +
                "COPY a TO STDOUT;\n\\qecho '\\\\.'\nCOPY (SELECT 1) TO STDOUT;\n\\qecho '\\\\.'\nCOMMIT;\n",
        );
        assert.match(sourceScript(undefined, [], { work_mem: "256MB" }), /^\\set ON_ERROR_STOP on\nSET jit = 'off';\nSET work_mem = '256MB';\nBEGIN/);
        assert.throws(() => sourceScript(undefined, [], { "x; DROP": "1" }), /not a PostgreSQL setting name/);
        assert.equal(targetScript(["\\copy a from pstdin"]), "\\set ON_ERROR_STOP on\n\\copy a from pstdin\n");
        assert.deepEqual(parseCopyTags("COPY 12\nCOPY 0\nnoise\nCOPY 3\n"), [12, 0, 3]);
    });

    it("cuts big tables into TID ranges for parallel workers, but never a table whose transform uses a window function", () => {
        const mb = 1024 * 1024;
        const { plans } = planTableCopies(
            [table("mail_message", ["id", "body"], 64 * mb), table("account_move_line", ["id", "balance"], 64 * mb), table("res_company", ["id"], 8192)],
            [
                { table: "mail_message", columns: { body: "'x'" } },
                { table: "account_move_line", columns: { balance: "t.balance - sum(t.balance) OVER (PARTITION BY t.id)" } },
            ],
        );
        const split = splitLargeTables(plans, { jobs: 2, serverVersionNum: 150004 });
        const pieces = split.filter((p) => p.table.name === "mail_message");
        assert.equal(pieces.length, 4, "a fair share is total / (jobs × 4) = 16 MiB");
        assert.equal(
            pieces[0].copyOut,
            `COPY (SELECT t."id", ('x') AS "body" FROM ONLY "public"."mail_message" t WHERE t.ctid >= '(0,0)'::tid AND t.ctid < '(2048,0)'::tid) TO STDOUT`,
        );
        assert.equal(
            pieces[3].copyOut,
            `COPY (SELECT t."id", ('x') AS "body" FROM ONLY "public"."mail_message" t WHERE t.ctid >= '(6144,0)'::tid) TO STDOUT`,
            "the last piece is open-ended",
        );
        assert.equal(split.filter((p) => p.table.name === "account_move_line").length, 1, "windowed transform: whole table");
        assert.equal(split.filter((p) => p.table.name === "res_company").length, 1);
        assert.equal(splitLargeTables(plans, { jobs: 2, serverVersionNum: 130010 }).length, 3, "no TID range scans before PostgreSQL 14");
        assert.equal(splitLargeTables(plans, { jobs: 1, serverVersionNum: 150004 }).length, 3);
    });
});
