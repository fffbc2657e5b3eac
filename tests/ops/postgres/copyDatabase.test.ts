import * as assert from "node:assert/strict";
import { copyDatabase, openSourceSnapshot, releaseSourceSessions, sourceApplicationName, sourceReaderSettings } from "../../../ops/postgres/copyDatabase";
import { pgTools } from "../../../ops/postgres/tools";
import { freshDatabase } from "../../support/postgres";
import { query, seedSmallDb, tableDigest } from "../../support/smallDb";

describe("copyDatabase (streaming copy with transforms)", function () {
    this.timeout(60000);

    it("reports how long the source's snapshot was held and the temporary files written there meanwhile", async () => {
        const source = await freshDatabase("copy_tmp_src");
        await seedSmallDb(source.url, { partners: 300, lines: 30000 });
        const copy = async (settings: Record<string, string>) =>
            copyDatabase({
                tools: pgTools(),
                sourceUrl: source.url,
                targetUrl: (await freshDatabase("copy_tmp_dst")).url,
                jobs: 1,
                sourceSettings: settings,
                // A read that sorts every line: with the smallest work_mem the sort spills to disk on the source.
                transforms: async () => [
                    { table: "account_move_line", columns: { id: "t.id" }, from: "(SELECT * FROM ONLY public.account_move_line ORDER BY md5(id::text)) t" },
                ],
            });
        const spilled = await copy({ work_mem: "64kB" });
        assert.ok(
            spilled.sourceTempFiles && spilled.sourceTempFiles.files >= 1 && spilled.sourceTempFiles.bytes > 100_000,
            JSON.stringify(spilled.sourceTempFiles),
        );
        assert.ok(spilled.sourceSnapshotSeconds >= spilled.phases.schema + spilled.phases.data - 0.05, `${spilled.sourceSnapshotSeconds}`);
        const inMemory = await copy({ work_mem: "64MB" });
        assert.deepEqual(inMemory.sourceTempFiles, { files: 0, bytes: 0 });
    });

    it("copies every row exactly, in TID-range pieces on parallel workers, with transforms applied and the source untouched", async () => {
        const source = await freshDatabase("copy_src");
        await seedSmallDb(source.url, { partners: 3000, lines: 30000 });
        const target = await freshDatabase("copy_dst");
        const sourceBefore = await tableDigest(source.url, "res_partner");
        const report = await copyDatabase({
            tools: pgTools(),
            sourceUrl: source.url,
            targetUrl: target.url,
            jobs: 3,
            minChunkBytes: 64 * 1024,
            transforms: async () => [{ table: "res_partner", columns: { email: "'test+' || t.id || '@example.com'" } }],
        });
        assert.equal(report.rows, 3000 + 30000 + 1 + 1 + 1);
        assert.equal(report.odooVersion, "17.0.1.3");
        assert.deepEqual(report.transformedTables, [{ table: "public.res_partner", columns: ["email"], rows: 3000 }]);
        assert.equal(await tableDigest(target.url, "account_move_line"), await tableDigest(source.url, "account_move_line"));
        assert.equal(
            await tableDigest(target.url, "(SELECT id, name, comment, photo FROM res_partner) AS"),
            await tableDigest(source.url, "(SELECT id, name, comment, photo FROM res_partner) AS"),
        );
        const [emails] = await query<{ bad: string }>(
            target.url,
            "SELECT count(*) FILTER (WHERE email <> 'test+' || id || '@example.com')::text AS bad FROM res_partner",
        );
        assert.equal(emails.bad, "0");
        assert.equal(await tableDigest(source.url, "res_partner"), sourceBefore, "the source is only read");
        const [constraints] = await query<{ n: string }>(
            target.url,
            "SELECT count(*)::text AS n FROM pg_constraint WHERE conrelid = 'account_move_line'::regclass",
        );
        assert.equal(constraints.n, "2", "primary key and foreign key built after the data");
    });

    it("puts statement, lock and idle-in-transaction limits on every session it opens on the source, and can end them all", async () => {
        const source = await freshDatabase("copy_limits");
        await seedSmallDb(source.url, { partners: 10, lines: 10 });
        const snapshot = await openSourceSnapshot(source.url, pgTools());
        try {
            const { rows } = await snapshot.client.query<{ s: string; l: string; i: string; a: string }>(
                "SELECT current_setting('statement_timeout') AS s, current_setting('lock_timeout') AS l, current_setting('idle_in_transaction_session_timeout') AS i, current_setting('application_name') AS a",
            );
            assert.deepEqual(rows[0], { s: "10min", l: "1min", i: "10min", a: sourceApplicationName });
            assert.deepEqual(sourceReaderSettings(150000), {
                statement_timeout: "6h",
                lock_timeout: "60s",
                idle_in_transaction_session_timeout: "10min",
                client_connection_check_interval: "2s",
            });
            assert.equal(sourceReaderSettings(130000).client_connection_check_interval, undefined, "PostgreSQL 13 does not know the setting");
            assert.equal(await releaseSourceSessions(source.url), 1, "the snapshot holder is ended");
            const [left] = await query<{ n: string }>(
                source.url,
                `SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = '${sourceApplicationName}'`,
            );
            assert.equal(left.n, "0");
        } finally {
            await snapshot.close();
        }
    });
});
