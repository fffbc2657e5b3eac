import * as assert from "node:assert/strict";
import type { Client } from "pg";
import { readCatalog } from "../../../ops/odoo/catalog";
import { emailPattern, phonePattern } from "../../../ops/pii/patterns";
import { markSanitized, sanitizeDatabase, sanitizeMarkers, SanitizeReport, sanitizeRules, sanitizeTransforms, transformSelectSql } from "../../../ops/sanitize";
import { actions } from "../../../ops/sanitize/actions";
import { bookViolations } from "../../support/books";
import { connectTo, databaseChecksums, fixtureDatabase, tableChecksum } from "../../support/odoo";

/** Rules whose values may legitimately stay as they were (and what else must then hold). */
const mayKeep: Record<string, string> = {
    "base.res_partner.name": "companies and technical partners keep their name",
    "base.res_partner.complete_name": "companies keep theirs",
    "base.res_partner.commercial_company_name": "company names kept by default",
    "base.res_partner.company_name": "company names kept by default",
    "base.res_company.name": "company names kept by default",
    "crm.crm_lead.partner_name": "company names kept by default",
    "account.account_move_line.name": "labels of product and invoice lines are kept (scrubbed); bank statement items are replaced",
    "base.res_users.login": "admin and technical logins",
    "base.res_partner_bank.acc_holder_name": "company holders kept by default",
    "account.account_move.invoice_partner_display_name": "company customers kept by default",
    "mail.mail_message.record_name": "record names without personal data (invoice numbers)",
    "mail.mail_message.message_id": "ids already on example.com",
    "mail.mail_tracking_value.old_value_char": "non-personal tracked values (states)",
    "mail.mail_tracking_value.new_value_char": "non-personal tracked values (states)",
};

/** The ir_model_fields id of a rule applied to a company-dependent field's ir_property rows (until 17.0), or null. */
const propertyField = (outcome: { status: string; reason?: string }): number | null => {
    const m = outcome.status === "applied" ? /^company-dependent: the ir_property rows of field (\d+)$/.exec(outcome.reason ?? "") : null;
    return m ? Number(m[1]) : null;
};

async function values(client: Client, outcome: { table: string; column: string; status: string; reason?: string }): Promise<Map<string, string | null>> {
    const field = propertyField(outcome);
    const { rows } =
        field === null
            ? await client.query(`SELECT id::text AS id, "${outcome.column}"::text AS v FROM "${outcome.table}" ORDER BY id`)
            : await client.query("SELECT id::text AS id, value_text AS v FROM ir_property WHERE fields_id = $1 ORDER BY id", [field]);
    return new Map(rows.map((r) => [r.id, r.v]));
}

const withoutMarkers = (sums: Record<string, string>): Record<string, string> => ({ ...sums, ir_config_parameter: "(markers differ by date)" });

describe("db sanitize", function () {
    this.timeout(120_000);
    let original: Client;
    let sanitized: Client;
    let report: SanitizeReport;

    before(async () => {
        const [a, b] = await Promise.all([fixtureDatabase("san_orig"), fixtureDatabase("san_done")]);
        original = await connectTo(a.url);
        sanitized = await connectTo(b.url);
        report = await sanitizeDatabase(sanitized, { seed: "seed-1" });
    });
    after(async () => {
        await original?.end();
        await sanitized?.end();
    });

    it("applies every rule whose table and column exist, and reports the others as skipped with the reason", async () => {
        const catalog = await readCatalog(original);
        for (const rule of sanitizeRules) {
            const outcome = report.rules.find((r) => r.rule === `${rule.module}.${rule.table}.${rule.column}`)!;
            assert.ok(outcome, rule.column);
            // A company-dependent field (res.partner's barcode until 17.0) has no column: its rule runs on its ir_property rows.
            const inProperties =
                !catalog.hasColumn(rule.table, rule.column) &&
                catalog.hasTable("ir_property") &&
                (
                    await original.query(
                        `SELECT 1 FROM ir_property p JOIN ir_model_fields f ON f.id = p.fields_id
                          WHERE replace(f.model, '.', '_') = $1 AND f.name = $2 LIMIT 1`,
                        [rule.table, rule.column],
                    )
                ).rows.length > 0;
            if (inProperties && outcome.status === "skipped")
                assert.match(outcome.reason!, /^company-dependent .*needs the record's other columns/, outcome.rule);
            else assert.equal(outcome.status, catalog.hasColumn(rule.table, rule.column) || inProperties ? "applied" : "skipped", outcome.rule);
            if (outcome.status === "skipped" && !inProperties) assert.match(outcome.reason!, /does not exist/);
            if (inProperties && outcome.status === "applied") assert.ok(propertyField(outcome), `${outcome.rule}: applied to its ir_property rows`);
            assert.ok(rule.action in actions, `${outcome.rule}: unknown action ${rule.action}`);
        }
        assert.ok(
            report.rules.some((r) => r.status === "skipped" && r.table === "mail_activity"),
            "the fixture has no mail_activity: reported",
        );
        assert.ok(propertyField(report.rules.find((r) => r.rule === "base.res_partner.barcode")!), "the fixture's barcodes are in ir_property (17.0)");
    });

    it("replaces every value each applied rule covers (or, where a rule may keep it, leaves no e-mail or phone in it)", async () => {
        const email = emailPattern(["example.com"]);
        const phone = phonePattern();
        for (const outcome of report.rules.filter((r) => r.status === "applied")) {
            const before = await values(original, outcome);
            const after = await values(sanitized, outcome);
            const kept = [...before].filter(([id, v]) => v !== null && v !== "" && after.get(id) === v);
            if (outcome.action === "nullify") {
                assert.ok(
                    [...after.values()].every((v) => v === null),
                    `${outcome.rule} must be emptied`,
                );
            } else if (mayKeep[outcome.rule] || outcome.action === "scrub") {
                for (const [, v] of kept) {
                    const { rows } = await sanitized.query("SELECT $1 ~* $2 AS e, $1 ~ $3 AS p", [v, email, phone]);
                    assert.ok(!rows[0].e && !rows[0].p, `${outcome.rule} kept a value with an e-mail or phone: ${String(v).slice(0, 80)}`);
                }
            } else {
                assert.equal(kept.length, 0, `${outcome.rule}: ${kept.length} value(s) unchanged, e.g. ${kept[0]?.[1]}`);
            }
        }
    });

    it("writes e-mails as test+<id>@example.com, keeps admin's login, and keeps a person consistent across tables", async () => {
        const { rows: partners } = await sanitized.query("SELECT id, email, email_normalized FROM res_partner WHERE email IS NOT NULL ORDER BY id LIMIT 50");
        for (const p of partners) assert.equal(p.email, `test+${p.id}@example.com`);
        const { rows: admin } = await sanitized.query("SELECT login FROM res_users WHERE id = 2");
        assert.equal(admin[0].login, "admin");
        const { rows: users } = await sanitized.query(
            "SELECT u.signature, p.name, u.login FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id > 3",
        );
        for (const u of users) {
            assert.ok(u.signature.includes(u.name), `signature ${u.signature} shows ${u.name}`);
            assert.match(u.login, /^(test\+user\d+@example\.com)$/);
        }
        const { rows: employees } = await sanitized.query(
            "SELECT e.name, p.name AS contact, e.work_email, p.email FROM hr_employee e JOIN res_partner p ON p.id = e.work_contact_id",
        );
        for (const e of employees) assert.deepEqual([e.name, e.work_email], [e.contact, e.email]);
        const { rows: chatter } = await sanitized.query(
            "SELECT m.email_from, p.name, p.email FROM mail_message m JOIN res_partner p ON p.id = m.author_id WHERE NOT p.is_company LIMIT 50",
        );
        for (const m of chatter) assert.equal(m.email_from, `"${m.name}" <${m.email}>`);
    });

    it("keeps the books usable: every move balanced, paid invoices exactly paid, every partial equal to what it reconciles", async () => {
        const violations = await bookViolations(sanitized);
        assert.deepEqual(
            Object.entries(violations).filter(([, n]) => n),
            [],
        );
        assert.deepEqual(
            Object.entries(await bookViolations(original)).filter(([, n]) => n),
            [],
            "the fixture itself is sound",
        );
        assert.equal(report.financial.applied, true);
        assert.equal(report.financial.roundingOnReconciledLines, 0);
    });

    it("scales each commercial partner's documents by one factor in [0.8, 1.2], and every amount moves", async () => {
        const q = "SELECT m.id, m.commercial_partner_id AS cp, m.amount_total::float8 AS t FROM account_move m WHERE m.amount_total <> 0 ORDER BY id";
        const [a, b] = [(await original.query(q)).rows, (await sanitized.query(q)).rows];
        const ratios = new Map<number, number[]>();
        a.forEach((row, i) => {
            const list = ratios.get(row.cp ?? 0) ?? [];
            list.push(b[i].t / row.t);
            ratios.set(row.cp ?? 0, list);
        });
        let unchanged = 0;
        for (const list of ratios.values()) {
            for (const r of list) {
                assert.ok(r > 0.79 && r < 1.21, `ratio ${r}`);
                if (r === 1) unchanged++;
            }
            assert.ok(Math.max(...list) - Math.min(...list) < 0.01, `one factor per commercial partner: ${list}`);
        }
        assert.ok(unchanged < a.length / 100, `${unchanged} totals unchanged`);
    });

    it("is idempotent: sanitizing again (same seed) changes nothing, amounts are not scaled twice", async () => {
        const before = withoutMarkers(await databaseChecksums(sanitized));
        const again = await sanitizeDatabase(sanitized, { seed: "seed-1" });
        assert.equal(again.financial.applied, false);
        assert.match(again.financial.reason!, /already applied/);
        assert.deepEqual(withoutMarkers(await databaseChecksums(sanitized)), before);
    });

    it("is deterministic by seed: same fixture and seed give identical tables, another seed gives others", async () => {
        const [x, y, z] = await Promise.all([fixtureDatabase("san_det"), fixtureDatabase("san_det"), fixtureDatabase("san_det")]);
        const sums: Record<string, string>[] = [];
        for (const [db, seed] of [
            [x, "seed-1"],
            [y, "seed-1"],
            [z, "seed-2"],
        ] as const) {
            const client = await connectTo(db.url);
            await sanitizeDatabase(client, { seed });
            sums.push(withoutMarkers(await databaseChecksums(client)));
            await client.end();
        }
        assert.deepEqual(sums[0], sums[1]);
        assert.deepEqual(sums[0], withoutMarkers(await databaseChecksums(sanitized)), "equal to the first run too");
        for (const table of ["res_partner", "account_move_line", "mail_message"]) assert.notEqual(sums[0][table], sums[2][table], table);
    });

    it("streams: each transform's SELECT, run on the original, yields exactly the rows sanitizeDatabase wrote", async () => {
        const source = await connectTo((await fixtureDatabase("san_stream")).url);
        try {
            const transforms = await sanitizeTransforms(source, { seed: "seed-1" });
            const catalog = await readCatalog(source);
            assert.ok(
                transforms.some((t) => t.from),
                "financial transforms bring their own row source",
            );
            for (const t of transforms) {
                const columns = [...catalog.table(t.table)!.columns.keys()];
                const streamed = await source.query(`SELECT md5(string_agg(r::text, '|' ORDER BY r::text)) AS s FROM (${transformSelectSql(t, columns)}) r`);
                assert.equal(streamed.rows[0].s, await tableChecksum(sanitized, t.table), t.table);
            }
            await markSanitized(source, { financial: true });
            assert.equal((await source.query("SELECT value FROM ir_config_parameter WHERE key = $1", [sanitizeMarkers.financial])).rows[0].value, "scaled");
        } finally {
            await source.end();
        }
    });

    it("rewrites and swaps big tables with the same result as updating in place, keeping keys, indexes, foreign keys, sequences", async () => {
        const client = await connectTo((await fixtureDatabase("san_rewrite")).url);
        try {
            const schema = async () =>
                (
                    await client.query(`SELECT
                (SELECT string_agg(d, E'\\n' ORDER BY d) FROM (SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d
                  FROM pg_constraint WHERE connamespace = 'public'::regnamespace) x) AS constraints,
                (SELECT string_agg(indexdef, E'\n' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public') AS indexes,
                (SELECT string_agg(c.relname || ' ' || coalesce(obj_description(c.oid, 'pg_class'), ''), ',' ORDER BY c.relname) FROM pg_class c
                  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r') AS tables`)
                ).rows[0];
            const before = await schema();
            await client.query("CREATE VIEW x_partner_emails AS SELECT id, email FROM res_partner");
            const rewritten = await sanitizeDatabase(client, { seed: "seed-1", rewriteMinBytes: 0 });
            await client.query("DROP VIEW x_partner_emails");
            const methods = Object.fromEntries(rewritten.tables.map((t) => [t.table, t]));
            assert.equal(methods.mail_message.method, "rewrite");
            assert.equal(methods.account_move_line.method, "rewrite");
            assert.equal(methods.res_partner.method, "update");
            assert.match(methods.res_partner.note!, /views or rules depend on it/);
            assert.deepEqual(await schema(), before);
            assert.deepEqual(withoutMarkers(await databaseChecksums(client)), withoutMarkers(await databaseChecksums(sanitized)));
            const { rows } = await client.query("SELECT nextval('account_move_line_id_seq') > (SELECT max(id) FROM account_move_line) AS ok");
            assert.equal(rows[0].ok, true, "the id sequence still follows the table");
            assert.deepEqual(
                Object.entries(await bookViolations(client)).filter(([, n]) => n),
                [],
            );
        } finally {
            await client.end();
        }
    });

    it("replaces company names too with keepCompanyNames: false", async () => {
        const client = await connectTo((await fixtureDatabase("san_companies")).url);
        try {
            const before = (await client.query("SELECT id, name FROM res_partner WHERE is_company AND id > 4 ORDER BY id")).rows;
            await sanitizeDatabase(client, { seed: "seed-1", keepCompanyNames: false, skipFinance: true });
            const after = (await client.query("SELECT id, name, commercial_company_name FROM res_partner WHERE is_company AND id > 4 ORDER BY id")).rows;
            after.forEach((row, i) => {
                assert.notEqual(row.name, before[i].name);
                assert.equal(row.commercial_company_name, row.name, "the company's own commercial name follows");
            });
        } finally {
            await client.end();
        }
    });

    it("scrubs an undeclared custom table only with --strict", async () => {
        for (const strict of [false, true]) {
            const client = await connectTo((await fixtureDatabase("san_strict")).url);
            try {
                await client.query(`CREATE TABLE x_partner_notes (id serial PRIMARY KEY, note text, meta jsonb)`);
                await client.query(`INSERT INTO x_partner_notes (note, meta) VALUES ('Ping jane.doe@gmail.com or +32 470 12 34 56', '{"contact": "bob@corp.be"}'),
                    ('nothing personal', '{}')`);
                const result = await sanitizeDatabase(client, { seed: "seed-1", strict, skipFinance: true });
                const { rows } = await client.query("SELECT note, meta::text AS meta FROM x_partner_notes ORDER BY id");
                if (strict) {
                    assert.equal(rows[0].note, "Ping test+x_partner_notes-1@example.com or " + rows[0].note.split(" or ")[1]);
                    assert.match(rows[0].note, /\+1 555-01\d\d$/);
                    assert.match(rows[0].meta, /test\+x_partner_notes-1@example\.com/);
                    const strictColumns = result.scrubbed.filter((s) => s.why === "strict").map((s) => `${s.table}.${s.column}`);
                    assert.ok(strictColumns.includes("x_partner_notes.note") && strictColumns.includes("x_partner_notes.meta"), strictColumns.join());
                } else {
                    assert.match(rows[0].note, /jane\.doe@gmail\.com/);
                }
                assert.equal(rows[1].note, "nothing personal");
            } finally {
                await client.end();
            }
        }
    });

    it("runs in one transaction: a rule that fails leaves nothing changed", async () => {
        const client = await connectTo((await fixtureDatabase("san_atomic")).url);
        try {
            const before = await tableChecksum(client, "res_partner");
            await assert.rejects(
                sanitizeDatabase(client, {
                    seed: "seed-1",
                    rules: [sanitizeRules[0], { module: "base", table: "res_users", column: "login", action: "nullify" }],
                }),
                /null value in column "login"/,
            );
            assert.equal(await tableChecksum(client, "res_partner"), before);
        } finally {
            await client.end();
        }
    });
});
