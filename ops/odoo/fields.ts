/**
 * What Odoo declares about the stored fields of every installed module: `ir_model_fields` (name,
 * ttype, relation, store, translate, company_dependent, label) joined to the tables that hold
 * them, plus the mixin flags of `ir_model` (is_mail_thread …). When ir_model_fields is empty (a
 * schema-only dump, a database half-created) the same facts are read from the catalog instead:
 * column types, single-column foreign keys (the many2one's comodel) and the column comments Odoo
 * writes from each field's label. Either way every column of every table gets a declaration, so
 * coverage follows what is there, not a hand list.
 */
import type { Client } from "pg";
import type { Catalog, CatalogColumn } from "./catalog";
import { qualifiedTable } from "./sql";

export type FieldType =
    | "char"
    | "text"
    | "html"
    | "selection"
    | "many2one"
    | "integer"
    | "float"
    | "monetary"
    | "boolean"
    | "date"
    | "datetime"
    | "binary"
    | "json"
    | "properties"
    | "reference"
    | "many2one_reference"
    | "other";

export interface DeclaredField {
    table: string;
    column: string;
    /** The Odoo model (`res.partner`), when ir_model_fields says. */
    model?: string;
    ttype: FieldType;
    /** The table of a many2one's comodel (`res_partner`). */
    relationTable?: string;
    translate: boolean;
    companyDependent: boolean;
    /** The field's label (`Email`), from ir_model_fields or the column comment. */
    label?: string;
    /** Where the declaration was read: Odoo's registry (ir_model_fields) or the catalog alone. */
    source: "ir_model_fields" | "catalog";
}

export interface DeclaredModel {
    model: string;
    table: string;
    /** ir_model flags (13.0+): the model inherits mail.thread / mail.activity.mixin / mail.thread.blacklist. */
    mailThread: boolean;
    mailActivity: boolean;
}

export class OdooFields {
    constructor(
        readonly byTable: Map<string, Map<string, DeclaredField>>,
        readonly models: Map<string, DeclaredModel>,
        readonly source: "ir_model_fields" | "catalog",
    ) {}

    field(table: string, column: string): DeclaredField | undefined {
        return this.byTable.get(table)?.get(column);
    }

    /** The columns of `table` that are many2one to res.partner, `partner_id` first. */
    partnerColumns(table: string): string[] {
        const cols = [...(this.byTable.get(table)?.values() ?? [])].filter((f) => f.ttype === "many2one" && f.relationTable === "res_partner");
        return cols.map((f) => f.column).sort((a, b) => (a === "partner_id" ? -1 : b === "partner_id" ? 1 : a.localeCompare(b)));
    }
}

/** Odoo's table for a model: `res.partner` → `res_partner` (the default `_table`). */
export const tableOfModel = (model: string): string => model.replace(/\./g, "_");

/** A field type guessed from a column's PostgreSQL type (no registry at hand). */
export function fieldTypeOfColumn(column: CatalogColumn): FieldType {
    if (column.references) return "many2one";
    switch (column.type) {
        case "character varying":
        case "character":
        case "citext":
            return "char";
        case "text":
            return "text";
        case "jsonb":
        case "json":
            return "json";
        case "integer":
        case "bigint":
        case "smallint":
            return "integer";
        case "numeric":
        case "double precision":
        case "real":
            return "float";
        case "boolean":
            return "boolean";
        case "date":
            return "date";
        case "timestamp without time zone":
        case "timestamp with time zone":
            return "datetime";
        case "bytea":
            return "binary";
        default:
            return "other";
    }
}

const jsonText = (expr: string, type: string) => (type === "jsonb" ? `coalesce(${expr}->>'en_US', ${expr}::text)` : `${expr}::text`);

/**
 * Reads the declarations. ir_model_fields rows win where they exist; every other column (rel
 * tables, fields of modules whose registry rows are missing) is declared from the catalog.
 */
export async function readOdooFields(client: Client, catalog: Catalog): Promise<OdooFields> {
    const byTable = new Map<string, Map<string, DeclaredField>>();
    const models = new Map<string, DeclaredModel>();
    let source: OdooFields["source"] = "catalog";
    const imf = catalog.table("ir_model_fields");
    if (imf && ["name", "model", "ttype"].every((c) => imf.columns.has(c))) {
        const col = (name: string, fallback: string) => (imf.columns.has(name) ? `f.${name}` : fallback);
        const label = imf.columns.has("field_description") ? jsonText("f.field_description", imf.columns.get("field_description")!.type) : "NULL";
        const { rows } = await client.query<{
            model: string;
            name: string;
            ttype: string;
            relation: string | null;
            store: boolean | null;
            translate: boolean | null;
            company_dependent: boolean | null;
            label: string | null;
        }>(
            `SELECT f.model, f.name, f.ttype, ${col("relation", "NULL")} AS relation, ${col("store", "true")} AS store,
                    ${col("translate", "false")} AS translate, ${col("company_dependent", "false")} AS company_dependent, ${label} AS label
             FROM ${qualifiedTable("ir_model_fields")} f`,
        );
        for (const r of rows) {
            if (r.store === false) continue;
            const table = tableOfModel(r.model);
            const column = catalog.table(table)?.columns.get(r.name);
            if (!column) continue;
            if (!byTable.has(table)) byTable.set(table, new Map());
            byTable.get(table)!.set(r.name, {
                table,
                column: r.name,
                model: r.model,
                ttype: (r.ttype as FieldType) ?? "other",
                relationTable: r.relation ? tableOfModel(r.relation) : column.references,
                translate: !!r.translate,
                companyDependent: !!r.company_dependent,
                label: r.label ?? column.comment,
                source: "ir_model_fields",
            });
        }
        if (rows.length) source = "ir_model_fields";
    }
    const im = catalog.table("ir_model");
    if (im?.columns.has("model")) {
        const flag = (name: string) => (im.columns.has(name) ? `coalesce(${name}, false)` : "false");
        const { rows } = await client.query<{ model: string; thread: boolean; activity: boolean }>(
            `SELECT model, ${flag("is_mail_thread")} AS thread, ${flag("is_mail_activity")} AS activity FROM ${qualifiedTable("ir_model")}`,
        );
        for (const r of rows) {
            const table = tableOfModel(r.model);
            if (catalog.hasTable(table)) models.set(table, { model: r.model, table, mailThread: r.thread, mailActivity: r.activity });
        }
    }
    for (const t of catalog.tables.values()) {
        if (!byTable.has(t.key)) byTable.set(t.key, new Map());
        const declared = byTable.get(t.key)!;
        for (const c of t.columns.values()) {
            if (declared.has(c.name)) continue;
            declared.set(c.name, {
                table: t.key,
                column: c.name,
                ttype: fieldTypeOfColumn(c),
                relationTable: c.references,
                translate: false,
                companyDependent: false,
                label: c.comment,
                source: "catalog",
            });
        }
    }
    return new OdooFields(byTable, models, source);
}
