/**
 * A synthetic Odoo 17/18 "production" database for tests, the demo and the benchmark: the real
 * table and column names (testing/odooSchema.ts), filled with planted personal data (names, e-mails
 * and phone numbers, also inside free text and HTML bodies), secrets, live integrations (active
 * crons, real mail servers, live payment providers with keys, IAP tokens, webhooks, OAuth, API keys,
 * TOTP) and consistent books: posted invoices with payments and partial reconciliations, balanced
 * to the cent, some fully paid and some partially.
 *
 * Everything is set-based (generate_series, INSERT … SELECT) and deterministic: the same scale and
 * seed always give the same database. Scale 1 gives ≥ 100 k partners, ≥ 500 k move lines and
 * 300 k chatter messages. Foreign keys and secondary indexes are dropped while rows go in and
 * rebuilt afterwards, as a restore would.
 */
import { createHash } from "node:crypto";
import type { Client } from "pg";
import { moveTotalColumns, moveTotalsQuery } from "../ops/odoo/accounting";
import { baseVersion, columnsFor, foreignKeys, indexes, OdooVersion, odooVersions, tables } from "./odooSchema";
import { quoteIdent, quoteLiteral } from "../ops/odoo/sql";

export type { OdooVersion } from "./odooSchema";
export { odooVersions } from "./odooSchema";

/** `16` / `16.0` → `16.0`, with a clear error for anything the fixture cannot build. */
export function parseOdooVersion(value: string, option = "--odoo-version"): OdooVersion {
    const v = /^\d+$/.test(value.trim()) ? `${value.trim()}.0` : value.trim();
    if (!(odooVersions as readonly string[]).includes(v))
        throw new Error(`${option} must be one of ${odooVersions.map((x) => x.replace(".0", "")).join(", ")} (got "${value}")`);
    return v as OdooVersion;
}

/** What production looks like in the fixture: the values neutralize must move away from. */
export const fixtureProduction = {
    companyName: "Acme Industries SA",
    domain: "acme-industries.com",
    baseUrl: "https://erp.acme-industries.com",
    /** Host names of the live integrations planted in the fixture. */
    smtpHosts: ["smtp.gmail.com", "smtp.office365.com"],
    imapHost: "imap.gmail.com",
} as const;

export interface SchemaOptions {
    version?: OdooVersion;
}

export interface SeedOptions {
    /** 1 ≈ 100 k partners, 510 k move lines, 300 k messages. Tests use 0.002 or so. */
    scale: number;
    /** Changes every generated value; the same seed gives the same database. */
    seed?: string;
    version?: OdooVersion;
}

export interface FixtureCounts {
    partners: number;
    users: number;
    employees: number;
    leads: number;
    messages: number;
    mails: number;
    trackingValues: number;
    invoices: number;
    payments: number;
    miscEntries: number;
    moves: number;
    moveLines: number;
    partials: number;
}

/** Row counts for a scale: small scales keep enough rows for every case to exist. */
export function fixtureCounts(scale: number): Omit<FixtureCounts, "moves" | "moveLines" | "partials" | "payments"> {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`fixture scale must be a positive number, got ${scale}`);
    const n = (base: number, min: number) => Math.max(min, Math.round(base * scale));
    const messages = n(300_000, 200);
    return {
        partners: n(100_000, 60),
        users: n(200, 6),
        employees: n(500, 5),
        leads: n(20_000, 20),
        messages,
        mails: Math.ceil(messages / 24),
        trackingValues: n(30_000, 50),
        invoices: n(100_000, 40),
        miscEntries: n(5_000, 6),
    };
}

/**
 * Creates the tables (with keys and indexes) of an empty Odoo-shaped database, in the shape of
 * `version`'s base (17.0 for 16.0, 18.0 for 19.0): `seedOdooFixture` fills it and then reshapes it
 * into `version`. For an empty schema of exactly `version`, call `reshapeOdooSchema` afterwards.
 */
export async function createOdooSchema(client: Client, options: SchemaOptions = {}): Promise<void> {
    const version = options.version ?? "17.0";
    await client.query(schemaSql(version));
    await client.query(constraintsSql());
}

/** Turns a base-shaped schema (and its data) into `version`'s shape. */
export async function reshapeOdooSchema(client: Client, version: OdooVersion): Promise<void> {
    for (const statement of reshapeStatements(version)) await client.query(statement);
}

/**
 * What turns the base shape into `version`'s, following ops/odoo/versions.ts (each statement
 * names the fact it follows). Pure. Data is carried over the way Odoo's own migration would.
 */
export function reshapeStatements(version: OdooVersion): string[] {
    const out: string[] = [];
    if (version === "16.0" || version === "17.0") {
        out.push(
            // res_partner.barcode is company-dependent until 17.0: no column, an ir_property row per partner and company.
            `CREATE TABLE ir_property (id serial PRIMARY KEY, name character varying, res_id character varying, company_id integer,
                fields_id integer NOT NULL, value_float double precision, value_integer integer, value_text text, value_binary bytea,
                value_reference character varying, value_datetime timestamp without time zone, type character varying NOT NULL,
                create_uid integer, create_date timestamp without time zone, write_uid integer, write_date timestamp without time zone)`,
            `INSERT INTO ir_model_fields (id, name, model, model_id, ttype, field_description, store)
                SELECT (SELECT coalesce(max(id), 0) + 1 FROM ir_model_fields), 'barcode', 'res.partner', m.id, 'char', '{"en_US": "Barcode"}', false
                  FROM ir_model m WHERE m.model = 'res.partner' ORDER BY m.id LIMIT 1`,
            `INSERT INTO ir_property (name, res_id, company_id, fields_id, type, value_text)
                SELECT 'barcode', 'res.partner,' || p.id, 1, f.id, 'char', p.barcode
                  FROM res_partner p JOIN ir_model_fields f ON f.model = 'res.partner' AND f.name = 'barcode' WHERE p.barcode IS NOT NULL ORDER BY p.id`,
            `ALTER TABLE res_partner DROP COLUMN barcode`,
        );
    }
    if (version === "16.0") {
        out.push(
            // res_partner.display_name is stored until 16.0; complete_name from 17.0.
            `ALTER TABLE res_partner RENAME COLUMN complete_name TO display_name`,
            // mail_tracking_value.field (many2one) until 16.0, with field_desc/field_type and the monetary columns.
            `ALTER TABLE mail_tracking_value RENAME COLUMN field_id TO field`,
            `ALTER TABLE mail_tracking_value DROP COLUMN field_info`,
            `ALTER TABLE mail_tracking_value ADD COLUMN field_desc character varying, ADD COLUMN field_type character varying,
                ADD COLUMN old_value_monetary double precision, ADD COLUMN new_value_monetary double precision`,
            `UPDATE mail_tracking_value t SET field_desc = coalesce(f.field_description->>'en_US', f.name), field_type = f.ttype FROM ir_model_fields f WHERE f.id = t.field`,
            // ir_cron.cron_name is related to the translated server action name in 16.0: jsonb.
            `ALTER TABLE ir_cron ALTER COLUMN cron_name TYPE jsonb USING CASE WHEN cron_name IS NULL THEN NULL ELSE jsonb_build_object('en_US', cron_name) END`,
            // Translated from 17.0 only: plain columns in 16.0, holding the English text.
            ...(
                [
                    ["account_account", "name", "character varying"],
                    ["account_journal", "name", "character varying"],
                    ["res_currency", "currency_unit_label", "character varying"],
                    ["res_currency", "currency_subunit_label", "character varying"],
                    ["res_company", "report_header", "text"],
                    ["res_company", "company_details", "text"],
                ] as const
            ).map(([table, column, type]) => `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type} USING ${column}->>'en_US'`),
            // ir_act_server.webhook_url and res_users_apikeys.expiration_date come with 17.0.
            `ALTER TABLE ir_act_server DROP COLUMN webhook_url`,
            `ALTER TABLE res_users_apikeys DROP COLUMN expiration_date`,
            // hr_employee: the private address is a res.partner (address_home_id) until 16.0; private_* on the employee from 17.0.
            `ALTER TABLE hr_employee ADD COLUMN address_home_id integer REFERENCES res_partner (id) ON DELETE SET NULL`,
            `WITH home AS (SELECT e.id AS employee, (SELECT max(id) FROM res_partner) + row_number() OVER (ORDER BY e.id) AS partner FROM hr_employee e)
             INSERT INTO res_partner (id, name, display_name, type, street, street2, city, zip, country_id, phone, email, email_normalized, active, is_company, partner_share)
             SELECT h.partner, e.name, e.name, 'private', e.private_street, e.private_street2, e.private_city, e.private_zip, e.private_country_id,
                    e.private_phone, e.private_email, lower(e.private_email), true, false, true
             FROM hr_employee e JOIN home h ON h.employee = e.id`,
            `UPDATE hr_employee e SET address_home_id = p.id FROM res_partner p WHERE p.type = 'private' AND p.name = e.name AND p.email IS NOT DISTINCT FROM e.private_email`,
            `SELECT setval(pg_get_serial_sequence('res_partner', 'id'), (SELECT max(id) FROM res_partner) + 1, false)`,
            `ALTER TABLE hr_employee DROP COLUMN private_street, DROP COLUMN private_street2, DROP COLUMN private_city, DROP COLUMN private_state_id,
                DROP COLUMN private_zip, DROP COLUMN private_country_id, DROP COLUMN private_phone, DROP COLUMN private_email, DROP COLUMN private_car_plate`,
            `UPDATE ir_module_module SET latest_version = replace(latest_version, '17.0.', '16.0.')`,
        );
    }
    if (version === "18.0" || version === "19.0") {
        out.push(
            // res_partner.barcode is company-dependent: a jsonb keyed by company id from 18.0.
            `ALTER TABLE res_partner ALTER COLUMN barcode TYPE jsonb USING CASE WHEN barcode IS NULL THEN NULL ELSE jsonb_build_object('1', barcode) END`,
            // iap_account.service_name is stored until 17.0; service_id → iap_service from 18.0.
            `CREATE TABLE iap_service (id serial PRIMARY KEY, name jsonb NOT NULL, technical_name character varying NOT NULL, description jsonb,
                unit_name jsonb, integer_balance boolean, create_uid integer, create_date timestamp without time zone, write_uid integer, write_date timestamp without time zone)`,
            `INSERT INTO iap_service (name, technical_name) SELECT DISTINCT jsonb_build_object('en_US', service_name), service_name FROM iap_account WHERE service_name IS NOT NULL`,
            `ALTER TABLE iap_account ADD COLUMN service_id integer REFERENCES iap_service (id), ADD COLUMN name character varying`,
            `UPDATE iap_account a SET service_id = s.id FROM iap_service s WHERE s.technical_name = a.service_name`,
            `ALTER TABLE iap_account DROP COLUMN service_name`,
        );
    }
    if (version === "19.0") {
        out.push(
            // res_partner.mobile is gone in 19.0 (phone only).
            `ALTER TABLE res_partner DROP COLUMN mobile`,
            `UPDATE ir_module_module SET latest_version = replace(latest_version, '18.0.', '19.0.')`,
        );
    }
    return out;
}

/** The CREATE TABLE statements of `version`. Pure. */
export function schemaSql(version: OdooVersion): string {
    return tables
        .map((table) => {
            const cols = columnsFor(table, version).map((col) => `${quoteIdent(col.name)} ${col.type}`);
            const keys = table.primaryKey ? [`PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(", ")})`] : [];
            const idCol = table.primaryKey ? [] : ["id serial PRIMARY KEY"];
            const uniques = (table.unique ?? []).map((u) => `CONSTRAINT ${quoteIdent(u.name)} UNIQUE (${u.columns.map(quoteIdent).join(", ")})`);
            return `CREATE TABLE ${quoteIdent(table.name)} (${[...idCol, ...cols, ...keys, ...uniques].join(", ")});`;
        })
        .join("\n");
}

/** Foreign keys and secondary indexes. Pure. */
export function constraintsSql(): string {
    const fks = foreignKeys.map(
        (fk) =>
            `ALTER TABLE ${quoteIdent(fk.table)} ADD CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${quoteIdent(fk.column)}) ` +
            `REFERENCES ${quoteIdent(fk.references)} (id) ON DELETE ${fk.onDelete};`,
    );
    const idx = indexes.map((ix) => `CREATE INDEX ${quoteIdent(ix.name)} ON ${quoteIdent(ix.table)} (${ix.on});`);
    return [...idx, ...fks].join("\n");
}

export function dropConstraintsSql(): string {
    const fks = foreignKeys.map((fk) => `ALTER TABLE ${quoteIdent(fk.table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(fk.name)};`);
    const idx = indexes.map((ix) => `DROP INDEX IF EXISTS ${quoteIdent(ix.name)};`);
    return [...fks, ...idx].join("\n");
}

// Fixture vocabularies: deliberately different from the sanitizer's fake-data lists, so a test can
// tell a planted value from a sanitized one.
const FIRST = [
    "Jean",
    "Marie",
    "Pierre",
    "Sophie",
    "Lukas",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Charlotte",
    "Mateo",
    "Amelia",
    "Hugo",
    "Louise",
    "Arthur",
    "Alice",
    "Jules",
    "Chloe",
    "Leon",
    "Camille",
    "Ava",
    "Finn",
    "Mila",
    "Elias",
    "Nora",
    "Oscar",
    "Lina",
    "Victor",
    "Julia",
    "Adam",
];
const LAST = [
    "Dubois",
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "Desmet",
    "Lambert",
    "Dupont",
    "Martin",
    "Bernard",
    "Schmidt",
    "Muller",
    "Rossi",
    "Garcia",
    "Smith",
    "Johnson",
    "Brown",
    "Kowalski",
    "Novak",
    "Andersen",
    "Nielsen",
    "Moreau",
    "Laurent",
    "Fontaine",
    "Leroy",
];
const COMPANY_A = [
    "Brightwater",
    "Northwind",
    "Bluebird",
    "Silverline",
    "Redwood",
    "Ironbridge",
    "Greenfield",
    "Oakridge",
    "Sunrise",
    "Stonegate",
    "Westbrook",
    "Lakeside",
    "Highland",
    "Clearview",
    "Riverside",
];
const COMPANY_B = ["Logistics", "Trading", "Foods", "Engineering", "Consulting", "Retail", "Pharma", "Textiles", "Motors", "Solutions"];
const LEGAL = ["SA", "BV", "GmbH", "SRL", "Ltd", "NV"];
const STREETS = [
    "Rue de la Loi",
    "Avenue Louise",
    "Kerkstraat",
    "Hauptstrasse",
    "Rue du Commerce",
    "Stationsstraat",
    "Baker Street",
    "Via Roma",
    "Calle Mayor",
    "Boulevard Haussmann",
];
const CITIES = ["Brussels", "Antwerp", "Ghent", "Liege", "Paris", "Lyon", "Berlin", "Munich", "Amsterdam", "Rotterdam", "London", "Madrid", "Milan"];
const MAIL_DOMAINS = ["gmail.com", "yahoo.fr", "outlook.com", "proton.me", "hotmail.be", "gmx.de", "icloud.com"];
const TLDS = ["com", "be", "fr", "de", "nl"];

const arr = (values: readonly string[]) => `ARRAY[${values.map(quoteLiteral).join(",")}]::text[]`;

/** Session-local SQL helpers for the generator (inlined by the planner: they cost nothing). */
export function helperFunctionsSql(seed: string, partners: number): string {
    const s = quoteLiteral(`fixture:${seed}`);
    // Commercial partners are the ids whose last digit is 0, 1 (companies) or 5–9 (people), from 10 up.
    const blocks = Math.floor(partners / 10) - 1;
    return `
CREATE FUNCTION pg_temp.fx_h(ns text, i bigint) RETURNS bigint LANGUAGE sql STABLE AS
  $$ SELECT hashint8extended(i, hashtextextended(${s} || ':' || ns, 0)) & 4294967295 $$;
CREATE FUNCTION pg_temp.fx_kind(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN i < 5 THEN 'special' WHEN i % 10 IN (0, 1) THEN 'company' WHEN i % 10 IN (2, 3, 4) THEN 'contact' ELSE 'person' END $$;
CREATE FUNCTION pg_temp.fx_first(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT (${arr(FIRST)})[1 + pg_temp.fx_h('first', i) % ${FIRST.length}] $$;
CREATE FUNCTION pg_temp.fx_last(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT (${arr(LAST)})[1 + pg_temp.fx_h('last', i) % ${LAST.length}] $$;
CREATE FUNCTION pg_temp.fx_company(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT (${arr(COMPANY_A)})[1 + pg_temp.fx_h('ca', i) % ${COMPANY_A.length}] || ' ' || (${arr(COMPANY_B)})[1 + pg_temp.fx_h('cb', i) % ${COMPANY_B.length}]
            || ' ' || (${arr(LEGAL)})[1 + pg_temp.fx_h('cl', i) % ${LEGAL.length}] $$;
CREATE FUNCTION pg_temp.fx_person(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT pg_temp.fx_first(i) || ' ' || pg_temp.fx_last(i) $$;
CREATE FUNCTION pg_temp.fx_name(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN i = 1 THEN ${quoteLiteral(fixtureProduction.companyName)} WHEN i = 2 THEN 'OdooBot' WHEN i = 3 THEN 'Mitchell Admin'
                 WHEN i = 4 THEN 'Public user' WHEN pg_temp.fx_kind(i) = 'company' THEN pg_temp.fx_company(i) ELSE pg_temp.fx_person(i) END $$;
CREATE FUNCTION pg_temp.fx_display(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN i >= 10 AND pg_temp.fx_kind(i) = 'contact' THEN pg_temp.fx_company(i - i % 10) || ', ' || pg_temp.fx_person(i) ELSE pg_temp.fx_name(i) END $$;
CREATE FUNCTION pg_temp.fx_domain(company bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN company = 1 THEN ${quoteLiteral(fixtureProduction.domain)}
                 ELSE lower(split_part(pg_temp.fx_company(company), ' ', 1)) || company::text || '.' || (${arr(TLDS)})[1 + pg_temp.fx_h('tld', company) % ${TLDS.length}] END $$;
CREATE FUNCTION pg_temp.fx_local(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT lower(pg_temp.fx_first(i)) || '.' || lower(pg_temp.fx_last(i)) || (i % 97)::text $$;
CREATE FUNCTION pg_temp.fx_email(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN i = 1 THEN 'info@' || ${quoteLiteral(fixtureProduction.domain)} WHEN i = 2 THEN 'odoobot@example.com'
                 WHEN i = 3 THEN 'admin@' || ${quoteLiteral(fixtureProduction.domain)} WHEN i = 4 THEN NULL
                 WHEN pg_temp.fx_kind(i) = 'company' THEN 'info@' || pg_temp.fx_domain(i)
                 WHEN pg_temp.fx_kind(i) = 'contact' THEN pg_temp.fx_local(i) || '@' || pg_temp.fx_domain(i - i % 10)
                 ELSE pg_temp.fx_local(i) || '@' || (${arr(MAIL_DOMAINS)})[1 + pg_temp.fx_h('md', i) % ${MAIL_DOMAINS.length}] END $$;
CREATE FUNCTION pg_temp.fx_digits(ns text, i bigint, n int) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT substr(lpad((pg_temp.fx_h(ns, i) % 100000000)::text, 8, '0') || lpad((pg_temp.fx_h(ns || ':2', i) % 100000000)::text, 8, '0')
                   || lpad((pg_temp.fx_h(ns || ':3', i) % 100000000)::text, 8, '0'), 1, n) $$;
-- Real-looking phone numbers in the formats people type (never the fictional +1 555-01xx range).
CREATE FUNCTION pg_temp.fx_phone_fmt(fmt bigint, d text, a bigint, b bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT CASE fmt % 4
       WHEN 0 THEN '+32 4' || substr(d, 1, 2) || ' ' || substr(d, 3, 2) || ' ' || substr(d, 5, 2) || ' ' || substr(d, 7, 2)
       WHEN 1 THEN '+33 6 ' || substr(d, 1, 2) || ' ' || substr(d, 3, 2) || ' ' || substr(d, 5, 2) || ' ' || substr(d, 7, 2)
       WHEN 2 THEN '+1 (' || (200 + a % 300)::text || ') ' || (600 + b % 300)::text || '-' || substr(d, 1, 4)
       ELSE '+49 151 ' || d END $$;
CREATE FUNCTION pg_temp.fx_phone(ns text, i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT pg_temp.fx_phone_fmt(pg_temp.fx_h(ns || ':fmt', i), lpad((pg_temp.fx_h(ns, i) % 100000000)::text, 8, '0'),
                                 pg_temp.fx_h(ns || ':a', i), pg_temp.fx_h(ns || ':b', i)) $$;
CREATE FUNCTION pg_temp.fx_street(ns text, i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT (${arr(STREETS)})[1 + pg_temp.fx_h(ns || ':st', i) % ${STREETS.length}] || ' ' || (1 + pg_temp.fx_h(ns || ':no', i) % 250)::text $$;
CREATE FUNCTION pg_temp.fx_city(ns text, i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT (${arr(CITIES)})[1 + pg_temp.fx_h(ns || ':city', i) % ${CITIES.length}] $$;
CREATE FUNCTION pg_temp.fx_cp(k bigint) RETURNS bigint LANGUAGE sql STABLE AS
  $$ SELECT 10 + 10 * ((k % ${7 * blocks}) / 7) + (ARRAY[0, 1, 5, 6, 7, 8, 9])[1 + (k % ${7 * blocks}) % 7] $$;
CREATE FUNCTION pg_temp.fx_user_partner(u bigint) RETURNS bigint LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN u = 1 THEN 2 WHEN u = 2 THEN 3 WHEN u = 3 THEN 4 ELSE 15 + 10 * ((u - 4) / 5) + (u - 4) % 5 END $$;
CREATE FUNCTION pg_temp.fx_hash_pw(i bigint) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT '$pbkdf2-sha512$600000$' || substr(md5('salt' || i::text), 1, 22) || '$' || md5('pw' || i::text) || md5('pw2' || i::text) $$;
`;
}

/**
 * Fills an empty schema made by `createOdooSchema` with the synthetic production data. Runs in
 * one transaction on `client`.
 */
export async function seedOdooFixture(client: Client, options: SeedOptions): Promise<FixtureCounts> {
    const version = options.version ?? (await detectVersion(client));
    const base = baseVersion(version);
    const counts = fixtureCounts(options.scale);
    const seed = options.seed ?? "odoo-platform";
    await client.query("BEGIN");
    try {
        await client.query("SET LOCAL jit = off");
        await client.query(dropConstraintsSql());
        await client.query(helperFunctionsSql(seed, counts.partners));
        for (const statement of seedStatements(counts, base)) {
            await client.query(statement).catch((err: Error) => {
                throw new Error(`${err.message}\n${statement.slice(0, 400)}`);
            });
        }
        const accounting = await client.query<{ moves: string; lines: string; partials: string; payments: string }>(`SELECT
            (SELECT count(*) FROM account_move) AS moves, (SELECT count(*) FROM account_move_line) AS lines,
            (SELECT count(*) FROM account_partial_reconcile) AS partials, (SELECT count(*) FROM account_payment) AS payments`);
        await client.query(resetSequencesSql());
        await client.query(constraintsSql());
        for (const statement of reshapeStatements(version)) {
            await client.query(statement).catch((err: Error) => {
                throw new Error(`${err.message}\n${statement.slice(0, 400)}`);
            });
        }
        await client.query("COMMIT");
        await client.query("ANALYZE");
        const a = accounting.rows[0];
        return { ...counts, moves: Number(a.moves), moveLines: Number(a.lines), partials: Number(a.partials), payments: Number(a.payments) };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}

async function detectVersion(client: Client): Promise<OdooVersion> {
    const { rows } = await client.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'ir_cron' AND column_name = 'failure_count'");
    return rows.length ? "18.0" : "17.0";
}

function resetSequencesSql(): string {
    return tables
        .filter((t) => !t.primaryKey)
        .map(
            (t) => `SELECT setval(pg_get_serial_sequence(${quoteLiteral(t.name)}, 'id'), COALESCE((SELECT max(id) FROM ${quoteIdent(t.name)}), 0) + 1, false);`,
        )
        .join("\n");
}

type Counts = ReturnType<typeof fixtureCounts>;

/** The generator, one statement per step, in the base shape (17.0 or 18.0). Pure. */
export function seedStatements(n: Counts, version: OdooVersion): string[] {
    const prod = fixtureProduction;
    const commercialBlocks = Math.floor(n.partners / 10) - 1;
    const v18 = version === "18.0";
    return [
        // Reference data.
        `INSERT INTO res_currency (id, name, full_name, symbol, rounding, decimal_places, active, position) VALUES
            (1, 'EUR', 'Euro', '€', 0.01, 2, true, 'after'), (2, 'USD', 'United States dollar', '$', 0.01, 2, true, 'before'),
            (3, 'JPY', 'Japanese yen', '¥', 1.0, 0, true, 'before')`,
        `INSERT INTO res_currency_rate (name, rate, currency_id, company_id) VALUES ('2023-01-01', 1.1, 2, 1), ('2023-01-01', 160, 3, 1)`,
        `INSERT INTO res_country (id, name, code, phone_code) VALUES (1, '{"en_US": "Belgium"}', 'BE', 32), (2, '{"en_US": "France"}', 'FR', 33),
            (3, '{"en_US": "Germany"}', 'DE', 49), (4, '{"en_US": "United States"}', 'US', 1), (5, '{"en_US": "Netherlands"}', 'NL', 31)`,
        `INSERT INTO mail_alias_domain (id, name, sequence, bounce_alias, catchall_alias, default_from)
            VALUES (1, ${quoteLiteral(prod.domain)}, 10, 'bounce', 'catchall', 'notifications')`,
        `INSERT INTO res_company (id, name, partner_id, currency_id, sequence, email, phone, company_registry, alias_domain_id, active, report_footer)
            VALUES (1, ${quoteLiteral(prod.companyName)}, 1, 1, 10, 'info@${prod.domain}', '+32 2 555 12 12', '0477.123.456', 1, true,
            '{"en_US": "Acme Industries SA · VAT BE0477123456 · info@${prod.domain} · +32 2 512 12 12"}')`,
        // Partners: companies (ids ending in 0/1), their contacts (2–4) and private people (5–9).
        `INSERT INTO res_partner (id, name, complete_name, company_id, parent_id, commercial_partner_id, ref, lang, tz, vat, website,
            function, type, street, street2, zip, city, country_id, email, phone, mobile, commercial_company_name, company_name,
            barcode, comment, partner_latitude, partner_longitude, active, employee, is_company, partner_share, email_normalized,
            message_bounce, phone_sanitized, customer_rank, supplier_rank, create_uid, create_date, write_uid, write_date)
         SELECT i, nm, pg_temp.fx_display(i), NULL,
            CASE WHEN k = 'contact' THEN i - i % 10 END,
            CASE WHEN k = 'contact' THEN i - i % 10 ELSE i END,
            'C' || lpad(i::text, 6, '0'), 'en_US', 'Europe/Brussels',
            CASE WHEN k = 'company' OR i = 1 THEN 'BE0' || pg_temp.fx_digits('vat', i, 9) WHEN k = 'person' AND i % 4 = 0 THEN 'BE0' || pg_temp.fx_digits('vat', i, 9) END,
            CASE WHEN k = 'company' THEN 'https://www.' || pg_temp.fx_domain(i) WHEN i = 1 THEN 'https://www.${prod.domain}' END,
            CASE WHEN k = 'contact' THEN (ARRAY['Purchasing Manager','CFO','Accountant','Sales Director'])[1 + i % 4] END,
            CASE WHEN k = 'contact' AND i % 10 = 4 THEN 'invoice' ELSE 'contact' END,
            pg_temp.fx_street('p', i), CASE WHEN i % 5 = 0 THEN 'Box ' || (i % 40) END, pg_temp.fx_digits('zip', i, 4),
            pg_temp.fx_city('p', i), 1 + i % 5, em,
            CASE WHEN i <> 4 THEN ph END,
            CASE WHEN k = 'person' OR k = 'contact' THEN pg_temp.fx_phone('mobile', i) END,
            CASE WHEN k = 'company' THEN nm WHEN k = 'contact' THEN pg_temp.fx_company(i - i % 10) WHEN i = 1 THEN pg_temp.fx_name(1) END,
            CASE WHEN k = 'person' AND i % 9 = 0 THEN pg_temp.fx_company(i + 1) END,
            CASE WHEN i % 13 = 0 THEN '04' || pg_temp.fx_digits('barcode', i, 10) END,
            CASE WHEN i % 3 = 0 THEN '<p>Met at the trade fair. Call back on ' || pg_temp.fx_phone('alt', i) || ' or write to ' ||
                 pg_temp.fx_local(i + 1) || '@' || (${arr(MAIL_DOMAINS)})[1 + i % ${MAIL_DOMAINS.length}] || '.</p>' END,
            50.8 + (pg_temp.fx_h('lat', i) % 1000) / 10000.0, 4.3 + (pg_temp.fx_h('lon', i) % 1000) / 10000.0,
            true, false, k = 'company' OR i = 1, i > 4,
            lower(em), 0,
            CASE WHEN i <> 4 THEN regexp_replace(ph, '[^+0-9]', '', 'g') END,
            CASE WHEN i % 3 <> 0 THEN 1 ELSE 0 END, CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END,
            2, '2022-06-01'::timestamp + (i % 500) * interval '1 day', 2, '2023-06-01'::timestamp
         FROM (SELECT i, pg_temp.fx_kind(i) AS k, pg_temp.fx_name(i) AS nm, pg_temp.fx_email(i) AS em, pg_temp.fx_phone('phone', i) AS ph
               FROM generate_series(1, ${n.partners}) i OFFSET 0) s`,
        // Users: __system__, admin, public, then internal and portal users on people partners.
        `INSERT INTO res_users (id, company_id, partner_id, active, login, password, signature, share, notification_type, odoobot_state,
            totp_secret, oauth_provider_id, oauth_uid, oauth_access_token, microsoft_calendar_token, microsoft_calendar_rtoken, karma,
            create_uid, create_date)
         SELECT u, 1, p, u NOT IN (1, 3),
            CASE WHEN u = 1 THEN '__system__' WHEN u = 2 THEN 'admin' WHEN u = 3 THEN 'public'
                 WHEN u % 4 = 0 THEN lower(pg_temp.fx_first(p)) || u ELSE pg_temp.fx_email(p) END,
            CASE WHEN u NOT IN (1, 3) THEN pg_temp.fx_hash_pw(u) END,
            CASE WHEN u >= 2 THEN '<p>--<br>' || pg_temp.fx_name(p) || '<br>' || pg_temp.fx_phone('phone', p) || '<br>' || coalesce(pg_temp.fx_email(p), '') || '</p>' END,
            u = 3 OR (u > 3 AND u % 7 = 0), CASE WHEN u % 2 = 0 THEN 'email' ELSE 'inbox' END, 'disabled',
            CASE WHEN u = 2 OR (u > 3 AND u % 3 = 0) THEN translate(upper(substr(md5('totp' || u), 1, 32)), '0189', 'QRST') END,
            CASE WHEN u > 3 AND u % 5 = 0 THEN 1 END, CASE WHEN u > 3 AND u % 5 = 0 THEN '1' || pg_temp.fx_digits('oauth', u, 20) END,
            CASE WHEN u > 3 AND u % 5 = 0 THEN 'ya29.a0' || md5('oauth-token' || u) END,
            CASE WHEN u > 3 AND u % 11 = 0 THEN 'EwB4A8l6' || md5('ms' || u) END, CASE WHEN u > 3 AND u % 11 = 0 THEN 'M.R3_BAY.' || md5('msr' || u) END,
            0, 1, '2022-06-01'::timestamp
         FROM (SELECT u, pg_temp.fx_user_partner(u) AS p FROM generate_series(1, ${n.users}) u OFFSET 0) s`,
        `UPDATE res_partner p SET user_id = 2 WHERE p.id % 50 = 0`,
        // Invitation and reset links (auth_signup stores their token until 17.0).
        ...(v18
            ? []
            : [
                  `UPDATE res_partner SET signup_token = substr(md5('signup' || id), 1, 20), signup_type = 'signup',
            signup_expiration = '2030-01-01'::timestamp WHERE id > 4 AND id % 7 = 0`,
              ]),
        `INSERT INTO res_users_settings (user_id, is_discuss_sidebar_category_channel_open, google_calendar_rtoken, google_calendar_token,
            google_calendar_token_validity, google_calendar_sync_token, google_calendar_cal_id, google_synchronization_stopped,
            microsoft_calendar_sync_token, microsoft_synchronization_stopped)
         SELECT u, true, CASE WHEN u % 4 = 2 THEN '1//0g' || md5('grt' || u) END, CASE WHEN u % 4 = 2 THEN 'ya29.' || md5('gt' || u) END,
            CASE WHEN u % 4 = 2 THEN '2031-01-01'::timestamp END, CASE WHEN u % 4 = 2 THEN 'CPjA' || md5('gst' || u) END,
            CASE WHEN u % 4 = 2 THEN pg_temp.fx_email(pg_temp.fx_user_partner(u)) END, false,
            CASE WHEN u % 11 = 0 THEN 'ms-sync-' || md5('mst' || u) END, false
         FROM generate_series(2, ${n.users}) u WHERE u <> 3`,
        `INSERT INTO auth_oauth_provider (id, name, client_id, auth_endpoint, scope, validation_endpoint, data_endpoint, enabled, css_class, body, sequence) VALUES
            (1, 'Google OAuth2', '418927342-acme.apps.googleusercontent.com', 'https://accounts.google.com/o/oauth2/auth', 'openid profile email',
             'https://www.googleapis.com/oauth2/v3/tokeninfo', NULL, true, 'fa fa-fw fa-google', '{"en_US": "Log in with Google"}', 10),
            (2, 'Odoo.com Accounts', 'acme-odoo-client', 'https://accounts.odoo.com/oauth2/auth', 'userinfo',
             'https://accounts.odoo.com/oauth2/tokeninfo', NULL, true, 'fa fa-fw o_custom_icon', '{"en_US": "Log in with Odoo.com"}', 20),
            (3, 'Facebook Graph', NULL, 'https://www.facebook.com/dialog/oauth', 'public_profile,email',
             'https://graph.facebook.com/me', 'https://graph.facebook.com/me?fields=id,name,email', false, 'fa fa-fw fa-facebook-square', '{"en_US": "Log in with Facebook"}', 30)`,
        `INSERT INTO res_users_apikeys (name, user_id, scope, expiration_date, index, key, create_date)
         SELECT (ARRAY['Zapier integration','BI export','Shopify connector','Warehouse scanner'])[1 + k % 4],
            CASE WHEN k = 1 THEN 2 ELSE 4 + (k % ${Math.max(1, n.users - 3)}) END, 'rpc',
            CASE WHEN k % 2 = 0 THEN '2030-01-01'::timestamp END, substr(md5('apikey' || k), 1, 8),
            '$pbkdf2-sha512$6000$' || md5('apikey-salt' || k) || '$' || md5('apikey-hash' || k), '2023-03-01'::timestamp
         FROM generate_series(1, ${Math.max(3, Math.round(n.users / 4))}) k`,
        `INSERT INTO auth_totp_device (name, user_id, scope, expiration_date, index, key, create_date)
         SELECT 'Chrome on Windows', u, 'browser', '2030-01-01'::timestamp, substr(md5('dev' || u), 1, 8),
            '$pbkdf2-sha512$6000$' || md5('dev-salt' || u) || '$' || md5('dev-hash' || u), '2023-03-01'::timestamp
         FROM generate_series(2, ${n.users}) u WHERE u = 2 OR (u > 3 AND u % 3 = 0)`,
        // Bank accounts: every company, some people.
        `INSERT INTO res_partner_bank (active, acc_number, sanitized_acc_number, acc_holder_name, partner_id, allow_out_payment, sequence, currency_id, company_id)
         SELECT true, x.iban_spaced, replace(x.iban_spaced, ' ', ''), CASE WHEN p.id % 2 = 0 THEN p.name END, p.id, true, 10, NULL, NULL
         FROM res_partner p, LATERAL (SELECT 'BE' || pg_temp.fx_digits('ibc', p.id, 2) || ' ' || pg_temp.fx_digits('ib1', p.id, 4) || ' ' ||
                  pg_temp.fx_digits('ib2', p.id, 4) || ' ' || pg_temp.fx_digits('ib3', p.id, 4) AS iban_spaced) x
         WHERE p.is_company OR p.id % 20 = 5`,
        // Employees (hr 17/18 keeps private data on the employee itself).
        `INSERT INTO resource_resource (id, name, active, company_id, resource_type, user_id, time_efficiency, calendar_id, tz)
         SELECT e, pg_temp.fx_name(pg_temp.fx_user_partner(e + 3)), true, 1, 'user', CASE WHEN e + 3 <= ${n.users} THEN e + 3 END, 100, 1, 'Europe/Brussels'
         FROM generate_series(1, ${n.employees}) e`,
        `INSERT INTO hr_employee (id, resource_id, company_id, name, active, work_contact_id, user_id, job_title, work_phone, mobile_phone,
            work_email, private_street, private_street2, private_city, private_zip, private_country_id, private_phone, private_email, lang,
            country_id, gender, marital, spouse_complete_name, spouse_birthdate, children, place_of_birth, country_of_birth, birthday,
            ssnid, sinid, identification_id, passport_id, permit_no, visa_no, visa_expire, additional_note, emergency_contact,
            emergency_phone, km_home_work, private_car_plate, notes, barcode, pin, employee_type)
         SELECT e, e, 1, pg_temp.fx_name(p), true, CASE WHEN p <= ${n.partners} THEN p END, CASE WHEN e + 3 <= ${n.users} THEN e + 3 END,
            (ARRAY['Sales Manager','Developer','Accountant','Warehouse Operator','HR Officer'])[1 + e % 5],
            '+32 2 ' || pg_temp.fx_digits('wp', e, 3) || ' ' || pg_temp.fx_digits('wp2', e, 2) || ' ' || pg_temp.fx_digits('wp3', e, 2),
            pg_temp.fx_phone('emp-mobile', e), pg_temp.fx_local(p) || '@${prod.domain}',
            pg_temp.fx_street('home', e), CASE WHEN e % 3 = 0 THEN 'Apt ' || (e % 30) END, pg_temp.fx_city('home', e),
            pg_temp.fx_digits('hzip', e, 4), 1, pg_temp.fx_phone('home-phone', e),
            pg_temp.fx_local(p) || '.home@' || (${arr(MAIL_DOMAINS)})[1 + e % ${MAIL_DOMAINS.length}], 'en_US', 1,
            (ARRAY['male','female','other'])[1 + e % 3], CASE WHEN e % 2 = 0 THEN 'married' ELSE 'single' END,
            CASE WHEN e % 2 = 0 THEN pg_temp.fx_person(p + 100000) END, CASE WHEN e % 2 = 0 THEN date '1975-01-01' + (pg_temp.fx_h('sbd', e) % 9000)::int END,
            e % 4, pg_temp.fx_city('pob', e), 1 + e % 5, date '1965-01-01' + (pg_temp.fx_h('bd', e) % 14000)::int,
            substr(pg_temp.fx_digits('ssn', e, 11), 1, 2) || '.' || substr(pg_temp.fx_digits('ssn', e, 11), 3, 2) || '.' || substr(pg_temp.fx_digits('ssn', e, 11), 5, 2)
                || '-' || substr(pg_temp.fx_digits('ssn', e, 11), 7, 3) || '.' || substr(pg_temp.fx_digits('ssn', e, 11), 10, 2),
            CASE WHEN e % 4 = 0 THEN pg_temp.fx_digits('sin', e, 9) END, '5' || pg_temp.fx_digits('id', e, 11), 'EH' || pg_temp.fx_digits('pass', e, 6),
            CASE WHEN e % 6 = 0 THEN 'WP-' || pg_temp.fx_digits('permit', e, 7) END, CASE WHEN e % 6 = 0 THEN 'V' || pg_temp.fx_digits('visa', e, 8) END,
            CASE WHEN e % 6 = 0 THEN date '2026-06-30' END,
            CASE WHEN e % 5 = 0 THEN 'Allergic to nuts. Partner can be reached at ' || pg_temp.fx_phone('partner', e) END,
            pg_temp.fx_person(p + 200000), pg_temp.fx_phone('emergency', e), 5 + e % 60, '1-' || upper(substr(md5('plate' || e), 1, 3)) || '-' || pg_temp.fx_digits('plate', e, 3),
            '<p>Salary review: call ' || pg_temp.fx_phone('notes', e) || ' or mail ' || pg_temp.fx_local(p) || '@' || (${arr(MAIL_DOMAINS)})[1 + (e + 3) % ${MAIL_DOMAINS.length}] || '</p>',
            '0415' || lpad(e::text, 8, '0'), pg_temp.fx_digits('pin', e, 4), 'employee'
         FROM (SELECT e, pg_temp.fx_user_partner(e + 3) AS p FROM generate_series(1, ${n.employees}) e OFFSET 0) s`,
        // CRM.
        `INSERT INTO crm_lead (id, name, user_id, team_id, company_id, partner_id, type, active, priority, stage_id, email_from, email_normalized,
            email_cc, phone, mobile, phone_sanitized, email_state, phone_state, contact_name, partner_name, function, street, street2, zip, city,
            country_id, website, description, expected_revenue, probability, date_deadline, referred, create_date)
         SELECT l, 'Quote for ' || coalesce(pg_temp.fx_name(cp), 'website visitor') || ' #' || l, 2, 1, 1, cp,
            CASE WHEN l % 3 = 0 THEN 'lead' ELSE 'opportunity' END, true, (l % 4)::text, 1 + l % 4,
            pg_temp.fx_email(coalesce(cp, l + 300000)), lower(pg_temp.fx_email(coalesce(cp, l + 300000))),
            CASE WHEN l % 7 = 0 THEN pg_temp.fx_local(l + 1) || '@' || (${arr(MAIL_DOMAINS)})[1 + l % ${MAIL_DOMAINS.length}] END,
            pg_temp.fx_phone('lead-phone', l), CASE WHEN l % 2 = 0 THEN pg_temp.fx_phone('lead-mobile', l) END,
            regexp_replace(pg_temp.fx_phone('lead-phone', l), '[^+0-9]', '', 'g'), 'correct', 'correct',
            pg_temp.fx_person(coalesce(cp, l + 300000)), CASE WHEN cp IS NULL OR cp % 10 IN (0, 1) THEN pg_temp.fx_company(l) END,
            'Buyer', pg_temp.fx_street('lead', l), NULL, pg_temp.fx_digits('lzip', l, 4), pg_temp.fx_city('lead', l), 1 + l % 5,
            CASE WHEN l % 4 = 0 THEN 'https://www.' || pg_temp.fx_domain(l) END,
            '<p>Asked for a quote by phone (' || pg_temp.fx_phone('lead-desc', l) || '). Send it to ' || pg_temp.fx_local(l + 2) || '@' ||
                (${arr(MAIL_DOMAINS)})[1 + (l + 1) % ${MAIL_DOMAINS.length}] || ' before Friday.</p>',
            round((1000 + pg_temp.fx_h('rev', l) % 100000)::numeric, 2), (l % 100)::float, date '2024-01-01' + (l % 365)::int,
            CASE WHEN l % 9 = 0 THEN pg_temp.fx_person(l + 400000) END, '2023-01-01'::timestamp + (l % 600) * interval '1 day'
         FROM (SELECT l, CASE WHEN l % 5 < 3 THEN pg_temp.fx_cp(pg_temp.fx_h('lead-cp', l)) END AS cp FROM generate_series(1, ${n.leads}) l OFFSET 0) s`,
        // Models and tracked fields (mail_tracking_value.field_id).
        `INSERT INTO ir_model (id, model, name, state, transient) VALUES
            (1, 'res.partner', '{"en_US": "Contact"}', 'base', false), (2, 'account.move', '{"en_US": "Journal Entry"}', 'base', false),
            (3, 'crm.lead', '{"en_US": "Lead/Opportunity"}', 'base', false), (4, 'ir.cron', '{"en_US": "Scheduled Actions"}', 'base', false),
            (5, 'res.users', '{"en_US": "User"}', 'base', false), (6, 'sale.order', '{"en_US": "Sales Order"}', 'base', false),
            (7, 'mail.mail', '{"en_US": "Outgoing Mails"}', 'base', false), (8, 'fetchmail.server', '{"en_US": "Incoming Mail Server"}', 'base', false)`,
        `INSERT INTO ir_model_fields (id, name, model, model_id, ttype, field_description, relation, store) VALUES
            (1, 'name', 'res.partner', 1, 'char', '{"en_US": "Name"}', NULL, true), (2, 'email', 'res.partner', 1, 'char', '{"en_US": "Email"}', NULL, true),
            (3, 'phone', 'res.partner', 1, 'char', '{"en_US": "Phone"}', NULL, true), (4, 'street', 'res.partner', 1, 'char', '{"en_US": "Street"}', NULL, true),
            (5, 'state', 'account.move', 2, 'selection', '{"en_US": "Status"}', NULL, true),
            (6, 'stage_id', 'crm.lead', 3, 'many2one', '{"en_US": "Stage"}', 'crm.stage', true),
            (7, 'email_from', 'crm.lead', 3, 'char', '{"en_US": "Email"}', NULL, true),
            (8, 'expected_revenue', 'crm.lead', 3, 'monetary', '{"en_US": "Expected Revenue"}', NULL, true)`,
        // Chatter: ~250-byte HTML bodies full of names, e-mails and phone numbers.
        `INSERT INTO mail_message (id, parent_id, subject, date, body, model, res_id, record_name, message_type, subtype_id, is_internal,
            email_from, author_id, reply_to, reply_to_force_new, message_id, email_add_signature, record_company_id, create_uid, create_date, write_uid, write_date)
         SELECT m, NULL, CASE WHEN mt = 'email' THEN 'Re: Your order ' || m || ' - ' || a_name END,
            d, '<p>Hello ' || pg_temp.fx_first(res) || ',</p><p>Following our call, reach me on ' || a_phone ||
               ' or at ' || coalesce(a_email, 'n/a') || '. The signed delivery note for order ' || m || ' is attached; I copied ' ||
               coalesce(pg_temp.fx_email(res), 'accounting') || '.</p><p>Kind regards,<br>' || a_name || '</p>',
            model, res, CASE model WHEN 'res.partner' THEN pg_temp.fx_display(res) WHEN 'account.move' THEN 'INV/2023/' || lpad(res::text, 6, '0')
               ELSE 'Quote for ' || coalesce(pg_temp.fx_name(res), '') END,
            mt, CASE WHEN mt = 'notification' THEN 2 ELSE 1 END, false,
            '"' || a_name || '" <' || coalesce(a_email, 'unknown@gmail.com') || '>', author,
            CASE WHEN mt = 'email' THEN '"${prod.companyName}" <catchall@${prod.domain}>' END, false,
            '<' || m || '.1700000000.' || pg_temp.fx_h('mid', m) || '-openerp-' || res || '-' || model || '@erp.${prod.domain}>',
            true, 1, 2, d, 2, d
         FROM (SELECT *, pg_temp.fx_name(author) AS a_name, pg_temp.fx_email(author) AS a_email, pg_temp.fx_phone('mobile', author) AS a_phone
               FROM (SELECT m,
                  CASE WHEN m % 10 < 4 THEN 'res.partner' WHEN m % 10 < 8 THEN 'account.move' ELSE 'crm.lead' END AS model,
                  CASE WHEN m % 10 < 4 THEN 5 + pg_temp.fx_h('mres', m) % ${n.partners - 5} WHEN m % 10 < 8 THEN 1 + pg_temp.fx_h('mres', m) % ${n.invoices}
                       ELSE 1 + pg_temp.fx_h('mres', m) % ${n.leads} END AS res,
                  5 + pg_temp.fx_h('author', m) % ${n.partners - 5} AS author,
                  CASE WHEN m % 20 < 12 THEN 'comment' WHEN m % 20 < 17 THEN 'email' ELSE 'notification' END AS mt,
                  '2023-01-01'::timestamp + (m % 700) * interval '1 day' + (pg_temp.fx_h('sec', m) % 86400) * interval '1 second' AS d
               FROM generate_series(1, ${n.messages}) m OFFSET 0) s0 OFFSET 0) s`,
        // Outgoing mail: some queued (state outgoing), most sent, some failed.
        `INSERT INTO mail_mail (id, mail_message_id, body_html, "references", headers, email_to, email_cc, state, auto_delete, is_notification,
            failure_type, failure_reason, scheduled_date, create_date)
         SELECT k, mm.id, mm.body, mm.message_id, '{"Return-Path": "bounce+' || mm.id || '@${prod.domain}", "X-Odoo-Objects": "' || mm.model || '-' || mm.res_id || '"}',
            coalesce(pg_temp.fx_email(mm.author_id), 'x@gmail.com'),
            CASE WHEN k % 5 = 0 THEN pg_temp.fx_local(k) || '@' || (${arr(MAIL_DOMAINS)})[1 + k % ${MAIL_DOMAINS.length}] END,
            CASE WHEN k % 10 < 2 THEN 'outgoing' WHEN k % 10 < 9 THEN 'sent' ELSE 'exception' END, true, false,
            CASE WHEN k % 10 = 9 THEN 'mail_smtp' END,
            CASE WHEN k % 10 = 9 THEN 'SMTP error: 550 5.1.1 <' || coalesce(pg_temp.fx_email(mm.author_id), '') || '>: Recipient address rejected' END,
            CASE WHEN k % 10 < 2 THEN '2030-01-01'::timestamp END, mm.create_date
         FROM (SELECT row_number() OVER (ORDER BY id) AS k, * FROM mail_message WHERE id % 24 = 5) mm`,
        `INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
         SELECT mm.id, 5 + pg_temp.fx_h('rcpt', mm.id) % ${n.partners - 5} FROM mail_mail mm`,
        `INSERT INTO mail_tracking_value (field_id, old_value_char, new_value_char, old_value_integer, new_value_integer, old_value_float,
            new_value_float, mail_message_id, create_date)
         SELECT f,
            CASE f WHEN 1 THEN pg_temp.fx_person(t) WHEN 2 THEN pg_temp.fx_email(t) WHEN 3 THEN pg_temp.fx_phone('trk-old', t)
                   WHEN 4 THEN pg_temp.fx_street('trk-old', t) WHEN 5 THEN 'Draft' WHEN 6 THEN 'New' WHEN 7 THEN pg_temp.fx_email(t + 7) END,
            CASE f WHEN 1 THEN pg_temp.fx_person(t + 1) WHEN 2 THEN pg_temp.fx_email(t + 1) WHEN 3 THEN pg_temp.fx_phone('trk-new', t)
                   WHEN 4 THEN pg_temp.fx_street('trk-new', t) WHEN 5 THEN 'Posted' WHEN 6 THEN 'Qualified' WHEN 7 THEN pg_temp.fx_email(t + 8) END,
            CASE WHEN f = 6 THEN 1 END, CASE WHEN f = 6 THEN 2 END,
            CASE WHEN f = 8 THEN 1000.0 + t END, CASE WHEN f = 8 THEN 1500.0 + t END,
            1 + pg_temp.fx_h('trk', t) % ${n.messages}, '2023-06-01'::timestamp
         FROM (SELECT t, 1 + t % 8 AS f FROM generate_series(1, ${n.trackingValues}) t OFFSET 0) s`,
        `INSERT INTO sms_sms (uuid, number, body, partner_id, state, failure_type, to_delete, create_date)
         SELECT md5('sms' || k), pg_temp.fx_phone('mobile', p), 'Your delivery ' || k || ' arrives today. Questions? Call ' || pg_temp.fx_phone('sms-body', k),
            p, CASE WHEN k % 10 < 3 THEN 'outgoing' WHEN k % 10 < 9 THEN 'sent' ELSE 'error' END,
            CASE WHEN k % 10 = 9 THEN 'sms_number_format' END, false, '2023-06-01'::timestamp
         FROM (SELECT k, 5 + pg_temp.fx_h('sms', k) % ${n.partners - 5} AS p FROM generate_series(1, ${Math.max(10, Math.round(n.messages / 300))}) k OFFSET 0) s`,
        `INSERT INTO ir_attachment (name, res_model, res_id, type, public, access_token, store_fname, file_size, checksum, mimetype, index_content, create_date)
         SELECT 'Invoice_' || pg_temp.fx_last(k) || '_' || k || '.pdf', 'account.move', k, 'binary', false, md5('att' || k)::uuid::text,
            substr(md5('f' || k), 1, 2) || '/' || md5('f' || k), 40000 + k, md5('f' || k), 'application/pdf',
            'INVOICE ' || k || ' ' || pg_temp.fx_name(pg_temp.fx_cp(k)) || ' ' || coalesce(pg_temp.fx_email(pg_temp.fx_cp(k)), '') || ' Tel ' || pg_temp.fx_phone('att', k),
            '2023-06-01'::timestamp
         FROM generate_series(1, ${Math.max(10, Math.round(n.invoices / 50))}) k`,
        ...accountingStatements(n, commercialBlocks, v18),
        ...integrationStatements(n, v18),
    ];
}

/** Accounts, journals, invoices with their lines, payments, reconciliations and misc entries. */
function accountingStatements(n: Counts, commercialBlocks: number, v18: boolean): string[] {
    if (commercialBlocks < 1) throw new Error("fixture needs at least 20 partners for accounting data");
    const code = v18 ? "code_store" : "code";
    const codeValue = (c: string) => (v18 ? `'{"1": "${c}"}'` : `'${c}'`);
    const accounts: [number, string, string, string, boolean][] = [
        [1, "121000", "Account Receivable", "asset_receivable", true],
        [2, "211000", "Account Payable", "liability_payable", true],
        [3, "400000", "Product Sales", "income", false],
        [4, "600000", "Expenses", "expense", false],
        [5, "251000", "Tax Payable", "liability_current", false],
        [6, "131000", "Tax Receivable", "asset_current", false],
        [7, "101402", "Outstanding Receipts", "asset_current", true],
        [8, "101403", "Outstanding Payments", "asset_current", true],
        [9, "101401", "Bank", "asset_cash", false],
        [10, "620000", "Salaries", "expense", false],
    ];
    const company = v18 ? "" : ", company_id";
    const companyValue = v18 ? "" : ", 1";
    const lineCols = `id, move_id, move_name, date, ref, parent_state, journal_id, company_id, company_currency_id, account_id, sequence, name,
        quantity, price_unit, discount, debit, credit, balance, amount_currency, price_subtotal, price_total, reconciled, blocked, date_maturity,
        currency_id, partner_id, tax_base_amount, amount_residual, amount_residual_currency, full_reconcile_id, matching_number, display_type, create_date`;
    return [
        `INSERT INTO account_account (id, name, ${code}, account_type, reconcile${company}, deprecated) VALUES ${accounts
            .map(([id, c, name, type, rec]) => `(${id}, '{"en_US": "${name}"}', ${codeValue(c)}, '${type}', ${rec}${companyValue}, false)`)
            .join(", ")}`,
        `INSERT INTO account_journal (id, name, code, type, company_id, default_account_id, active, sequence) VALUES
            (1, '{"en_US": "Customer Invoices"}', 'INV', 'sale', 1, 3, true, 5), (2, '{"en_US": "Vendor Bills"}', 'BILL', 'purchase', 1, 4, true, 6),
            (3, '{"en_US": "Bank"}', 'BNK1', 'bank', 1, 9, true, 10), (4, '{"en_US": "Miscellaneous Operations"}', 'MISC', 'general', 1, NULL, true, 9)`,
        // Invoice headers. s = +1 when the payment-term line is a debit (customer invoice, vendor refund).
        `CREATE TEMP TABLE _fx_inv ON COMMIT DROP AS
         SELECT i AS id, mt AS move_type, cur AS currency_id, cp, CASE WHEN cp % 10 = 0 AND pg_temp.fx_h('inv-contact', i) % 10 < 3 THEN cp + 2 ELSE cp END AS partner_id,
            CASE WHEN pg_temp.fx_h('inv-state', i) % 100 < 97 THEN 'posted' ELSE 'draft' END AS state,
            date '2023-01-01' + (i % 700)::int AS date,
            CASE WHEN mt IN ('out_invoice', 'in_refund') THEN 1 ELSE -1 END AS s,
            CASE cur WHEN 1 THEN 1.0 WHEN 2 THEN 1.1 ELSE 160.0 END AS rate, CASE cur WHEN 3 THEN 0 ELSE 2 END AS dec,
            pg_temp.fx_h('inv-pay', i) % 100 AS pay_roll, 1 + pg_temp.fx_h('inv-lines', i) % 3 AS nlines
         FROM (SELECT i,
                 CASE WHEN pg_temp.fx_h('inv-type', i) % 100 < 70 THEN 'out_invoice' WHEN pg_temp.fx_h('inv-type', i) % 100 < 90 THEN 'in_invoice'
                      WHEN pg_temp.fx_h('inv-type', i) % 100 < 95 THEN 'out_refund' ELSE 'in_refund' END AS mt,
                 CASE WHEN pg_temp.fx_h('inv-cur', i) % 100 < 85 THEN 1 WHEN pg_temp.fx_h('inv-cur', i) % 100 < 95 THEN 2 ELSE 3 END AS cur,
                 pg_temp.fx_cp(pg_temp.fx_h('inv-cp', i)) AS cp
               FROM generate_series(1, ${n.invoices}) i OFFSET 0) x`,
        `ANALYZE _fx_inv`,
        `ALTER TABLE _fx_inv ADD COLUMN pay_kind text`,
        `UPDATE _fx_inv SET pay_kind = CASE WHEN state <> 'posted' OR move_type NOT IN ('out_invoice', 'in_invoice') THEN 'none'
            WHEN pay_roll < 45 THEN 'full1' WHEN pay_roll < 55 THEN 'full2' WHEN pay_roll < 70 THEN 'partial' ELSE 'none' END`,
        `CREATE TEMP TABLE _fx_pl ON COMMIT DROP AS
         SELECT inv.id AS move_id, j AS seq, q, pu, round(q * pu, inv.dec) AS subtotal, round(round(q * pu, inv.dec) / inv.rate, 2) AS bal,
                round(round(q * pu, inv.dec) * 1.21, inv.dec) AS total_incl
         FROM _fx_inv inv, generate_series(1, inv.nlines) j,
              LATERAL (SELECT (1 + pg_temp.fx_h('q', inv.id * 10 + j) % 10)::numeric AS q,
                   CASE inv.dec WHEN 0 THEN (500 + pg_temp.fx_h('pu', inv.id * 10 + j) % 80000)::numeric
                        ELSE round(5 + (pg_temp.fx_h('pu', inv.id * 10 + j) % 50000) / 100.0, 2) END AS pu OFFSET 0) v`,
        `ANALYZE _fx_pl`,
        `CREATE TEMP TABLE _fx_tot ON COMMIT DROP AS
         SELECT inv.id, sum(pl.subtotal) AS untaxed, round(sum(pl.subtotal) * 0.21, inv.dec) AS tax, sum(pl.bal) AS untaxed_bal,
                round(round(sum(pl.subtotal) * 0.21, inv.dec) / inv.rate, 2) AS tax_bal
         FROM _fx_inv inv JOIN _fx_pl pl ON pl.move_id = inv.id GROUP BY inv.id, inv.dec, inv.rate`,
        `ANALYZE _fx_tot`,
        // Payments: full in one, full in two halves, or partial (30–69 %).
        `CREATE TEMP TABLE _fx_pay ON COMMIT DROP AS
         SELECT row_number() OVER (ORDER BY inv_id, nth) AS pid, * FROM (
            SELECT inv.id AS inv_id, 1 AS nth, t.untaxed + t.tax AS p, t.untaxed_bal + t.tax_bal AS b FROM _fx_inv inv JOIN _fx_tot t USING (id) WHERE pay_kind = 'full1'
            UNION ALL
            SELECT inv.id, 1, round((t.untaxed + t.tax) * 0.5, inv.dec), round((t.untaxed_bal + t.tax_bal) * 0.5, 2) FROM _fx_inv inv JOIN _fx_tot t USING (id) WHERE pay_kind = 'full2'
            UNION ALL
            SELECT inv.id, 2, (t.untaxed + t.tax) - round((t.untaxed + t.tax) * 0.5, inv.dec), (t.untaxed_bal + t.tax_bal) - round((t.untaxed_bal + t.tax_bal) * 0.5, 2)
              FROM _fx_inv inv JOIN _fx_tot t USING (id) WHERE pay_kind = 'full2'
            UNION ALL
            SELECT inv.id, 1, round((t.untaxed + t.tax) * r, inv.dec), round((t.untaxed_bal + t.tax_bal) * r, 2)
              FROM _fx_inv inv JOIN _fx_tot t USING (id), LATERAL (SELECT (30 + inv.pay_roll % 40) / 100.0 AS r) x WHERE pay_kind = 'partial'
         ) p`,
        `ANALYZE _fx_pay`,
        `CREATE TEMP TABLE _fx_full ON COMMIT DROP AS
         SELECT id AS inv_id, row_number() OVER (ORDER BY id) AS frid FROM _fx_inv WHERE pay_kind IN ('full1', 'full2')`,
        `ANALYZE _fx_full`,
        `CREATE TEMP TABLE _fx_paid ON COMMIT DROP AS SELECT inv_id, sum(p) AS p, sum(b) AS b FROM _fx_pay GROUP BY inv_id`,
        `ANALYZE _fx_paid`,
        // All lines with their future ids, ordered by move then sequence.
        `CREATE TEMP TABLE _fx_line ON COMMIT DROP AS
         SELECT row_number() OVER (ORDER BY move_id, seq) AS id, * FROM (
            SELECT pl.move_id, pl.seq, CASE WHEN inv.move_type LIKE 'out%' THEN 3 ELSE 4 END AS account_id,
                   'Product ' || (1 + pg_temp.fx_h('prod', pl.move_id * 10 + pl.seq) % 500) AS name, pl.q AS quantity, pl.pu AS price_unit,
                   -inv.s * pl.bal AS balance, -inv.s * pl.subtotal AS amount_currency, pl.subtotal AS price_subtotal, pl.total_incl AS price_total,
                   0::numeric AS tax_base_amount, 0::numeric AS amount_residual, 0::numeric AS amount_residual_currency,
                   false AS reconciled, NULL::bigint AS full_reconcile_id, 'product' AS display_type, inv.currency_id, inv.cp AS partner_id, NULL::date AS date_maturity
              FROM _fx_pl pl JOIN _fx_inv inv ON inv.id = pl.move_id
            UNION ALL
            SELECT inv.id, 10, CASE WHEN inv.move_type LIKE 'out%' THEN 5 ELSE 6 END, 'VAT 21%', 0, 0,
                   -inv.s * t.tax_bal, -inv.s * t.tax, 0, 0, t.untaxed_bal, 0, 0, false, NULL, 'tax', inv.currency_id, inv.cp, NULL
              FROM _fx_inv inv JOIN _fx_tot t USING (id)
            UNION ALL
            SELECT inv.id, 20, CASE WHEN inv.move_type LIKE 'out%' THEN 1 ELSE 2 END, coalesce(inv.move_type, ''), 0, 0,
                   inv.s * (t.untaxed_bal + t.tax_bal), inv.s * (t.untaxed + t.tax), 0, 0, 0,
                   inv.s * (t.untaxed_bal + t.tax_bal - coalesce(pd.b, 0)), inv.s * (t.untaxed + t.tax - coalesce(pd.p, 0)),
                   inv.pay_kind IN ('full1', 'full2'), f.frid, 'payment_term', inv.currency_id, inv.cp, inv.date + 30
              FROM _fx_inv inv JOIN _fx_tot t USING (id) LEFT JOIN _fx_paid pd ON pd.inv_id = inv.id LEFT JOIN _fx_full f ON f.inv_id = inv.id
            UNION ALL
            SELECT ${n.invoices} + pay.pid, 1, CASE WHEN inv.move_type LIKE 'out%' THEN 1 ELSE 2 END, 'Payment ' || pay.pid, 0, 0,
                   -inv.s * pay.b, -inv.s * pay.p, 0, 0, 0, 0, 0, true, f.frid, 'payment_term', inv.currency_id, inv.cp, NULL
              FROM _fx_pay pay JOIN _fx_inv inv ON inv.id = pay.inv_id LEFT JOIN _fx_full f ON f.inv_id = inv.id
            UNION ALL
            SELECT ${n.invoices} + pay.pid, 2, CASE WHEN inv.s = 1 THEN 7 ELSE 8 END, 'Payment ' || pay.pid, 0, 0,
                   inv.s * pay.b, inv.s * pay.p, 0, 0, 0, inv.s * pay.b, inv.s * pay.p, false, NULL, 'product', inv.currency_id, inv.cp, NULL
              FROM _fx_pay pay JOIN _fx_inv inv ON inv.id = pay.inv_id
            UNION ALL
            SELECT mv.id, j, CASE WHEN j % 2 = 1 THEN 10 ELSE 9 END, 'Salary batch ' || mv.k || '/' || j, 0, 0,
                   CASE j WHEN 1 THEN mv.d1 WHEN 2 THEN mv.d2 WHEN 3 THEN -mv.c1 ELSE -(mv.d1 + mv.d2 - mv.c1) END,
                   CASE j WHEN 1 THEN mv.d1 WHEN 2 THEN mv.d2 WHEN 3 THEN -mv.c1 ELSE -(mv.d1 + mv.d2 - mv.c1) END,
                   0, 0, 0, 0, 0, false, NULL, 'product', 1, mv.cp, NULL
              FROM (SELECT k, (SELECT count(*) FROM _fx_pay) + ${n.invoices} + k AS id,
                           round(100 + (pg_temp.fx_h('d1', k) % 100000) / 100.0, 2) AS d1, round(50 + (pg_temp.fx_h('d2', k) % 50000) / 100.0, 2) AS d2,
                           round((round(100 + (pg_temp.fx_h('d1', k) % 100000) / 100.0, 2) + round(50 + (pg_temp.fx_h('d2', k) % 50000) / 100.0, 2)) / 3, 2) AS c1,
                           CASE WHEN k % 2 = 0 THEN pg_temp.fx_cp(pg_temp.fx_h('misc-cp', k)) END AS cp
                    FROM generate_series(1, ${n.miscEntries}) k OFFSET 0) mv, generate_series(1, 4) j
         ) l`,
        `ANALYZE _fx_line`,
        `CREATE TEMP TABLE _fx_move ON COMMIT DROP AS
         SELECT inv.id, CASE WHEN inv.state = 'draft' THEN '/' ELSE (CASE inv.move_type WHEN 'out_invoice' THEN 'INV' WHEN 'in_invoice' THEN 'BILL'
                    WHEN 'out_refund' THEN 'RINV' ELSE 'RBILL' END) || '/2023/' || lpad(inv.id::text, 6, '0') END AS name,
                CASE WHEN inv.move_type LIKE 'in%' THEN 'SUP-' || pg_temp.fx_digits('ref', inv.id, 6) END AS ref,
                inv.date, inv.state, inv.move_type, CASE WHEN inv.move_type LIKE 'out%' THEN 1 ELSE 2 END AS journal_id,
                inv.currency_id, inv.partner_id, inv.cp, CASE WHEN inv.pay_kind IN ('full1', 'full2') THEN 'paid' WHEN inv.pay_kind = 'partial' THEN 'partial' ELSE 'not_paid' END AS payment_state,
                NULL::bigint AS payment_id, pg_temp.fx_display(inv.partner_id) AS display_name,
                CASE WHEN inv.id % 5 = 0 THEN '<p>Deliver to ' || pg_temp.fx_street('ship', inv.id) || ', call ' || pg_temp.fx_phone('ship', inv.id) || ' on arrival.</p>' END AS narration
         FROM _fx_inv inv
         UNION ALL
         SELECT ${n.invoices} + pay.pid, 'PBNK1/2023/' || lpad(pay.pid::text, 6, '0'), NULL, inv.date + 10 + pay.nth, 'posted', 'entry', 3,
                inv.currency_id, inv.cp, inv.cp, 'not_paid', pay.pid, pg_temp.fx_display(inv.cp), NULL
         FROM _fx_pay pay JOIN _fx_inv inv ON inv.id = pay.inv_id
         UNION ALL
         SELECT DISTINCT l.move_id, 'MISC/2023/' || lpad((l.move_id - ${n.invoices})::text, 6, '0'), 'Payroll', date '2023-06-30', 'posted', 'entry', 4,
                1, l.partner_id, l.partner_id, 'not_paid', NULL::bigint, NULL::text, NULL::text
         FROM _fx_line l WHERE l.move_id > ${n.invoices} + (SELECT count(*) FROM _fx_pay)`,
        `ANALYZE _fx_move`,
        `INSERT INTO account_full_reconcile (id, create_date) SELECT frid, '2023-06-01'::timestamp FROM _fx_full`,
        `INSERT INTO account_move (id, name, ref, date, state, move_type, journal_id, company_id, currency_id, partner_id, commercial_partner_id,
            payment_reference, ${v18 ? "origin_payment_id" : "payment_id"}, payment_state, invoice_date, invoice_date_due, invoice_partner_display_name,
            narration, invoice_user_id, sequence_prefix, sequence_number, ${moveTotalColumns.filter((col) => v18 || col !== "amount_untaxed_in_currency_signed").join(", ")},
            create_uid, create_date, write_uid, write_date)
         SELECT m.id, m.name, m.ref, m.date, m.state, m.move_type, m.journal_id, 1, m.currency_id, m.partner_id, m.cp,
            CASE WHEN m.move_type <> 'entry' THEN m.name END, m.payment_id, m.payment_state,
            CASE WHEN m.move_type <> 'entry' THEN m.date END, CASE WHEN m.move_type <> 'entry' THEN m.date + 30 END, m.display_name,
            m.narration, 2, split_part(m.name, '/', 1) || '/2023/', NULLIF(split_part(m.name, '/', 3), '')::int,
            ${moveTotalColumns
                .filter((col) => v18 || col !== "amount_untaxed_in_currency_signed")
                .map((col) => `t.${col}`)
                .join(", ")},
            2, m.date::timestamp, 2, m.date::timestamp
         FROM _fx_move m JOIN (${moveTotalsQuery(`(SELECT fl.*, fm.move_type FROM _fx_line fl JOIN _fx_move fm ON fm.id = fl.move_id) l`)}) t ON t.move_id = m.id`,
        `INSERT INTO account_move_line (${lineCols})
         SELECT l.id, l.move_id, m.name, m.date, m.ref, m.state, m.journal_id, 1, 1, l.account_id, l.seq, l.name, l.quantity, l.price_unit, 0,
            greatest(l.balance, 0), greatest(-l.balance, 0), l.balance, l.amount_currency, l.price_subtotal, l.price_total, l.reconciled, false,
            l.date_maturity, l.currency_id, l.partner_id, l.tax_base_amount, l.amount_residual, l.amount_residual_currency, l.full_reconcile_id,
            coalesce(l.full_reconcile_id::text, pm.matching), l.display_type, m.date::timestamp
         FROM _fx_line l JOIN _fx_move m ON m.id = l.move_id
         LEFT JOIN (SELECT ln.id, 'P' || pay.pid AS matching FROM _fx_pay pay JOIN _fx_inv inv ON inv.id = pay.inv_id AND inv.pay_kind = 'partial'
                      JOIN _fx_line ln ON ln.move_id = inv.id AND ln.seq = 20
                    UNION ALL
                    SELECT ln.id, 'P' || pay.pid FROM _fx_pay pay JOIN _fx_inv inv ON inv.id = pay.inv_id AND inv.pay_kind = 'partial'
                      JOIN _fx_line ln ON ln.move_id = ${n.invoices} + pay.pid AND ln.seq = 1) pm ON pm.id = l.id`,
        `INSERT INTO account_partial_reconcile (id, debit_move_id, credit_move_id, full_reconcile_id, debit_currency_id, credit_currency_id, amount,
            debit_amount_currency, credit_amount_currency, company_id, max_date, create_date)
         SELECT pay.pid, CASE WHEN inv.s = 1 THEN term.id ELSE cpt.id END, CASE WHEN inv.s = 1 THEN cpt.id ELSE term.id END, f.frid,
            inv.currency_id, inv.currency_id, pay.b, pay.p, pay.p, 1, inv.date + 10 + pay.nth, '2023-06-01'::timestamp
         FROM _fx_pay pay JOIN _fx_inv inv ON inv.id = pay.inv_id
         JOIN _fx_line term ON term.move_id = inv.id AND term.seq = 20
         JOIN _fx_line cpt ON cpt.move_id = ${n.invoices} + pay.pid AND cpt.seq = 1
         LEFT JOIN _fx_full f ON f.inv_id = inv.id`,
        `INSERT INTO account_payment (id, move_id, ${v18 ? "name, date, state, company_id, journal_id, memo" : "payment_reference"}, is_reconciled, is_matched,
            amount, payment_type, partner_type, currency_id, partner_id, outstanding_account_id, destination_account_id, amount_company_currency_signed, create_date)
         SELECT pay.pid, ${n.invoices} + pay.pid, ${v18 ? "'PBNK1/2023/' || lpad(pay.pid::text, 6, '0'), inv.date + 10 + pay.nth, 'paid', 1, 3, " : ""}
            CASE WHEN inv.move_type LIKE 'out%' THEN 'INV/2023/' ELSE 'BILL/2023/' END || lpad(inv.id::text, 6, '0'), true, false,
            pay.p, CASE WHEN inv.s = 1 THEN 'inbound' ELSE 'outbound' END, CASE WHEN inv.move_type LIKE 'out%' THEN 'customer' ELSE 'supplier' END,
            inv.currency_id, inv.cp, CASE WHEN inv.s = 1 THEN 7 ELSE 8 END, CASE WHEN inv.move_type LIKE 'out%' THEN 1 ELSE 2 END,
            inv.s * pay.b, '2023-06-01'::timestamp
         FROM _fx_pay pay JOIN _fx_inv inv ON inv.id = pay.inv_id`,
    ];
}

/** Live integrations, secrets and identity: everything neutralize must switch off. */
function integrationStatements(n: Counts, v18: boolean): string[] {
    const prod = fixtureProduction;
    // [module, xmlid, name, model, active]
    const crons: [string, string, string, string, boolean][] = [
        ["base", "autovacuum_job", "Base: Auto-vacuum internal data", "ir.autovacuum", true],
        ["base", "ir_cron_res_users_deletion", "Base: Portal Users Deletion", "res.users.deletion", true],
        ["mail", "ir_cron_mail_scheduler_action", "Mail: Email Queue Manager", "mail.mail", true],
        ["mail", "ir_cron_mail_gateway_action", "Mail: Fetchmail Service", "fetchmail.server", true],
        ["mail", "ir_cron_delete_notification", "Notification: Delete Notifications older than 6 Month", "mail.notification", true],
        ["sms", "ir_cron_sms_scheduler_action", "SMS: SMS Queue Manager", "sms.sms", true],
        ["account", "ir_cron_auto_post_draft_entry", "Account: Post draft entries with auto_post enabled", "account.move", true],
        ["crm", "ir_cron_crm_lead_assign", "CRM: Lead Assignment", "crm.team", true],
        ["payment", "cron_post_process_payment_tx", "payment: post-process transactions", "payment.transaction", true],
        ["google_calendar", "ir_cron_sync_all_cals", "Google Calendar: synchronization", "res.users", true],
        ["queue_job", "ir_cron_queue_job_garbage_collector", "Jobs Garbage Collector", "queue.job", true],
        ["hr", "ir_cron_data_check_work_permit_validity", "HR Employee: check work permit validity", "hr.employee", true],
        ["__export__", "ir_cron_sync_orders_partner_api", "Sync orders to Partner Logistics API", "sale.order", true],
        ["website", "website_disable_unused_snippets_assets", "Website: disable unused snippets assets", "website", false],
    ];
    const cronCols = v18 ? "failure_count" : "numbercall, doall";
    const cronVals = v18 ? "0" : "-1, false";
    return [
        // Server actions: one per cron, two webhooks, one code action calling a partner API.
        `INSERT INTO ir_act_server (id, name, type, binding_type, usage, state, sequence, model_id, model_name, code, webhook_url) VALUES
            ${crons.map(([, , name, model], i) => `(${i + 1}, '{"en_US": ${JSON.stringify(name).replace(/'/g, "''")}}', 'ir.actions.server', 'action', 'ir_cron', 'code', 5, 4, '${model}', 'model._run_job()', NULL)`).join(",\n            ")},
            (100, '{"en_US": "Notify Zapier on new order"}', 'ir.actions.server', 'action', 'base_automation', 'webhook', 5, 6, 'sale.order', NULL, 'https://hooks.zapier.com/hooks/catch/4711/acme-orders/'),
            (101, '{"en_US": "Push invoice to Partner Logistics"}', 'ir.actions.server', 'action', 'base_automation', 'webhook', 5, 2, 'account.move', NULL, 'https://api.partner-logistics.com/odoo/invoices?token=pl_live_93kd02'),
            (102, '{"en_US": "Push stock to marketplace"}', 'ir.actions.server', 'action', 'ir_actions_server', 'code', 5, 6, 'sale.order', 'requests.post("https://api.marketplace.example.net/stock", json=records.read())', NULL)`,
        `INSERT INTO ir_cron (id, ir_actions_server_id, cron_name, user_id, active, interval_number, interval_type, ${cronCols}, nextcall, lastcall, priority) VALUES
            ${crons.map(([, , name, , active], i) => `(${i + 1}, ${i + 1}, '${name.replace(/'/g, "''")}', 1, ${active}, 1, 'hours', ${cronVals}, '2024-01-01 00:00:00', '2023-12-31 23:00:00', 5)`).join(",\n            ")}`,
        `INSERT INTO ir_model_data (name, module, model, res_id, noupdate) VALUES
            ${crons.map(([module, xmlid], i) => `('${xmlid}', '${module}', 'ir.cron', ${i + 1}, true)`).join(", ")},
            ('main_company', 'base', 'res.company', 1, true), ('main_partner', 'base', 'res.partner', 1, true),
            ('partner_root', 'base', 'res.partner', 2, true), ('partner_admin', 'base', 'res.partner', 3, true),
            ('public_partner', 'base', 'res.partner', 4, true), ('user_root', 'base', 'res.users', 1, true),
            ('user_admin', 'base', 'res.users', 2, true), ('public_user', 'base', 'res.users', 3, true),
            ('EUR', 'base', 'res.currency', 1, true), ('USD', 'base', 'res.currency', 2, true), ('JPY', 'base', 'res.currency', 3, true),
            ('neutralize_banner', 'web', 'ir.ui.view', 1, false), ('neutralize_ribbon', 'website', 'ir.ui.view', 2, false),
            ('default_website', 'website', 'website', 1, true)`,
        `INSERT INTO ir_mail_server (id, name, from_filter, smtp_host, smtp_port, smtp_authentication, smtp_user, smtp_pass, smtp_encryption,
            smtp_debug, sequence, active, google_gmail_refresh_token, google_gmail_access_token, google_gmail_access_token_expiration,
            microsoft_outlook_refresh_token, microsoft_outlook_access_token, microsoft_outlook_access_token_expiration) VALUES
            (1, 'Gmail (notifications)', '${prod.domain}', '${prod.smtpHosts[0]}', 465, 'gmail', 'notifications@${prod.domain}', NULL, 'ssl',
             false, 10, true, '1//09-acme-refresh-token', 'ya29.acme-access-token', 1999999999, NULL, NULL, NULL),
            (2, 'Office 365 (accounting)', 'accounting@${prod.domain}', '${prod.smtpHosts[1]}', 587, 'login', 'accounting@${prod.domain}',
             'Sup3r-Secret-Pa55', 'starttls', false, 20, true, NULL, NULL, NULL, 'M.C507_BAY.refresh-acme', 'EwBwA8l6-access-acme', 1999999999)`,
        `INSERT INTO fetchmail_server (id, name, active, state, server, port, server_type, is_ssl, attach, original, "user", password, object_id, priority,
            google_gmail_refresh_token, google_gmail_access_token) VALUES
            (1, 'Support inbox', true, 'done', '${prod.imapHost}', 993, 'imap', true, true, false, 'support@${prod.domain}', 'imap-Pa55w0rd', 3, 5, '1//09-imap-refresh', 'ya29.imap-access'),
            (2, 'Jobs inbox', true, 'done', 'pop.${prod.domain}', 995, 'pop', true, true, false, 'jobs@${prod.domain}', 'pop-Pa55w0rd', 1, 5, NULL, NULL)`,
        `INSERT INTO ir_config_parameter (key, value) VALUES
            ('database.uuid', '${uuidFrom("uuid")}'), ('database.secret', '${uuidFrom("secret")}-${uuidFrom("secret2")}'),
            ('database.create_date', '2021-03-01 09:00:00'), ('database.enterprise_code', 'M2103018842acme'),
            ('database.expiration_date', '2026-03-01 00:00:00'), ('web.base.url', '${prod.baseUrl}'),
            ('mail.catchall.domain', '${prod.domain}'), ('mail.bounce.alias', 'bounce'), ('mail.catchall.alias', 'catchall'),
            ('mail.default.from', 'notifications'), ('mail.default.from_filter', '${prod.domain}'),
            ('recaptcha_public_key', '6LcAcmeAAAAAPublicKeyAcmeIndustries'), ('recaptcha_private_key', '6LcAcmeAAAAAPrivateKeyAcmeIndustries'),
            ('cloud_storage_provider', 'google'), ('cloud_storage_google_bucket_name', 'acme-prod-attachments'),
            ('cloud_storage_google_account_info', '{"type": "service_account", "project_id": "acme-prod", "private_key_id": "4f1c0ffee"}'),
            ('mail.web_push_vapid_private_key', 'vapid-private-acme'), ('mail.web_push_vapid_public_key', 'vapid-public-acme'),
            ('google_gmail_client_id', '418927342-gmail.apps.googleusercontent.com'), ('google_gmail_client_secret', 'GOCSPX-acme-gmail-secret'),
            ('google_calendar_client_id', '418927342-cal.apps.googleusercontent.com'), ('google_calendar_client_secret', 'GOCSPX-acme-cal-secret'),
            ('microsoft_outlook_client_id', 'acme-outlook-app'), ('microsoft_outlook_client_secret', 'acme~outlook~secret'),
            ('web_map.token_map_box', 'pk.eyJ1IjoiYWNtZSJ9.mapbox'), ('base_setup.default_user_rights', 'True'),
            ('account_peppol.edi.mode', 'prod'), ('auth_signup.invitation_scope', 'b2b')`,
        `INSERT INTO ir_module_module (id, name, state, latest_version, author, website, shortdesc, application, auto_install, license, demo) VALUES ${[
            "base",
            "web",
            "mail",
            "auth_totp",
            "auth_oauth",
            "auth_signup",
            "contacts",
            "account",
            "payment",
            "payment_stripe",
            "payment_paypal",
            "payment_adyen",
            "payment_mollie",
            "delivery",
            "iap",
            "sms",
            "snailmail",
            "crm",
            "hr",
            "website",
            "google_recaptcha",
            "google_calendar",
            "microsoft_calendar",
            "google_gmail",
            "microsoft_outlook",
            "cloud_storage",
            "cloud_storage_google",
            "account_edi_proxy_client",
            "account_peppol",
            "queue_job",
            "partner_logistics_connector",
        ]
            .map(
                (name, i) =>
                    `(${i + 1}, '${name}', 'installed', '${v18 ? "18.0" : "17.0"}.1.0', 'Odoo S.A.', 'https://www.odoo.com', '{"en_US": "${name}"}', false, false, 'LGPL-3', false)`,
            )
            .join(", ")},
            (99, 'payment_razorpay', 'uninstalled', NULL, 'Odoo S.A.', 'https://www.odoo.com', '{"en_US": "payment_razorpay"}', false, false, 'LGPL-3', false)`,
        `INSERT INTO payment_provider (id, name, code, state, company_id, is_published, sequence, allow_tokenization, stripe_publishable_key,
            stripe_secret_key, stripe_webhook_secret, paypal_email_account, ${v18 ? "paypal_client_id, paypal_client_secret" : "paypal_pdt_token"},
            adyen_merchant_account, adyen_api_key, adyen_client_key, adyen_hmac_key, mollie_api_key) VALUES
            (1, '{"en_US": "Stripe"}', 'stripe', 'enabled', 1, true, 1, true, 'pk_live_51AcmePublishable', 'sk_live_51AcmeSecret', 'whsec_AcmeWebhook',
             NULL, ${v18 ? "NULL, NULL" : "NULL"}, NULL, NULL, NULL, NULL, NULL),
            (2, '{"en_US": "PayPal"}', 'paypal', 'enabled', 1, true, 2, false, NULL, NULL, NULL, 'payments@${prod.domain}',
             ${v18 ? "'AcmePayPalClientId', 'AcmePayPalClientSecret'" : "'AcmePdtToken'"}, NULL, NULL, NULL, NULL, NULL),
            (3, '{"en_US": "Adyen"}', 'adyen', 'test', 1, false, 3, true, NULL, NULL, NULL, NULL, ${v18 ? "NULL, NULL" : "NULL"},
             'AcmeECOM', 'AQEyhmfxAcmeApiKey', 'live_ACMECLIENTKEY', 'ACMEHMAC0011', NULL),
            (4, '{"en_US": "Mollie"}', 'mollie', 'disabled', 1, false, 4, false, NULL, NULL, NULL, NULL, ${v18 ? "NULL, NULL" : "NULL"},
             NULL, NULL, NULL, NULL, 'live_AcmeMollieKey')`,
        `INSERT INTO payment_token (provider_id, payment_details, partner_id, company_id, provider_ref, active, stripe_payment_method)
         SELECT 1, '•••• ' || pg_temp.fx_digits('card', k, 4), pg_temp.fx_cp(k), 1, 'cus_' || substr(md5('cus' || k), 1, 14), true, 'pm_' || substr(md5('pm' || k), 1, 24)
         FROM generate_series(1, ${Math.max(5, Math.round(n.invoices / 200))}) k`,
        `INSERT INTO delivery_carrier (id, name, sequence, delivery_type, integration_level, prod_environment, debug_logging, company_id, active, fixed_price) VALUES
            (1, '{"en_US": "Standard delivery"}', 1, 'fixed', 'rate', false, false, NULL, true, 5.0),
            (2, '{"en_US": "Zone based"}', 2, 'base_on_rule', 'rate', false, false, NULL, true, 0),
            (3, '{"en_US": "Sendcloud"}', 3, 'sendcloud', 'rate_and_ship', true, false, 1, true, 0),
            (4, '{"en_US": "DHL Express"}', 4, 'dhl', 'rate_and_ship', true, true, 1, true, 0)`,
        `INSERT INTO iap_account (id, service_name, account_token, warning_threshold) VALUES
            (1, 'sms', '${uuidFrom("iap-sms")}', 10), (2, 'partner_autocomplete', '${uuidFrom("iap-pa")}', 10),
            (3, 'invoice_ocr', '${uuidFrom("iap-ocr")}+promo', 10)`,
        `INSERT INTO website (id, name, sequence, domain, company_id, cdn_activated, cdn_url, robots_txt, social_twitter, google_analytics_key, google_maps_api_key, plausible_shared_key) VALUES
            (1, 'Acme Industries', 10, 'https://www.${prod.domain}', 1, true, 'https://cdn.${prod.domain}', 'User-agent: *' || chr(10) || 'Allow: /',
             'https://twitter.com/acmeindustries', 'G-ACME12345', 'AIzaSyAcmeMapsKey', 'acme-plausible-share')`,
        `INSERT INTO ir_ui_view (id, name, model, key, priority, type, arch_db, arch_fs, inherit_id, mode, active, website_id) VALUES
            (1, 'Neutralize banner', NULL, 'web.neutralize_banner', 16, 'qweb', '{"en_US": "<t t-name=\\"web.neutralize_banner\\"><span id=\\"oe_neutralize_banner\\">This database is neutralized.</span></t>"}',
             'web/views/neutralize_views.xml', NULL, 'extension', false, NULL),
            (2, 'Neutralize ribbon', NULL, 'website.neutralize_ribbon', 16, 'qweb', '{"en_US": "<t t-name=\\"website.neutralize_ribbon\\"><span id=\\"oe_neutralize_ribbon\\"/></t>"}',
             'website/views/neutralize_ribbon.xml', NULL, 'extension', false, NULL),
            (3, 'Footer', NULL, 'website.footer_custom', 16, 'qweb', '{"en_US": "<div class=\\"footer\\">Contact us: <a href=\\"mailto:info@${prod.domain}\\">info@${prod.domain}</a>, +32 2 512 12 12</div>"}',
             NULL, NULL, 'primary', true, 1),
            (4, 'res.partner.form', 'res.partner', NULL, 16, 'form', '{"en_US": "<form><field name=\\"name\\"/><field name=\\"email\\"/></form>"}',
             'base/views/res_partner_views.xml', NULL, 'primary', true, NULL)`,
        `INSERT INTO mail_template (id, name, model_id, model, subject, email_from, email_to, partner_to, body_html, mail_server_id, auto_delete, active) VALUES
            (1, '{"en_US": "Invoice: Send by email"}', 2, 'account.move', '{"en_US": "{{ object.company_id.name }} Invoice (Ref {{ object.name }})"}',
             '{{ (object.invoice_user_id.email_formatted or user.email_formatted) }}', NULL, '{{ object.partner_id.id }}',
             '{"en_US": "<p>Dear {{ object.partner_id.name }}, here is your invoice.</p>"}', 2, true, true),
            (2, '{"en_US": "CRM: Lead follow-up"}', 3, 'crm.lead', '{"en_US": "Following up"}', 'sales@${prod.domain}', NULL, NULL,
             '{"en_US": "<p>Hello</p>"}', 1, true, true)`,
        `INSERT INTO mail_alias (alias_name, alias_model_id, alias_defaults, alias_domain_id, alias_contact, alias_status) VALUES
            ('sales', 3, '{}', 1, 'everyone', 'valid'), ('support', 1, '{}', 1, 'everyone', 'valid'), ('jobs', 5, '{}', 1, 'everyone', 'valid')`,
        `INSERT INTO queue_job (uuid, user_id, company_id, name, model_name, method_name, records, args, kwargs, func_string, state, priority,
            date_created, eta, retry, max_retries, channel, exc_info)
         SELECT md5('job' || k)::uuid::text, 2, 1, 'Export order ' || k || ' to Partner Logistics', 'sale.order', 'export_to_partner_api',
            '{"_type": "odoo_recordset", "model": "sale.order", "ids": [' || k || ']}', '[]', '{}', 'sale.order(' || k || ',).export_to_partner_api()',
            (ARRAY['pending', 'enqueued', 'started', 'wait_dependencies', 'done', 'done', 'failed', 'cancelled'])[1 + k % 8], 10,
            '2023-06-01'::timestamp, '2030-01-01'::timestamp, 0, 5, 'root.partner_api',
            CASE WHEN k % 8 = 6 THEN 'requests.exceptions.HTTPError: 401 for url https://api.partner-logistics.com/orders' END
         FROM generate_series(1, ${Math.max(16, Math.round(n.invoices / 50))}) k`,
        `INSERT INTO account_edi_proxy_client_user (active, id_client, company_id, edi_identification, refresh_token, proxy_type, edi_mode) VALUES
            (true, '${uuidFrom("edi")}', 1, '0208:0477123456', 'edi-refresh-acme', 'peppol', 'prod')`,
        `INSERT INTO mail_partner_device (id, partner_id, endpoint, keys, expiration_time)
         SELECT k, pg_temp.fx_user_partner(3 + k), 'https://fcm.googleapis.com/fcm/send/' || md5('push' || k), '{"p256dh": "' || md5('k' || k) || '", "auth": "x"}', NULL
         FROM generate_series(1, ${Math.max(2, Math.min(20, n.users - 3))}) k`,
        `INSERT INTO mail_notification_web_push (user_device, payload) SELECT id, '{"title": "New message"}' FROM mail_partner_device`,
    ];
}

/** A deterministic UUID-looking string for planted identifiers. */
function uuidFrom(label: string): string {
    const h = createHash("md5").update(`fixture:${label}`).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
