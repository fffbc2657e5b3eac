/**
 * How personal data looks in free text: e-mail addresses and phone numbers, as PostgreSQL
 * regular expressions (ARE, used with `~*`), and the shape of the fake values the sanitizer writes
 * so that nothing it produces is mistaken for a leak.
 *
 * Pure: these functions build pattern text, run by the database scan (`~`, `~*`) and, compiled to
 * JavaScript regular expressions, by the scan of a COPY stream (ops/pii/streamScan.ts). Every
 * pattern here is written in the syntax both engines read alike (bracket classes, non-capturing
 * groups, look-ahead and look-behind constraints, no `.` outside brackets), and each SQL pre-filter
 * has its JavaScript twin next to it, so both scans count exactly the same rows.
 */

/** Domains whose addresses are never personal data in a sanitized database. */
export const defaultAllowedDomains = ["example.com"] as const;

/**
 * Fake phone numbers use the range reserved for fiction in the North American plan
 * (555-0100 … 555-0199): `+1 555-0142`, and `+15550142` in E.164 form.
 */
export const fakePhonePrefix = "+1 555-01";
export const fakePhoneE164Prefix = "+155501";

/** Tokens the sanitizer writes where a column may not be empty: never taken for a live token. */
export const fakeTokenPrefix = "sanitized-";

const domainLabel = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";

/** Validates and lower-cases a domain for the allow-list (`Example.COM` → `example.com`). */
export function normalizeDomain(domain: string): string {
    const d = domain.trim().toLowerCase().replace(/^@/, "").replace(/\.$/, "");
    if (!new RegExp(`^${domainLabel}(?:\\.${domainLabel})+$`).test(d)) {
        throw new Error(`"${domain}" is not a domain name (expected something like example.com)`);
    }
    return d;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * An e-mail address whose domain is not one of `allowedDomains` (nor a subdomain of one).
 * Case-insensitive: use with `~*` or the 'gi' flags.
 */
export function emailPattern(allowedDomains: readonly string[] = defaultAllowedDomains): string {
    const allowed = [...new Set(allowedDomains.map(normalizeDomain))].map(escapeRegex);
    const exclusion = allowed.length ? `(?!(?:[a-z0-9-]+\\.)*(?:${allowed.join("|")})(?![a-z0-9-]|\\.[a-z0-9]))` : "";
    return `[a-z0-9._%+-]+@${exclusion}[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}`;
}

/**
 * A phone number as people write them: international (`+32 470 12 34 56`, `+1 (415) 623-1234`,
 * `+4915112345678`), North-American (`(415) 623-1234`) and European national formats
 * (`0470 12 34 56`, `06 12 34 56 78`). Never the fake range of `fakePhonePrefix`, never the
 * local part of an e-mail address (`test+100234@example.com`). Digit runs without separators or a
 * leading + (amounts, ids, dates) are deliberately not matched.
 */
export function phonePattern(): string {
    const notFake = "(?!\\+1 ?555-?01[0-9]{2}(?![0-9]))";
    // `test+100234@example.com` is an address, not a phone: a + glued to a word, or digits running
    // into an @, belong to an e-mail's local part.
    const notInAddress = "(?<![a-z0-9._%+-])";
    const notBeforeAt = "(?![0-9]*@)";
    const international = `${notInAddress}${notFake}\\+[0-9]{1,3}[ .-]?\\(?[0-9]{1,4}\\)?(?:[ .-]?[0-9]{2,4}){2,}${notBeforeAt}`;
    const northAmerican = "\\([0-9]{3}\\) ?[0-9]{3}[ .-][0-9]{4}";
    const nationalGrouped = "(?<![0-9+])0[0-9]{2,3}[ /][0-9]{2,3}[ .][0-9]{2}[ .][0-9]{2}(?![0-9])";
    const nationalPairs = "(?<![0-9+])0[0-9](?:[ .][0-9]{2}){4}(?![0-9])";
    return [international, northAmerican, nationalGrouped, nationalPairs].join("|");
}

/**
 * A cheap pre-filter (SQL over a text expression): text without `@`, `+`, `(` or a national
 * number's leading `0nn ` cannot match either pattern and is skipped without running them.
 */
export function mayHoldPiiSql(text: string): string {
    return `(strpos(${text}, '@') > 0 OR strpos(${text}, '+') > 0 OR strpos(${text}, '(') > 0 OR ${text} ~ '${nationalStart}')`;
}

const nationalStart = "(^|[^0-9])0[0-9]{1,3}[ ./][0-9]";
const nationalStartRe = new RegExp(nationalStart);

/** mayHoldPiiSql in JavaScript. */
export function mayHoldPii(text: string): boolean {
    return text.includes("@") || text.includes("+") || text.includes("(") || nationalStartRe.test(text);
}

/** Masks a found value for reports: `jane.doe@gmail.com` → `***@gmail.com`, `+32 470 12 34 56` → `***56`. */
export function maskFinding(value: string): string {
    const at = value.lastIndexOf("@");
    if (at >= 0) return `***${value.slice(at)}`;
    const digits = value.replace(/[^0-9]/g, "");
    return `***${digits.slice(-2)}`;
}

/** Countries whose IBAN the number scan looks for (ops/pii/detectors.ts ibanLengths has their lengths). */
const ibanCountrySql =
    "AD|AE|AL|AT|AZ|BA|BE|BG|BH|BR|BY|CH|CR|CY|CZ|DE|DK|DO|EE|EG|ES|FI|FO|FR|GB|GE|GI|GL|GR|GT|HR|HU|IE|IL|IQ|IS|IT|JO|KW|KZ|LB|LC|LI|LT|LU|LV|MC|MD|ME|MK|MR|MT|MU|NL|NO|PK|PL|PS|PT|QA|RO|RS|SA|SC|SE|SI|SK|SM|ST|SV|TL|TN|TR|UA|VA|VG|XK";
const vatCountrySql = "AT|BE|CH|DE|DK|ES|FI|FR|GB|IT|LU|NL|PL|PT|SE";

/**
 * Candidates for the number detectors (IBAN, VAT, payment card) as one PostgreSQL regular
 * expression: shapes only, validated afterwards by ops/pii/detectors.ts (mod-97, Luhn, national
 * check digits). The sanitizer's fakes never match: IBAN check digits 00, VAT numbers with TEST.
 */
export function numberCandidatePattern(): string {
    const iban = `(${ibanCountrySql})([0-9][1-9]|[1-9][0-9])([ -]?[A-Z0-9]{2,4}){3,8}`;
    const vat = `(${vatCountrySql}) ?(U|E-?)?[0-9][0-9 .-]{6,13}([0-9]|B[0-9]{2}|MWST|TVA|IVA)`;
    const card = "[2-6]([0-9][ -]?){13,17}[0-9]";
    return `(^|[^A-Za-z0-9])(${iban}|${vat}|${card})($|[^A-Za-z0-9])`;
}

/** Text that can hold a number candidate at all: long enough (a cheap test before the expression). */
export function mayHoldNumberSql(text: string): string {
    return `octet_length(${text}) >= 10`;
}

/**
 * mayHoldNumberSql in JavaScript: characters rather than bytes, which keeps the same rows, since
 * every candidate of numberCandidatePattern is at least 10 characters long.
 */
export function mayHoldNumber(text: string): boolean {
    return text.length >= 10;
}

/** A token candidate in a column named like a credential: 16+ characters, no space, not a marker or fake. */
export function tokenCandidateSql(text: string): string {
    return `(octet_length(${text}) >= 16 AND strpos(${text}, ' ') = 0 AND left(${text}, ${fakeTokenPrefix.length}) <> ${sqlLiteral(fakeTokenPrefix)} AND right(${text}, 9) <> '+disabled')`;
}

/** tokenCandidateSql in JavaScript (octet_length counts bytes). */
export function isTokenCandidate(text: string): boolean {
    return (
        (text.length >= 16 || Buffer.byteLength(text, "utf8") >= 16) && !text.includes(" ") && !text.startsWith(fakeTokenPrefix) && !text.endsWith("+disabled")
    );
}

const sqlLiteral = (v: string) => `'${v.replace(/'/g, "''")}'`;
