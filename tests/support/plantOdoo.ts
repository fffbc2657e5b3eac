/**
 * A production-like Odoo database made from a real dump: what every Odoo database has (base
 * installed, a company, admin, xml ids, the base URL and identity, the autovacuum cron), then
 * personal data of every class the data rules must cover and live integrations, in the real
 * columns of whatever modules the dump has. On a dump with data (Odoo 12) existing rows get
 * planted values too.
 */
import type { Client } from "pg";
import { Planted, Planter } from "./plant";

export const productionUrl = "https://erp.planted-industries.example";

export interface PlantReport {
    planted: Planted[];
    /** What was planted where (`table.column`), for the report. */
    columns: string[];
    /** Whether balanced books were planted (a dump with accounting). */
    books: boolean;
}

export async function plantProduction(client: Client, series: number): Promise<PlantReport> {
    const p = await Planter.open(client);
    const planted = new Set<string>();
    const at = (table: string, columns: string[]) => columns.filter((c) => p.has(table, c)).forEach((c) => planted.add(`${table}.${c}`));
    await client.query("BEGIN");
    try {
        await base(p, series);
        await people(p, at);
        await integrations(p, at);
        const books = await accounting(p, at);
        await client.query("COMMIT");
        await client.query("ANALYZE");
        return { planted: p.planted, columns: [...planted].sort(), books };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}

/** What a real Odoo database always has, created when a schema-only dump lacks it. */
async function base(p: Planter, series: number): Promise<void> {
    const c = p.client;
    const one = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows[0];
    if (!(await one("SELECT 1 AS x FROM ir_module_module WHERE name = 'base'"))) {
        const id = await p.insert("ir_module_module", {
            name: "base",
            state: "installed",
            latest_version: `${series}.0.1.3`,
            author: "Odoo S.A.",
            website: "https://www.odoo.com",
            shortdesc: p.text("ir_module_module", "shortdesc", "Base"),
            summary: p.text("ir_module_module", "summary", "The kernel of Odoo, needed for all installation."),
            description: p.text("ir_module_module", "description", "The kernel of Odoo. Questions to info@odoo.com or +32 81 81 37 00."),
            license: "LGPL-3",
            application: false,
        });
        await p.xmlid("base", "module_base", "ir.module.module", id);
    }
    if (!(await one("SELECT 1 AS x FROM res_currency")))
        await p.insert("res_currency", { name: "EUR", symbol: "€", rounding: 0.01, decimal_places: 2, active: true });
    const currency = (await one("SELECT id FROM res_currency ORDER BY id LIMIT 1")).id;
    let company = await one("SELECT id, partner_id FROM res_company ORDER BY id LIMIT 1");
    if (!company) {
        const partner = await p.insert("res_partner", {
            name: "Planted Industries SA",
            is_company: true,
            active: true,
            type: "contact",
            email: "info@planted-industries.example",
        });
        const id = await p.insert("res_company", { name: "Planted Industries SA", partner_id: partner, currency_id: currency, sequence: 10, active: true });
        await p.update("res_partner", partner, { company_id: id });
        company = { id, partner_id: partner };
        await p.xmlid("base", "main_company", "res.company", id);
        await p.xmlid("base", "main_partner", "res.partner", partner);
    }
    const user = async (login: string, partnerName: string, xmlUser: string, xmlPartner: string, active: boolean, share: boolean) => {
        const existing = await one(
            "SELECT id FROM res_users WHERE login = $1 OR id IN (SELECT res_id FROM ir_model_data WHERE model = 'res.users' AND module = 'base' AND name = $2)",
            [login, xmlUser],
        );
        if (existing) return existing.id as number;
        const partner = await p.insert("res_partner", { name: partnerName, active, type: "contact", company_id: company.id });
        const id = await p.insert("res_users", { login, partner_id: partner, company_id: company.id, active, share, notification_type: "email" });
        await p.xmlid("base", xmlUser, "res.users", id);
        await p.xmlid("base", xmlPartner, "res.partner", partner);
        return id;
    };
    await user("__system__", "OdooBot", "user_root", "partner_root", false, false);
    await user("admin", "Administrator", "user_admin", "partner_admin", true, false);
    await user("public", "Public user", "public_user", "public_partner", false, true);
    const param = async (key: string, value: string) => {
        if (await one("SELECT 1 AS x FROM ir_config_parameter WHERE key = $1", [key]))
            await c.query("UPDATE ir_config_parameter SET value = $2 WHERE key = $1", [key, value]);
        else await p.insert("ir_config_parameter", { key, value });
    };
    await param("web.base.url", productionUrl);
    if (!(await one("SELECT 1 AS x FROM ir_config_parameter WHERE key = 'database.uuid'")))
        await param("database.uuid", "5b0d7b2e-8a5c-11ee-9d8f-0242ac120002");
    if (!(await one("SELECT 1 AS x FROM ir_config_parameter WHERE key = 'database.secret'")))
        await param("database.secret", "1f3e2f0c-7a34-4b2a-9e1d-6c5b4a3f2e1d");
    // The autovacuum cron (the one neutralize keeps), and live ones.
    const cronFor = async (xmlid: string, module: string, name: string, active: boolean) => {
        const existing = await one("SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' AND module = $1 AND name = $2", [module, xmlid]);
        if (existing) {
            await c.query("UPDATE ir_cron SET active = $2 WHERE id = $1", [existing.res_id, active]);
            return;
        }
        const model = await p.insert("ir_model", { model: `planted.${xmlid}`, name: p.text("ir_model", "name", name), state: "base" });
        const action = await p.insert("ir_act_server", {
            name: p.text("ir_act_server", "name", name),
            type: "ir.actions.server",
            binding_type: "action",
            usage: "ir_cron",
            state: "code",
            model_id: model,
            code: "model._run()",
        });
        const cron = await p.insert("ir_cron", {
            ir_actions_server_id: action,
            cron_name: p.text("ir_cron", "cron_name", name),
            user_id: 1,
            active,
            interval_number: 1,
            interval_type: "hours",
            nextcall: "2024-01-01 00:00:00",
            numbercall: -1,
            priority: 5,
        });
        await p.xmlid(module, xmlid, "ir.cron", cron);
    };
    await cronFor("autovacuum_job", "base", "Base: Auto-vacuum internal data", true);
    await cronFor("ir_cron_mail_scheduler_action", "mail", "Mail: Email Queue Manager", true);
    await cronFor("ir_cron_sync_partner_api", "__export__", "Push orders to a partner API", true);
    await c.query("UPDATE ir_cron SET active = true");
}

type At = (table: string, columns: string[]) => void;

/** Personal data of every class, in every table of it the dump has. */
async function people(p: Planter, at: At): Promise<void> {
    const c = p.client;
    const company = (await c.query("SELECT id FROM res_company ORDER BY id LIMIT 1")).rows[0].id as number;
    const partners: number[] = [];
    // Contacts, and the existing ones (Odoo 12 has real rows): every contact column.
    const contact = async (id?: number) => {
        const x = p.person("res_partner");
        const values = {
            name: x.name,
            display_name: x.name,
            complete_name: x.name,
            email: x.email,
            email_normalized: x.email,
            phone: x.phone,
            mobile: x.mobile,
            phone_sanitized: x.phone.replace(/ /g, ""),
            street: x.street,
            city: "Brussels",
            zip: "1000",
            vat: x.vat,
            type: "contact",
            active: true,
            is_company: false,
            company_id: company,
            comment: `<p>Met ${x.name} at the fair: ${x.email}, ${x.phone}, card ${x.card}</p>`,
            signup_token: p.token("res_partner.signup_token"),
            signup_type: "signup",
            signup_expiration: "2030-01-01 00:00:00",
            contact_address_complete: `${x.street}, 1000 Brussels`,
        };
        at("res_partner", Object.keys(values));
        if (id) await p.update("res_partner", id, values);
        else id = await p.insert("res_partner", values);
        partners.push(id);
        return { id, ...x };
    };
    const existing = (
        await c.query(`SELECT p.id FROM res_partner p WHERE p.id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'res.partner' AND module = 'base')
        AND NOT coalesce(p.is_company, false) ORDER BY p.id LIMIT 10`)
    ).rows.map((r) => r.id as number);
    for (const id of existing) await contact(id);
    while (partners.length < 12) await contact();
    const person = (i: number) => partners[i % partners.length];
    // Company-dependent until 17.0: res.partner's barcode is an ir_property row per partner and company.
    if (p.has("ir_property", "value_text") && p.has("ir_model_fields", "model") && !p.has("res_partner", "barcode")) {
        const existingField = (await c.query("SELECT id FROM ir_model_fields WHERE model = 'res.partner' AND name = 'barcode'")).rows[0]?.id as
            number | undefined;
        const model = (await c.query("SELECT id FROM ir_model WHERE model = 'res.partner'")).rows[0]?.id as number | undefined;
        const field =
            existingField ??
            (await p.insert("ir_model_fields", {
                name: "barcode",
                model: "res.partner",
                ...(model ? { model_id: model } : {}),
                ttype: "char",
                state: "base",
                field_description: p.text("ir_model_fields", "field_description", "Barcode"),
                company_dependent: true,
            }));
        for (const [i, id] of partners.slice(0, 3).entries()) {
            const barcode = p.mark(`04009${String(7301 + i * 1117).padStart(8, "0")}`, "text", "ir_property.value_text");
            await p.insert("ir_property", {
                name: "barcode",
                res_id: `res.partner,${id}`,
                company_id: company,
                fields_id: field,
                type: "char",
                value_text: barcode,
            });
        }
        at("ir_property", ["value_text"]);
    }

    // Users: login, signature, livechat name (≤ 16.0), calendar address.
    const u = p.person("res_users");
    const userPartner = (await contact()).id;
    const userValues = {
        login: u.email,
        partner_id: userPartner,
        company_id: company,
        active: true,
        share: false,
        notification_type: "email",
        signature: `<p>--<br>${u.name}<br>${u.phone}</p>`,
        livechat_username: u.name,
        password: p.secret("res_users.password", "$pbkdf2-sha512$600000$plantedSaltAbcdEf$plantedHashValue0123456789abcdefABCDEF"),
        totp_secret: p.secret("res_users.totp_secret", "JBSWY3DPEHPK3PXPPLANTEDTOTP"),
        oauth_access_token: p.secret("res_users.oauth_access_token", "ya29.a0PlantedOauthToken12345"),
        oauth_uid: "104857600042",
        microsoft_calendar_token: p.secret("res_users.microsoft_calendar_token", "EwB4A8l6PlantedMsToken987"),
    };
    at("res_users", Object.keys(userValues));
    const userId = await p.insert("res_users", userValues);
    if (p.has("res_users_settings")) {
        const v = {
            user_id: userId,
            livechat_username: u.name,
            google_calendar_cal_id: u.email,
            google_calendar_rtoken: p.secret("res_users_settings.google_calendar_rtoken", "1//0gPlantedRefresh456"),
            google_calendar_token: p.secret("res_users_settings.google_calendar_token", "ya29.PlantedCalendar789"),
        };
        at("res_users_settings", Object.keys(v));
        await p.insert("res_users_settings", v);
    }
    // Bank accounts.
    if (p.has("res_partner_bank")) {
        for (let i = 0; i < 3; i++) {
            const x = p.person("res_partner_bank");
            const v = {
                acc_number: x.iban,
                sanitized_acc_number: x.iban.replace(/ /g, ""),
                acc_holder_name: x.name,
                partner_id: person(i),
                active: true,
                company_id: company,
            };
            at("res_partner_bank", Object.keys(v));
            await p.insert("res_partner_bank", v);
        }
    }
    // Employees: work and private data (the private address is a partner until 16.0).
    if (p.has("hr_employee")) {
        const x = p.person("hr_employee");
        const home = await contact();
        const resource = await p.insert("resource_resource", {
            name: x.name,
            active: true,
            company_id: company,
            resource_type: "user",
            time_efficiency: 100,
            tz: "Europe/Brussels",
        });
        const v = {
            resource_id: resource,
            company_id: company,
            name: x.name,
            active: true,
            work_email: x.email,
            work_phone: x.phone,
            mobile_phone: x.mobile,
            private_email: p.mark("private.planted@yahoo.fr", "email", "hr_employee"),
            private_phone: x.mobile,
            private_street: x.street,
            address_home_id: home.id,
            ssnid: p.mark("85.07.30-033.61", "text", "hr_employee.ssnid"),
            identification_id: p.mark("590-1234567-89", "text", "hr_employee"),
            passport_id: p.mark("EH7401234", "text", "hr_employee"),
            spouse_complete_name: p.person("hr_employee.spouse").name,
            emergency_contact: p.person("hr_employee.emergency").name,
            emergency_phone: p.person("hr_employee.emergency").phone,
            place_of_birth: "Namur",
            study_school: p.mark("Institut Planté de Namur", "text", "hr_employee"),
            marital: "single",
            employee_type: "employee",
            notes: `<p>Reach ${x.name} at ${x.email} or ${x.phone}</p>`,
            additional_note: `IBAN ${x.iban}`,
        };
        at("hr_employee", Object.keys(v));
        await p.insert("hr_employee", v);
    }
    // Recruitment: applicants (≤ 17.0 carry the candidate's data), candidates (18.0+).
    for (const table of ["hr_applicant", "hr_candidate"]) {
        if (!p.has(table)) continue;
        const x = p.person(table);
        const v = {
            name: `${x.name}'s application`,
            partner_name: x.name,
            email_from: x.email,
            email_cc: p.person(`${table}.cc`).email,
            partner_phone: x.phone,
            partner_mobile: x.mobile,
            linkedin_profile: p.mark(`https://www.linkedin.com/in/${x.name.toLowerCase().replace(" ", "-")}`, "text", table),
            description: `<p>${x.name} (${x.email}) called from ${x.phone}</p>`,
            active: true,
            company_id: company,
            partner_id: person(1),
        };
        at(table, Object.keys(v));
        await p.insert(table, v);
    }
    // Calendar.
    if (p.has("calendar_event")) {
        const x = p.person("calendar_event");
        const v = {
            name: `Meeting with ${x.name}`,
            location: x.street,
            videocall_location: "https://meet.planted.example/room-4711",
            description: `<p>${x.email} ${x.phone}</p>`,
            access_token: p.token("calendar_event.access_token"),
            start: "2024-03-01 10:00:00",
            stop: "2024-03-01 11:00:00",
            active: true,
            privacy: "public",
            show_as: "busy",
        };
        at("calendar_event", Object.keys(v));
        const event = await p.insert("calendar_event", v);
        if (p.has("calendar_attendee")) {
            const a = {
                event_id: event,
                partner_id: person(2),
                common_name: p.person("calendar_attendee").name,
                access_token: p.token("calendar_attendee.access_token"),
                state: "accepted",
            };
            at("calendar_attendee", Object.keys(a));
            await p.insert("calendar_attendee", a);
        }
    }
    // Activities and chatter.
    const partnerModel = p.has("ir_model")
        ? ((await c.query("SELECT id FROM ir_model WHERE model = 'res.partner'")).rows[0]?.id ??
          (await p.insert("ir_model", { model: "res.partner", name: p.text("ir_model", "name", "Contact"), state: "base" })))
        : undefined;
    if (p.has("mail_activity") && partnerModel) {
        const x = p.person("mail_activity");
        const type = await p.anyRow("mail_activity_type");
        const v = {
            res_model_id: partnerModel,
            res_model: "res.partner",
            res_id: person(3),
            res_name: x.name,
            summary: `Call ${x.name}`,
            note: `<p>${x.email}, ${x.phone}</p>`,
            feedback: `Spoke to ${x.name}`,
            activity_type_id: type,
            user_id: 2,
            date_deadline: "2024-04-01",
            automated: false,
        };
        at("mail_activity", Object.keys(v));
        await p.insert("mail_activity", v);
    }
    let message: number | undefined;
    if (p.has("mail_message")) {
        const x = p.person("mail_message");
        const v = {
            model: "res.partner",
            res_id: person(4),
            record_name: x.name,
            subject: `Re: order for ${x.name}`,
            message_type: "email",
            author_id: person(4),
            email_from: `"${x.name}" <${x.email}>`,
            reply_to: x.email,
            body: `<p>Hello, this is ${x.name}: call ${x.phone}, IBAN ${x.iban}, card ${x.card}</p>`,
            message_id: `<planted.${x.email}>`,
            date: "2024-01-02 10:00:00",
        };
        at("mail_message", Object.keys(v));
        message = await p.insert("mail_message", v);
        if (p.has("mail_mail")) {
            const m = {
                mail_message_id: message,
                email_to: x.email,
                email_cc: p.person("mail_mail.cc").email,
                body_html: `<p>${x.name} ${x.phone}</p>`,
                state: "outgoing",
                headers: `{"X-Planted": "${x.email}"}`,
            };
            at("mail_mail", Object.keys(m));
            await p.insert("mail_mail", m);
        }
        if (p.has("mail_tracking_value")) {
            const fieldLink = p.has("mail_tracking_value", "field_id") ? "field_id" : "field";
            const fieldType = p.catalog.table("mail_tracking_value")!.columns.get(fieldLink)!.type;
            const fieldRef =
                fieldType === "integer"
                    ? ((await c.query("SELECT id FROM ir_model_fields WHERE model = 'res.partner' AND name = 'email'")).rows[0]?.id ??
                      (await p.insert("ir_model_fields", {
                          model: "res.partner",
                          name: "email",
                          model_id: partnerModel,
                          ttype: "char",
                          field_description: p.text("ir_model_fields", "field_description", "Email"),
                          store: true,
                          state: "base",
                      })))
                    : "email";
            const t = {
                mail_message_id: message,
                [fieldLink]: fieldRef,
                field_desc: "Email",
                field_type: "char",
                old_value_char: x.email,
                new_value_char: p.person("mail_tracking_value").email,
            };
            at("mail_tracking_value", Object.keys(t));
            await p.insert("mail_tracking_value", t);
        }
    }
    // Chats and livechat: direct chats are named after their members; guests.
    for (const table of ["discuss_channel", "mail_channel"]) {
        if (!p.has(table)) continue;
        const x = p.person(table);
        const v = { name: `${x.name}, Administrator`, channel_type: "chat", anonymous_name: p.person(`${table}.anonymous`).name };
        at(table, Object.keys(v));
        await p.insert(table, v);
    }
    if (p.has("mail_guest")) {
        const v = { name: p.person("mail_guest").name, access_token: p.token("mail_guest.access_token"), lang: "en_US", timezone: "Europe/Brussels" };
        at("mail_guest", Object.keys(v));
        await p.insert("mail_guest", v);
    }
    // SMS and snail mail.
    if (p.has("sms_sms")) {
        const x = p.person("sms_sms");
        const v = { number: x.mobile, body: `Hi ${x.name}, your code is ready. Call ${x.phone}`, partner_id: person(5), state: "outgoing" };
        at("sms_sms", Object.keys(v));
        await p.insert("sms_sms", v);
    }
    if (p.has("snailmail_letter")) {
        const x = p.person("snailmail_letter");
        const v = {
            partner_id: person(6),
            model: "res.partner",
            res_id: person(6),
            street: x.street,
            street2: "Boîte 7",
            zip: "5000",
            city: "Namur",
            state: "pending",
            user_id: 2,
            company_id: company,
            report_template: undefined,
        };
        at("snailmail_letter", Object.keys(v));
        await p.insert("snailmail_letter", v);
    }
    // Surveys and website visitors.
    if (p.has("survey_user_input")) {
        const x = p.person("survey_user_input");
        const v = {
            survey_id: await p.anyRow("survey_survey"),
            email: x.email,
            nickname: x.name,
            access_token: p.token("survey_user_input.access_token"),
            invite_token: p.token("survey_user_input.invite_token"),
            state: "done",
            partner_id: person(7),
        };
        at("survey_user_input", Object.keys(v));
        const input = await p.insert("survey_user_input", v);
        if (p.has("survey_user_input_line")) {
            const l = {
                user_input_id: input,
                survey_id: v.survey_id,
                question_id: await p.anyRow("survey_question"),
                answer_type: "char_box",
                value_char_box: p.person("survey_user_input_line").name,
                value_text_box: `Contact me: ${p.person("survey_user_input_line.text").email}`,
            };
            at("survey_user_input_line", Object.keys(l));
            await p.insert("survey_user_input_line", l);
        }
    }
    if (p.has("website_visitor")) {
        const v = {
            access_token: p.token("website_visitor.access_token"),
            partner_id: person(8),
            website_id: p.has("website") ? await p.anyRow("website") : undefined,
            visit_count: 3,
        };
        at("website_visitor", Object.keys(v));
        await p.insert("website_visitor", v);
    }
    if (p.has("payment_transaction") && p.has("payment_provider")) {
        const x = p.person("payment_transaction");
        const v = {
            provider_id: await p.anyRow("payment_provider"),
            reference: "S00042-1",
            amount: 121,
            currency_id: await p.anyRow("res_currency"),
            partner_id: person(9),
            partner_name: x.name,
            partner_email: x.email,
            partner_phone: x.phone,
            partner_address: x.street,
            partner_zip: "1000",
            partner_city: "Brussels",
            state: "done",
            operation: "online_redirect",
            partner_lang: "en_US",
        };
        at("payment_transaction", Object.keys(v));
        await p.insert("payment_transaction", v);
    }
    // Portal access tokens on documents.
    if (p.has("ir_attachment")) {
        const v = {
            name: `${p.person("ir_attachment").name} - passport.pdf`,
            type: "binary",
            access_token: p.token("ir_attachment.access_token"),
            res_model: "res.partner",
            res_id: person(10),
        };
        at("ir_attachment", Object.keys(v));
        await p.insert("ir_attachment", v);
    }
}

/** Live integrations and third-party credentials in every table of them the dump has. */
async function integrations(p: Planter, at: At): Promise<void> {
    const c = p.client;
    const company = (await c.query("SELECT id FROM res_company ORDER BY id LIMIT 1")).rows[0].id as number;
    const server = {
        name: "Gmail (production)",
        smtp_host: "smtp.gmail.com",
        smtp_port: 465,
        smtp_encryption: "ssl",
        smtp_authentication: "login",
        active: true,
        sequence: 10,
        smtp_user: p.mark("notifications@planted-industries.example", "email", "ir_mail_server"),
        smtp_pass: p.secret("ir_mail_server.smtp_pass", "Pl4nted-SMTP-Pa55w0rd"),
        from_filter: "planted-industries.example",
        google_gmail_refresh_token: p.secret("ir_mail_server.google_gmail_refresh_token", "1//09PlantedGmailRefreshToken"),
    };
    at("ir_mail_server", Object.keys(server));
    await p.insert("ir_mail_server", server);
    if (p.has("fetchmail_server")) {
        const f = {
            name: "Support inbox",
            active: true,
            state: "done",
            server: "imap.gmail.com",
            port: 993,
            server_type: "imap",
            is_ssl: true,
            user: p.mark("support@planted-industries.example", "email", "fetchmail_server"),
            password: p.secret("fetchmail_server.password", "Pl4nted-IMAP-Pa55w0rd"),
        };
        at("fetchmail_server", Object.keys(f));
        await p.insert("fetchmail_server", f);
    }
    if (p.has("payment_provider")) {
        const v = {
            name: p.text("payment_provider", "name", "Stripe"),
            code: "stripe",
            state: "enabled",
            company_id: company,
            is_published: true,
            stripe_secret_key: p.secret("payment_provider.stripe_secret_key", "sk_live_51PlantedSecretKey0123456789"),
            stripe_publishable_key: p.secret("payment_provider.stripe_publishable_key", "pk_live_51PlantedPublishable987"),
            stripe_webhook_secret: p.secret("payment_provider.stripe_webhook_secret", "whsec_PlantedWebhookSecret42"),
        };
        at("payment_provider", Object.keys(v));
        await p.insert("payment_provider", v);
    }
    if (p.has("payment_acquirer")) {
        const v = {
            name: p.text("payment_acquirer", "name", "Stripe"),
            provider: "stripe",
            environment: "prod",
            state: "enabled",
            company_id: company,
            website_published: true,
        };
        at("payment_acquirer", Object.keys(v));
        await p.insert("payment_acquirer", v);
    }
    if (p.has("website")) {
        const id = await p.anyRow("website");
        const v = {
            domain: "www.planted-industries.example",
            google_analytics_key: p.secret("website.google_analytics_key", "G-PLANTED4711"),
            google_maps_api_key: p.secret("website.google_maps_api_key", "AIzaSyPlantedMapsKey0123456789"),
            google_management_client_secret: p.secret("website.google_management_client_secret", "PlantedGoogleMgmtSecret42"),
            plausible_shared_key: p.secret("website.plausible_shared_key", "PlantedPlausibleShare42"),
        };
        at("website", Object.keys(v));
        await p.update("website", id, v);
    }
    const param = (key: string, value: string) => p.insert("ir_config_parameter", { key, value: p.secret(`ir_config_parameter[${key}]`, value) });
    await param("google_gmail_client_secret", "GOCSPX-PlantedGmailClientSecret");
    await param("x_partner_api.api_key", "pk-planted-partner-api-0123456789abcdef");
    if (p.has("iap_account")) {
        const token = p.mark("0123456789abcdefplantediaptoken", "token", "iap_account.account_token");
        const service = p.has("iap_service")
            ? await p.insert("iap_service", {
                  name: p.text("iap_service", "name", "SMS"),
                  technical_name: "sms",
                  description: p.text("iap_service", "description", "SMS"),
                  unit_name: p.text("iap_service", "unit_name", "Credits"),
                  integer_balance: true,
              })
            : undefined;
        const v = { service_name: "sms", service_id: service, account_token: token, company_id: company };
        at("iap_account", Object.keys(v));
        await p.insert("iap_account", v);
    }
    if (p.has("res_users_apikeys")) {
        await p.insert("res_users_apikeys", {
            name: "Zapier",
            user_id: 2,
            scope: "rpc",
            index: "abcd1234",
            key: p.secret("res_users_apikeys.key", "$pbkdf2-sha512$6000$plantedApiKeyHash0123456789"),
        });
        at("res_users_apikeys", ["key"]);
    }
    if (p.has("auth_totp_device")) {
        await p.insert("auth_totp_device", {
            name: "Chrome on Windows",
            user_id: 2,
            scope: "browser",
            index: "dcba4321",
            key: p.secret("auth_totp_device.key", "$pbkdf2-sha512$6000$plantedDeviceHash9876543210"),
        });
        at("auth_totp_device", ["key"]);
    }
    if (p.has("google_calendar_credentials")) {
        const v = {
            calendar_rtoken: p.secret("google_calendar_credentials.calendar_rtoken", "1//0gPlantedCalendarRefresh"),
            calendar_token: p.secret("google_calendar_credentials.calendar_token", "ya29.PlantedCalendarAccess"),
        };
        at("google_calendar_credentials", Object.keys(v));
        await p.insert("google_calendar_credentials", v);
    }
    if (p.has("auth_oauth_provider")) {
        await p.insert("auth_oauth_provider", {
            name: "Google OAuth2",
            enabled: true,
            client_id: "418927342-planted.apps.googleusercontent.com",
            auth_endpoint: "https://accounts.google.com/o/oauth2/auth",
            validation_endpoint: "https://www.googleapis.com/oauth2/v3/tokeninfo",
            body: p.text("auth_oauth_provider", "body", "Log in with Google"),
        });
    }
    if (p.has("ir_act_server", "webhook_url")) {
        const model = await p.anyRow("ir_model");
        await p.insert("ir_act_server", {
            name: p.text("ir_act_server", "name", "Notify Zapier"),
            type: "ir.actions.server",
            binding_type: "action",
            usage: "base_automation",
            state: "webhook",
            model_id: model,
            webhook_url: p.secret("ir_act_server.webhook_url", "https://hooks.zapier.com/hooks/catch/4711/planted/"),
        });
    }
    for (const table of ["mail_partner_device", "mail_push_device"]) {
        if (!p.has(table)) continue;
        await p.insert(table, {
            partner_id: (await c.query("SELECT partner_id FROM res_users WHERE login = 'admin'")).rows[0].partner_id,
            endpoint: "https://fcm.googleapis.com/fcm/send/planted",
            keys: p.secret(`${table}.keys`, '{"p256dh": "PlantedPushKey0123456789", "auth": "x"}'),
        });
    }
}

/**
 * Balanced books (where the dump has accounting): a fully paid invoice with its payment and their
 * reconciliation, and an open bank statement line, in Odoo's own columns.
 */
async function accounting(p: Planter, at: At): Promise<boolean> {
    if (!["account_move", "account_move_line", "account_account", "account_journal"].every((t) => p.has(t))) return false;
    const c = p.client;
    const company = (await c.query("SELECT id FROM res_company ORDER BY id LIMIT 1")).rows[0].id as number;
    const currency = (await c.query("SELECT currency_id FROM res_company WHERE id = $1", [company])).rows[0].currency_id as number;
    const partner = (await c.query("SELECT id FROM res_partner WHERE NOT coalesce(is_company, false) AND email LIKE '%@gmail.com' ORDER BY id LIMIT 1")).rows[0]
        .id as number;
    const account = (code: string, type: string, reconcile: boolean) =>
        p.insert("account_account", {
            name: p.text("account_account", "name", code),
            code,
            account_type: type,
            reconcile,
            company_id: company,
            currency_id: null,
            deprecated: false,
        });
    const receivable = await account("400000", "asset_receivable", true);
    const income = await account("700000", "income", false);
    const tax = await account("451000", "liability_current", false);
    const outstanding = await account("499000", "asset_current", true);
    const bank = await account("550000", "asset_cash", false);
    const journal = (code: string, type: string, dflt: number) =>
        p.insert("account_journal", {
            name: p.text("account_journal", "name", code),
            code,
            type,
            company_id: company,
            default_account_id: dflt,
            active: true,
            sequence: 10,
            invoice_reference_type: "invoice",
            invoice_reference_model: "odoo",
        });
    const sales = await journal("INV", "sale", income);
    const bankJournal = await journal("BNK1", "bank", bank);
    const x = p.person("account_move");
    const move = (values: Record<string, unknown>) =>
        p.insert("account_move", { company_id: company, currency_id: currency, state: "posted", date: "2024-01-10", ...values });
    const line = (values: Record<string, unknown>) =>
        p.insert("account_move_line", {
            company_id: company,
            currency_id: currency,
            company_currency_id: currency,
            date: "2024-01-10",
            parent_state: "posted",
            quantity: 1,
            discount: 0,
            price_unit: 0,
            amount_residual: 0,
            amount_residual_currency: 0,
            reconciled: false,
            ...values,
        });
    const invoice = await move({
        name: "INV/2024/00001",
        move_type: "out_invoice",
        journal_id: sales,
        partner_id: partner,
        commercial_partner_id: partner,
        ref: `Order of ${x.name}`,
        invoice_partner_display_name: x.name,
        narration: `<p>Questions: ${x.email}</p>`,
        payment_state: "paid",
        invoice_date: "2024-01-10",
        amount_untaxed: 100,
        amount_tax: 21,
        amount_total: 121,
        amount_residual: 0,
        amount_untaxed_signed: 100,
        amount_tax_signed: 21,
        amount_total_signed: 121,
        amount_total_in_currency_signed: 121,
        amount_residual_signed: 0,
    });
    at("account_move", ["ref", "invoice_partner_display_name", "narration"]);
    const common = { move_id: invoice, partner_id: partner, journal_id: sales, move_name: "INV/2024/00001" };
    await line({
        ...common,
        account_id: income,
        name: "Consulting",
        display_type: "product",
        debit: 0,
        credit: 100,
        balance: -100,
        amount_currency: -100,
        price_unit: 100,
        price_subtotal: 100,
        price_total: 121,
    });
    await line({
        ...common,
        account_id: tax,
        name: "VAT 21%",
        display_type: "tax",
        debit: 0,
        credit: 21,
        balance: -21,
        amount_currency: -21,
        tax_base_amount: 100,
    });
    const term = await line({
        ...common,
        account_id: receivable,
        name: "INV/2024/00001",
        display_type: "payment_term",
        debit: 121,
        credit: 0,
        balance: 121,
        amount_currency: 121,
        reconciled: true,
    });
    const payMove = await move({
        name: "PBNK1/2024/00001",
        move_type: "entry",
        journal_id: bankJournal,
        partner_id: partner,
        commercial_partner_id: partner,
        ref: `Payment ${x.name}`,
        amount_total: 121,
        amount_total_signed: 121,
        amount_total_in_currency_signed: 121,
        amount_residual: 0,
    });
    const payCommon = { move_id: payMove, partner_id: partner, journal_id: bankJournal, move_name: "PBNK1/2024/00001" };
    await line({
        ...payCommon,
        account_id: outstanding,
        name: `Payment from ${x.name}`,
        display_type: "product",
        debit: 121,
        credit: 0,
        balance: 121,
        amount_currency: 121,
    });
    const counterpart = await line({
        ...payCommon,
        account_id: receivable,
        name: `Payment from ${x.name}`,
        display_type: "payment_term",
        debit: 0,
        credit: 121,
        balance: -121,
        amount_currency: -121,
        reconciled: true,
    });
    if (p.has("account_partial_reconcile")) {
        await p.insert("account_partial_reconcile", {
            debit_move_id: term,
            credit_move_id: counterpart,
            amount: 121,
            debit_amount_currency: 121,
            credit_amount_currency: 121,
            debit_currency_id: currency,
            credit_currency_id: currency,
            company_id: company,
            max_date: "2024-01-10",
        });
    }
    if (p.has("account_payment")) {
        await p.insert("account_payment", {
            move_id: payMove,
            amount: 121,
            payment_type: "inbound",
            partner_type: "customer",
            partner_id: partner,
            currency_id: currency,
            outstanding_account_id: outstanding,
            destination_account_id: receivable,
            is_reconciled: true,
            is_matched: false,
            amount_company_currency_signed: 121,
            payment_method_line_id: undefined,
        });
    }
    // A bank statement line and its journal items: the bank's label names the payer.
    if (p.has("account_bank_statement_line")) {
        const y = p.person("account_bank_statement_line");
        const stMove = await move({
            name: "BNK1/2024/00001",
            move_type: "entry",
            journal_id: bankJournal,
            partner_id: partner,
            ref: `Statement ${y.name}`,
            amount_total: 50,
            amount_total_signed: 50,
            amount_total_in_currency_signed: 50,
        });
        const st = await p.insert("account_bank_statement_line", {
            move_id: stMove,
            partner_name: y.name,
            account_number: y.iban.replace(/ /g, ""),
            payment_ref: `SEPA CT from ${y.name} ${y.iban} ref ${y.vat}`,
            amount: 50,
            amount_currency: 0,
            is_reconciled: false,
            sequence: 1,
            amount_residual: 50,
            internal_index: "20240110000000000001",
        });
        await p.update("account_move", stMove, { statement_line_id: st });
        const stCommon = { move_id: stMove, journal_id: bankJournal, move_name: "BNK1/2024/00001", statement_line_id: st, partner_id: partner };
        await line({
            ...stCommon,
            account_id: bank,
            name: `SEPA CT from ${y.name} ${y.iban} ref ${y.vat}`,
            display_type: "product",
            debit: 50,
            credit: 0,
            balance: 50,
            amount_currency: 50,
        });
        await line({
            ...stCommon,
            account_id: outstanding,
            name: `SEPA CT from ${y.name} ${y.iban} ref ${y.vat}`,
            display_type: "product",
            debit: 0,
            credit: 50,
            balance: -50,
            amount_currency: -50,
        });
        at("account_bank_statement_line", ["partner_name", "account_number", "payment_ref"]);
        at("account_move_line", ["name"]);
    }
    return true;
}

/** Everything a neutralized database must no longer do: one line per live integration found (empty when clean). */
export async function liveIntegrations(client: Client, stagingHost: string): Promise<string[]> {
    const has = async (table: string, column?: string) =>
        (
            await client.query(
                column
                    ? "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2"
                    : "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1",
                column ? [table, column] : [table],
            )
        ).rowCount! > 0;
    const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);
    const problems: string[] = [];
    const expect = async (what: string, sql: string) => {
        const n = await count(sql);
        if (n) problems.push(`${what}: ${n}`);
    };
    await expect(
        "active crons besides autovacuum",
        `SELECT count(*) AS n FROM ir_cron WHERE active AND id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' AND module = 'base' AND name = 'autovacuum_job')`,
    );
    await expect("mail servers not on the catcher", `SELECT count(*) AS n FROM ir_mail_server WHERE active AND smtp_host NOT IN ('mailpit', 'invalid')`);
    await expect("mail servers on a real host", `SELECT count(*) AS n FROM ir_mail_server WHERE smtp_host NOT IN ('mailpit', 'invalid')`);
    await expect("mail server passwords", `SELECT count(*) AS n FROM ir_mail_server WHERE coalesce(smtp_pass, '') <> ''`);
    await expect("not exactly one active catcher server", `SELECT abs(count(*) - 1) AS n FROM ir_mail_server WHERE active AND smtp_host = 'mailpit'`);
    if (await has("fetchmail_server"))
        await expect(
            "incoming mail servers live",
            `SELECT count(*) AS n FROM fetchmail_server WHERE active OR server <> 'invalid' OR coalesce(password, '') <> ''`,
        );
    if (await has("payment_provider"))
        await expect(
            "payment providers live",
            `SELECT count(*) AS n FROM payment_provider WHERE state = 'enabled' OR stripe_secret_key IS NOT NULL OR stripe_publishable_key IS NOT NULL`,
        );
    if (await has("payment_acquirer"))
        await expect("payment acquirers live", `SELECT count(*) AS n FROM payment_acquirer WHERE state = 'enabled' OR environment = 'prod'`);
    if (await has("website", "google_maps_api_key"))
        await expect(
            "website keys",
            `SELECT count(*) AS n FROM website WHERE google_maps_api_key IS NOT NULL OR google_analytics_key IS NOT NULL OR domain IS NOT NULL`,
        );
    if (await has("iap_account")) await expect("IAP tokens live", `SELECT count(*) AS n FROM iap_account WHERE account_token NOT LIKE '%+disabled'`);
    if (await has("res_users_apikeys")) await expect("API keys", `SELECT count(*) AS n FROM res_users_apikeys`);
    if (await has("auth_totp_device")) await expect("trusted devices", `SELECT count(*) AS n FROM auth_totp_device`);
    if (await has("res_users", "totp_secret")) await expect("TOTP secrets", `SELECT count(*) AS n FROM res_users WHERE totp_secret IS NOT NULL`);
    if (await has("auth_oauth_provider")) await expect("OAuth providers enabled", `SELECT count(*) AS n FROM auth_oauth_provider WHERE enabled`);
    if (await has("google_calendar_credentials"))
        await expect(
            "calendar credentials",
            `SELECT count(*) AS n FROM google_calendar_credentials WHERE calendar_rtoken IS NOT NULL OR calendar_token IS NOT NULL`,
        );
    if (await has("ir_act_server", "webhook_url"))
        await expect("webhooks live", `SELECT count(*) AS n FROM ir_act_server WHERE state = 'webhook' AND webhook_url <> 'neutralization - disable webhook'`);
    if (await has("mail_mail")) await expect("queued mail", `SELECT count(*) AS n FROM mail_mail WHERE state IN ('outgoing', 'exception')`);
    if (await has("sms_sms")) await expect("queued SMS", `SELECT count(*) AS n FROM sms_sms WHERE state IN ('outgoing', 'process', 'pending')`);
    await expect("users with a production password", `SELECT count(*) AS n FROM res_users WHERE password IS NOT NULL AND login <> 'admin'`);
    await expect(
        "not marked neutralized",
        `SELECT count(*) AS n FROM (SELECT 1) x WHERE NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'database.is_neutralized' AND value = 'true')`,
    );
    await expect(
        "base URL not the environment's",
        `SELECT count(*) AS n FROM ir_config_parameter WHERE key = 'web.base.url' AND value <> 'https://${stagingHost}'`,
    );
    // A copy that revoked them while streaming keeps the rows with no value: nothing is live there.
    await expect(
        "third-party secrets in parameters",
        `SELECT count(*) AS n FROM ir_config_parameter WHERE key IN ('google_gmail_client_secret', 'x_partner_api.api_key') AND coalesce(value, '') <> ''`,
    );
    return problems;
}

/**
 * The planted values found in a data-only dump, as `kind where: value` lines (empty when none
 * survived). Each value is looked for as planted, lower-cased, and (phones, IBANs, VAT, cards)
 * without separators. The IAP token is Odoo's own rule: kept with `+disabled`.
 */
export function survivors(dump: string, planted: readonly Planted[]): string[] {
    const text = dump.toLowerCase();
    const compact = text.replace(/[ .\-/()+]/g, "");
    const found: string[] = [];
    for (const p of planted) {
        const v = p.value.toLowerCase();
        const variants = [v];
        if (["phone", "iban", "vat", "card"].includes(p.kind)) variants.push(v.replace(/[ .\-/()+]/g, ""));
        const hit = variants.some((x) => (x === v ? text.includes(x) : compact.includes(x)));
        if (!hit) continue;
        if (p.where === "iap_account.account_token" && text.includes(`${v}+disabled`) && text.split(v).length - 1 === text.split(`${v}+disabled`).length - 1)
            continue;
        found.push(`${p.kind} planted in ${p.where}: ${p.value}`);
    }
    return found;
}
