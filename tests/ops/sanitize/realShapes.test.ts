import * as assert from "node:assert/strict";
import { planSanitize, sanitizeDatabase } from "../../../ops/sanitize";
import { SanitizeRuleError } from "../../../ops/sanitize/sanitize";
import { connectTo, fixtureDatabase } from "../../support/odoo";

describe("sanitize on the shapes real schemas have", function () {
    this.timeout(120_000);

    it("company-dependent jsonb (res_partner.barcode, 18.0): every company's value replaced, the keys kept", async () => {
        const db = await fixtureDatabase("shape_cd", { version: "18.0" });
        const client = await connectTo(db.url);
        try {
            await client.query(`UPDATE res_partner SET barcode = jsonb_build_object('1', '0400123', '2', '0400456') WHERE id = 13`);
            await sanitizeDatabase(client, { seed: "s" });
            const { rows } = await client.query("SELECT barcode FROM res_partner WHERE id = 13");
            assert.deepEqual(Object.keys(rows[0].barcode).sort(), ["1", "2"]);
            for (const v of Object.values(rows[0].barcode) as string[]) assert.match(v, /^99[0-9]{9}$/);
        } finally {
            await client.end();
        }
    });

    it("company-dependent until 17.0 (res.partner's barcode in ir_property rows): every company's value replaced, other properties untouched", async () => {
        // The 16.0 fixture has the shape of the real Odoo 16 dump: no res_partner.barcode, the barcodes in ir_property.
        const db = await fixtureDatabase("shape_prop", { version: "16.0" });
        const client = await connectTo(db.url);
        try {
            await client.query(`INSERT INTO ir_model_fields (id, name, model, model_id, ttype, field_description)
                    SELECT (SELECT max(id) + 1 FROM ir_model_fields), 'property_comment', 'res.partner', model_id, 'text', '{"en_US": "Note"}'
                      FROM ir_model_fields WHERE model = 'res.partner' AND name = 'barcode';
                INSERT INTO ir_property (company_id, fields_id, name, res_id, type, value_text)
                    SELECT 2, fields_id, name, res_id, type, value_text || '2' FROM ir_property WHERE name = 'barcode';
                INSERT INTO ir_property (company_id, fields_id, name, res_id, type, value_text)
                    SELECT 1, f.id, f.name, 'res.partner,' || p, 'text', 'kept ' || p FROM ir_model_fields f, generate_series(10, 12) p WHERE f.name = 'property_comment';
                INSERT INTO ir_property (fields_id, name, type, value_text) SELECT id, name, 'char', NULL FROM ir_model_fields WHERE model = 'res.partner' AND name = 'barcode'`);
            const before = await client.query<{ value_text: string }>("SELECT value_text FROM ir_property WHERE name = 'barcode' AND value_text IS NOT NULL");
            assert.ok(before.rows.length >= 4 && before.rows.every((r) => /^04[0-9]{10}2?$/.test(r.value_text)), "the fixture's barcodes, for two companies");
            // A property whose rule needs the partner's other columns (res_partner.complete_name is not a column in 16.0) is reported, not guessed at.
            await client.query(`INSERT INTO ir_model_fields (id, name, model, model_id, ttype, field_description)
                    SELECT (SELECT max(id) + 1 FROM ir_model_fields), 'complete_name', 'res.partner', model_id, 'char', '{"en_US": "Name"}'
                      FROM ir_model_fields WHERE model = 'res.partner' AND name = 'barcode';
                INSERT INTO ir_property (company_id, fields_id, name, res_id, type, value_text)
                    SELECT 1, id, name, 'res.partner,10', 'char', 'Planted Name' FROM ir_model_fields WHERE model = 'res.partner' AND name = 'complete_name'`);
            const plan = await planSanitize(client, { seed: "s" });
            assert.match(plan.rules.find((r) => r.rule === "base.res_partner.barcode")?.reason ?? "", /company-dependent: the ir_property rows of field \d+/);
            const complete = plan.rules.find((r) => r.rule === "base.res_partner.complete_name");
            assert.equal(complete?.status, "skipped");
            assert.match(
                complete?.reason ?? "",
                /company-dependent \(the ir_property rows of field \d+\): partnerCompleteName needs the record's other columns/,
            );
            await sanitizeDatabase(client, { seed: "s" });
            const { rows } = await client.query<{ name: string; value_text: string | null }>("SELECT name, value_text FROM ir_property ORDER BY id");
            const barcodes = rows.filter((r) => r.name === "barcode").map((r) => r.value_text);
            assert.equal(barcodes.filter((v) => v !== null && /^99[0-9]{9}$/.test(v)).length, before.rows.length, barcodes.join(", "));
            assert.equal(barcodes.filter((v) => v === null).length, 1, "an empty value stays empty");
            assert.deepEqual(
                rows.filter((r) => r.name === "property_comment").map((r) => r.value_text),
                ["kept 10", "kept 11", "kept 12"],
            );
        } finally {
            await client.end();
        }
    });

    it("translated jsonb columns: a text action runs per language", async () => {
        const db = await fixtureDatabase("shape_tr");
        const client = await connectTo(db.url);
        try {
            await client.query(`UPDATE res_country SET name = '{"en_US": "Belgium", "fr_FR": "Belgique", "nl_BE": "België"}' WHERE id = 1`);
            await sanitizeDatabase(client, {
                seed: "s",
                declared: false,
                rules: [{ module: "t", table: "res_country", column: "name", action: "label", params: { label: "Country " } }],
            });
            const { rows } = await client.query("SELECT name FROM res_country WHERE id = 1");
            assert.deepEqual(rows[0].name, { en_US: "Country 1", fr_FR: "Country 1", nl_BE: "Country 1" });
        } finally {
            await client.end();
        }
    });

    it("a rule that does not fit the schema fails before anything changes, naming the real table and column", async () => {
        const db = await fixtureDatabase("shape_err");
        const client = await connectTo(db.url);
        try {
            const before = (await client.query("SELECT email FROM res_partner WHERE id = 13")).rows[0].email;
            await assert.rejects(
                sanitizeDatabase(client, { seed: "s", rules: [{ module: "t", table: "res_partner", column: "color", action: "email" }] }),
                (err: Error) =>
                    err instanceof SanitizeRuleError &&
                    /sanitize: res_partner\.color \(t\.res_partner\.color\) does not fit this database: CASE types .*--without res_partner\.color/.test(
                        err.message,
                    ),
            );
            assert.equal((await client.query("SELECT email FROM res_partner WHERE id = 13")).rows[0].email, before, "nothing was applied");
        } finally {
            await client.end();
        }
    });

    it("covers what Odoo declares: a module nobody wrote rules for gets its e-mail, phone, name and address fields replaced", async () => {
        const db = await fixtureDatabase("shape_decl");
        const client = await connectTo(db.url);
        try {
            await client.query(`CREATE TABLE x_repair_order (id serial PRIMARY KEY, partner_id integer REFERENCES res_partner (id), customer_name varchar,
                customer_email varchar, contact_phone varchar, delivery_street varchar, delivery_zip varchar, state varchar, email_state varchar)`);
            await client.query(`INSERT INTO x_repair_order (partner_id, customer_name, customer_email, contact_phone, delivery_street, delivery_zip, state, email_state)
                VALUES (13, 'Jean Dubois', 'jean.dubois@gmail.com', '+32 470 11 22 33', 'Rue de la Loi 16', '1000', 'draft', 'ok')`);
            const plan = await planSanitize(client, { seed: "s" });
            const declared = plan.rules
                .filter((r) => r.origin === "declared" && r.table === "x_repair_order")
                .map((r) => `${r.column}:${r.action}`)
                .sort();
            assert.deepEqual(declared, [
                "contact_phone:phone",
                "customer_email:email",
                "customer_name:personName",
                "delivery_street:street",
                "delivery_zip:zip",
            ]);
            await sanitizeDatabase(client, { seed: "s" });
            const { rows } = await client.query("SELECT * FROM x_repair_order");
            assert.equal(rows[0].customer_email, "test+13@example.com", "keyed by the row's partner, like the partner's own fake");
            assert.match(rows[0].contact_phone, /^\+1 555-01[0-9]{2}$/);
            assert.notEqual(rows[0].customer_name, "Jean Dubois");
            assert.equal(rows[0].state, "draft");
        } finally {
            await client.end();
        }
    });
});
