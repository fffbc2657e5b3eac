import * as assert from "node:assert/strict";
import { Catalog, readCatalog } from "../../../ops/odoo/catalog";
import { OdooVersion, odooVersions, parseOdooVersion } from "../../../testing/odooFixture";
import { presentIn, Series, typeIn, VersionFact, versionFacts } from "../../../ops/odoo/versions";
import { neutralizeDatabase } from "../../../ops/neutralize";
import { sanitizeDatabase } from "../../../ops/sanitize";
import { verifyDatabase } from "../../../ops/verify";
import { connectTo, fixtureDatabase } from "../../support/odoo";
import { dumpDatabase, realDumps } from "../../support/realDumps";

/** What a catalog says against one fact: a problem line, or null when it agrees (or the table is not there). */
function disagreement(catalog: Catalog, fact: VersionFact, series: Series, strictPresence: boolean): string | null {
    const table = catalog.table(fact.table);
    if (!fact.column) {
        if (!table && presentIn(fact, series) && strictPresence) return `${fact.table} missing in ${series}.0`;
        if (table && !presentIn(fact, series)) return `${fact.table} present in ${series}.0, the table says ${fact.since ?? "…"}–${fact.until ?? "…"}`;
        return null;
    }
    if (!table) return null;
    const column = table.columns.get(fact.column);
    if (!column) return presentIn(fact, series) && strictPresence ? `${fact.table}.${fact.column} missing in ${series}.0` : null;
    if (!presentIn(fact, series)) return `${fact.table}.${fact.column} present in ${series}.0, the table says ${fact.since ?? "…"}–${fact.until ?? "…"}`;
    const type = typeIn(fact, series);
    return type && column.type !== type ? `${fact.table}.${fact.column} is ${column.type} in ${series}.0, the table says ${type}` : null;
}

describe("the version table (ops/odoo/versions.ts)", function () {
    this.timeout(300_000);

    it("names, for every row, the Odoo version and the field declaration it comes from", () => {
        for (const f of versionFacts) {
            assert.ok(
                f.source.length && f.source.every((s) => /^odoo\/odoo (\d+\.0|master) \S+\.py: /.test(s)),
                `${f.table}.${f.column}: ${f.source.join(" | ")}`,
            );
            assert.ok(f.since !== undefined || f.until !== undefined || f.types, `${f.table}.${f.column} says what differs`);
        }
    });

    it("--odoo-version takes 16, 17, 18, 19 (or 16.0 …) and names the choices otherwise", () => {
        assert.equal(parseOdooVersion("16"), "16.0");
        assert.equal(parseOdooVersion("19.0"), "19.0");
        assert.throws(() => parseOdooVersion("15"), /--odoo-version must be one of 16, 17, 18, 19 \(got "15"\)/);
    });

    for (const version of odooVersions) {
        it(`the fixture in Odoo ${version}'s shape agrees with every row, and sanitize → neutralize → verify is clean on it`, async () => {
            const series = Number(version.split(".")[0]) as Series;
            const db = await fixtureDatabase(`ver_${series}`, { version: version as OdooVersion });
            const client = await connectTo(db.url);
            try {
                const catalog = await readCatalog(client);
                const problems = versionFacts.map((f) => disagreement(catalog, f, series, true)).filter(Boolean);
                assert.deepEqual(
                    problems.filter((p) => !/missing/.test(p!) || /(res_partner|mail_tracking_value|ir_cron|iap_account|ir_act_server)\./.test(p!)),
                    [],
                );
                await sanitizeDatabase(client, { seed: "v" });
                await neutralizeDatabase(client, { baseUrl: "https://staging.example.com", mailHost: "mailpit", mailPort: 1025 });
                const report = await verifyDatabase(client, { baseUrl: "https://staging.example.com", mailHosts: ["mailpit"] });
                assert.deepEqual(
                    report.findings.map((f) => `${f.table}.${f.column}: ${f.message}`),
                    [],
                );
            } finally {
                await client.end();
            }
        });
    }

    for (const dump of realDumps()) {
        it(`agrees with the real ${dump.name} dump (Odoo ${dump.series}.0) wherever it has the table`, async () => {
            const client = await connectTo((await dumpDatabase(dump, "facts")).url);
            try {
                const catalog = await readCatalog(client);
                assert.deepEqual(versionFacts.map((f) => disagreement(catalog, f, dump.series as Series, false)).filter(Boolean), []);
            } finally {
                await client.end();
            }
        });
    }
});
