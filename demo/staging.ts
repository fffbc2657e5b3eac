/**
 * `npm run demo:staging` — the staging pipeline for real, with no setup, in well under a minute:
 * a throwaway PostgreSQL, a small Odoo-shaped "production" database full of personal data and live
 * integrations (ops/odoo fixture), an old staging database, then `staging refresh` end to end.
 * Prints what verify finds in production, the per-step report, and verify's verdict on staging.
 */
import { Client } from "pg";
import { createOdooSchema, fixtureProduction, parseOdooVersion, seedOdooFixture } from "../testing/odooFixture";
import { startThrowawayPostgres } from "../testing/throwawayPostgres";
import { platformDataRules } from "../ops/staging/dataRules";
import { refreshStaging } from "../ops/staging/refresh";
import { renderStepTable } from "../ops/staging/report";
import { exitWhenFlushed } from "../ops/core/exit";

const scale = Number(process.env.DEMO_SCALE ?? "0.02");
/** `npm run demo:staging -- --odoo-version 18` (or DEMO_ODOO_VERSION): the shape of the demo's Odoo database. */
const versionArg = process.argv.indexOf("--odoo-version");
const odooVersion = parseOdooVersion(versionArg > 0 ? (process.argv[versionArg + 1] ?? "") : (process.env.DEMO_ODOO_VERSION ?? "17"));
const say = (text = "") => process.stdout.write(`${text}\n`);

async function main(): Promise<number> {
    const started = Date.now();
    say("odoo-platform staging demo: production → sanitized, neutralized, verified staging\n");
    const pg = await startThrowawayPostgres();
    try {
        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        await admin.query("CREATE DATABASE odoo_production");
        await admin.query("CREATE DATABASE odoo_staging");
        await admin.end();

        const prod = new Client({ connectionString: pg.urlFor("odoo_production") });
        await prod.connect();
        await createOdooSchema(prod, { version: odooVersion });
        const counts = await seedOdooFixture(prod, { scale, seed: "demo", version: odooVersion });
        say(`1. "production" (${fixtureProduction.companyName}, ${fixtureProduction.baseUrl}) at scale ${scale}, Odoo ${odooVersion} shape:`);
        say(
            `   ${counts.partners} partners, ${counts.moveLines} journal items, ${counts.messages} chatter messages, ` +
                `live crons, mail servers (${fixtureProduction.smtpHosts.join(", ")}), payment keys, API keys …`,
        );
        const rules = platformDataRules();
        const before = await rules.verify(prod, { allowDomains: ["example.com", "staging.demo.example.com"] });
        await prod.end();
        say(`   verify on production finds ${before.findings.length} problems, e.g.:`);
        for (const f of before.findings.slice(0, 6)) say(`     - ${f}`);

        const old = new Client({ connectionString: pg.urlFor("odoo_staging") });
        await old.connect();
        await old.query("CREATE TABLE note (text text); INSERT INTO note VALUES ('last month''s staging')");
        await old.end();

        say("\n2. staging refresh (progress on stderr):");
        const report = await refreshStaging({
            fromDb: pg.urlFor("odoo_production"),
            toDb: pg.urlFor("odoo_staging"),
            baseUrl: "https://staging.demo.example.com",
            seed: "demo",
            mailHost: "mailpit",
            mailPort: 1025,
            allowDomains: ["example.com", "staging.demo.example.com"],
            jobs: 2,
            rules,
            progress: { step: (s) => process.stderr.write(`   … ${s}\n`), update: () => undefined, done: () => undefined },
        });
        say("");
        say(renderStepTable(report.steps, report.totalSeconds).replace(/^/gm, "   "));
        say(`\n   sanitized while copying: ${report.sanitizedTables.map((t) => `${t.table.replace(/^public\./, "")} (${t.columns.length})`).join(", ")}`);

        say("\n3. verify on the new staging database:");
        if (report.ok) {
            say(`   clean — swapped in as odoo_staging, unavailable ${report.swap!.unavailableSeconds.toFixed(3)} s; the old staging database was dropped`);
        } else {
            say(`   ${report.verify.findings.length} findings — nothing swapped, old staging untouched:`);
            for (const f of report.verify.findings) say(`     - ${f}`);
        }
        say(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return report.exitCode;
    } finally {
        pg.stop();
    }
}

main().then(
    (code) => exitWhenFlushed(code),
    (err) => {
        process.stderr.write(`demo failed: ${(err as Error).stack ?? err}\n`);
        exitWhenFlushed(1);
    },
);
