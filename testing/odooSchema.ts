/**
 * The Odoo-shaped fixture schema: the tables and columns of Odoo 17.0 / 18.0 (community, plus the
 * OCA `queue_job` table) that the sanitizer, the neutralizer and the verifier touch, with the
 * primary keys, foreign keys and indexes Odoo creates for them. Names were checked against Odoo's
 * source (odoo/odoo, the models and neutralize.sql files of each addon).
 *
 * Tables are data: adding a table is adding an entry. `columns` lists the column definitions as
 * PostgreSQL DDL; `since`/`until` keep a column to the Odoo versions that have it. 16.0 and 19.0
 * are built in the shape of their neighbour (17.0, 18.0) and then reshaped by the fixture
 * (testing/odooFixture.ts reshapeStatements) following the version table of ops/odoo/versions.ts.
 */

export type OdooVersion = "16.0" | "17.0" | "18.0" | "19.0";
export const odooVersions: readonly OdooVersion[] = ["16.0", "17.0", "18.0", "19.0"];
/** The version whose DDL and seed a version starts from: 16.0 from 17.0, 19.0 from 18.0. */
export const baseVersion = (v: OdooVersion): "17.0" | "18.0" => (v === "16.0" || v === "17.0" ? "17.0" : "18.0");

export interface ColumnDef {
    name: string;
    type: string;
    /** First Odoo version with this column (inclusive). */
    since?: OdooVersion;
    /** Last Odoo version with this column (inclusive). */
    until?: OdooVersion;
}

export interface TableDef {
    name: string;
    /** Odoo model (`res.partner`), for the reader; rel tables have none. */
    model?: string;
    columns: ColumnDef[];
    /** Composite primary key for rel tables; otherwise `id serial PRIMARY KEY` is implied. */
    primaryKey?: string[];
    unique?: { name: string; columns: string[] }[];
}

export interface ForeignKeyDef {
    name: string;
    table: string;
    column: string;
    references: string;
    onDelete: "SET NULL" | "CASCADE" | "RESTRICT";
}

export interface IndexDef {
    name: string;
    table: string;
    /** Index expression list, e.g. `model, res_id`. */
    on: string;
}

const c = (name: string, type: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, type, ...extra });
/** Odoo's magic columns on every regular model. */
const audit = (): ColumnDef[] => [
    c("create_uid", "integer"), c("create_date", "timestamp without time zone"),
    c("write_uid", "integer"), c("write_date", "timestamp without time zone"),
];
const varchar = "character varying";

export const tables: TableDef[] = [
    { name: "res_currency", model: "res.currency", columns: [
        c("name", `${varchar} NOT NULL`), c("full_name", varchar), c("symbol", `${varchar} NOT NULL`),
        c("rounding", "numeric"), c("decimal_places", "integer"), c("active", "boolean"),
        c("position", varchar), c("currency_unit_label", "jsonb"), c("currency_subunit_label", "jsonb"), ...audit(),
    ], unique: [{ name: "res_currency_unique_name", columns: ["name"] }] },
    { name: "res_currency_rate", model: "res.currency.rate", columns: [
        c("name", "date NOT NULL"), c("rate", "numeric"), c("currency_id", "integer NOT NULL"), c("company_id", "integer"), ...audit(),
    ] },
    { name: "res_country", model: "res.country", columns: [
        c("name", "jsonb NOT NULL"), c("code", "character varying(2)"), c("phone_code", "integer"), ...audit(),
    ] },
    { name: "res_company", model: "res.company", columns: [
        c("name", `${varchar} NOT NULL`), c("partner_id", "integer NOT NULL"), c("currency_id", "integer NOT NULL"),
        c("parent_id", "integer"), c("sequence", "integer"), c("email", varchar), c("phone", varchar), c("mobile", varchar),
        c("company_registry", varchar), c("report_header", "jsonb"), c("report_footer", "jsonb"), c("company_details", "jsonb"),
        c("alias_domain_id", "integer"), c("active", "boolean"), ...audit(),
    ] },
    { name: "res_partner", model: "res.partner", columns: [
        c("name", varchar), c("complete_name", varchar), c("company_id", "integer"), c("title", "integer"),
        c("parent_id", "integer"), c("user_id", "integer"), c("state_id", "integer"), c("country_id", "integer"),
        c("industry_id", "integer"), c("color", "integer"), c("commercial_partner_id", "integer"),
        c("ref", varchar), c("lang", varchar), c("tz", varchar), c("vat", varchar), c("company_registry", varchar),
        c("website", varchar), c("function", varchar), c("type", varchar), c("street", varchar), c("street2", varchar),
        c("zip", varchar), c("city", varchar), c("email", varchar), c("phone", varchar), c("mobile", varchar),
        c("commercial_company_name", varchar), c("company_name", varchar), c("barcode", varchar), c("comment", "text"),
        c("partner_latitude", "numeric"), c("partner_longitude", "numeric"), c("active", "boolean"), c("employee", "boolean"),
        c("is_company", "boolean"), c("partner_share", "boolean"), c("email_normalized", varchar), c("message_bounce", "integer"),
        c("phone_sanitized", varchar), c("signup_type", varchar), c("customer_rank", "integer"), c("supplier_rank", "integer"),
        c("invoice_warn", varchar), c("invoice_warn_msg", "text"), c("debit_limit", "numeric"),
        c("signup_token", varchar, { until: "17.0" }), c("signup_expiration", "timestamp without time zone", { until: "17.0" }), ...audit(),
    ] },
    { name: "res_users", model: "res.users", columns: [
        c("company_id", "integer NOT NULL"), c("partner_id", "integer NOT NULL"), c("active", "boolean"),
        c("login", `${varchar} NOT NULL`), c("password", varchar), c("action_id", "integer"), c("signature", "text"),
        c("share", "boolean"), c("notification_type", `${varchar} NOT NULL`), c("odoobot_state", varchar),
        c("totp_secret", varchar), c("oauth_provider_id", "integer"), c("oauth_uid", varchar), c("oauth_access_token", varchar),
        c("microsoft_calendar_token", varchar), c("microsoft_calendar_rtoken", varchar), c("karma", "integer"), ...audit(),
    ], unique: [{ name: "res_users_login_key", columns: ["login"] }] },
    { name: "res_users_settings", model: "res.users.settings", columns: [
        c("user_id", "integer NOT NULL"), c("is_discuss_sidebar_category_channel_open", "boolean"),
        c("google_calendar_rtoken", varchar), c("google_calendar_token", varchar), c("google_calendar_token_validity", "timestamp without time zone"),
        c("google_calendar_sync_token", varchar), c("google_calendar_cal_id", varchar), c("google_synchronization_stopped", "boolean"),
        c("microsoft_calendar_sync_token", varchar), c("microsoft_last_sync_date", "timestamp without time zone"),
        c("microsoft_synchronization_stopped", "boolean"), ...audit(),
    ], unique: [{ name: "res_users_settings_unique_user_id", columns: ["user_id"] }] },
    // res.users.apikeys creates its table by hand in init(): no magic columns but create_date.
    { name: "res_users_apikeys", model: "res.users.apikeys", columns: [
        c("name", `${varchar} NOT NULL`), c("user_id", "integer NOT NULL"), c("scope", varchar),
        c("expiration_date", "timestamp without time zone", { since: "17.0" }), c("index", "character varying(8)"),
        c("key", `${varchar} NOT NULL`), c("create_date", "timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc')"),
    ] },
    // auth_totp.device inherits res.users.apikeys (_auto = False): same columns, its own table.
    { name: "auth_totp_device", model: "auth_totp.device", columns: [
        c("name", `${varchar} NOT NULL`), c("user_id", "integer NOT NULL"), c("scope", varchar),
        c("expiration_date", "timestamp without time zone"), c("index", "character varying(8)"),
        c("key", `${varchar} NOT NULL`), c("create_date", "timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc')"),
    ] },
    { name: "auth_oauth_provider", model: "auth.oauth.provider", columns: [
        c("name", `${varchar} NOT NULL`), c("client_id", varchar), c("auth_endpoint", `${varchar} NOT NULL`),
        c("scope", varchar), c("validation_endpoint", `${varchar} NOT NULL`), c("data_endpoint", varchar),
        c("enabled", "boolean"), c("css_class", varchar), c("body", "jsonb NOT NULL"), c("sequence", "integer"), ...audit(),
    ] },
    { name: "res_partner_bank", model: "res.partner.bank", columns: [
        c("active", "boolean"), c("acc_number", `${varchar} NOT NULL`), c("sanitized_acc_number", varchar),
        c("acc_holder_name", varchar), c("partner_id", "integer NOT NULL"), c("allow_out_payment", "boolean"),
        c("bank_id", "integer"), c("sequence", "integer"), c("currency_id", "integer"), c("company_id", "integer"), ...audit(),
    ], unique: [{ name: "res_partner_bank_unique_number", columns: ["sanitized_acc_number", "partner_id"] }] },
    { name: "resource_resource", model: "resource.resource", columns: [
        c("name", `${varchar} NOT NULL`), c("active", "boolean"), c("company_id", "integer"), c("resource_type", `${varchar} NOT NULL`),
        c("user_id", "integer"), c("time_efficiency", "double precision NOT NULL"), c("calendar_id", "integer"), c("tz", `${varchar} NOT NULL`), ...audit(),
    ] },
    { name: "hr_employee", model: "hr.employee", columns: [
        c("resource_id", "integer NOT NULL"), c("company_id", "integer NOT NULL"), c("name", varchar), c("active", "boolean"),
        c("work_contact_id", "integer"), c("user_id", "integer"), c("department_id", "integer"), c("job_id", "integer"),
        c("job_title", varchar), c("address_id", "integer"), c("work_phone", varchar), c("mobile_phone", varchar),
        c("work_email", varchar), c("work_location_id", "integer"), c("parent_id", "integer"), c("coach_id", "integer"),
        c("private_street", varchar), c("private_street2", varchar), c("private_city", varchar), c("private_state_id", "integer"),
        c("private_zip", varchar), c("private_country_id", "integer"), c("private_phone", varchar), c("private_email", varchar),
        c("lang", varchar), c("country_id", "integer"), c("gender", varchar), c("marital", `${varchar} NOT NULL`),
        c("spouse_complete_name", varchar), c("spouse_birthdate", "date"), c("children", "integer"),
        c("place_of_birth", varchar), c("country_of_birth", "integer"), c("birthday", "date"),
        c("ssnid", varchar), c("sinid", varchar), c("identification_id", varchar), c("passport_id", varchar),
        c("bank_account_id", "integer"), c("permit_no", varchar), c("visa_no", varchar), c("visa_expire", "date"),
        c("work_permit_expiration_date", "date"), c("additional_note", "text"), c("certificate", varchar),
        c("study_field", varchar), c("study_school", varchar), c("emergency_contact", varchar), c("emergency_phone", varchar),
        c("km_home_work", "integer"), c("private_car_plate", varchar), c("notes", "text"), c("color", "integer"),
        c("barcode", varchar), c("pin", varchar), c("employee_type", `${varchar} NOT NULL`), ...audit(),
    ], unique: [{ name: "hr_employee_barcode_uniq", columns: ["barcode"] }] },
    { name: "crm_lead", model: "crm.lead", columns: [
        c("name", `${varchar} NOT NULL`), c("user_id", "integer"), c("team_id", "integer"), c("company_id", "integer"),
        c("partner_id", "integer"), c("type", `${varchar} NOT NULL`), c("active", "boolean"), c("priority", varchar),
        c("stage_id", "integer"), c("email_from", varchar), c("email_normalized", varchar), c("email_cc", "text"),
        c("phone", varchar), c("mobile", varchar), c("phone_sanitized", varchar), c("email_state", varchar), c("phone_state", varchar),
        c("contact_name", varchar), c("partner_name", varchar), c("function", varchar), c("title", "integer"),
        c("street", varchar), c("street2", varchar), c("zip", varchar), c("city", varchar), c("state_id", "integer"),
        c("country_id", "integer"), c("website", varchar), c("description", "text"), c("expected_revenue", "numeric"),
        c("probability", "double precision"), c("date_deadline", "date"), c("lang_id", "integer"), c("referred", varchar),
        c("message_bounce", "integer"), ...audit(),
    ] },
    { name: "ir_model", model: "ir.model", columns: [
        c("model", `${varchar} NOT NULL`), c("name", "jsonb NOT NULL"), c("state", varchar), c("transient", "boolean"), ...audit(),
    ], unique: [{ name: "ir_model_obj_name_uniq", columns: ["model"] }] },
    { name: "ir_model_fields", model: "ir.model.fields", columns: [
        c("name", `${varchar} NOT NULL`), c("model", `${varchar} NOT NULL`), c("model_id", "integer NOT NULL"),
        c("ttype", `${varchar} NOT NULL`), c("field_description", "jsonb NOT NULL"), c("relation", varchar), c("store", "boolean"), ...audit(),
    ], unique: [{ name: "ir_model_fields_name_unique", columns: ["model", "name"] }] },
    { name: "ir_model_data", model: "ir.model.data", columns: [
        c("name", `${varchar} NOT NULL`), c("module", `${varchar} NOT NULL`), c("model", `${varchar} NOT NULL`),
        c("res_id", "integer"), c("noupdate", "boolean"), ...audit(),
    ], unique: [{ name: "ir_model_data_name_nospaces", columns: ["module", "name"] }] },
    { name: "ir_module_module", model: "ir.module.module", columns: [
        c("name", `${varchar} NOT NULL`), c("state", varchar), c("latest_version", varchar), c("author", varchar),
        c("website", varchar), c("shortdesc", "jsonb"), c("summary", "jsonb"), c("application", "boolean"),
        c("auto_install", "boolean"), c("license", varchar), c("demo", "boolean"), c("sequence", "integer"), ...audit(),
    ], unique: [{ name: "ir_module_module_name_uniq", columns: ["name"] }] },
    { name: "ir_config_parameter", model: "ir.config_parameter", columns: [
        c("key", `${varchar} NOT NULL`), c("value", "text NOT NULL"), ...audit(),
    ], unique: [{ name: "ir_config_parameter_key_uniq", columns: ["key"] }] },
    { name: "ir_mail_server", model: "ir.mail_server", columns: [
        c("name", `${varchar} NOT NULL`), c("from_filter", varchar), c("smtp_host", varchar), c("smtp_port", "integer"),
        c("smtp_authentication", `${varchar} NOT NULL`), c("smtp_user", varchar), c("smtp_pass", varchar),
        c("smtp_encryption", `${varchar} NOT NULL`), c("smtp_ssl_certificate", "bytea"), c("smtp_ssl_private_key", "bytea"),
        c("smtp_debug", "boolean"), c("sequence", "integer"), c("active", "boolean"),
        c("google_gmail_authorization_code", varchar), c("google_gmail_refresh_token", varchar),
        c("google_gmail_access_token", varchar), c("google_gmail_access_token_expiration", "integer"),
        c("microsoft_outlook_refresh_token", varchar), c("microsoft_outlook_access_token", varchar),
        c("microsoft_outlook_access_token_expiration", "integer"), ...audit(),
    ] },
    { name: "fetchmail_server", model: "fetchmail.server", columns: [
        c("name", `${varchar} NOT NULL`), c("active", "boolean"), c("state", varchar), c("server", varchar), c("port", "integer"),
        c("server_type", `${varchar} NOT NULL`), c("is_ssl", "boolean"), c("attach", "boolean"), c("original", "boolean"),
        c("date", "timestamp without time zone"), c("user", varchar), c("password", varchar), c("object_id", "integer"),
        c("priority", "integer"), c("google_gmail_authorization_code", varchar), c("google_gmail_refresh_token", varchar),
        c("google_gmail_access_token", varchar), c("google_gmail_access_token_expiration", "integer"),
        c("microsoft_outlook_refresh_token", varchar), c("microsoft_outlook_access_token", varchar),
        c("microsoft_outlook_access_token_expiration", "integer"), ...audit(),
    ] },
    { name: "mail_alias_domain", model: "mail.alias.domain", columns: [
        c("name", `${varchar} NOT NULL`), c("sequence", "integer"), c("bounce_alias", `${varchar} NOT NULL`),
        c("catchall_alias", `${varchar} NOT NULL`), c("default_from", varchar), ...audit(),
    ], unique: [{ name: "mail_alias_domain_name_unique", columns: ["name"] }] },
    { name: "mail_alias", model: "mail.alias", columns: [
        c("alias_name", varchar), c("alias_model_id", "integer NOT NULL"), c("alias_defaults", "text NOT NULL"),
        c("alias_force_thread_id", "integer"), c("alias_domain_id", "integer"), c("alias_contact", `${varchar} NOT NULL`),
        c("alias_status", varchar), c("alias_incoming_local", "boolean"), ...audit(),
    ] },
    { name: "mail_template", model: "mail.template", columns: [
        c("name", "jsonb"), c("model_id", "integer"), c("model", varchar), c("subject", "jsonb"), c("email_from", varchar),
        c("email_to", varchar), c("partner_to", varchar), c("email_cc", varchar), c("reply_to", varchar),
        c("body_html", "jsonb"), c("mail_server_id", "integer"), c("auto_delete", "boolean"), c("active", "boolean"), ...audit(),
    ] },
    { name: "mail_message", model: "mail.message", columns: [
        c("parent_id", "integer"), c("subject", varchar), c("date", "timestamp without time zone"), c("body", "text"),
        c("model", varchar), c("res_id", "integer"), c("record_name", varchar), c("message_type", `${varchar} NOT NULL`),
        c("subtype_id", "integer"), c("mail_activity_type_id", "integer"), c("is_internal", "boolean"),
        c("email_from", varchar), c("author_id", "integer"), c("author_guest_id", "integer"), c("reply_to", varchar),
        c("reply_to_force_new", "boolean"), c("message_id", varchar), c("mail_server_id", "integer"),
        c("email_layout_xmlid", varchar), c("email_add_signature", "boolean"), c("record_company_id", "integer"), ...audit(),
    ] },
    { name: "mail_mail", model: "mail.mail", columns: [
        c("mail_message_id", "integer NOT NULL"), c("fetchmail_server_id", "integer"), c("body_html", "text"),
        c("references", "text"), c("headers", "text"), c("email_to", "text"), c("email_cc", varchar),
        c("state", varchar), c("auto_delete", "boolean"), c("is_notification", "boolean"), c("failure_type", varchar),
        c("failure_reason", "text"), c("scheduled_date", "timestamp without time zone"), ...audit(),
    ] },
    { name: "mail_mail_res_partner_rel", columns: [c("mail_mail_id", "integer NOT NULL"), c("res_partner_id", "integer NOT NULL")],
        primaryKey: ["mail_mail_id", "res_partner_id"] },
    { name: "mail_tracking_value", model: "mail.tracking.value", columns: [
        c("field_id", "integer"), c("field_info", "jsonb"), c("old_value_integer", "integer"), c("old_value_float", "double precision"),
        c("old_value_char", varchar), c("old_value_text", "text"), c("old_value_datetime", "timestamp without time zone"),
        c("new_value_integer", "integer"), c("new_value_float", "double precision"), c("new_value_char", varchar),
        c("new_value_text", "text"), c("new_value_datetime", "timestamp without time zone"), c("currency_id", "integer"),
        c("mail_message_id", "integer NOT NULL"), ...audit(),
    ] },
    { name: "mail_partner_device", model: "mail.partner.device", columns: [
        c("partner_id", "integer NOT NULL"), c("endpoint", `${varchar} NOT NULL`), c("keys", "text NOT NULL"),
        c("expiration_time", "timestamp without time zone"), ...audit(),
    ] },
    { name: "mail_notification_web_push", model: "mail.notification.web.push", columns: [
        c("user_device", "integer NOT NULL"), c("payload", "text"), ...audit(),
    ] },
    { name: "ir_attachment", model: "ir.attachment", columns: [
        c("name", `${varchar} NOT NULL`), c("res_model", varchar), c("res_field", varchar), c("res_id", "integer"),
        c("company_id", "integer"), c("type", `${varchar} NOT NULL`), c("url", varchar), c("public", "boolean"),
        c("access_token", varchar), c("db_datas", "bytea"), c("store_fname", varchar), c("file_size", "integer"),
        c("checksum", varchar), c("mimetype", varchar), c("index_content", "text"), ...audit(),
    ] },
    { name: "ir_act_server", model: "ir.actions.server", columns: [
        c("name", "jsonb NOT NULL"), c("type", `${varchar} NOT NULL`), c("binding_model_id", "integer"),
        c("binding_type", `${varchar} NOT NULL`), c("usage", `${varchar} NOT NULL`), c("state", `${varchar} NOT NULL`),
        c("sequence", "integer"), c("model_id", "integer NOT NULL"), c("model_name", varchar), c("code", "text"),
        c("webhook_url", varchar), c("crud_model_id", "integer"), c("template_id", "integer"), ...audit(),
    ] },
    { name: "ir_cron", model: "ir.cron", columns: [
        c("ir_actions_server_id", "integer NOT NULL"), c("cron_name", varchar), c("user_id", "integer NOT NULL"),
        c("active", "boolean"), c("interval_number", "integer"), c("interval_type", varchar),
        c("numbercall", "integer", { until: "17.0" }), c("doall", "boolean", { until: "17.0" }),
        c("nextcall", "timestamp without time zone NOT NULL"), c("lastcall", "timestamp without time zone"),
        c("priority", "integer"), c("failure_count", "integer", { since: "18.0" }),
        c("first_failure_date", "timestamp without time zone", { since: "18.0" }), ...audit(),
    ] },
    { name: "website", model: "website", columns: [
        c("name", `${varchar} NOT NULL`), c("sequence", "integer"), c("domain", varchar), c("company_id", "integer NOT NULL"),
        c("default_lang_id", "integer"), c("cdn_activated", "boolean"), c("cdn_url", varchar), c("cdn_filters", "text"),
        c("robots_txt", "text"), c("social_twitter", varchar), c("social_facebook", varchar), c("social_linkedin", varchar),
        c("google_analytics_key", varchar), c("google_search_console", varchar), c("google_maps_api_key", varchar),
        c("plausible_shared_key", varchar), c("plausible_site", varchar), ...audit(),
    ] },
    { name: "ir_ui_view", model: "ir.ui.view", columns: [
        c("name", `${varchar} NOT NULL`), c("model", varchar), c("key", varchar), c("priority", "integer NOT NULL"),
        c("type", varchar), c("arch_db", "jsonb"), c("arch_fs", varchar), c("arch_updated", "boolean"), c("arch_prev", "text"),
        c("inherit_id", "integer"), c("mode", `${varchar} NOT NULL`), c("active", "boolean"), c("website_id", "integer"),
        c("customize_show", "boolean"), c("track", "boolean"), ...audit(),
    ] },
    { name: "payment_provider", model: "payment.provider", columns: [
        c("name", "jsonb NOT NULL"), c("code", `${varchar} NOT NULL`), c("state", `${varchar} NOT NULL`),
        c("company_id", "integer NOT NULL"), c("is_published", "boolean"), c("sequence", "integer"), c("module_id", "integer"),
        c("allow_tokenization", "boolean"), c("capture_manually", "boolean"), c("allow_express_checkout", "boolean"),
        c("maximum_amount", "numeric"),
        c("stripe_publishable_key", varchar), c("stripe_secret_key", varchar), c("stripe_webhook_secret", varchar),
        c("paypal_email_account", varchar), c("paypal_pdt_token", varchar, { until: "17.0" }),
        c("paypal_client_id", varchar, { since: "18.0" }), c("paypal_client_secret", varchar, { since: "18.0" }),
        c("paypal_webhook_id", varchar, { since: "18.0" }),
        c("adyen_merchant_account", varchar), c("adyen_api_key", varchar), c("adyen_client_key", varchar),
        c("adyen_hmac_key", varchar), c("adyen_api_url_prefix", varchar),
        c("mollie_api_key", varchar), c("authorize_login", varchar), c("authorize_transaction_key", varchar),
        c("authorize_signature_key", varchar), c("authorize_client_key", varchar),
        c("buckaroo_website_key", varchar), c("buckaroo_secret_key", varchar),
        c("mercado_pago_access_token", varchar), c("razorpay_key_id", varchar), c("razorpay_key_secret", varchar),
        c("razorpay_webhook_secret", varchar), c("flutterwave_public_key", varchar), c("flutterwave_secret_key", varchar),
        c("flutterwave_webhook_secret", varchar), c("xendit_secret_key", varchar), c("xendit_webhook_token", varchar), ...audit(),
    ] },
    { name: "payment_token", model: "payment.token", columns: [
        c("provider_id", "integer NOT NULL"), c("payment_details", varchar), c("partner_id", "integer NOT NULL"),
        c("company_id", "integer"), c("provider_ref", `${varchar} NOT NULL`), c("active", "boolean"),
        c("stripe_payment_method", varchar), ...audit(),
    ] },
    { name: "delivery_carrier", model: "delivery.carrier", columns: [
        c("name", "jsonb NOT NULL"), c("sequence", "integer"), c("delivery_type", `${varchar} NOT NULL`),
        c("integration_level", varchar), c("prod_environment", "boolean"), c("debug_logging", "boolean"),
        c("company_id", "integer"), c("product_id", "integer"), c("active", "boolean"), c("fixed_price", "numeric"), ...audit(),
    ] },
    { name: "iap_account", model: "iap.account", columns: [
        c("service_name", varchar), c("account_token", varchar), c("warning_threshold", "double precision"), ...audit(),
    ] },
    { name: "sms_sms", model: "sms.sms", columns: [
        c("uuid", varchar), c("number", varchar), c("body", "text"), c("partner_id", "integer"), c("mail_message_id", "integer"),
        c("state", `${varchar} NOT NULL`), c("failure_type", varchar), c("to_delete", "boolean"), ...audit(),
    ] },
    // OCA queue_job (queue/queue_job/models/queue_job.py).
    { name: "queue_job", model: "queue.job", columns: [
        c("uuid", `${varchar} NOT NULL`), c("graph_uuid", varchar), c("user_id", "integer"), c("company_id", "integer"),
        c("name", varchar), c("model_name", varchar), c("method_name", varchar), c("records", "text"), c("args", "text"),
        c("kwargs", "text"), c("func_string", varchar), c("dependencies", "text"), c("state", `${varchar} NOT NULL`),
        c("priority", "integer"), c("exc_name", varchar), c("exc_message", varchar), c("exc_info", "text"), c("result", "text"),
        c("date_created", "timestamp without time zone"), c("date_started", "timestamp without time zone"),
        c("date_enqueued", "timestamp without time zone"), c("date_done", "timestamp without time zone"),
        c("date_cancelled", "timestamp without time zone"), c("eta", "timestamp without time zone"), c("retry", "integer"),
        c("max_retries", "integer"), c("channel", varchar), c("identity_key", varchar), c("worker_pid", "integer"), ...audit(),
    ], unique: [{ name: "queue_job_uuid_uniq", columns: ["uuid"] }] },
    { name: "account_edi_proxy_client_user", model: "account_edi_proxy_client.user", columns: [
        c("active", "boolean"), c("id_client", `${varchar} NOT NULL`), c("company_id", "integer NOT NULL"),
        c("edi_identification", `${varchar} NOT NULL`), c("refresh_token", varchar), c("proxy_type", `${varchar} NOT NULL`),
        c("edi_mode", varchar), ...audit(),
    ] },
    { name: "account_account", model: "account.account", columns: [
        c("name", "jsonb NOT NULL"), c("code", `${varchar}(64)`, { until: "17.0" }), c("code_store", "jsonb", { since: "18.0" }),
        c("account_type", `${varchar} NOT NULL`), c("reconcile", "boolean"), c("company_id", "integer", { until: "17.0" }),
        c("currency_id", "integer"), c("deprecated", "boolean"), ...audit(),
    ] },
    { name: "account_journal", model: "account.journal", columns: [
        c("name", "jsonb NOT NULL"), c("code", `${varchar}(5) NOT NULL`), c("type", `${varchar} NOT NULL`),
        c("company_id", "integer NOT NULL"), c("currency_id", "integer"), c("default_account_id", "integer"),
        c("active", "boolean"), c("sequence", "integer"), ...audit(),
    ] },
    { name: "account_full_reconcile", model: "account.full.reconcile", columns: [c("exchange_move_id", "integer"), ...audit()] },
    { name: "account_move", model: "account.move", columns: [
        c("name", varchar), c("ref", varchar), c("date", "date NOT NULL"), c("state", `${varchar} NOT NULL`),
        c("move_type", `${varchar} NOT NULL`), c("journal_id", "integer NOT NULL"), c("company_id", "integer"),
        c("currency_id", "integer NOT NULL"), c("partner_id", "integer"), c("commercial_partner_id", "integer"),
        c("partner_shipping_id", "integer"), c("partner_bank_id", "integer"), c("payment_reference", varchar),
        c("payment_id", "integer", { until: "17.0" }), c("origin_payment_id", "integer", { since: "18.0" }),
        c("amount_untaxed", "numeric"), c("amount_tax", "numeric"), c("amount_total", "numeric"), c("amount_residual", "numeric"),
        c("amount_untaxed_signed", "numeric"), c("amount_untaxed_in_currency_signed", "numeric", { since: "18.0" }),
        c("amount_tax_signed", "numeric"), c("amount_total_signed", "numeric"), c("amount_total_in_currency_signed", "numeric"),
        c("amount_residual_signed", "numeric"), c("payment_state", varchar), c("invoice_date", "date"), c("invoice_date_due", "date"),
        c("invoice_origin", varchar), c("invoice_partner_display_name", varchar), c("narration", "text"),
        c("invoice_user_id", "integer"), c("sequence_prefix", varchar), c("sequence_number", "integer"), ...audit(),
    ] },
    { name: "account_move_line", model: "account.move.line", columns: [
        c("move_id", "integer NOT NULL"), c("move_name", varchar), c("date", "date"), c("ref", varchar), c("parent_state", varchar),
        c("journal_id", "integer"), c("company_id", "integer"), c("company_currency_id", "integer"), c("account_id", "integer"),
        c("sequence", "integer"), c("name", varchar), c("quantity", "numeric"), c("price_unit", "numeric"), c("discount", "numeric"),
        c("debit", "numeric"), c("credit", "numeric"), c("balance", "numeric"), c("amount_currency", "numeric"),
        c("price_subtotal", "numeric"), c("price_total", "numeric"), c("reconciled", "boolean"), c("blocked", "boolean"),
        c("date_maturity", "date"), c("currency_id", "integer NOT NULL"), c("partner_id", "integer"), c("product_id", "integer"),
        c("tax_line_id", "integer"), c("tax_base_amount", "numeric"), c("amount_residual", "numeric"),
        c("amount_residual_currency", "numeric"), c("full_reconcile_id", "integer"), c("matching_number", varchar),
        c("display_type", `${varchar} NOT NULL`), ...audit(),
    ] },
    { name: "account_partial_reconcile", model: "account.partial.reconcile", columns: [
        c("debit_move_id", "integer NOT NULL"), c("credit_move_id", "integer NOT NULL"), c("full_reconcile_id", "integer"),
        c("exchange_move_id", "integer"), c("debit_currency_id", "integer"), c("credit_currency_id", "integer"),
        c("amount", "numeric"), c("debit_amount_currency", "numeric"), c("credit_amount_currency", "numeric"),
        c("company_id", "integer"), c("max_date", "date"), ...audit(),
    ] },
    { name: "account_payment", model: "account.payment", columns: [
        c("move_id", "integer NOT NULL", { until: "17.0" }), c("move_id", "integer", { since: "18.0" }),
        c("name", varchar, { since: "18.0" }), c("date", "date", { since: "18.0" }), c("state", varchar, { since: "18.0" }),
        c("company_id", "integer", { since: "18.0" }), c("journal_id", "integer", { since: "18.0" }),
        c("is_reconciled", "boolean"), c("is_matched", "boolean"), c("partner_bank_id", "integer"),
        c("payment_method_line_id", "integer"), c("amount", "numeric"), c("payment_type", `${varchar} NOT NULL`),
        c("partner_type", `${varchar} NOT NULL`), c("payment_reference", varchar, { until: "17.0" }), c("memo", varchar, { since: "18.0" }),
        c("currency_id", "integer"), c("partner_id", "integer"), c("outstanding_account_id", "integer"),
        c("destination_account_id", "integer"), c("amount_company_currency_signed", "numeric"), ...audit(),
    ] },
];

export const foreignKeys: ForeignKeyDef[] = [
    ["res_company", "partner_id", "res_partner", "RESTRICT"], ["res_company", "currency_id", "res_currency", "RESTRICT"],
    ["res_company", "alias_domain_id", "mail_alias_domain", "SET NULL"],
    ["res_currency_rate", "currency_id", "res_currency", "CASCADE"],
    ["res_partner", "company_id", "res_company", "SET NULL"], ["res_partner", "parent_id", "res_partner", "SET NULL"],
    ["res_partner", "commercial_partner_id", "res_partner", "SET NULL"], ["res_partner", "country_id", "res_country", "RESTRICT"],
    ["res_partner", "user_id", "res_users", "SET NULL"],
    ["res_users", "partner_id", "res_partner", "RESTRICT"], ["res_users", "company_id", "res_company", "RESTRICT"],
    ["res_users", "oauth_provider_id", "auth_oauth_provider", "SET NULL"],
    ["res_users_settings", "user_id", "res_users", "CASCADE"],
    ["res_users_apikeys", "user_id", "res_users", "CASCADE"], ["auth_totp_device", "user_id", "res_users", "CASCADE"],
    ["res_partner_bank", "partner_id", "res_partner", "CASCADE"], ["res_partner_bank", "currency_id", "res_currency", "SET NULL"],
    ["resource_resource", "user_id", "res_users", "SET NULL"],
    ["hr_employee", "resource_id", "resource_resource", "RESTRICT"], ["hr_employee", "company_id", "res_company", "RESTRICT"],
    ["hr_employee", "work_contact_id", "res_partner", "SET NULL"], ["hr_employee", "user_id", "res_users", "SET NULL"],
    ["hr_employee", "bank_account_id", "res_partner_bank", "SET NULL"], ["hr_employee", "parent_id", "hr_employee", "SET NULL"],
    ["crm_lead", "partner_id", "res_partner", "SET NULL"], ["crm_lead", "user_id", "res_users", "SET NULL"],
    ["crm_lead", "company_id", "res_company", "SET NULL"],
    ["ir_model_fields", "model_id", "ir_model", "CASCADE"],
    ["mail_alias", "alias_domain_id", "mail_alias_domain", "RESTRICT"], ["mail_alias", "alias_model_id", "ir_model", "CASCADE"],
    ["mail_template", "mail_server_id", "ir_mail_server", "SET NULL"], ["mail_template", "model_id", "ir_model", "SET NULL"],
    ["mail_message", "parent_id", "mail_message", "SET NULL"], ["mail_message", "author_id", "res_partner", "SET NULL"],
    ["mail_message", "mail_server_id", "ir_mail_server", "SET NULL"],
    ["mail_mail", "mail_message_id", "mail_message", "CASCADE"], ["mail_mail", "fetchmail_server_id", "fetchmail_server", "SET NULL"],
    ["mail_mail_res_partner_rel", "mail_mail_id", "mail_mail", "CASCADE"], ["mail_mail_res_partner_rel", "res_partner_id", "res_partner", "CASCADE"],
    ["mail_tracking_value", "mail_message_id", "mail_message", "CASCADE"], ["mail_tracking_value", "field_id", "ir_model_fields", "SET NULL"],
    ["mail_partner_device", "partner_id", "res_partner", "CASCADE"],
    ["mail_notification_web_push", "user_device", "mail_partner_device", "CASCADE"],
    ["ir_cron", "ir_actions_server_id", "ir_act_server", "RESTRICT"], ["ir_cron", "user_id", "res_users", "RESTRICT"],
    ["ir_act_server", "model_id", "ir_model", "CASCADE"],
    ["ir_ui_view", "inherit_id", "ir_ui_view", "CASCADE"], ["ir_ui_view", "website_id", "website", "CASCADE"],
    ["website", "company_id", "res_company", "RESTRICT"],
    ["payment_provider", "company_id", "res_company", "RESTRICT"], ["payment_provider", "module_id", "ir_module_module", "SET NULL"],
    ["payment_token", "provider_id", "payment_provider", "RESTRICT"], ["payment_token", "partner_id", "res_partner", "CASCADE"],
    ["sms_sms", "partner_id", "res_partner", "SET NULL"], ["sms_sms", "mail_message_id", "mail_message", "SET NULL"],
    ["account_edi_proxy_client_user", "company_id", "res_company", "RESTRICT"],
    ["account_journal", "default_account_id", "account_account", "RESTRICT"],
    ["account_move", "journal_id", "account_journal", "RESTRICT"], ["account_move", "currency_id", "res_currency", "RESTRICT"],
    ["account_move", "partner_id", "res_partner", "RESTRICT"], ["account_move", "commercial_partner_id", "res_partner", "RESTRICT"],
    ["account_move", "company_id", "res_company", "RESTRICT"],
    ["account_move_line", "move_id", "account_move", "CASCADE"], ["account_move_line", "account_id", "account_account", "RESTRICT"],
    ["account_move_line", "currency_id", "res_currency", "RESTRICT"], ["account_move_line", "partner_id", "res_partner", "RESTRICT"],
    ["account_move_line", "full_reconcile_id", "account_full_reconcile", "SET NULL"],
    ["account_move_line", "company_currency_id", "res_currency", "RESTRICT"],
    ["account_partial_reconcile", "debit_move_id", "account_move_line", "CASCADE"],
    ["account_partial_reconcile", "credit_move_id", "account_move_line", "CASCADE"],
    ["account_partial_reconcile", "full_reconcile_id", "account_full_reconcile", "SET NULL"],
    ["account_payment", "move_id", "account_move", "CASCADE"], ["account_payment", "partner_id", "res_partner", "RESTRICT"],
    ["account_payment", "currency_id", "res_currency", "RESTRICT"],
].map(([table, column, references, onDelete]) => ({
    name: `${table}_${column}_fkey`, table, column, references, onDelete: onDelete as ForeignKeyDef["onDelete"],
}));

export const indexes: IndexDef[] = [
    ["res_partner", "parent_id"], ["res_partner", "commercial_partner_id"], ["res_partner", "complete_name"],
    ["res_partner", "email"], ["res_partner", "ref"], ["res_partner", "vat"], ["res_partner", "company_id"],
    ["res_partner", "email_normalized"], ["res_partner", "phone_sanitized"],
    ["res_users_apikeys", "user_id, index"], ["auth_totp_device", "user_id, index"],
    ["res_partner_bank", "partner_id"], ["hr_employee", "resource_id"], ["hr_employee", "work_contact_id"],
    ["crm_lead", "partner_id"], ["crm_lead", "email_normalized"], ["crm_lead", "phone_sanitized"], ["crm_lead", "user_id"],
    ["ir_model_data", "model, res_id"], ["ir_config_parameter", "key"],
    ["mail_message", "model, res_id"], ["mail_message", "author_id"], ["mail_message", "message_id"], ["mail_message", "parent_id"],
    ["mail_mail", "mail_message_id"], ["mail_mail", "state"], ["mail_tracking_value", "mail_message_id"],
    ["ir_attachment", "res_model, res_id"], ["ir_ui_view", "model"], ["ir_ui_view", "key"], ["ir_ui_view", "inherit_id"],
    ["queue_job", "state"], ["sms_sms", "state"],
    ["account_move", "date"], ["account_move", "journal_id"], ["account_move", "partner_id"],
    ["account_move", "commercial_partner_id"], ["account_move", "state"], ["account_move", "payment_state"],
    ["account_move_line", "move_id"], ["account_move_line", "account_id"], ["account_move_line", "partner_id"],
    ["account_move_line", "date"], ["account_move_line", "full_reconcile_id"], ["account_move_line", "journal_id"],
    ["account_partial_reconcile", "debit_move_id"], ["account_partial_reconcile", "credit_move_id"],
    ["account_partial_reconcile", "full_reconcile_id"], ["account_payment", "move_id"],
].map(([table, on]) => ({ name: `${table}__${on.replace(/[^a-z_]+/g, "_")}_index`, table, on }));

/** The columns of `table` in `version`, in DDL order. */
export function columnsFor(table: TableDef, version: OdooVersion): ColumnDef[] {
    const order = odooVersions.indexOf(baseVersion(version));
    const seen = new Set<string>();
    return table.columns.filter((col) => {
        if (col.since && odooVersions.indexOf(col.since) > order) return false;
        if (col.until && odooVersions.indexOf(col.until) < order) return false;
        if (seen.has(col.name)) return false;
        seen.add(col.name);
        return true;
    });
}
