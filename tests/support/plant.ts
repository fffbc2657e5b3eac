/**
 * Plants personal data and live integrations into a real Odoo database (one of ../shared's dumps),
 * using the real column names of whatever the dump has: rows are inserted respecting its NOT NULL
 * and foreign-key constraints (a parent row is created where one is required), existing rows are
 * updated. Every planted personal value and credential is recorded, so a test can look for it in
 * a data-only dump of the result.
 */
import type { Client } from "pg";
import { Catalog, readCatalog } from "../../ops/odoo/catalog";
import { qualifiedTable, quoteIdent } from "../../ops/odoo/sql";

export type PlantedKind = "name" | "email" | "phone" | "street" | "vat" | "iban" | "card" | "token" | "secret" | "text";

export interface Planted {
    value: string;
    kind: PlantedKind;
    /** Where it was planted first: `table.column`. */
    where: string;
}

interface ColumnMeta {
    name: string;
    type: string;
    notNull: boolean;
    hasDefault: boolean;
    maxLength: number | null;
    references?: string;
}

// ---- planted values ----------------------------------------------------------------------------------

const FIRST = [
    "Zenobia",
    "Ignatius",
    "Philippa",
    "Evander",
    "Marisol",
    "Thaddeus",
    "Ottoline",
    "Cassius",
    "Rosalind",
    "Leopold",
    "Ysolde",
    "Barnaby",
    "Clementine",
    "Fitzgerald",
    "Henrietta",
    "Lysander",
    "Perpetua",
    "Augustin",
    "Wilhelmina",
    "Octavian",
];
const LAST = ["Quillfeather", "Nightingale", "Bramblewood", "Thistlewaite", "Okonkwo", "Lindqvist", "Abernathy", "Fairweather", "Montgomery", "Kowalczyk"];

function mod97(digits: string): number {
    let r = 0;
    for (let i = 0; i < digits.length; i += 7) r = Number(String(r) + digits.slice(i, i + 7)) % 97;
    return r;
}

/** A valid Belgian IBAN (national check digits and IBAN check digits), spaced. */
export function belgianIban(n: number): string {
    const account = String(100_000_0000 + n * 7919).slice(0, 10);
    const national = String(Number(account) % 97 || 97).padStart(2, "0");
    const bban = `${account}${national}`;
    const check = String(98 - mod97(`${bban}111400`)).padStart(2, "0");
    const iban = `BE${check}${bban}`;
    return iban.replace(/(.{4})/g, "$1 ").trim();
}

/** A valid Belgian VAT number (BE0 + 7 digits + mod-97 check). */
export function belgianVat(n: number): string {
    const base = `0${String(4_000_000 + n * 131).slice(0, 7)}`;
    return `BE${base}${String(97 - (Number(base) % 97)).padStart(2, "0")}`;
}

/** A Luhn-valid 16-digit Visa number. */
export function visaNumber(n: number): string {
    const body = `4${String(532_000_000_000_00 + n * 977)
        .padStart(14, "0")
        .slice(0, 14)}`;
    for (let d = 0; d <= 9; d++) {
        const digits = `${body}${d}`;
        let sum = 0;
        for (let i = 0; i < 16; i++) {
            let x = Number(digits[15 - i]);
            if (i % 2 === 1) {
                x *= 2;
                if (x > 9) x -= 9;
            }
            sum += x;
        }
        if (sum % 10 === 0) return digits.replace(/(.{4})/g, "$1 ").trim();
    }
    throw new Error("unreachable");
}

export class Planter {
    readonly planted: Planted[] = [];
    #meta = new Map<string, ColumnMeta[]>();
    #n = 0;
    #people = 0;

    private constructor(
        readonly client: Client,
        public catalog: Catalog,
    ) {}

    static async open(client: Client): Promise<Planter> {
        const p = new Planter(client, await readCatalog(client));
        const { rows } = await client.query<{ t: string; c: string; type: string; nn: boolean; def: boolean; len: number | null }>(`
            SELECT table_name AS t, column_name AS c, data_type AS type, is_nullable = 'NO' AS nn, column_default IS NOT NULL AS def,
                   character_maximum_length AS len
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
        for (const r of rows) {
            if (!p.#meta.has(r.t)) p.#meta.set(r.t, []);
            p.#meta.get(r.t)!.push({
                name: r.c,
                type: r.type,
                notNull: r.nn,
                hasDefault: r.def,
                maxLength: r.len,
                references: p.catalog.table(r.t)?.columns.get(r.c)?.references,
            });
        }
        return p;
    }

    has(table: string, column?: string): boolean {
        return column ? this.catalog.hasColumn(table, column) : this.catalog.hasTable(table);
    }

    /** Records a planted value (found later in the result means it survived). */
    mark(value: string, kind: PlantedKind, where: string): string {
        this.planted.push({ value, kind, where });
        return value;
    }

    /** A new planted person: name, e-mail, phone, street, VAT, IBAN, card, each unique and recorded. */
    person(where: string) {
        const i = this.#people++;
        const first = FIRST[i % FIRST.length];
        const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
        const pair = (k: number) => String(10 + ((i * 37 + k * 13) % 90));
        return {
            name: this.mark(`${first} ${last}`, "name", where),
            email: this.mark(`${first}.${last}${i}@gmail.com`.toLowerCase(), "email", where),
            phone: this.mark(`+32 470 ${pair(1)} ${pair(2)} ${pair(3)}`, "phone", where),
            mobile: this.mark(`+33 6 ${pair(4)} ${pair(5)} ${pair(6)} ${pair(7)}`, "phone", where),
            street: this.mark(`Rue des Planteurs ${100 + i}`, "street", where),
            vat: this.mark(belgianVat(i + 1), "vat", where),
            iban: this.mark(belgianIban(i + 1), "iban", where),
            card: this.mark(visaNumber(i + 1), "card", where),
        };
    }

    token(where: string, prefix = ""): string {
        return this.mark(`${prefix}${Buffer.from(`planted-token-${++this.#n}-${where}`).toString("hex").slice(0, 40)}`, "token", where);
    }

    secret(where: string, value: string): string {
        return this.mark(value, "secret", where);
    }

    /** Fills a NOT NULL column that has no default. */
    async #filler(table: string, c: ColumnMeta, depth: number): Promise<unknown> {
        if (c.references) return this.anyRow(c.references, depth + 1);
        const n = ++this.#n;
        const text = (s: string) => (c.maxLength ? s.slice(0, c.maxLength) : s);
        switch (c.type) {
            case "integer":
            case "bigint":
            case "smallint":
                return 1;
            case "numeric":
            case "double precision":
            case "real":
                return 1;
            case "boolean":
                return false;
            case "character varying":
            case "text":
            case "character":
                return text(`p${n}`);
            case "jsonb":
            case "json":
                return { en_US: `p${n}` };
            case "date":
                return "2024-01-01";
            case "timestamp without time zone":
            case "timestamp with time zone":
                return "2024-01-01 00:00:00";
            case "bytea":
                return Buffer.alloc(0);
            default:
                throw new Error(`plant: cannot fill ${table}.${c.name} of type ${c.type}`);
        }
    }

    /** Inserts a row into `table` (missing NOT NULL columns filled, parents created) and returns its id. */
    async insert(table: string, values: Record<string, unknown>, depth = 0): Promise<number> {
        if (depth > 8) throw new Error(`plant: foreign keys nest too deep at ${table}`);
        const meta = this.#meta.get(table);
        if (!meta) throw new Error(`plant: no table ${table}`);
        const row: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(values)) if (meta.some((c) => c.name === k) && v !== undefined) row[k] = v;
        for (const c of meta) {
            if (c.name in row || !c.notNull || c.hasDefault) continue;
            row[c.name] = await this.#filler(table, c, depth);
        }
        const cols = Object.keys(row);
        const params = cols.map((k) => {
            const c = meta.find((m) => m.name === k)!;
            const v = row[k];
            return (c.type === "jsonb" || c.type === "json") && typeof v !== "string" ? JSON.stringify(v) : v;
        });
        const hasId = meta.some((c) => c.name === "id");
        const sql = `INSERT INTO ${qualifiedTable(table)} (${cols.map(quoteIdent).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})${hasId ? " RETURNING id" : ""}`;
        const { rows } = await this.client.query(sql, params).catch((err: Error) => {
            throw new Error(`plant: INSERT INTO ${table} (${cols.join(", ")}) failed: ${err.message}`);
        });
        return hasId ? rows[0].id : 0;
    }

    /** Some row of `table` (created when the table is empty). */
    async anyRow(table: string, depth = 0): Promise<number> {
        const { rows } = await this.client.query(`SELECT id FROM ${qualifiedTable(table)} ORDER BY id LIMIT 1`);
        return rows.length ? rows[0].id : this.insert(table, {}, depth);
    }

    /** Updates one row's columns (those the table has). */
    async update(table: string, id: number, values: Record<string, unknown>): Promise<void> {
        const meta = this.#meta.get(table) ?? [];
        const entries = Object.entries(values).filter(([k, v]) => meta.some((c) => c.name === k) && v !== undefined);
        if (!entries.length) return;
        const params = entries.map(([k, v]) => {
            const c = meta.find((m) => m.name === k)!;
            return (c.type === "jsonb" || c.type === "json") && typeof v !== "string" ? JSON.stringify(v) : v;
        });
        await this.client
            .query(
                `UPDATE ${qualifiedTable(table)} SET ${entries.map(([k], i) => `${quoteIdent(k)} = $${i + 1}`).join(", ")} WHERE id = $${entries.length + 1}`,
                [...params, id],
            )
            .catch((err: Error) => {
                throw new Error(`plant: UPDATE ${table} failed: ${err.message}`);
            });
    }

    /** A value for a translated (jsonb from 16.0) or plain text column. */
    text(table: string, column: string, value: string): unknown {
        const type = this.catalog.table(table)?.columns.get(column)?.type;
        return type === "jsonb" || type === "json" ? { en_US: value } : value;
    }

    async xmlid(module: string, name: string, model: string, resId: number): Promise<void> {
        const { rows } = await this.client.query("SELECT 1 FROM ir_model_data WHERE module = $1 AND name = $2", [module, name]);
        if (!rows.length) await this.insert("ir_model_data", { module, name, model, res_id: resId, noupdate: true });
    }

    async refreshCatalog(): Promise<void> {
        this.catalog = await readCatalog(this.client);
    }
}
