/**
 * Odoo's own metadata, kept out of the PII scan by rule: module manifests (authors' e-mails and
 * web sites), the field registry (help texts with example addresses), and the views, actions,
 * menus and templates that modules load from their files. None of it is a person's data, and a
 * real database carries hundreds of such "addresses": scanning them would fail every refresh.
 *
 * What a user created or edited in the database (a website page, a customised view, a template
 * without a module's xml id, a server action typed in) is still scanned.
 */
import type { Catalog } from "../odoo/catalog";
import { qualifiedTable } from "../odoo/sql";

export interface MetadataRule {
    table: string;
    /** Rows left out (SQL over alias `t`); absent: the whole table. */
    rows?: (catalog: Catalog) => string | undefined;
    reason: string;
}

/** Rows of `model` that a module's data files created (an xml id outside __export__/__import__). */
function fromModuleFiles(model: string, extra?: (catalog: Catalog) => string | undefined) {
    return (catalog: Catalog): string | undefined => {
        if (!catalog.hasColumn("ir_model_data", "res_id")) return undefined;
        const more = extra?.(catalog);
        return `t.id IN (SELECT d.res_id FROM ${qualifiedTable("ir_model_data")} d WHERE d.model = '${model}' AND d.module NOT IN ('__export__', '__import__', ''))${more ? ` AND ${more}` : ""}`;
    };
}

export const metadataRules: readonly MetadataRule[] = [
    ...["ir_module_module", "ir_module_module_dependency", "ir_module_module_exclusion", "ir_module_category"].map((table) => ({
        table,
        reason: "module manifests (authors, maintainers, web sites, descriptions)",
    })),
    ...[
        "ir_model",
        "ir_model_fields",
        "ir_model_fields_selection",
        "ir_model_constraint",
        "ir_model_relation",
        "ir_model_access",
        "ir_model_data",
        "ir_model_inherit",
        "ir_model_fields_group_rel",
    ].map((table) => ({
        table,
        reason: "the model registry (field labels, help texts, constraints)",
    })),
    ...[
        "ir_ui_menu",
        "res_lang",
        "res_country",
        "res_country_state",
        "res_country_group",
        "res_currency",
        "ir_asset",
        "res_groups",
        "ir_translation_import",
    ].map((table) => ({ table, reason: "reference data loaded by modules" })),
    {
        table: "ir_ui_view",
        reason: "views loaded from module files and never edited (edited views and website pages are scanned)",
        rows: fromModuleFiles("ir.ui.view", (c) => (c.hasColumn("ir_ui_view", "arch_updated") ? "NOT coalesce(t.arch_updated, false)" : undefined)),
    },
    ...[
        ["ir_act_window", "ir.actions.act_window"],
        ["ir_act_server", "ir.actions.server"],
        ["ir_act_client", "ir.actions.client"],
        ["ir_act_report_xml", "ir.actions.report"],
        ["ir_act_url", "ir.actions.act_url"],
        ["ir_actions", "ir.actions.actions"],
        ["ir_cron", "ir.cron"],
        ["mail_template", "mail.template"],
        ["sms_template", "sms.template"],
        ["ir_filters", "ir.filters"],
        ["res_partner_title", "res.partner.title"],
        ["res_partner_industry", "res.partner.industry"],
        ["res_bank", "res.bank"],
        ["ir_sequence", "ir.sequence"],
        ["mail_activity_type", "mail.activity.type"],
        ["ir_rule", "ir.rule"],
    ].map(([table, model]) => ({
        table,
        rows: fromModuleFiles(model),
        reason: "actions, templates and records loaded from module files (help texts, code, placeholders)",
    })),
    {
        table: "ir_translation",
        reason: "translations of module terms (≤ 15.0)",
        rows: (c) => (c.hasColumn("ir_translation", "module") ? "t.module IS NOT NULL AND t.module <> ''" : undefined),
    },
];

const byTable = new Map(metadataRules.map((r) => [r.table, r]));

/** The metadata rule of `table`, if any. */
export function metadataRule(table: string): MetadataRule | undefined {
    return byTable.get(table);
}

/**
 * How the scan treats `table`: skipped whole, scanned but for some rows (`where` is the SQL
 * condition of the rows to scan), or scanned in full.
 */
export function metadataScope(catalog: Catalog, table: string): { skip: true; reason: string } | { skip: false; where?: string; reason?: string } {
    const rule = byTable.get(table);
    if (!rule) return { skip: false };
    if (!rule.rows) return { skip: true, reason: rule.reason };
    const excluded = rule.rows(catalog);
    return excluded ? { skip: false, where: `NOT (${excluded})`, reason: rule.reason } : { skip: false };
}
