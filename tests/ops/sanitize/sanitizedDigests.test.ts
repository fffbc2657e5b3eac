/**
 * The streaming copy's sanitized output, table by table, against digests recorded from the
 * implementation before the sanitize/verify speed-ups (tests/fixtures/sanitizedDigests.json): a
 * faster query plan must write exactly the same rows. The fixture and the seed are deterministic;
 * tables holding a generation-time clock (`create_date DEFAULT now()`) and the sanitizer's own date
 * marker are left out.
 *
 * To record the digests again after an intended change of the output:
 *   ODOO_PLATFORM_RECORD_DIGESTS=1 npx mocha --timeout 120000 tests/ops/sanitize/sanitizedDigests.test.ts
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { copyDatabase } from "../../../ops/postgres/copyDatabase";
import { pgTools } from "../../../ops/postgres/tools";
import { platformDataRules } from "../../../ops/staging/dataRules";
import { fixtureDatabase } from "../../support/odoo";
import { freshDatabase } from "../../support/postgres";
import { query, tableDigest } from "../../support/smallDb";

const recorded = path.join(__dirname, "..", "..", "fixtures", "sanitizedDigests.json");
const seed = "digest-test";
/** Tables whose fixture rows carry the clock of their generation. */
const clocked = new Set(["res_users_apikeys", "auth_totp_device"]);

async function digests(url: string): Promise<Record<string, string>> {
    const tables = await query<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    const out: Record<string, string> = {};
    for (const { t } of tables) {
        if (clocked.has(t)) continue;
        out[t] =
            t === "ir_config_parameter"
                ? await tableDigest(url, `(SELECT * FROM ir_config_parameter WHERE key NOT LIKE 'odoo_platform.sanitize.%') AS`)
                : await tableDigest(url, `"${t}"`);
    }
    return out;
}

describe("sanitized output is unchanged (digests of the fixture, streaming copy, platform rules)", function () {
    this.timeout(180000);

    const cases = [
        { version: "17.0", parts: false },
        { version: "16.0", parts: false },
        // The financial query cut into parts by move-id range (about 300 lines each: 8 parts over
        // two workers, so each worker reads several parts one after the other).
        { version: "17.0", parts: true },
    ] as const;
    for (const { version, parts } of cases) {
        it(`writes the recorded rows on the Odoo ${version} fixture${parts ? ", the financial query in parts by move range" : ""}`, async () => {
            const tag = `${version.replace(".", "")}${parts ? "p" : ""}`;
            const source = await fixtureDatabase(`dig_src_${tag}`, { scale: 0.004, version });
            const target = await freshDatabase(`dig_dst_${tag}`);
            const rules = platformDataRules();
            if (parts) await query(source.url, "ANALYZE account_move_line");
            let pieces = 0;
            const report = await copyDatabase({
                tools: pgTools(),
                sourceUrl: source.url,
                targetUrl: target.url,
                jobs: 2,
                minChunkBytes: 64 * 1024,
                transforms: async (snapshot) => {
                    const planned = await rules.sanitizePlan(snapshot.client, { seed, strict: false, financeLinesPerPart: parts ? 300 : 0 });
                    pieces = planned.transforms.find((t) => t.table === "account_move_line")?.pieces?.length ?? 0;
                    return planned.transforms;
                },
            });
            if (parts) assert.ok(pieces >= 6, `the financial query is cut into parts (${pieces})`);
            else assert.equal(pieces, 0);
            // A table read in parts is reported once, with all its rows.
            const reported = report.transformedTables.map((t) => t.table);
            assert.deepEqual(reported, [...new Set(reported)]);
            const [{ n: lines }] = await query<{ n: string }>(source.url, "SELECT count(*) AS n FROM account_move_line");
            assert.equal(report.transformedTables.find((t) => t.table === "public.account_move_line")?.rows, Number(lines));
            assert.equal(report.tablesWithRows, new Set(report.copies.map((c) => c.table)).size);
            const actual = await digests(target.url);
            const all: Record<string, Record<string, string>> = fs.existsSync(recorded) ? JSON.parse(fs.readFileSync(recorded, "utf8")) : {};
            if (process.env.ODOO_PLATFORM_RECORD_DIGESTS && !parts) {
                all[version] = actual;
                fs.writeFileSync(recorded, `${JSON.stringify(all, null, 2)}\n`);
                return;
            }
            assert.ok(all[version], `no digests recorded for ${version} in ${recorded}`);
            const financial = ["account_move", "account_move_line", "account_payment", "account_partial_reconcile"];
            for (const t of financial) assert.ok(actual[t] && all[version][t], `${t} is in the fixture and in the recorded digests`);
            assert.deepEqual(actual, all[version], "every sanitized table is identical to the recorded implementation's");
        });
    }
});
