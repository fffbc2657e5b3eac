import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { copyDatabase } from "../../../ops/postgres/copyDatabase";
import { pgTools } from "../../../ops/postgres/tools";
import { sanitizeDatabase } from "../../../ops/sanitize";
import { createSnapshot } from "../../../ops/snapshot/create";
import { restoreSnapshot } from "../../../ops/snapshot/restore";
import { platformDataRules } from "../../../ops/staging/dataRules";
import { fixtureDatabase } from "../../support/odoo";
import { freshDatabase } from "../../support/postgres";
import { query, tableDigest } from "../../support/smallDb";
import { seedMatchesFingerprint } from "../../../ops/core/secrets";
import { proveNoPersonalData } from "../../support/managed";

/** Every user table's content digest, except the sanitizer's own date marker. */
async function digests(url: string): Promise<Record<string, string>> {
    const tables = await query<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    const out: Record<string, string> = {};
    for (const { t } of tables) {
        out[t] =
            t === "ir_config_parameter"
                ? await tableDigest(url, `(SELECT * FROM ir_config_parameter WHERE key NOT LIKE 'odoo_platform.sanitize.%') AS`)
                : await tableDigest(url, `"${t}"`);
    }
    return out;
}

describe("sanitizing while streaming (Odoo-shaped fixture, platform rules)", function () {
    this.timeout(180000);
    const seed = "stream-test";
    let inPlace: Record<string, string>;

    before(async () => {
        const db = await fixtureDatabase("san_inplace");
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
            await sanitizeDatabase(client, { seed });
        } finally {
            await client.end();
        }
        inPlace = await digests(db.url);
    });

    it("writes exactly what the in-place sanitize writes, with every move still balanced", async () => {
        const source = await fixtureDatabase("san_src");
        const before = await digests(source.url);
        const target = await freshDatabase("san_stream");
        const rules = platformDataRules();
        let financial = false;
        const report = await copyDatabase({
            tools: pgTools(),
            sourceUrl: source.url,
            targetUrl: target.url,
            jobs: 2,
            minChunkBytes: 64 * 1024,
            transforms: async (snapshot) => {
                const plan = await rules.sanitizePlan(snapshot.client, { seed, strict: false });
                financial = plan.financial;
                return plan.transforms;
            },
        });
        assert.ok(financial, "the fixture has books: amounts are scaled");
        assert.ok(report.transformedTables.some((t) => t.table === "public.account_move_line"));
        assert.deepEqual(await digests(target.url), inPlace, "stream = in-place, table by table");
        assert.deepEqual(await digests(source.url), before, "the source is unchanged");
        const unbalanced = await query(
            target.url,
            "SELECT move_id FROM account_move_line GROUP BY move_id HAVING sum(debit) <> sum(credit) OR sum(balance) <> 0",
        );
        assert.deepEqual(unbalanced, []);
    });

    it("gives the same data through a sanitized snapshot", async () => {
        const source = await fixtureDatabase("san_snap_src");
        const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-san-")), "snap");
        const rules = platformDataRules();
        const created = await createSnapshot({
            dbUrl: source.url,
            to: dir,
            sanitize: { seed, strict: false, plan: (s) => rules.sanitizePlan(s.client, { seed, strict: false }) },
        });
        assert.equal(created.manifest.sanitize!.financial, true);
        assert.equal(created.manifest.odoo.series, "17.0");
        // The seed unlocks the real amounts: the snapshot carries only its fingerprint.
        const manifestText = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");
        assert.ok(!manifestText.includes(seed), "the seed must not be stored in the snapshot");
        assert.ok(seedMatchesFingerprint(seed, created.manifest.sanitize!.seedFingerprint), "the fingerprint checks out with the seed");
        const target = await freshDatabase("san_snap_dst");
        await restoreSnapshot({ from: dir, dbUrl: target.url, requireSanitized: true, proveSanitized: proveNoPersonalData });
        assert.deepEqual(await digests(target.url), inPlace);
    });
});
