/**
 * Which columns hold personal data and which hold credentials, decided from what Odoo declares
 * (ops/odoo/fields.ts: the field's name, type and comodel, for every module present) rather than
 * from a hand list: Odoo's mixins and conventions give every personal field a recognisable name
 * (mail.thread's `email_from`, mail.thread.phone's `phone_sanitized`, portal.mixin's
 * `access_token`, address fields `street`/`zip`/`city` …), and every credential says what it is
 * (`*_secret_key`, `*_token`, `*_password` …).
 *
 * Pure: the same declarations always give the same classes.
 */
import type { DeclaredField, OdooFields } from "../odoo/fields";

export type PersonalKind = "email" | "phone" | "personName" | "street" | "street2" | "zip" | "city" | "vat" | "iban" | "accessToken";

export interface PersonalColumn {
    table: string;
    column: string;
    kind: PersonalKind;
    /** A many2one to res.partner on the same row, so the fake agrees with that partner's. */
    partnerColumn?: string;
    /** Why it was classified (for reports). */
    why: string;
}

/** Field types that hold text a person typed. */
const textual = new Set(["char", "text", "html", "json"]);

/** Field-name conventions of Odoo and its mixins, per personal kind (the whole name must match). */
export const personalFieldNames: readonly [PersonalKind, RegExp][] = [
    ["email", /^(email|email_from|email_to|email_cc|reply_to|email_normalized|partner_email|work_email|private_email|[a-z0-9_]+_email)$/],
    [
        "phone",
        /^(phone|mobile|phone_sanitized|mobile_sanitized|phone_number|mobile_number|partner_phone|partner_mobile|work_phone|mobile_phone|private_phone|emergency_phone|[a-z0-9_]+_phone|[a-z0-9_]+_mobile)$/,
    ],
    [
        "personName",
        /^(partner_name|contact_name|[a-z0-9_]+_partner_name|nickname|anonymous_name|common_name|livechat_username|emergency_contact|spouse_complete_name|acc_holder_name|holder_name|[a-z0-9_]+_holder_name|author_name|customer_name|visitor_name|employee_name)$/,
    ],
    ["street2", /^([a-z0-9_]+_)?street2$/],
    ["street", /^([a-z0-9_]+_)?street$/],
    ["zip", /^([a-z0-9_]+_)?zip$/],
    ["city", /^([a-z0-9_]+_)?city$/],
    ["vat", /^([a-z0-9_]+_)?vat$/],
    ["iban", /^(acc_number|sanitized_acc_number|account_number|bank_account_number|iban|[a-z0-9_]+_iban)$/],
    ["accessToken", /^(access_token|signup_token|invite_token)$/],
];

/** Names that match a convention above but are not personal data. */
const notPersonal = /^(email_layout_xmlid|email_state|phone_state|mobile_state|email_add_signature|[a-z0-9_]*_state)$/;

/**
 * Tables whose text is configuration or metadata, never a person's data: Odoo's registry, views,
 * menus, translations of module terms, mail/SMS templates (their addresses are placeholders such as
 * `{{ object.email }}`), and the servers and parameters neutralize owns.
 */
export const notPersonalTables =
    /^(ir_(?!attachment$).*|base_.*|bus_.*|res_lang|res_country.*|res_currency.*|res_groups.*|web_.*|mail_template.*|sms_template.*|mail_alias.*|fetchmail_server|website_page|website_menu|website_rewrite|website_route|theme_.*|report_.*|product_.*|uom_.*|account_tax.*|account_account.*|account_journal.*)$/;

/**
 * `partner_name` is a person on an applicant but the company on a lead: a field whose label says
 * company (Odoo's label, or the column comment it writes) holds a company name, kept like the
 * other company names. crm_lead.partner_name is labelled "Company Name" in every version.
 */
const companyNameFields = new Set(["crm_lead.partner_name", "res_partner.company_name", "res_partner.commercial_company_name"]);

/** The personal kind Odoo's naming gives a field, if any. Pure. */
export function personalKindOfField(
    field: Pick<DeclaredField, "column" | "ttype"> & Partial<Pick<DeclaredField, "table" | "label">>,
): PersonalKind | undefined {
    if (!textual.has(field.ttype) || notPersonal.test(field.column)) return undefined;
    const kind = personalFieldNames.find(([, re]) => re.test(field.column))?.[0];
    if (kind === "personName" && (companyNameFields.has(`${field.table}.${field.column}`) || /compan/i.test(field.label ?? ""))) return undefined;
    return kind;
}

/**
 * Every personal column of every table present, by declaration. `covered(table, column)` leaves
 * out columns a hand-written rule already handles.
 */
export function classifyPersonalColumns(fields: OdooFields, covered: (table: string, column: string) => boolean = () => false): PersonalColumn[] {
    const out: PersonalColumn[] = [];
    for (const [table, columns] of fields.byTable) {
        if (notPersonalTables.test(table.replace(/^.*\./, ""))) continue;
        const partners = fields.partnerColumns(table);
        for (const field of columns.values()) {
            const kind = personalKindOfField(field);
            if (!kind || covered(table, field.column)) continue;
            out.push({
                table,
                column: field.column,
                kind,
                ...(partners.length ? { partnerColumn: partners[0] } : {}),
                why:
                    `${field.model ?? table}.${field.column} (${field.ttype}${field.label ? `, "${field.label}"` : ""}) is named like a ${kind} field` +
                    ` [${field.source}]`,
            });
        }
    }
    return out.sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

// ---- credentials ---------------------------------------------------------------------------------

/** A column or parameter name that says it holds a credential. */
export const secretNamePattern = /(^|[._])(secret|token|rtoken|password|passwd|pass|pwd|apikey|api_key|.+_key|private_key|auth_code|authorization_code)$/i;
/** Names that look like credentials but are identifiers (`ir_ui_view.key`, `ir_config_parameter.key` …). */
const identifierNames = new Set(["key", "index", "api_key_duration", "primary_key", "sort_key", "group_key", "lock_key", "idempotency_key"]);

export function isSecretName(name: string): boolean {
    return secretNamePattern.test(name) && !identifierNames.has(name);
}

/**
 * Credentials a rule keeps on purpose, each with the rule that handles it instead of a blanket
 * revocation.
 */
export const keptSecrets: readonly { table: string; column: string; reason: string }[] = [
    { table: "res_users", column: "password", reason: "reset by base.res_users.password (admin gets a new one)" },
    { table: "iap_account", column: "account_token", reason: "disabled with +disabled by iap.iap_account.account_token (Odoo's own rule)" },
    { table: "res_users_apikeys", column: "key", reason: "the keys are deleted by base.res_users_apikeys.*" },
    { table: "auth_totp_device", column: "key", reason: "the devices are deleted by auth_totp.auth_totp_device.*" },
    { table: "mail_partner_device", column: "keys", reason: "the devices are deleted by mail.mail_partner_device.*" },
    { table: "mail_push_device", column: "keys", reason: "the devices are deleted by mail.mail_push_device.*" },
    { table: "res_company", column: "sms_twilio_auth_token", reason: "set to 'dummytoken' by Odoo's own sms_twilio rule" },
];

export interface SecretColumn {
    table: string;
    column: string;
    why: string;
}

/**
 * Every stored text column whose name says it is a credential, in every table but Odoo's own
 * metadata and the personal-access tokens sanitize replaces (access_token …). Kept ones and those
 * `covered` by an explicit rule are left out.
 */
export function classifySecretColumns(fields: OdooFields, covered: (table: string, column: string) => boolean = () => false): SecretColumn[] {
    const kept = new Set(keptSecrets.map((k) => `${k.table}.${k.column}`));
    const out: SecretColumn[] = [];
    for (const [table, columns] of fields.byTable) {
        const bare = table.replace(/^.*\./, "");
        if (/^(ir_(?!mail_server$|act_server$).*|base_.*|bus_.*|res_lang|res_country.*|web_.*|theme_.*)$/.test(bare)) continue;
        for (const field of columns.values()) {
            if (!["char", "text", "json", "binary"].includes(field.ttype) || !isSecretName(field.column)) continue;
            if (personalKindOfField({ column: field.column, ttype: "char" }) === "accessToken") continue;
            if (kept.has(`${table}.${field.column}`) || covered(table, field.column)) continue;
            out.push({ table, column: field.column, why: `${field.model ?? table}.${field.column} is named like a credential [${field.source}]` });
        }
    }
    return out.sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

/** A parameter key that names a credential anywhere in it (`web_map.token_map_box`, `google_gmail_client_secret`). */
export const secretParameterKey = /(secret|token|password|passwd|api_?key|access_key|private_key|public_key|_key$|\.key$|auth_code|authorization_code)/i;

/** ir_config_parameter keys kept on purpose: regenerated by neutralize, or the platform's own markers. */
export const keptParameters: readonly { key: RegExp; reason: string }[] = [
    { key: /^database\.(secret|uuid)$/, reason: "regenerated by neutralize (base.ir_config_parameter[database.*])" },
    { key: /^odoo_platform\./, reason: "the platform's own markers" },
];

/**
 * A parameter holds a third-party credential: its key says so and its value is not a mere flag,
 * number or URL (`auth_signup.reset_password = True` is a setting, not a password).
 */
export function isSecretParameter(key: string, value: string | null): boolean {
    if (!secretParameterKey.test(key) || keptParameters.some((k) => k.key.test(key))) return false;
    const v = (value ?? "").trim();
    return v !== "" && !/^(true|false|0|1|none|null|\d+|https?:\/\/\S*)$/i.test(v);
}
