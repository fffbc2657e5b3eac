/**
 * Sanitize rules from what Odoo declares: every stored field named like personal data
 * (ops/pii/classify.ts: e-mail, phone, person's name, address, VAT, IBAN, access token) in every
 * table of every module present, that the rule table (rules.ts) does not already handle, gets the
 * matching action, keyed by the row's partner when it has one so the fake agrees with that
 * partner's. A module nobody wrote a rule for is covered the day it is installed.
 */
import type { OdooFields } from "../odoo/fields";
import { classifyPersonalColumns, PersonalKind } from "../pii/classify";
import type { ActionName } from "./actions";
import type { SanitizeRule } from "./rules";

const actionOfKind: Record<PersonalKind, ActionName> = {
    email: "email",
    phone: "phone",
    personName: "personName",
    street: "street",
    street2: "street2",
    zip: "zip",
    city: "city",
    vat: "vat",
    iban: "iban",
    accessToken: "token",
};

export interface DeclaredRule extends SanitizeRule {
    origin: "declared";
    /** Why the column was taken for personal data. */
    why: string;
}

/** The declared rules for every column `covered` leaves out. Pure. */
export function declaredRules(fields: OdooFields, covered: (table: string, column: string) => boolean): DeclaredRule[] {
    return classifyPersonalColumns(fields, covered).map((p) => {
        const params: Record<string, string> = {};
        if (p.partnerColumn && ["email", "phone", "personName"].includes(p.kind)) params.partner = p.partnerColumn;
        if (p.kind === "email" && /normalized/.test(p.column)) params.lower = "1";
        if (p.kind === "iban" && /sanitized/.test(p.column))
            return { module: "declared", table: p.table, column: p.column, action: "ibanSanitized" as ActionName, origin: "declared" as const, why: p.why };
        return {
            module: "declared",
            table: p.table,
            column: p.column,
            action: actionOfKind[p.kind],
            ...(Object.keys(params).length ? { params } : {}),
            origin: "declared" as const,
            why: p.why,
        };
    });
}
