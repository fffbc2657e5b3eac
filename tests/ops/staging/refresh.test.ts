import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { refreshStaging, RefreshOptions } from "../../../ops/staging/refresh";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { query, seedSmallDb, tableDigest } from "../../support/smallDb";
import { markManaged } from "../../support/managed";
import { testRules } from "../../support/testRules";

async function databases(prefix: string): Promise<string[]> {
    const pg = await testPostgres();
    return (await query<{ datname: string }>(pg.url, `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%' ORDER BY 1`)).map((r) => r.datname);
}

describe("staging refresh (pipeline orchestration, test rules)", function () {
    this.timeout(120000);
    let source: { url: string; name: string };

    before(async () => {
        source = await freshDatabase("refresh_src");
        await seedSmallDb(source.url, { partners: 800, lines: 5000 });
    });

    const options = (toDb: string, extra: Partial<RefreshOptions> = {}): RefreshOptions => ({
        fromDb: source.url,
        toDb,
        baseUrl: "https://staging.example.com",
        seed: "s",
        mailHost: "mailpit",
        mailPort: 1025,
        allowDomains: ["example.com"],
        rules: testRules(),
        jobs: 2,
        ...extra,
    });

    it("streams, sanitizes, neutralizes, verifies and swaps, reporting every step", async () => {
        const target = await freshDatabase("refresh_dst");
        await seedSmallDb(target.url, { partners: 2, lines: 2, marker: "old staging" });
        await markManaged(target.name);
        const report = await refreshStaging(options(target.url));
        assert.equal(report.ok, true);
        assert.equal(report.mode, "stream");
        assert.deepEqual(
            report.steps.map((s) => s.step),
            ["prepare", "schema", "copy + sanitize", "indexes", "neutralize", "verify", "swap"],
        );
        const copy = report.steps.find((s) => s.step === "copy + sanitize")!;
        assert.equal(copy.rows, 800 + 5000 + 1 + 1 + 1);
        assert.ok(copy.rowsPerSecond! > 0);
        assert.deepEqual(report.sanitizedTables, [{ table: "public.res_partner", columns: ["email"], rows: 800 }]);
        const [marker] = await query<{ note: string }>(target.url, "SELECT note FROM marker");
        assert.equal(marker.note, "neutralized for https://staging.example.com");
        const [partners] = await query<{ bad: string }>(
            target.url,
            "SELECT count(*) FILTER (WHERE email NOT LIKE 'test+%@example.com')::text AS bad FROM res_partner",
        );
        assert.equal(partners.bad, "0");
        assert.equal(await tableDigest(target.url, "account_move_line"), await tableDigest(source.url, "account_move_line"));
        const [src] = await query<{ note: string }>(source.url, "SELECT note FROM marker");
        assert.equal(src.note, "source", "nothing written on the source");
        assert.deepEqual(await databases(`${target.name}__`), [report.swap!.previous], "the replaced staging is kept as the previous generation");
    });

    it("does not swap when verify finds something: exit 1, the live database unchanged, the copy dropped", async () => {
        const target = await freshDatabase("refresh_fail");
        await seedSmallDb(target.url, { partners: 2, lines: 2, marker: "old staging" });
        await markManaged(target.name);
        const report = await refreshStaging(options(target.url, { rules: testRules({ sanitize: false }) }));
        assert.equal(report.ok, false);
        assert.equal(report.exitCode, 1);
        assert.equal(report.swap, null);
        assert.match(report.verify.findings[0], /res_partner.email: 800 addresses outside example.com/);
        assert.equal(report.steps[report.steps.length - 1].step, "discard");
        const [marker] = await query<{ note: string }>(target.url, "SELECT note FROM marker");
        assert.equal(marker.note, "old staging");
        assert.deepEqual(await databases(`${target.name}__`), []);
    });

    it("goes through a sanitized snapshot with --via and swaps the filestore with the database", async () => {
        const target = await freshDatabase("refresh_via");
        const via = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-via-"));
        const fromFs = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-fs-"));
        fs.writeFileSync(path.join(fromFs, "a1"), "attachment");
        const toFs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-fs-")), target.name);
        const report = await refreshStaging(options(target.url, { via, fromFilestore: fromFs, toFilestore: toFs }));
        assert.equal(report.ok, true);
        assert.deepEqual(
            report.steps.map((s) => s.step),
            ["prepare", "snapshot + sanitize", "checksums", "restore", "neutralize", "verify", "swap"],
        );
        assert.equal(report.sourceSnapshotSeconds, null, "through a snapshot, the streaming copy's hold is not measured");
        assert.equal(report.sourceTempFiles, null);
        assert.ok(report.snapshot && fs.existsSync(path.join(report.snapshot, "manifest.json")));
        assert.equal(fs.readFileSync(path.join(toFs, "a1"), "utf8"), "attachment");
        const [partners] = await query<{ n: string; bad: string }>(
            target.url,
            "SELECT count(*)::text AS n, count(*) FILTER (WHERE email NOT LIKE 'test+%@example.com')::text AS bad FROM res_partner",
        );
        assert.deepEqual(partners, { n: "800", bad: "0" });
    });

    it("refuses bad input before anything changes", async () => {
        const target = await freshDatabase("refresh_bad");
        await assert.rejects(refreshStaging(options(target.url, { baseUrl: "staging.example.com" })), /--base-url must be/);
        await assert.rejects(refreshStaging(options(source.url)), /is the source database/);
        await assert.rejects(refreshStaging(options(target.url, { fromFilestore: "/nonexistent" })), /--from-filestore and --to-filestore go together/);
        assert.deepEqual(await databases(`${target.name}__`), []);
    });
});
