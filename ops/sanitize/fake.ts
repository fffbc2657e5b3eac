/**
 * Fake data as SQL expressions: every value is a function of (seed, namespace, key), computed with
 * md5 in the database, so the same input and seed always give the same output (two refreshes diff
 * cleanly) and no value depends on another row being processed first.
 *
 * People get their fake name, e-mail and phone keyed by their partner id, so a partner, the user
 * on it, the employee whose work contact it is and the chatter it wrote all agree.
 *
 * Pure: builders return SQL text.
 */
import { createHash } from "node:crypto";
import { fakeFirstNames, fakeLastNames } from "../pii/fakeNames";
import { emailPattern, fakePhoneE164Prefix, fakePhonePrefix, mayHoldPiiSql, phonePattern } from "../pii/patterns";
import { pick, quoteLiteral } from "../odoo/sql";

const FIRST = fakeFirstNames;
const LAST = fakeLastNames;
const COMPANY_A = [
    "Acmeish",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Oscorp",
    "Gringotts",
    "Monarch",
    "Aperture",
];
const COMPANY_B = ["Industries", "Holdings", "Trading", "Labs", "Works", "Supplies", "Partners", "Group"];
const STREETS = ["Test Street", "Sample Avenue", "Example Road", "Placeholder Lane", "Demo Boulevard", "Mock Square", "Fiction Way", "Nowhere Drive"];
const CITIES = [
    "Springfield",
    "Riverton",
    "Fairview",
    "Greenville",
    "Centerville",
    "Kingston",
    "Salem",
    "Franklin",
    "Madison",
    "Georgetown",
    "Arlington",
    "Ashland",
];
const LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore " +
    "magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. " +
    "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint " +
    "occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. "
).repeat(5);
if (!/^[\x20-\x7e]*$/.test(LOREM)) throw new Error("LOREM must be printable ASCII: loremText cuts it by bytes");
/** LOREM as a bytea constant (hex, whatever standard_conforming_strings says). */
const LOREM_BYTES = `decode('${Buffer.from(LOREM, "ascii").toString("hex")}', 'hex')`;

/** The context every fake value needs: a digest of the seed (the seed itself never appears in SQL). */
export interface FakeContext {
    seedKey: string;
}

/** Derives the SQL-safe seed key from a user seed: the seed is secret (it unlocks the amounts), its digest is not. */
export function fakeContext(seed: string): FakeContext {
    return { seedKey: createHash("sha256").update(`odoo-platform-sanitize:${seed}`).digest("hex").slice(0, 32) };
}

/** The 64-bit hash seed of a namespace: derived from the seed in Node, a plain literal in SQL. */
export function namespaceSeed(ctx: FakeContext, ns: string): string {
    return createHash("sha256").update(`${ctx.seedKey}:${ns}`).digest().readBigInt64BE(0).toString();
}

/**
 * A 32-bit hash (0 … 4294967295) of (seed, namespace, key): PostgreSQL's extended hash functions
 * (the ones hash partitioning relies on, stable across platforms and upgrades), ~20× cheaper than
 * md5 on a row. Integer keys (ids) hash as bigint, anything else as text.
 */
export function fakeHash(ctx: FakeContext, ns: string, key: string, keyType: "int" | "text" = "int"): string {
    const fn =
        keyType === "int" ? `hashint8extended((${key})::bigint, ${namespaceSeed(ctx, ns)})` : `hashtextextended((${key})::text, ${namespaceSeed(ctx, ns)})`;
    return `(${fn} & 4294967295)`;
}

/** Keeps NULL and '' as they are; otherwise `value`. Sanitizing never invents data where there was none. */
export function unlessEmpty(column: string, value: string): string {
    return `(CASE WHEN ${column} IS NULL OR ${column}::text = '' THEN ${column} ELSE ${value} END)`;
}

export function personName(ctx: FakeContext, ns: string, key: string): string {
    return `(${pick(FIRST, fakeHash(ctx, `${ns}:first`, key))} || ' ' || ${pick(LAST, fakeHash(ctx, `${ns}:last`, key))})`;
}

/** The fake name of the person behind partner `partnerId`: the same everywhere that partner appears. */
export function partnerPersonName(ctx: FakeContext, partnerId: string): string {
    return personName(ctx, "partner", partnerId);
}

export function companyName(ctx: FakeContext, ns: string, key: string): string {
    return `(${pick(COMPANY_A, fakeHash(ctx, `${ns}:ca`, key))} || ' ' || ${pick(COMPANY_B, fakeHash(ctx, `${ns}:cb`, key))})`;
}

/** `test+<tag><key>@example.com`: partners use no tag (`test+42@example.com`), other tables their name. */
export function email(tag: string, key: string): string {
    return `('test+' || ${quoteLiteral(tag)} || (${key})::text || '@example.com')`;
}

/** `+1 555-01NN`: from the range reserved for fiction. */
export function phone(ctx: FakeContext, ns: string, key: string): string {
    return `(${quoteLiteral(fakePhonePrefix)} || lpad((${fakeHash(ctx, `${ns}:phone`, key)} % 100)::text, 2, '0'))`;
}

/** The same number in E.164 form (phone_sanitized). */
export function phoneE164(ctx: FakeContext, ns: string, key: string): string {
    return `(${quoteLiteral(fakePhoneE164Prefix)} || lpad((${fakeHash(ctx, `${ns}:phone`, key)} % 100)::text, 2, '0'))`;
}

export function street(ctx: FakeContext, ns: string, key: string): string {
    return `((1 + ${fakeHash(ctx, `${ns}:no`, key)} % 200)::text || ' ' || ${pick(STREETS, fakeHash(ctx, `${ns}:street`, key))})`;
}

export function city(ctx: FakeContext, ns: string, key: string): string {
    return pick(CITIES, fakeHash(ctx, `${ns}:city`, key));
}

export function zip(ctx: FakeContext, ns: string, key: string): string {
    return `(10000 + ${fakeHash(ctx, `${ns}:zip`, key)} % 90000)::text`;
}

/** A digit string of `digits` (≤ 9) characters, with an optional prefix: ids, SSNs, passports. */
export function identifier(ctx: FakeContext, ns: string, key: string, prefix: string, digits = 9): string {
    const n = Math.min(9, Math.max(1, digits));
    return `(${quoteLiteral(prefix)} || lpad((${fakeHash(ctx, `${ns}:id`, key)} % ${10 ** n})::text, ${n}, '0'))`;
}

/** A birth date between 1955 and 2002. */
export function birthDate(ctx: FakeContext, ns: string, key: string): string {
    return `(date '1955-01-01' + (${fakeHash(ctx, `${ns}:date`, key)} % 17500)::int)`;
}

/**
 * Keeps the country prefix of a VAT number (`BE…`) and writes `TEST` and six digits after it: no
 * country's format allows the letters, so a fake never passes for a real number (ops/pii/detectors.ts).
 */
export function vat(ctx: FakeContext, column: string, key: string): string {
    return `(CASE WHEN ${column} ~ '^[A-Za-z]{2}' THEN upper(left(${column}, 2)) ELSE 'XX' END || 'TEST' || lpad((${fakeHash(ctx, "vat", key)} % 1000000)::text, 6, '0'))`;
}

/** Keeps the country prefix of an account number, replaces the rest: unique per row. */
export function iban(column: string, key: string, spaced: boolean): string {
    const country = `CASE WHEN ${column} ~ '^[A-Za-z]{2}' THEN upper(left(${column}, 2)) ELSE 'XX' END`;
    const body = `lpad((${key})::text, 12, '0')`;
    return spaced
        ? `(${country} || '00 ' || substr(${body}, 1, 4) || ' ' || substr(${body}, 5, 4) || ' ' || substr(${body}, 9, 4))`
        : `(${country} || '00' || ${body})`;
}

/**
 * Lorem ipsum of the original length minus `markup` (20 … 2000 characters), deterministic per
 * row. Its own output has the same length, so sanitizing twice gives the same text.
 */
export function loremText(ctx: FakeContext, ns: string, key: string, lengthOf: string, markup = 0): string {
    const len = `least(greatest(octet_length(${lengthOf}) - ${markup}, 20), 2000)`;
    // Cut from bytes, not characters: in a UTF-8 database substr() walks the text character by
    // character up to the cut (0.77 → 0.43 CPU s for mail_message's bodies at scale 1); LOREM is
    // ASCII, so bytes and characters are the same and so is the text.
    return `convert_from(substring(${LOREM_BYTES} from 1 + (${fakeHash(ctx, `${ns}:lorem`, key)} % 64)::int for ${len}), 'UTF8')`;
}

/** `<p>lorem</p>` of the original length. */
export function loremHtml(ctx: FakeContext, ns: string, key: string, lengthOf: string): string {
    return `('<p>' || ${loremText(ctx, ns, key, lengthOf, "<p></p>".length)} || '</p>')`;
}

/**
 * Replaces every e-mail address (outside `allowedDomains`) and phone number inside `column`'s text
 * with fake ones keyed by the row; everything else is kept. jsonb/json columns go through text.
 * Idempotent: the fakes it writes are not matched again.
 */
export function scrubText(ctx: FakeContext, column: string, type: string, tag: string, key: string, allowedDomains: readonly string[]): string {
    const isJson = type === "jsonb" || type === "json";
    const text = isJson ? `${column}::text` : column;
    const replaced =
        `regexp_replace(regexp_replace(${text}, ${quoteLiteral(emailPattern(allowedDomains))}, ${email(`${tag}-`, key)}, 'gi'), ` +
        `${quoteLiteral(phonePattern())}, ${phone(ctx, tag, key)}, 'g')`;
    const typed = isJson ? `(${replaced})::${type}` : type === "character" ? `(${replaced})::text` : replaced;
    return `(CASE WHEN ${mayHoldPiiSql(text)} THEN ${typed} ELSE ${column} END)`;
}
