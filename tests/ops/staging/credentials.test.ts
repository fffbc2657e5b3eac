/**
 * The streaming `staging refresh` revokes production's credentials while they stream, like
 * `snapshot create --sanitize`: with neutralize and verify switched off, the copy it swaps in
 * already holds none of the credentials planted in production. Neutralize, which still runs after
 * the load in a real refresh, is then a second line, not the only one.
 */
import * as assert from "node:assert/strict";
import { DataRules, platformDataRules } from "../../../ops/staging/dataRules";
import { refreshStaging } from "../../../ops/staging/refresh";
import { managedDatabase } from "../../support/managed";
import { connectTo, fixtureDatabase } from "../../support/odoo";
import { credentialsIn, plantCredentials } from "../../support/plantCredentials";
import { dataOnlyDump } from "../../support/realDumps";

describe("staging refresh: credentials never reach the copy (Odoo fixture, platform rules)", function () {
    this.timeout(240_000);

    it("swaps in a copy holding none of the planted credentials even before neutralize runs", async () => {
        const prod = await fixtureDatabase("cred_refresh_prod", { version: "18.0" });
        const client = await connectTo(prod.url);
        const planted = await plantCredentials(client).finally(() => client.end());
        const target = await managedDatabase("cred_refresh_stg", "old staging");
        // Only what the stream does: no neutralize after the load, and nothing for verify to refuse.
        const rules: DataRules = {
            ...platformDataRules(),
            neutralize: async () => ({ skipped: true }),
            verify: async () => ({ ok: true, findings: [], report: null }),
        };
        const report = await refreshStaging({
            fromDb: prod.url,
            toDb: target.url,
            baseUrl: "https://staging.example.com",
            seed: "credentials",
            mailHost: "mailpit",
            mailPort: 1025,
            allowDomains: ["example.com"],
            rules,
            jobs: 2,
        });
        assert.equal(report.ok, true);
        assert.ok(
            report.sanitizedTables.some((t) => t.table === "public.ir_mail_server" && t.columns.includes("smtp_pass")),
            "the mail servers are streamed with smtp_pass revoked",
        );
        assert.deepEqual(credentialsIn(await dataOnlyDump(target.url), planted), []);
        assert.equal(credentialsIn(await dataOnlyDump(prod.url), planted).length, planted.length, "production keeps every credential");
    });
});
