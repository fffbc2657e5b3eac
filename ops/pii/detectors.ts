/**
 * Detectors of personal data and credentials in one text value: pure functions, no database, so
 * the SQL-side scan (which finds candidates set-based, then validates them here) and a scan of a
 * COPY stream in Node use the very same rules.
 *
 * Each detector runs a cheap pre-filter first (a character test, a digit count) and a regular
 * expression only on what passes; checksums (IBAN mod-97, Luhn, national VAT check digits) then
 * reject look-alikes. The sanitizer's own fakes are rejected early: `test+N@example.com` by its
 * allowed domain, `+1 555-01NN` by the fiction range, IBANs with check digits `00`, VAT numbers
 * with `TEST` in them, tokens starting `sanitized-`.
 */
import { createHash } from "node:crypto";
import { defaultAllowedDomains, fakeTokenPrefix, phonePattern } from "./patterns";

export type DetectorKind = "email" | "phone" | "iban" | "card" | "vat" | "token";

// ---- e-mail ----------------------------------------------------------------------------------------

const emailRe = /[a-z0-9._%+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})/gi;

/** Whether `domain` is one of `allowed` or a subdomain of one. */
export function domainAllowed(domain: string, allowed: readonly string[]): boolean {
    const d = domain.toLowerCase();
    return allowed.some((a) => d === a || d.endsWith(`.${a}`));
}

/** E-mail addresses in `text` outside `allowedDomains`. */
export function findEmails(text: string, allowedDomains: readonly string[] = defaultAllowedDomains): string[] {
    if (!text.includes("@")) return [];
    const out: string[] = [];
    for (const m of text.matchAll(emailRe)) if (!domainAllowed(m[1], allowedDomains)) out.push(m[0]);
    return out;
}

// ---- phone -------------------------------------------------------------------------------------------

// patterns.ts phonePattern() itself: one definition for PostgreSQL and JavaScript.
const phoneRe = new RegExp(phonePattern(), "gi");

export function findPhones(text: string): string[] {
    if (!/[+(]|0[0-9]/.test(text)) return [];
    return [...text.matchAll(phoneRe)].map((m) => m[0]);
}

// ---- IBAN -------------------------------------------------------------------------------------------

/** IBAN length per country (ISO 13616 registry). */
export const ibanLengths: Readonly<Record<string, number>> = {
    AD: 24,
    AE: 23,
    AL: 28,
    AT: 20,
    AZ: 28,
    BA: 20,
    BE: 16,
    BG: 22,
    BH: 22,
    BR: 29,
    BY: 28,
    CH: 21,
    CR: 22,
    CY: 28,
    CZ: 24,
    DE: 22,
    DK: 18,
    DO: 28,
    EE: 20,
    EG: 29,
    ES: 24,
    FI: 18,
    FO: 18,
    FR: 27,
    GB: 22,
    GE: 22,
    GI: 23,
    GL: 18,
    GR: 27,
    GT: 28,
    HR: 21,
    HU: 28,
    IE: 22,
    IL: 23,
    IQ: 23,
    IS: 26,
    IT: 27,
    JO: 30,
    KW: 30,
    KZ: 20,
    LB: 28,
    LC: 32,
    LI: 21,
    LT: 20,
    LU: 20,
    LV: 21,
    MC: 27,
    MD: 24,
    ME: 22,
    MK: 19,
    MR: 27,
    MT: 31,
    MU: 30,
    NL: 18,
    NO: 15,
    PK: 24,
    PL: 28,
    PS: 29,
    PT: 25,
    QA: 29,
    RO: 24,
    RS: 22,
    SA: 24,
    SC: 31,
    SE: 24,
    SI: 19,
    SK: 24,
    SM: 27,
    ST: 25,
    SV: 28,
    TL: 23,
    TN: 24,
    TR: 26,
    UA: 29,
    VA: 22,
    VG: 24,
    XK: 20,
};

/** mod 97 of a digit string of any length (in chunks, no BigInt). */
function mod97(digits: string): number {
    let r = 0;
    for (let i = 0; i < digits.length; i += 7) r = Number(String(r) + digits.slice(i, i + 7)) % 97;
    return r;
}

/** Letters → 10 … 35, digits kept (ISO 7064 as IBAN uses it). */
const lettersToDigits = (s: string) => s.replace(/[A-Z]/g, (ch) => String(ch.charCodeAt(0) - 55));

/** A valid IBAN (spaces allowed): known country, its length, mod-97 = 1. Check digits 00 (the sanitizer's) never are. */
export function isValidIban(value: string): boolean {
    const s = value.replace(/[ -]/g, "").toUpperCase();
    const len = ibanLengths[s.slice(0, 2)];
    if (!len || s.length !== len || !/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(s) || s.slice(2, 4) === "00") return false;
    return mod97(lettersToDigits(s.slice(4) + s.slice(0, 4))) === 1;
}

// Groups of four (spaced or not), the last one shorter; upper case, as IBANs are written.
const ibanRe = /(?<![A-Za-z0-9])([A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?)(?![A-Za-z0-9])/g;

export function findIbans(text: string): string[] {
    if (countDigits(text, 12) < 12) return [];
    return [...text.matchAll(ibanRe)].map((m) => m[1]).filter((c) => isValidIban(c));
}

// ---- payment cards -----------------------------------------------------------------------------------

export function luhnValid(digits: string): boolean {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
        let d = digits.charCodeAt(digits.length - 1 - i) - 48;
        if (i % 2 === 1) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
    }
    return sum % 10 === 0;
}

/**
 * A card number: the length and prefix of a major scheme (Visa 16/19, Mastercard 16, Amex 15,
 * Discover 16/19, JCB 16–19) and a valid Luhn digit. 13- and 14-digit numbers (EAN-13 barcodes,
 * GTIN-14) are not taken for cards.
 */
export function isCardNumber(value: string): boolean {
    const d = value.replace(/[ -]/g, "");
    if (!/^[0-9]{15,19}$/.test(d)) return false;
    const n = d.length;
    const p2 = Number(d.slice(0, 2));
    const p4 = Number(d.slice(0, 4));
    const scheme =
        (d[0] === "4" && (n === 16 || n === 19)) ||
        (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) ||
        ((p2 === 34 || p2 === 37) && n === 15) ||
        ((p4 === 6011 || p2 === 65 || (Number(d.slice(0, 3)) >= 644 && Number(d.slice(0, 3)) <= 649)) && (n === 16 || n === 19)) ||
        (p4 >= 3528 && p4 <= 3589 && n >= 16);
    return scheme && luhnValid(d);
}

const cardRe = /(?<![0-9])((?:[0-9][ -]?){14,18}[0-9])(?![0-9])/g;

export function findCards(text: string): string[] {
    if (countDigits(text, 15) < 15) return [];
    return [...text.matchAll(cardRe)].map((m) => m[1]).filter((c) => isCardNumber(c));
}

// ---- VAT numbers ---------------------------------------------------------------------------------------

const digitsOf = (s: string) => [...s].map((c) => c.charCodeAt(0) - 48);
const weighted = (d: number[], weights: number[]) => weights.reduce((sum, w, i) => sum + w * d[i], 0);

/** National VAT formats and check digits of the common countries (after the country code, separators removed). */
const vatCheck: Record<string, (n: string) => boolean> = {
    AT: (n) => {
        if (!/^U[0-9]{8}$/.test(n)) return false;
        const d = digitsOf(n.slice(1));
        let s = 0;
        for (let i = 0; i < 7; i++) {
            const v = d[i] * (i % 2 ? 2 : 1);
            s += Math.floor(v / 10) + (v % 10);
        }
        return (10 - ((s + 4) % 10)) % 10 === d[7];
    },
    BE: (n) => /^[01][0-9]{9}$/.test(n) && 97 - (Number(n.slice(0, 8)) % 97) === Number(n.slice(8)),
    CH: (n) => {
        const m = /^E([0-9]{9})(MWST|TVA|IVA)?$/.exec(n);
        if (!m) return false;
        const d = digitsOf(m[1]);
        const c = 11 - (weighted(d, [5, 4, 3, 2, 7, 6, 5, 4]) % 11);
        return c !== 10 && (c === 11 ? 0 : c) === d[8];
    },
    DE: (n) => {
        if (!/^[0-9]{9}$/.test(n)) return false;
        const d = digitsOf(n);
        let p = 10;
        for (let i = 0; i < 8; i++) {
            let s = (d[i] + p) % 10;
            if (s === 0) s = 10;
            p = (2 * s) % 11;
        }
        const c = 11 - p;
        return (c === 10 ? 0 : c) === d[8];
    },
    DK: (n) => /^[0-9]{8}$/.test(n) && weighted(digitsOf(n), [2, 7, 6, 5, 4, 3, 2, 1]) % 11 === 0,
    ES: (n) => {
        if (!/^[0-9A-Z][0-9]{7}[0-9A-Z]$/.test(n)) return false;
        const letters = "TRWAGMYFPDXBNJZSQVHLCKE";
        if (/^[0-9]{8}[A-Z]$/.test(n)) return letters[Number(n.slice(0, 8)) % 23] === n[8];
        if (/^[XYZ][0-9]{7}[A-Z]$/.test(n)) return letters[Number("XYZ".indexOf(n[0]) + n.slice(1, 8)) % 23] === n[8];
        if (/^[A-HJNP-SUVW][0-9]{7}[0-9A-J]$/.test(n)) {
            const d = digitsOf(n.slice(1, 8));
            let s = 0;
            for (let i = 0; i < 7; i++) {
                const v = i % 2 === 0 ? d[i] * 2 : d[i];
                s += Math.floor(v / 10) + (v % 10);
            }
            const c = (10 - (s % 10)) % 10;
            return n[8] === String(c) || n[8] === "JABCDEFGHI"[c];
        }
        return false;
    },
    FI: (n) => {
        if (!/^[0-9]{8}$/.test(n)) return false;
        const d = digitsOf(n);
        const r = weighted(d, [7, 9, 10, 5, 8, 4, 2]) % 11;
        return r !== 1 && (r === 0 ? 0 : 11 - r) === d[7];
    },
    FR: (n) => {
        if (!/^[0-9A-HJ-NP-Z]{2}[0-9]{9}$/.test(n)) return false;
        const siren = n.slice(2);
        return /^[0-9]{2}/.test(n) ? (12 + 3 * (Number(siren) % 97)) % 97 === Number(n.slice(0, 2)) : luhnValid(siren);
    },
    GB: (n) => {
        if (!/^([0-9]{9}|[0-9]{12})$/.test(n)) return false;
        const d = digitsOf(n);
        const s = weighted(d, [8, 7, 6, 5, 4, 3, 2]) + Number(n.slice(7, 9));
        return s % 97 === 0 || (s + 55) % 97 === 0;
    },
    IT: (n) => /^[0-9]{11}$/.test(n) && luhnValid(n),
    LU: (n) => /^[0-9]{8}$/.test(n) && Number(n.slice(0, 6)) % 89 === Number(n.slice(6)),
    NL: (n) => {
        if (!/^[0-9]{9}B[0-9]{2}$/.test(n)) return false;
        const d = digitsOf(n.slice(0, 9));
        const elfProef = (weighted(d, [9, 8, 7, 6, 5, 4, 3, 2]) - d[8]) % 11 === 0;
        return elfProef || mod97(lettersToDigits(`NL${n}`)) === 1;
    },
    PL: (n) => /^[0-9]{10}$/.test(n) && weighted(digitsOf(n), [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11 === digitsOf(n)[9],
    PT: (n) => {
        if (!/^[0-9]{9}$/.test(n)) return false;
        const d = digitsOf(n);
        const c = 11 - (weighted(d, [9, 8, 7, 6, 5, 4, 3, 2]) % 11);
        return (c >= 10 ? 0 : c) === d[8];
    },
    SE: (n) => /^[0-9]{10}01$/.test(n) && luhnValid(n.slice(0, 10)),
};

export const vatCountries = Object.keys(vatCheck);

/** A valid VAT number of a common country: its format and check digits (`BE0477472701`, `DE 136 695 976`). */
export function isValidVat(value: string): boolean {
    const s = value.replace(/[ .\-/]/g, "").toUpperCase();
    if (s.includes("TEST")) return false;
    const check = vatCheck[s.slice(0, 2)];
    return !!check && check(s.slice(2));
}

const vatRe = new RegExp(`(?<![A-Z0-9])((?:${vatCountries.join("|")})[ ]?(?:U|E-?)?[0-9][0-9 .-]{6,13}(?:[0-9]|B[0-9]{2}|MWST|TVA|IVA))(?![A-Z0-9])`, "gi");

export function findVats(text: string): string[] {
    if (countDigits(text, 8) < 8) return [];
    return [...text.matchAll(vatRe)].map((m) => m[1]).filter((c) => isValidVat(c));
}

// ---- tokens ---------------------------------------------------------------------------------------------

/** A column name that says it holds a credential or an access token. */
export function isTokenColumnName(column: string): boolean {
    return /(token|secret|password|passwd|_pass$|^pass$|_key$|^api_?key|private_key|keys$)/i.test(column) && !/^(key|index)$/.test(column);
}

/**
 * A value shaped like a key or token: 16+ characters without spaces, letters and digits mixed (a
 * uuid, a hex digest, base64, a JWT, `ya29.…`). Identifiers (`website.homepage`), Odoo's neutralize
 * markers (`…+disabled`, `dummy…`) and the sanitizer's fakes (`sanitized-…`) are not.
 */
export function isTokenShaped(value: string): boolean {
    const v = value.trim();
    if (v.length < 16 || /\s/.test(v) || v.startsWith(fakeTokenPrefix) || /\+disabled$/.test(v) || /^(dummy|neutraliz)/i.test(v)) return false;
    if (!/^[A-Za-z0-9+/=_.$:~-]+$/.test(v)) return false;
    const digits = countDigits(v, 64);
    const letters = (v.match(/[A-Za-z]/g) ?? []).length;
    return digits >= 3 && letters >= 3;
}

// ---- known values ---------------------------------------------------------------------------------------

export type KnownKind = "name" | "email" | "phone" | "street" | "vat" | "iban" | "token";

/**
 * The normal form a known value is hashed in: names and streets lower-cased with spaces collapsed,
 * e-mails lower-cased, phones/IBANs/VATs reduced to letters and digits. Values too short to mean
 * anything (a name of 3 letters, a phone of 6 digits) give null and are never collected.
 */
export function normalizeKnown(kind: KnownKind, value: string): string | null {
    let v: string;
    switch (kind) {
        case "email":
            v = value.trim().toLowerCase();
            return v.includes("@") && v.length >= 6 ? v : null;
        case "phone":
            v = value.replace(/[^0-9]/g, "");
            return v.length >= 8 ? v : null;
        case "iban":
        case "vat":
            v = value.replace(/[^A-Za-z0-9]/g, "").toUpperCase();
            return v.length >= 8 ? v : null;
        case "token":
            v = value.trim();
            return v.length >= 16 ? v : null;
        default:
            v = value.trim().toLowerCase().replace(/\s+/g, " ");
            return v.length >= 6 && v.includes(" ") ? v : null;
    }
}

/** The keyed hash of a normalized value: md5 hex of `<key>:<value>` (what the SQL side computes too). */
export function knownValueHash(key: string, normalized: string): string {
    return createHash("md5").update(`${key}:${normalized}`, "utf8").digest("hex");
}

/**
 * The normal forms a text value is compared in: as a name/street (lower, spaces collapsed), as a
 * phone/IBAN/VAT (letters and digits only), and as-is (tokens). Pure.
 */
export function knownForms(value: string): string[] {
    const t = value.trim();
    const forms = new Set<string>([t, t.toLowerCase().replace(/\s+/g, " ")]);
    const alnum = t.replace(/[^A-Za-z0-9]/g, "");
    if (alnum.length >= 8) forms.add(alnum.toUpperCase());
    const digits = t.replace(/[^0-9]/g, "");
    if (digits.length >= 8 && digits.length >= alnum.length - 2) forms.add(digits);
    return [...forms];
}

// ---- helpers ---------------------------------------------------------------------------------------------

/** Digits in `text`, counting stops at `enough` (a pre-filter: most text has few). */
export function countDigits(text: string, enough: number): number {
    let n = 0;
    for (let i = 0; i < text.length && n < enough; i++) {
        const c = text.charCodeAt(i);
        if (c >= 48 && c <= 57) n++;
    }
    return n;
}

/** Everything the pattern detectors find in one value (`column` decides whether tokens are looked for). */
export function detect(text: string, options: { allowedDomains?: readonly string[]; column?: string } = {}): { kind: DetectorKind; match: string }[] {
    const out: { kind: DetectorKind; match: string }[] = [];
    for (const m of findEmails(text, options.allowedDomains)) out.push({ kind: "email", match: m });
    for (const m of findPhones(text)) out.push({ kind: "phone", match: m });
    for (const m of findIbans(text)) out.push({ kind: "iban", match: m });
    for (const m of findCards(text)) out.push({ kind: "card", match: m });
    for (const m of findVats(text)) out.push({ kind: "vat", match: m });
    if (options.column && isTokenColumnName(options.column) && isTokenShaped(text)) out.push({ kind: "token", match: text });
    return out;
}
