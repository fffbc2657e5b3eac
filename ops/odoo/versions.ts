/**
 * What differs between Odoo series for the tables and columns the data rules touch, taken from
 * Odoo's own model definitions (odoo/odoo, the files named in `source`) and checked against the
 * real database dumps of ../shared/odoo-schemas (Odoo 12.0, 16.0 and 18.0: tests/ops/odoo/versions.test.ts
 * fails when a row disagrees with a dump that has the table).
 *
 * The rules never branch on a version number: they resolve tables, columns and types against the
 * live catalog (a database may lack a module, or carry a renamed column half-way through a
 * migration). This table says what to expect, names the variants the rules choose between
 * (`variants` below), and drives the fixture generator's `--odoo-version` (testing/odooSchema.ts).
 */
import type { Catalog } from "./catalog";

/** Odoo major series, as numbers: 12 … 19 (12.0 … 19.0). */
export type Series = 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19;
export const supportedSeries: readonly Series[] = [16, 17, 18, 19];
/** Series the rules are known to run on (the real dumps are 12, 16 and 18; 13–15 follow the same shapes). */
export const handledSeries: readonly Series[] = [12, 13, 14, 15, 16, 17, 18, 19];

export type ColumnKind =
    /** A translated field: `jsonb` ({"en_US": …, "fr_FR": …}) from 16.0, varchar/text + ir_translation before. */
    | "translated"
    /** A company-dependent field: a `jsonb` column keyed by company id from 18.0, an ir_property row before. */
    | "company-dependent"
    /** A column that exists only in some series (added, removed, or renamed: see `renamedTo`). */
    | "presence"
    /** A column whose type changed (other than translation/company-dependence). */
    | "type";

export interface VersionFact {
    table: string;
    /** The column; absent when the fact is about the table itself. */
    column?: string;
    kind: ColumnKind;
    /** First series that has it (inclusive); absent: since before 12.0. */
    since?: Series;
    /** Last series that has it (inclusive); absent: still there in 19.0. */
    until?: Series;
    /** The column's PostgreSQL type per series: `[first series, type]`, in order. */
    types?: readonly (readonly [Series, string])[];
    /**
     * Series (first, last, inclusive) in which the field has no column at all: a company-dependent
     * field kept in ir_property rows, one per record and company.
     */
    inPropertiesIn?: readonly [Series, Series];
    /** What replaced it, when it went away (`table.column` or a table). */
    renamedTo?: string;
    /** What it is, in a few words, for the reader and for reports. */
    note: string;
    /** Where this comes from: `odoo/odoo <series> <path>: <field declaration>`, one entry per series boundary. */
    source: readonly string[];
}

const m = (table: string, column: string | undefined, kind: ColumnKind, spec: Omit<VersionFact, "table" | "column" | "kind">): VersionFact => ({
    table,
    ...(column ? { column } : {}),
    kind,
    ...spec,
});

const vc = "character varying";

export const versionFacts: readonly VersionFact[] = [
    // ---- mail ------------------------------------------------------------------------------------
    m("mail_tracking_value", "field", "presence", {
        until: 16,
        types: [
            [12, vc],
            [13, "integer"],
        ],
        renamedTo: "mail_tracking_value.field_id",
        note: "the tracked field: its technical name (≤ 12.0), then a many2one to ir.model.fields (13.0–16.0)",
        source: [
            "odoo/odoo 12.0 addons/mail/models/mail_tracking_value.py: field = fields.Char('Changed Field', required=True, readonly=1)",
            "odoo/odoo 16.0 addons/mail/models/mail_tracking_value.py: field = fields.Many2one('ir.model.fields', required=True, readonly=True, index=True, ondelete='cascade')",
        ],
    }),
    m("mail_tracking_value", "field_id", "presence", {
        since: 17,
        types: [[17, "integer"]],
        note: "the tracked field, many2one to ir.model.fields (renamed from `field`)",
        source: [
            "odoo/odoo 17.0 addons/mail/models/mail_tracking_value.py: field_id = fields.Many2one('ir.model.fields', required=False, readonly=True, index=True, ondelete='set null')",
        ],
    }),
    m("mail_tracking_value", "field_desc", "presence", {
        until: 16,
        renamedTo: "mail_tracking_value.field_info",
        note: "the tracked field's label, copied on the tracking row",
        source: ["odoo/odoo 16.0 addons/mail/models/mail_tracking_value.py: field_desc = fields.Char('Field Description', required=True, readonly=True)"],
    }),
    m("mail_tracking_value", "field_info", "presence", {
        since: 17,
        types: [[17, "jsonb"]],
        note: "label and type of a removed field (Json)",
        source: ["odoo/odoo 17.0 addons/mail/models/mail_tracking_value.py: field_info = fields.Json('Removed field information')"],
    }),
    m("mail_tracking_value", "old_value_monetary", "presence", {
        until: 16,
        note: "monetary values tracked apart (merged into old_value_float with currency_id from 17.0)",
        source: ["odoo/odoo 16.0 addons/mail/models/mail_tracking_value.py: old_value_monetary = fields.Float('Old Value Monetary', readonly=True)"],
    }),
    m("mail_channel", undefined, "presence", {
        until: 16,
        renamedTo: "discuss_channel",
        note: "chat channels, livechat sessions included",
        source: ["odoo/odoo 17.0 addons/mail/models/discuss/discuss_channel.py: _name = 'discuss.channel' (mail.channel until 16.0)"],
    }),
    m("discuss_channel", undefined, "presence", {
        since: 17,
        note: "chat channels (renamed from mail.channel)",
        source: ["odoo/odoo 17.0 addons/mail/models/discuss/discuss_channel.py: _name = 'discuss.channel'"],
    }),
    m("mail_channel", "anonymous_name", "presence", {
        until: 16,
        note: "a livechat visitor's name as typed",
        source: ["odoo/odoo 16.0 addons/im_livechat/models/mail_channel.py: anonymous_name = fields.Char('Anonymous Name')"],
    }),
    m("mail_guest", undefined, "presence", {
        since: 15,
        note: "guests (livechat visitors, invited people): name, access_token",
        source: [
            "odoo/odoo 15.0 addons/mail/models/mail_guest.py: _name = 'mail.guest'; name = fields.Char(required=True); access_token = fields.Char(required=True, default=_get_default_access_token)",
        ],
    }),
    m("mail_message", "author_guest_id", "presence", {
        since: 15,
        note: "a message's guest author",
        source: ["odoo/odoo 15.0 addons/mail/models/mail_message.py: author_guest_id = fields.Many2one(string=\"Guest\", comodel_name='mail.guest')"],
    }),
    m("ir_mail_server", "smtp_authentication", "presence", {
        since: 15,
        note: "login or certificate authentication (the neutralized catcher needs 'login')",
        source: [
            "odoo/odoo 15.0 odoo/addons/base/models/ir_mail_server.py: smtp_authentication = fields.Selection([('login', 'Username'), ('certificate', 'SSL Certificate')], required=True, default='login')",
        ],
    }),
    m("ir_mail_server", "from_filter", "presence", {
        since: 14,
        note: "which senders a server sends for (names production domains)",
        source: ["odoo/odoo 14.0 odoo/addons/base/models/ir_mail_server.py: from_filter = fields.Char('FROM Filtering')"],
    }),
    m("ir_mail_server", "smtp_ssl_certificate", "presence", {
        since: 15,
        note: "client certificate for SMTP authentication (a credential)",
        source: [
            "odoo/odoo 15.0 odoo/addons/base/models/ir_mail_server.py: smtp_ssl_certificate = fields.Binary('SSL Certificate', groups='base.group_system', attachment=False)",
        ],
    }),
    m("ir_mail_server", "google_gmail_refresh_token", "presence", {
        since: 15,
        note: "Gmail OAuth tokens on outgoing and incoming servers (google_gmail)",
        source: [
            "odoo/odoo 15.0 addons/google_gmail/models/google_gmail_mixin.py: google_gmail_refresh_token = fields.Char(string='Refresh Token', groups='base.group_system')",
        ],
    }),
    // ---- base ------------------------------------------------------------------------------------
    m("res_partner", "display_name", "presence", {
        until: 16,
        renamedTo: "res_partner.complete_name",
        note: 'the stored display name ("Company, Person"): a copy of people\'s names',
        source: [
            "odoo/odoo 16.0 odoo/addons/base/models/res_partner.py: display_name = fields.Char(compute='_compute_display_name', recursive=True, store=True, index=True)",
        ],
    }),
    m("res_partner", "complete_name", "presence", {
        since: 17,
        note: "the stored display name (replaces the stored display_name)",
        source: [
            "odoo/odoo 17.0 odoo/addons/base/models/res_partner.py: complete_name = fields.Char(compute='_compute_complete_name', store=True, index=True)",
        ],
    }),
    m("res_partner", "barcode", "company-dependent", {
        types: [
            [12, vc],
            [18, "jsonb"],
        ],
        inPropertiesIn: [16, 17],
        note: "a plain column in the real Odoo 12 dump; company-dependent in 16.0 and 17.0, so no column but one ir_property row per partner and company (the real Odoo 16 dump has no column; 13.0–15.0 not checked); from 18.0 one value per company id in a jsonb column",
        source: [
            "odoo/odoo 17.0 addons/barcodes/models/res_partner.py: barcode = fields.Char(string='Barcode', company_dependent=True) (an ir_property row)",
            "odoo/odoo 18.0 odoo/fields.py: company_dependent fields are stored as jsonb columns on the record (ir.property removed)",
        ],
    }),
    // Translated from 17.0 only: plain columns in 16.0 (the real Odoo 16 dump), jsonb from 17.0 (and in the real Odoo 18 dump).
    m("res_currency", "currency_unit_label", "translated", {
        types: [
            [12, vc],
            [17, "jsonb"],
        ],
        note: "the currency's unit in words (amount_to_text), translated from 17.0",
        source: [
            'odoo/odoo 16.0 odoo/addons/base/models/res_currency.py: currency_unit_label = fields.Char(string="Currency Unit", help="Currency Unit Name")',
            'odoo/odoo 17.0 odoo/addons/base/models/res_currency.py: currency_unit_label = fields.Char(string="Currency Unit", help="Currency Unit Name", translate=True)',
        ],
    }),
    m("res_currency", "currency_subunit_label", "translated", {
        types: [
            [12, vc],
            [17, "jsonb"],
        ],
        note: "the currency's subunit in words, translated from 17.0",
        source: [
            'odoo/odoo 16.0 odoo/addons/base/models/res_currency.py: currency_subunit_label = fields.Char(string="Currency Subunit", help="Currency Subunit Name")',
            'odoo/odoo 17.0 odoo/addons/base/models/res_currency.py: currency_subunit_label = fields.Char(string="Currency Subunit", help="Currency Subunit Name", translate=True)',
        ],
    }),
    m("res_company", "report_header", "translated", {
        types: [
            [12, "text"],
            [17, "jsonb"],
        ],
        note: "the company tagline printed on documents (Html), translated from 17.0",
        source: [
            "odoo/odoo 16.0 odoo/addons/base/models/res_company.py: report_header = fields.Html(string='Company Tagline', help=\"Appears by default on the top right corner of your printed documents (report header).\")",
            "odoo/odoo 17.0 odoo/addons/base/models/res_company.py: report_header = fields.Html(string='Company Tagline', translate=True, …)",
        ],
    }),
    m("res_company", "company_details", "translated", {
        since: 15,
        types: [
            [15, "text"],
            [17, "jsonb"],
        ],
        note: "the address block printed at the top of reports (Html: names, phone, e-mail), translated from 17.0; not in the real Odoo 12 dump (13.0–14.0 not checked)",
        source: [
            "odoo/odoo 16.0 odoo/addons/base/models/res_company.py: company_details = fields.Html(string='Company Details', help=\"Header text displayed at the top of all reports.\")",
            "odoo/odoo 17.0 odoo/addons/base/models/res_company.py: company_details = fields.Html(string='Company Details', translate=True, …)",
        ],
    }),
    m("res_partner", "mobile", "presence", {
        until: 18,
        note: "second phone number (19.0 keeps phone only)",
        source: ["odoo/odoo master odoo/addons/base/models/res_partner.py: phone = fields.Char() and no mobile field"],
    }),
    m("res_partner", "signup_token", "presence", {
        until: 17,
        note: "an invitation/reset link's secret (auth_signup)",
        source: ['odoo/odoo 16.0 addons/auth_signup/models/res_partner.py: signup_token = fields.Char(copy=False, groups="base.group_erp_manager")'],
    }),
    m("res_partner", "email_normalized", "presence", {
        since: 13,
        note: "lower-cased address (mail.thread.blacklist)",
        source: [
            'odoo/odoo 13.0 addons/mail/models/mail_thread_blacklist.py: email_normalized = fields.Char(compute="_compute_email_normalized", store=True, index=True)',
        ],
    }),
    m("res_partner", "phone_sanitized", "presence", {
        since: 13,
        note: "E.164 phone (mail.thread.phone / phone_validation)",
        source: [
            'odoo/odoo 13.0 addons/phone_validation/models/mail_thread_phone.py: phone_sanitized = fields.Char(compute="_compute_phone_sanitized", store=True, index=True)',
        ],
    }),
    m("ir_property", undefined, "presence", {
        until: 17,
        note: "company-dependent values (one row per record and company)",
        source: [
            "odoo/odoo 17.0 odoo/addons/base/models/ir_property.py: _name = 'ir.property' (removed in 18.0: company_dependent fields became jsonb columns)",
        ],
    }),
    m("ir_translation", undefined, "presence", {
        until: 15,
        note: "translations; from 16.0 translated fields hold all languages in one jsonb column",
        source: ["odoo/odoo 15.0 odoo/addons/base/models/ir_translation.py: _name = 'ir.translation' (gone in 16.0, fields with translate=True are jsonb)"],
    }),
    m("ir_cron", "cron_name", "translated", {
        types: [
            [12, vc],
            [16, "jsonb"],
            [17, vc],
        ],
        note: "related to the translated server action name in 16.0 (jsonb), a computed plain char from 17.0",
        source: [
            "odoo/odoo 16.0 odoo/addons/base/models/ir_cron.py: cron_name = fields.Char('Name', related='ir_actions_server_id.name', store=True, readonly=False)",
            "odoo/odoo 17.0 odoo/addons/base/models/ir_cron.py: cron_name = fields.Char('Name', compute='_compute_cron_name', store=True)",
        ],
    }),
    m("ir_cron", "numbercall", "presence", {
        until: 17,
        note: "remaining calls (removed with doall in 18.0)",
        source: ["odoo/odoo 17.0 odoo/addons/base/models/ir_cron.py: numbercall = fields.Integer(string='Number of Calls', default=1)"],
    }),
    m("ir_cron", "failure_count", "presence", {
        since: 18,
        note: "consecutive failures (a failing cron deactivates itself)",
        source: ["odoo/odoo 18.0 odoo/addons/base/models/ir_cron.py: failure_count = fields.Integer(default=0)"],
    }),
    m("ir_act_server", "webhook_url", "presence", {
        since: 17,
        note: "server actions that POST to a URL (Odoo's neutralize points them nowhere)",
        source: ["odoo/odoo 17.0 odoo/addons/base/models/ir_actions.py: webhook_url = fields.Char(string='Webhook URL')"],
    }),
    m("ir_ui_view", "arch_db", "translated", {
        types: [
            [12, "text"],
            [16, "jsonb"],
        ],
        note: "view architecture, translated from 16.0 (website pages edited in production)",
        source: ["odoo/odoo 16.0 odoo/addons/base/models/ir_ui_view.py: arch_db = fields.Text(string='Arch Blob', translate=xml_translate)"],
    }),
    m("res_users_apikeys", "expiration_date", "presence", {
        since: 17,
        note: "API keys expire from 17.0",
        source: ["odoo/odoo 17.0 odoo/addons/base/models/res_users.py: expiration_date = fields.Datetime() (res.users.apikeys, table created in init())"],
    }),
    m("res_users", "totp_secret", "presence", {
        since: 13,
        note: "TOTP seed (auth_totp)",
        source: ["odoo/odoo 14.0 addons/auth_totp/models/res_users.py: totp_secret = fields.Char(copy=False, groups=fields.NO_ACCESS)"],
    }),
    m("res_users", "livechat_username", "presence", {
        until: 16,
        renamedTo: "res_users_settings.livechat_username",
        note: "the name a livechat operator shows",
        source: [
            'odoo/odoo 16.0 addons/im_livechat/models/res_users.py: livechat_username = fields.Char("Livechat Username", help="This username will be used as your name in the livechat channels.")',
            'odoo/odoo 17.0 addons/im_livechat/models/res_users_settings.py: livechat_username = fields.Char("Livechat Username", …) (res_users: store=False)',
        ],
    }),
    // ---- iap, payment ----------------------------------------------------------------------------
    m("iap_account", "service_name", "presence", {
        until: 17,
        renamedTo: "iap_account.service_id",
        note: "the IAP service (a stored char until 17.0; related to iap_service.technical_name from 18.0)",
        source: [
            "odoo/odoo 18.0 addons/iap/models/iap_account.py: service_id = fields.Many2one('iap.service', required=True); service_name = fields.Char(related='service_id.technical_name')",
        ],
    }),
    m("iap_account", "service_id", "presence", {
        since: 18,
        note: "many2one to iap.service",
        source: ["odoo/odoo 18.0 addons/iap/models/iap_account.py: service_id = fields.Many2one('iap.service', required=True)"],
    }),
    m("payment_acquirer", undefined, "presence", {
        until: 15,
        renamedTo: "payment_provider",
        note: "payment providers (environment prod/test ≤ 12.0, state enabled/test/disabled 13.0–15.0)",
        source: ["odoo/odoo 16.0 addons/payment/models/payment_provider.py: _name = 'payment.provider' (payment.acquirer until 15.0)"],
    }),
    m("payment_provider", undefined, "presence", {
        since: 16,
        note: "payment providers with their keys per provider module",
        source: ["odoo/odoo 16.0 addons/payment/models/payment_provider.py: _name = 'payment.provider'"],
    }),
    m("payment_provider", "paypal_pdt_token", "presence", {
        until: 17,
        note: "PayPal PDT identity token (REST client id/secret from 18.0)",
        source: [
            "odoo/odoo 17.0 addons/payment_paypal/models/payment_provider.py: paypal_pdt_token = fields.Char(string=\"PDT Identity Token\", groups='base.group_system')",
        ],
    }),
    m("payment_provider", "paypal_client_secret", "presence", {
        since: 18,
        note: "PayPal REST credentials",
        source: [
            "odoo/odoo 18.0 addons/payment_paypal/models/payment_provider.py: paypal_client_secret = fields.Char(string=\"PayPal Client Secret\", groups='base.group_system')",
        ],
    }),
    // ---- hr --------------------------------------------------------------------------------------
    m("hr_employee", "address_home_id", "presence", {
        until: 16,
        renamedTo: "hr_employee.private_street",
        note: "the employee's private address, a res.partner (sanitized with the contacts)",
        source: [
            "odoo/odoo 16.0 addons/hr/models/hr_employee.py: address_home_id = fields.Many2one('res.partner', 'Address', help='Enter here the private address of the employee, not the one linked to your company.')",
        ],
    }),
    m("hr_employee", "private_street", "presence", {
        since: 17,
        note: "private address, phone and e-mail on the employee itself (private_street, private_email, private_phone …)",
        source: ['odoo/odoo 17.0 addons/hr/models/hr_employee.py: private_street = fields.Char(string="Private Street", groups="hr.group_hr_user")'],
    }),
    m("hr_employee", "work_contact_id", "presence", {
        since: 16,
        note: "the employee's work contact (res.partner)",
        source: ["odoo/odoo 16.0 addons/hr/models/hr_employee.py: work_contact_id = fields.Many2one('res.partner', 'Work Contact', copy=False)"],
    }),
    m("hr_candidate", undefined, "presence", {
        since: 18,
        note: "recruitment candidates: partner_name, email_from, partner_phone, linkedin_profile (moved off hr.applicant)",
        source: ['odoo/odoo 18.0 addons/hr_recruitment/models/hr_candidate.py: _name = "hr.candidate"; partner_name = fields.Char("Candidates\'s Name")'],
    }),
    // ---- accounting ------------------------------------------------------------------------------
    m("account_bank_statement_line", "payment_ref", "presence", {
        since: 14,
        note: "the bank's label of a transaction (payer names, communications)",
        source: ["odoo/odoo 14.0 addons/account/models/account_bank_statement.py: payment_ref = fields.Char(string='Label', required=True)"],
    }),
    m("account_bank_statement_line", "transaction_details", "presence", {
        since: 17,
        types: [[17, "jsonb"]],
        note: "raw transaction data from the bank (Json)",
        source: ["odoo/odoo 17.0 addons/account/models/account_bank_statement_line.py: transaction_details = fields.Json(readonly=True)"],
    }),
    m("account_move", "invoice_partner_display_name", "presence", {
        since: 13,
        note: "the partner's name as printed on the invoice (a stored copy)",
        source: [
            "odoo/odoo 13.0 addons/account/models/account_move.py: invoice_partner_display_name = fields.Char(compute='_compute_invoice_partner_display_info', store=True)",
        ],
    }),
    m("account_payment", "payment_reference", "presence", {
        until: 17,
        renamedTo: "account_payment.memo",
        note: "the payment's communication",
        source: ['odoo/odoo 18.0 addons/account/models/account_payment.py: memo = fields.Char(string="Memo", …) (payment_reference until 17.0)'],
    }),
    m("account_account", "name", "translated", {
        types: [
            [12, vc],
            [17, "jsonb"],
        ],
        note: "the account's name, translated from 17.0 (a plain column in the real Odoo 16 dump)",
        source: [
            "odoo/odoo 16.0 addons/account/models/account_account.py: name = fields.Char(string=\"Account Name\", required=True, index='trigram', tracking=True)",
            "odoo/odoo 17.0 addons/account/models/account_account.py: name = fields.Char(string=\"Account Name\", required=True, index='trigram', tracking=True, translate=True)",
        ],
    }),
    m("account_journal", "name", "translated", {
        types: [
            [12, vc],
            [17, "jsonb"],
        ],
        note: "the journal's name, translated from 17.0 (a plain column in the real Odoo 16 dump)",
        source: [
            "odoo/odoo 16.0 addons/account/models/account_journal.py: name = fields.Char(string='Journal Name', required=True)",
            "odoo/odoo 17.0 addons/account/models/account_journal.py: name = fields.Char(string='Journal Name', required=True, translate=True)",
        ],
    }),
    m("account_account", "code_store", "company-dependent", {
        since: 18,
        types: [[18, "jsonb"]],
        note: "account codes per company (account.account shared between companies from 18.0)",
        source: ["odoo/odoo 18.0 addons/account/models/account_account.py: code_store = fields.Char(company_dependent=True)"],
    }),
];

/** The facts about `table` (and `column`, when given). */
export function factsFor(table: string, column?: string): VersionFact[] {
    return versionFacts.filter((f) => f.table === table && (column === undefined ? true : f.column === column));
}

/** Whether `fact` says its table/column exists in `series`. */
export function presentIn(fact: Pick<VersionFact, "since" | "until" | "inPropertiesIn">, series: Series): boolean {
    const inProperties = fact.inPropertiesIn && series >= fact.inPropertiesIn[0] && series <= fact.inPropertiesIn[1];
    return !inProperties && (fact.since === undefined || series >= fact.since) && (fact.until === undefined || series <= fact.until);
}

/** The type `fact` gives its column in `series`, when it says. */
export function typeIn(fact: Pick<VersionFact, "types">, series: Series): string | undefined {
    let type: string | undefined;
    for (const [from, t] of fact.types ?? []) if (series >= from) type = t;
    return type;
}

/** `"17.0"` → 17; `"saas~17.2"` → 17; anything else → undefined. */
export function seriesOf(version: string | null | undefined): Series | undefined {
    const match = version ? /^(?:saas~)?(\d+)\.\d+/.exec(version) : null;
    const n = match ? Number(match[1]) : NaN;
    return (handledSeries as readonly number[]).includes(n) ? (n as Series) : undefined;
}

/**
 * Columns the rules choose between: the first variant the catalog has wins. Each names the
 * version facts it follows.
 */
export const variants = {
    /** mail_tracking_value's link to the tracked field: field_id (17.0+), field as a many2one (13.0–16.0), field as a name (≤ 12.0). */
    trackedField: [
        { column: "field_id", type: "integer" },
        { column: "field", type: "integer" },
        { column: "field", type: vc },
    ],
    /** The partner's stored display name: complete_name (17.0+), display_name (≤ 16.0). */
    partnerDisplayName: [{ column: "complete_name" }, { column: "display_name" }],
    /** Chat channels and their members: discuss_* (17.0+), mail_channel(_member) (16.0), mail_channel_partner (≤ 15.0). */
    channel: [{ table: "discuss_channel" }, { table: "mail_channel" }],
    channelMember: [{ table: "discuss_channel_member" }, { table: "mail_channel_member" }, { table: "mail_channel_partner" }],
    /** Payment providers: payment_provider (16.0+), payment_acquirer (≤ 15.0). */
    paymentProvider: [{ table: "payment_provider" }, { table: "payment_acquirer" }],
} as const;

export interface ColumnVariant {
    table?: string;
    column?: string;
    type?: string;
}

/** The first of `candidates` the catalog has (table, column and type all matching), or undefined. */
export function pickVariant<V extends ColumnVariant>(catalog: Catalog, table: string, candidates: readonly V[]): V | undefined {
    return candidates.find((v) => {
        const t = catalog.table(v.table ?? table);
        if (!t) return false;
        if (!v.column) return true;
        const col = t.columns.get(v.column);
        return !!col && (!v.type || col.type === v.type);
    });
}
