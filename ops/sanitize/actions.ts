/**
 * Named sanitize actions: each turns one column of one row into its fake value, as a SQL
 * expression over the original row (alias `t`). The rule table (rules.ts) says which action
 * applies to which module/table/column; an action only knows how to compute a value.
 *
 * Every action keeps NULL and '' as they are and is idempotent: applied to its own output it gives
 * the same output, so sanitizing twice changes nothing.
 */
import type { Catalog } from "../odoo/catalog";
import { qualifiedTable, quoteIdent, quoteLiteral } from "../odoo/sql";
import { pickVariant, variants } from "../odoo/versions";
import { fakeTokenPrefix } from "../pii/patterns";
import * as fake from "./fake";

export interface ActionContext {
    fake: fake.FakeContext;
    table: string;
    column: string;
    /**
     * The type of the value the action computes on: the column's type (`text`, `character varying`
     * …), or `text` when the column is jsonb and the action runs once per key (a translation, a
     * company-dependent value).
     */
    type: string;
    /** SQL of the value: `t."column"`, or each key's text of a jsonb column. */
    value: string;
    /** The column is NOT NULL: an action may not write NULL. */
    notNull: boolean;
    catalog: Catalog;
    keepCompanyNames: boolean;
    allowedDomains: readonly string[];
    params: Record<string, string>;
    /** Whether the table has `column` (for actions that read sibling columns). */
    has: (column: string) => boolean;
}

/** `t."column"` */
export const col = (name: string): string => `t.${quoteIdent(name)}`;

/** The row key used to derive fakes: the id when there is one, else a digest of the row (as an integer). */
const rowKey = (ctx: ActionContext) => (ctx.has("id") ? col("id") : `hashtextextended(t::text, 0)`);
const self = (ctx: ActionContext) => ctx.value;
const tag = (ctx: ActionContext) => ctx.table.replace(/^.*\./, "");
const keep = (ctx: ActionContext, value: string) => fake.unlessEmpty(self(ctx), value);
/** A partner id column given in params (`partner`), or none. */
const partnerRef = (ctx: ActionContext) => (ctx.params.partner && ctx.has(ctx.params.partner) ? col(ctx.params.partner) : undefined);

/** Technical partners that keep their name: OdooBot and the public user's partner. */
export const technicalPartners = `(SELECT d.res_id FROM ${qualifiedTable("ir_model_data")} d WHERE d.model = 'res.partner' AND d.module = 'base' AND d.name IN ('partner_root', 'public_partner'))`;

/** The sanitized name of the res_partner row aliased `p` (companies kept when asked). */
export function partnerNameExpr(f: fake.FakeContext, keepCompanyNames: boolean, p = "t"): string {
    const company = keepCompanyNames ? `${p}.name` : fake.companyName(f, "partner", `${p}.id`);
    return `(CASE WHEN ${p}.name IS NULL OR ${p}.name = '' THEN ${p}.name WHEN coalesce(${p}.is_company, false) THEN ${company} ELSE ${fake.partnerPersonName(f, `${p}.id`)} END)`;
}

type Action = (ctx: ActionContext) => string;

/**
 * The sanitized display name of partner `ref`, given a stored copy `current` of its old display
 * name: technical partners as they are, companies kept (or faked), contacts as "Company, Person",
 * people by their fake name. Set membership tests are uncorrelated subqueries (hashed once).
 */
function partnerDisplaySql(ctx: ActionContext, ref: string, current: string): string {
    const partners = qualifiedTable("res_partner");
    const company = ctx.keepCompanyNames ? current : fake.companyName(ctx.fake, "partner", ref);
    const contactCompany = ctx.keepCompanyNames ? `CASE WHEN strpos(${current}, ', ') > 0 THEN split_part(${current}, ', ', 1) || ', ' ELSE '' END` : "''";
    return `(CASE WHEN ${ref} IN ${technicalPartners} THEN ${current}
        WHEN ${ref} IN (SELECT id FROM ${partners} WHERE is_company) THEN ${company}
        WHEN ${ref} IN (SELECT id FROM ${partners} WHERE parent_id IS NOT NULL) THEN ${contactCompany} || ${fake.partnerPersonName(ctx.fake, ref)}
        ELSE ${fake.partnerPersonName(ctx.fake, ref)} END)`;
}

/** res_partner.name: people get a fake name, companies keep theirs unless --no-keep-company-names. */
const partnerName: Action = (ctx) => `(CASE WHEN t.id IN ${technicalPartners} THEN ${self(ctx)} ELSE ${partnerNameExpr(ctx.fake, ctx.keepCompanyNames)} END)`;

/**
 * A company's name as its partner carries it: res_partner.commercial_company_name (the
 * commercial partner's), res_company.name (`params.partner` = partner_id).
 */
const commercialCompanyName: Action = (ctx) =>
    ctx.keepCompanyNames ? self(ctx) : keep(ctx, fake.companyName(ctx.fake, "partner", partnerRef(ctx) ?? col("commercial_partner_id")));

/** `+1 555-01NN`, keyed by the partner in `params.partner` (with `params.kind` phone/mobile) so copies agree. */
const phone: Action = (ctx) => {
    const ref = ctx.params.partner === "id" ? col("id") : partnerRef(ctx);
    const kind = ctx.params.kind ?? ctx.column;
    const value = ref
        ? `coalesce(${fake.phone(ctx.fake, kind, ref)}, ${fake.phone(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx))})`
        : fake.phone(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx));
    return keep(ctx, value);
};

/** Keeps the text, replaces every e-mail address and phone number inside it. */
const scrub: Action = (ctx) => fake.scrubText(ctx.fake, self(ctx), ctx.type, tag(ctx), rowKey(ctx), ctx.allowedDomains);

export const actions = {
    partnerName,

    /** res_partner.complete_name: "Company, Person" rebuilt from the sanitized names, without reading other rows. */
    partnerCompleteName: (ctx: ActionContext) => {
        const name = partnerName({ ...ctx, column: "name", value: col("name") });
        const company = commercialCompanyName({ ...ctx, column: "commercial_company_name", value: col("commercial_company_name"), params: {} });
        const parent = `coalesce(${company}, ${fake.partnerPersonName(ctx.fake, col("parent_id"))})`;
        return (
            `(CASE WHEN ${self(ctx)} IS NULL THEN NULL WHEN ${col("parent_id")} IS NOT NULL AND NOT coalesce(${col("is_company")}, false) ` +
            `THEN ${parent} || ', ' || coalesce(${name}, '') ELSE ${name} END)`
        );
    },

    commercialCompanyName,

    /** A company name typed as free text (res_partner.company_name, crm_lead.partner_name). */
    freeCompanyName: (ctx: ActionContext) => (ctx.keepCompanyNames ? self(ctx) : keep(ctx, fake.companyName(ctx.fake, tag(ctx), rowKey(ctx)))),

    /** The person's name: of the partner in `params.partner` when set, else keyed by this row. */
    personName: (ctx: ActionContext) => {
        const ref = partnerRef(ctx);
        const own = fake.personName(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx));
        return keep(ctx, ref ? `coalesce(${fake.partnerPersonName(ctx.fake, ref)}, ${own})` : own);
    },

    /** `test+<partner>@example.com` for the partner in `params.partner` (the row itself for res_partner), else `test+<table>-<id>@…`. */
    email: (ctx: ActionContext) => {
        const ref = ctx.params.partner === "id" ? col("id") : partnerRef(ctx);
        const own = fake.email(`${tag(ctx)}-`, rowKey(ctx));
        const value = ref ? `coalesce(${fake.email("", ref)}, ${own})` : own;
        return keep(ctx, ctx.params.lower ? `lower(${value})` : value);
    },

    /** A fake address tagged with the table and column (`test+hr_employee-private_email-7@example.com`). */
    taggedEmail: (ctx: ActionContext) => keep(ctx, fake.email(`${tag(ctx)}-${ctx.column}-`, rowKey(ctx))),

    phone,

    /** phone_sanitized: the E.164 form of the row's new phone (or mobile when it has no phone). */
    phoneSanitized: (ctx: ActionContext) => {
        const fakeOf = (column: string) =>
            ctx.has(column)
                ? phone({ ...ctx, column, value: col(column), params: { ...(ctx.params.partner ? { partner: ctx.params.partner } : {}) } })
                : "NULL";
        const phoneCol = ctx.params.phoneColumn ?? "phone";
        const mobileCol = ctx.params.mobileColumn ?? "mobile";
        const hasPhone = ctx.has(phoneCol) ? `${col(phoneCol)} IS NOT NULL AND ${col(phoneCol)} <> ''` : "false";
        return keep(ctx, `regexp_replace(CASE WHEN ${hasPhone} THEN ${fakeOf(phoneCol)} ELSE ${fakeOf(mobileCol)} END, '[^+0-9]', '', 'g')`);
    },

    street: (ctx: ActionContext) => keep(ctx, fake.street(ctx.fake, tag(ctx), rowKey(ctx))),
    street2: (ctx: ActionContext) => keep(ctx, `'Unit ' || (1 + (${fake.fakeHash(ctx.fake, `${tag(ctx)}:unit`, rowKey(ctx))} % 90))::text`),
    zip: (ctx: ActionContext) => keep(ctx, fake.zip(ctx.fake, tag(ctx), rowKey(ctx))),
    city: (ctx: ActionContext) => keep(ctx, fake.city(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx))),
    vat: (ctx: ActionContext) => keep(ctx, fake.vat(ctx.fake, self(ctx), rowKey(ctx))),
    website: (ctx: ActionContext) => keep(ctx, `'https://www.example.com/' || ${quoteLiteral(tag(ctx))} || '/' || (${rowKey(ctx)})::text`),

    /** `<params.label><id>`: references, lead titles, subjects. */
    label: (ctx: ActionContext) => keep(ctx, `${quoteLiteral(ctx.params.label ?? `${ctx.column} `)} || (${rowKey(ctx)})::text`),

    /** An identity number with the original's first letters kept as a prefix hint (`params.prefix`). */
    identifier: (ctx: ActionContext) =>
        keep(ctx, fake.identifier(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx), ctx.params.prefix ?? "", Number(ctx.params.digits ?? 9))),
    birthDate: (ctx: ActionContext) =>
        `(CASE WHEN ${self(ctx)} IS NULL THEN NULL ELSE ${fake.birthDate(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx))} END)`,
    nullify: (ctx: ActionContext) => `NULL::${ctx.type}`,

    loremHtml: (ctx: ActionContext) => keep(ctx, fake.loremHtml(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx), `${self(ctx)}::text`)),
    loremText: (ctx: ActionContext) => keep(ctx, fake.loremText(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx), `${self(ctx)}::text`)),

    scrub,

    /** Account numbers: country prefix kept, the rest derived from the row id (unique). */
    iban: (ctx: ActionContext) => keep(ctx, fake.iban(self(ctx), rowKey(ctx), true)),
    ibanSanitized: (ctx: ActionContext) => keep(ctx, fake.iban(self(ctx), rowKey(ctx), false)),

    /** res_users.login: admin becomes `admin`, technical logins stay, every other login is a fake address. */
    login: (_ctx: ActionContext) => {
        const admin = `coalesce((SELECT d.res_id FROM ${qualifiedTable("ir_model_data")} d WHERE d.module = 'base' AND d.name = 'user_admin' AND d.model = 'res.users' LIMIT 1), 2)`;
        // Another user already logging in as `admin` keeps the admin from taking that name (logins are unique).
        const adminFree = `NOT EXISTS (SELECT 1 FROM ${qualifiedTable("res_users")} o WHERE o.login = 'admin' AND o.id <> ${admin})`;
        return (
            `(CASE WHEN t.id = ${admin} AND ${adminFree} THEN 'admin' WHEN t.login IN ('__system__', 'public', 'portaltemplate', 'default', 'admin') THEN t.login ` +
            `ELSE 'test+user' || t.id::text || '@example.com' END)`
        );
    },

    /** A signature showing the (fake) name of the partner in `params.partner`. */
    signature: (ctx: ActionContext) => {
        const ref = partnerRef(ctx) ?? rowKey(ctx);
        return keep(ctx, `'<p>--<br>' || ${fake.partnerPersonName(ctx.fake, ref)} || '</p>'`);
    },

    /**
     * A copy of the partner's display name (invoice_partner_display_name, acc_holder_name): the
     * partner's kind comes from hashed id sets built once per query, not from a lookup per row.
     */
    partnerDisplayName: (ctx: ActionContext) => {
        const ref = partnerRef(ctx);
        return ref ? keep(ctx, partnerDisplaySql(ctx, ref, self(ctx))) : self(ctx);
    },

    /** `<…@host>` message ids and references: keep the ids, move the host to example.com. */
    messageIds: (ctx: ActionContext) => keep(ctx, `regexp_replace(${self(ctx)}, '@[^>[:space:]]*', '@example.com', 'g')`),

    /** One `<…@host>` message id: string functions (no regex) on a column of every chatter message. */
    messageId: (ctx: ActionContext) =>
        keep(
            ctx,
            `(CASE WHEN strpos(${self(ctx)}, '@') = 0 THEN ${self(ctx)} ` +
                `ELSE left(${self(ctx)}, strpos(${self(ctx)}, '@')) || 'example.com' || CASE WHEN right(${self(ctx)}, 1) = '>' THEN '>' ELSE '' END END)`,
        ),

    /** mail_message.email_from: `"Fake Name" <test+<author>@example.com>`. */
    authorAddress: (ctx: ActionContext) => {
        const author = ctx.has("author_id") ? col("author_id") : undefined;
        const own = fake.email(`${tag(ctx)}-`, rowKey(ctx));
        const value = author
            ? `(CASE WHEN ${author} IS NULL THEN ${own} ELSE '"' || ${fake.partnerPersonName(ctx.fake, author)} || '" <' || ${fake.email("", author)} || '>' END)`
            : own;
        return keep(ctx, value);
    },

    /**
     * mail_message.record_name: the partner's sanitized name for res.partner records, the lead
     * label for crm.lead, the text with e-mails and phones scrubbed otherwise.
     */
    recordName: (ctx: ActionContext) =>
        keep(
            ctx,
            `(CASE t.model WHEN 'res.partner' THEN ${partnerDisplaySql(ctx, "t.res_id", self(ctx))} ` +
                `WHEN 'crm.lead' THEN 'Lead ' || t.res_id::text ELSE ${scrub(ctx)} END)`,
        ),

    /**
     * mail_tracking_value.*_char: tracked personal fields (names, addresses, e-mails, phones) get
     * fakes, other values are scrubbed. The tracked field is `field_id` (17.0+), `field` as a
     * many2one (13.0–16.0) or `field` as the field's name (≤ 12.0): ops/odoo/versions.ts.
     */
    trackingValue: (ctx: ActionContext) => {
        const link = pickVariant(ctx.catalog, ctx.table, variants.trackedField);
        const fields = (pattern: string) =>
            !link
                ? "false"
                : link.type === "integer"
                  ? `t.${quoteIdent(link.column)} IN (SELECT f.id FROM ${qualifiedTable("ir_model_fields")} f WHERE f.name ~ ${quoteLiteral(pattern)})`
                  : `t.${quoteIdent(link.column)} ~ ${quoteLiteral(pattern)}`;
        return keep(
            ctx,
            `(CASE WHEN ${fields("email")} THEN ${fake.email(`${tag(ctx)}-`, rowKey(ctx))} ` +
                `WHEN ${fields("phone|mobile")} THEN ${fake.phone(ctx.fake, `${tag(ctx)}:${ctx.column}`, rowKey(ctx))} ` +
                `WHEN ${fields(personalFieldNames)} THEN 'Value ' || (${rowKey(ctx)})::text ELSE ${scrub(ctx)} END)`,
        );
    },

    /** resource_resource.name: the fake name of the employee's work contact (16.0+), so both agree; else a fake of its own. */
    resourceName: (ctx: ActionContext) =>
        keep(
            ctx,
            ctx.catalog.hasColumn("hr_employee", "work_contact_id") && ctx.catalog.hasColumn("hr_employee", "resource_id")
                ? `coalesce((SELECT ${fake.partnerPersonName(ctx.fake, "e.work_contact_id")} FROM ${qualifiedTable("hr_employee")} e ` +
                      `WHERE e.resource_id = t.id AND e.work_contact_id IS NOT NULL LIMIT 1), ${fake.personName(ctx.fake, "resource", rowKey(ctx))})`
                : fake.personName(ctx.fake, "resource", rowKey(ctx)),
        ),

    /**
     * Access tokens (portal links, signup and invitation links, guests, visitors): NULL, so Odoo
     * issues a new one when it needs it; `sanitized-<digest>` (unique per row) where the column may
     * not be empty.
     */
    token: (ctx: ActionContext) =>
        ctx.notNull
            ? keep(
                  ctx,
                  `${quoteLiteral(fakeTokenPrefix)} || md5(${quoteLiteral(fake.namespaceSeed(ctx.fake, `${tag(ctx)}:${ctx.column}:token`))} || (${rowKey(ctx)})::text)`,
              )
            : `NULL::${ctx.type}`,

    /** Direct chats and livechat sessions are named after their members: `Conversation <id>`; other channels keep their name. */
    channelName: (ctx: ActionContext) =>
        ctx.has("channel_type")
            ? `(CASE WHEN t.channel_type IN ('chat', 'livechat', 'whatsapp') THEN 'Conversation ' || (${rowKey(ctx)})::text ELSE ${self(ctx)} END)`
            : self(ctx),

    /**
     * account_move_line.name: the labels of journal entries (payments, bank statement lines,
     * miscellaneous entries) are written from the partner's name or the bank's label, so they
     * become `Transaction <statement line>` / `Item <id>`; invoice lines keep their labels (products,
     * the invoice number), scrubbed of addresses and phone numbers.
     */
    moveLineLabel: (ctx: ActionContext) => {
        const statement = ctx.has("statement_line_id") ? `WHEN t.statement_line_id IS NOT NULL THEN 'Transaction ' || t.statement_line_id::text ` : "";
        const invoice =
            ctx.has("move_id") && ctx.catalog.hasColumn("account_move", "move_type")
                ? `WHEN t.move_id IN (SELECT m.id FROM ${qualifiedTable("account_move")} m WHERE m.move_type <> 'entry') THEN ${scrub(ctx)} `
                : "";
        return keep(ctx, `(CASE ${statement}${invoice}ELSE 'Item ' || (${rowKey(ctx)})::text END)`);
    },

    /** A reference written by people (`REF-<move>`): the move's id when the row has one, so a move and its lines agree. */
    moveRef: (ctx: ActionContext) => keep(ctx, `'REF-' || (${ctx.has("move_id") && ctx.table !== "account_move" ? "t.move_id" : rowKey(ctx)})::text`),

    /** ir_attachment.name: `attachment-<id>.<ext>` (file names often hold people's names). */
    attachmentName: (ctx: ActionContext) =>
        keep(ctx, `'attachment-' || (${rowKey(ctx)})::text || coalesce(substring(${self(ctx)} from '\\.[A-Za-z0-9]{1,5}$'), '')`),
} satisfies Record<string, Action>;

export type ActionName = keyof typeof actions;

/** Field names whose tracked values are personal data (regex over ir_model_fields.name). */
export const personalFieldNames =
    "^(name|display_name|complete_name|contact_name|partner_name|street2?|zip|city|vat|login|website|ref|acc_number|acc_holder_name|" +
    "private_.*|ssnid|sinid|identification_id|passport_id|birthday|spouse_.*|emergency_.*|work_email|job_title|function)$";
