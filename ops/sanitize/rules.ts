/**
 * The sanitize rule table: module / table / column → named action (actions.ts). Adding a module
 * is adding rows. A rule whose table or column does not exist in the database is skipped and
 * reported, never an error.
 *
 * Beyond these rows, every other text column of a table named here is scrubbed of e-mail
 * addresses and phone numbers (implicit scrub), and `--strict` extends that to every table.
 * Amounts are handled by the financial anonymization (finance.ts), not by rows here.
 */
import type { ActionName } from "./actions";

export interface SanitizeRule {
    module: string;
    table: string;
    column: string;
    action: ActionName;
    params?: Record<string, string>;
}

/** Stable rule name for reports: `base.res_partner.email`. */
export const ruleName = (rule: Pick<SanitizeRule, "module" | "table" | "column">): string => `${rule.module}.${rule.table}.${rule.column}`;

type Row = [module: string, table: string, column: string, action: ActionName, params?: Record<string, string>];

const self = { partner: "id" };
const rows: Row[] = [
    // Contacts (base, mail, phone_validation).
    ["base", "res_partner", "name", "partnerName"],
    ["base", "res_partner", "complete_name", "partnerCompleteName"],
    // ≤ 16.0 stores the display name instead (ops/odoo/versions.ts).
    ["base", "res_partner", "display_name", "partnerCompleteName"],
    ["base", "res_partner", "contact_address_complete", "street"],
    ["base", "res_partner", "additional_info", "nullify"],
    ["auth_signup", "res_partner", "signup_token", "token"],
    ["auth_signup", "res_partner", "signup_expiration", "nullify"],
    ["auth_signup", "res_partner", "signup_type", "nullify"],
    ["base", "res_partner", "commercial_company_name", "commercialCompanyName"],
    ["base", "res_partner", "company_name", "freeCompanyName"],
    ["base", "res_partner", "email", "email", self],
    ["mail", "res_partner", "email_normalized", "email", { ...self, lower: "1" }],
    ["base", "res_partner", "phone", "phone", self],
    ["base", "res_partner", "mobile", "phone", self],
    ["phone_validation", "res_partner", "phone_sanitized", "phoneSanitized", self],
    ["base", "res_partner", "street", "street"],
    ["base", "res_partner", "street2", "street2"],
    ["base", "res_partner", "zip", "zip"],
    ["base", "res_partner", "city", "city"],
    ["base", "res_partner", "vat", "vat"],
    ["base", "res_partner", "company_registry", "identifier", { prefix: "REG" }],
    ["base", "res_partner", "website", "website"],
    ["base", "res_partner", "comment", "loremHtml"],
    ["base", "res_partner", "ref", "label", { label: "REF-" }],
    ["base", "res_partner", "barcode", "identifier", { prefix: "99", digits: "9" }],
    ["base", "res_partner", "partner_latitude", "nullify"],
    ["base", "res_partner", "partner_longitude", "nullify"],
    ["account", "res_partner", "invoice_warn_msg", "loremText"],
    // Users: logins that are people's addresses, signatures; admin stays `admin`.
    ["base", "res_users", "login", "login"],
    ["base", "res_users", "signature", "signature", { partner: "partner_id" }],
    ["auth_oauth", "res_users", "oauth_uid", "label", { label: "oauth-" }],
    // The Google calendar id of a user is their address.
    ["google_calendar", "res_users_settings", "google_calendar_cal_id", "taggedEmail"],
    // Companies: their own contact data follows their partner's fakes.
    ["base", "res_company", "name", "commercialCompanyName", { partner: "partner_id" }],
    ["base", "res_company", "email", "email", { partner: "partner_id" }],
    ["base", "res_company", "phone", "phone", { partner: "partner_id" }],
    ["base", "res_company", "mobile", "phone", { partner: "partner_id" }],
    // Bank accounts.
    ["base", "res_partner_bank", "acc_number", "iban"],
    ["base", "res_partner_bank", "sanitized_acc_number", "ibanSanitized"],
    ["base", "res_partner_bank", "acc_holder_name", "partnerDisplayName", { partner: "partner_id" }],
    ["account", "account_bank_statement_line", "partner_name", "personName"],
    ["account", "account_bank_statement_line", "account_number", "ibanSanitized"],
    ["account", "account_bank_statement_line", "payment_ref", "label", { label: "Transaction " }],
    ["account", "account_bank_statement_line", "transaction_details", "nullify"],
    ["account", "account_bank_statement", "name", "label", { label: "Statement " }],
    // Employees (hr keeps private data on the employee since 17.0) and their resources.
    ["resource", "resource_resource", "name", "resourceName"],
    ["hr", "hr_employee", "name", "personName", { partner: "work_contact_id" }],
    ["hr", "hr_employee", "work_email", "email", { partner: "work_contact_id" }],
    ["hr", "hr_employee", "work_phone", "phone", { partner: "work_contact_id", kind: "phone" }],
    ["hr", "hr_employee", "mobile_phone", "phone", { partner: "work_contact_id", kind: "mobile" }],
    ["hr", "hr_employee", "private_email", "taggedEmail"],
    ["hr", "hr_employee", "private_phone", "phone"],
    ["hr", "hr_employee", "private_street", "street"],
    ["hr", "hr_employee", "private_street2", "street2"],
    ["hr", "hr_employee", "private_city", "city"],
    ["hr", "hr_employee", "private_zip", "zip"],
    ["hr", "hr_employee", "spouse_complete_name", "personName"],
    ["hr", "hr_employee", "spouse_birthdate", "birthDate"],
    ["hr", "hr_employee", "birthday", "birthDate"],
    ["hr", "hr_employee", "place_of_birth", "city"],
    ["hr", "hr_employee", "ssnid", "identifier", { prefix: "SSN" }],
    ["hr", "hr_employee", "sinid", "identifier", { prefix: "SIN" }],
    ["hr", "hr_employee", "identification_id", "identifier", { prefix: "ID" }],
    ["hr", "hr_employee", "passport_id", "identifier", { prefix: "P" }],
    ["hr", "hr_employee", "permit_no", "identifier", { prefix: "WP" }],
    ["hr", "hr_employee", "visa_no", "identifier", { prefix: "V" }],
    ["hr", "hr_employee", "emergency_contact", "personName"],
    ["hr", "hr_employee", "emergency_phone", "phone"],
    ["hr", "hr_employee", "private_car_plate", "label", { label: "TEST-" }],
    ["hr", "hr_employee", "additional_note", "loremText"],
    ["hr", "hr_employee", "notes", "loremHtml"],
    ["hr", "hr_employee", "pin", "nullify"],
    ["hr", "hr_employee", "barcode", "identifier", { prefix: "0415", digits: "8" }],
    ["hr", "hr_employee", "study_school", "label", { label: "School " }],
    ["hr", "hr_employee", "departure_description", "loremHtml"],
    // Recruitment: applicants (≤ 17.0 carry the candidate's data), candidates (18.0+).
    ["hr_recruitment", "hr_applicant", "name", "label", { label: "Application " }],
    ["hr_recruitment", "hr_applicant", "partner_name", "personName", { partner: "partner_id" }],
    ["hr_recruitment", "hr_applicant", "linkedin_profile", "website"],
    ["hr_recruitment", "hr_applicant", "description", "loremHtml"],
    ["hr_recruitment", "hr_candidate", "partner_name", "personName", { partner: "partner_id" }],
    ["hr_recruitment", "hr_candidate", "linkedin_profile", "website"],
    // Livechat and discuss: operators' and visitors' names, chats named after their members.
    ["im_livechat", "res_users", "livechat_username", "personName", { partner: "partner_id" }],
    ["im_livechat", "res_users_settings", "livechat_username", "personName"],
    ["im_livechat", "mail_channel", "anonymous_name", "personName"],
    ["mail", "mail_channel", "name", "channelName"],
    ["mail", "discuss_channel", "name", "channelName"],
    ["mail", "mail_channel_member", "custom_channel_name", "nullify"],
    ["mail", "discuss_channel_member", "custom_channel_name", "nullify"],
    ["mail", "mail_guest", "name", "personName"],
    // Calendar.
    ["calendar", "calendar_event", "name", "label", { label: "Event " }],
    ["calendar", "calendar_event", "location", "street"],
    ["calendar", "calendar_event", "videocall_location", "nullify"],
    ["calendar", "calendar_event", "description", "loremHtml"],
    ["calendar", "calendar_attendee", "common_name", "personName", { partner: "partner_id" }],
    // Website visitors (≤ 14.0 store their name), surveys, events, mass mailing, payments.
    ["website", "website_visitor", "name", "personName", { partner: "partner_id" }],
    ["survey", "survey_user_input_line", "value_char_box", "loremText"],
    ["survey", "survey_user_input_line", "value_text_box", "loremText"],
    ["event", "event_registration", "name", "personName", { partner: "partner_id" }],
    ["mass_mailing", "mailing_contact", "name", "personName"],
    ["payment", "payment_transaction", "partner_address", "street"],
    // CRM.
    ["crm", "crm_lead", "name", "label", { label: "Lead " }],
    ["crm", "crm_lead", "contact_name", "personName", { partner: "partner_id" }],
    ["crm", "crm_lead", "partner_name", "freeCompanyName"],
    ["crm", "crm_lead", "email_from", "email", { partner: "partner_id" }],
    ["crm", "crm_lead", "email_normalized", "email", { partner: "partner_id", lower: "1" }],
    ["crm", "crm_lead", "email_cc", "taggedEmail"],
    ["crm", "crm_lead", "phone", "phone", { partner: "partner_id", kind: "phone" }],
    ["crm", "crm_lead", "mobile", "phone", { partner: "partner_id", kind: "mobile" }],
    ["crm", "crm_lead", "phone_sanitized", "phoneSanitized", { partner: "partner_id" }],
    ["crm", "crm_lead", "street", "street"],
    ["crm", "crm_lead", "street2", "street2"],
    ["crm", "crm_lead", "zip", "zip"],
    ["crm", "crm_lead", "city", "city"],
    ["crm", "crm_lead", "website", "website"],
    ["crm", "crm_lead", "description", "loremHtml"],
    ["crm", "crm_lead", "referred", "personName"],
    // Chatter and outgoing mail.
    ["mail", "mail_message", "body", "loremHtml"],
    ["mail", "mail_message", "subject", "label", { label: "Message " }],
    ["mail", "mail_message", "email_from", "authorAddress"],
    ["mail", "mail_message", "reply_to", "taggedEmail"],
    ["mail", "mail_message", "record_name", "recordName"],
    ["mail", "mail_message", "message_id", "messageId"],
    ["mail", "mail_mail", "body_html", "loremHtml"],
    ["mail", "mail_mail", "email_to", "taggedEmail"],
    ["mail", "mail_mail", "email_cc", "taggedEmail"],
    ["mail", "mail_mail", "references", "messageIds"],
    ["mail", "mail_mail", "headers", "scrub"],
    ["mail", "mail_mail", "failure_reason", "scrub"],
    ["mail", "mail_tracking_value", "old_value_char", "trackingValue"],
    ["mail", "mail_tracking_value", "new_value_char", "trackingValue"],
    ["mail", "mail_tracking_value", "old_value_text", "scrub"],
    ["mail", "mail_tracking_value", "new_value_text", "scrub"],
    ["mail", "mail_activity", "summary", "label", { label: "Activity " }],
    ["mail", "mail_activity", "note", "loremHtml"],
    ["mail", "mail_activity", "res_name", "label", { label: "Record " }],
    ["mail", "mail_activity", "feedback", "loremText"],
    ["mail", "mail_notification", "failure_reason", "scrub"],
    ["bus", "bus_bus", "message", "scrub"],
    ["sms", "sms_sms", "number", "phone", { partner: "partner_id", kind: "mobile" }],
    ["sms", "sms_sms", "body", "loremText"],
    // Documents: extracted text of attachments, file names.
    ["base", "ir_attachment", "index_content", "nullify"],
    ["base", "ir_attachment", "name", "attachmentName"],
    // Accounting documents: the partner's name as printed, free-text notes.
    ["account", "account_move", "invoice_partner_display_name", "partnerDisplayName", { partner: "partner_id" }],
    ["account", "account_move", "narration", "loremHtml"],
    // References and labels people type (payer names, communications): bank statement lines' items are named after the bank's label.
    ["account", "account_move", "ref", "moveRef"],
    ["account", "account_move_line", "ref", "moveRef"],
    ["account", "account_move_line", "name", "moveLineLabel"],
    // Website pages and views edited in production can hold addresses and numbers.
    ["base", "ir_ui_view", "arch_db", "scrub"],
];

export const sanitizeRules: SanitizeRule[] = rows.map(([module, table, column, action, params]) => ({ module, table, column, action, params }));
