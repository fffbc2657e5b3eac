/**
 * Secrets the operations library handles: passwords inside connection URLs and messages, files
 * that hold a password, and the fingerprint of a sanitize seed.
 *
 * libpq has two secret connection parameters, `password` and `sslpassword` (the ones PQconndefaults
 * marks with dispchar "*"); both are redacted wherever they appear: in a URL's userinfo, as a query
 * parameter (any case), or as `key=value` in a conninfo string or an environment dump.
 */
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "./errors";

export const libpqSecretParameters = ["password", "sslpassword"] as const;

const secretParam = new RegExp(`([?&;](?:${libpqSecretParameters.join("|")})=)[^&\\s"']*`, "gi");
const secretAssignment = new RegExp(`\\b((?:${libpqSecretParameters.join("|")}|PGPASSWORD|PGSSLPASSWORD)\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|[^\\s&"']+)`, "gi");

/**
 * Replaces the password of one PostgreSQL URL with ***. The userinfo ends at the LAST "@" before the
 * query string, so a password holding a raw "@", "/" or ":" is hidden whole (never "ss/w0rd@…").
 */
export function redactUrl(url: string): string {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
    if (!scheme) return url.replace(secretParam, "$1***").replace(secretAssignment, "$1***");
    const rest = url.slice(scheme[0].length);
    const queryAt = rest.indexOf("?");
    const head = queryAt === -1 ? rest : rest.slice(0, queryAt);
    const query = queryAt === -1 ? "" : rest.slice(queryAt);
    const at = head.lastIndexOf("@");
    let authority = head;
    if (at !== -1) {
        const userinfo = head.slice(0, at);
        const colon = userinfo.indexOf(":");
        authority = `${colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:***`}${head.slice(at)}`;
    }
    return `${scheme[0]}${authority}${query.replace(secretParam, "$1***")}`;
}

/** Redacts every URL (any scheme) and every `password=` / `sslpassword=` / `PGPASSWORD=` in a text. */
export function redactText(text: string): string {
    return text
        .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url))
        .replace(secretAssignment, (m, key: string, value: string) => (value.startsWith("***") ? m : `${key}***`));
}

/** Names of query parameters of an http(s) URL that carry credentials (tokens in health URLs …). */
const credentialQueryParams = /^(password|passwd|pwd|sslpassword|token|access_token|auth|api_key|apikey|key|secret|signature|sig|x-amz-signature|x-amz-credential)$/i;

/**
 * An http(s) URL as it may be stored for ever (evidence): no user, no password, no credential
 * query parameter. Anything that is not a URL is returned redacted.
 */
export function stripUrlCredentials(text: string): string {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return redactText(text);
    }
    const secretKeys = [...url.searchParams.keys()].filter((key) => credentialQueryParams.test(key));
    if (!url.username && !url.password && !secretKeys.length) return text;
    url.username = "";
    url.password = "";
    for (const key of secretKeys) url.searchParams.delete(key);
    return url.toString();
}

/**
 * Checks, before anything changes, that a secret can be written to `file` later: its directory
 * exists and is writable, and the file (if it exists) is a regular file we may write.
 */
export function assertWritableSecretFile(file: string, option: string): void {
    const resolved = path.resolve(file);
    const dir = path.dirname(resolved);
    try {
        if (!fs.statSync(dir).isDirectory()) throw new Error("not a directory");
        fs.accessSync(dir, fs.constants.W_OK);
    } catch (err) {
        throw new InvalidInputError(`${option} ${file}: its directory ${dir} is not a writable directory (${(err as Error).message.replace(/^[A-Z]+: /, "")}): choose a writable path`);
    }
    if (fs.existsSync(resolved)) {
        const stat = fs.lstatSync(resolved);
        if (!stat.isFile()) throw new InvalidInputError(`${option} ${file} exists and is not a regular file: choose another path`);
        try {
            fs.accessSync(resolved, fs.constants.W_OK);
        } catch {
            throw new InvalidInputError(`${option} ${file} exists and is not writable: choose another path or fix its permissions`);
        }
    }
    // Prove it for real: a sibling temporary file, created 0600 and removed.
    const probe = path.join(dir, `.${path.basename(resolved)}.odoo-platform-probe-${process.pid}`);
    try {
        fs.writeFileSync(probe, "", { mode: 0o600, flag: "wx" });
    } catch (err) {
        throw new InvalidInputError(`${option} ${file}: cannot create files in ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): choose a writable path`);
    } finally {
        fs.rmSync(probe, { force: true });
    }
}

/**
 * Writes a secret so that only its owner can read it: a new file is created 0600, an existing one
 * is tightened to 0600 before the secret goes in, and the text is written to a temporary file in
 * the same directory and renamed (a reader never sees half a password).
 */
export function writeSecretFile(file: string, text: string): void {
    const resolved = path.resolve(file);
    const tmp = path.join(path.dirname(resolved), `.${path.basename(resolved)}.tmp-${process.pid}`);
    if (fs.existsSync(resolved)) fs.chmodSync(resolved, 0o600);
    try {
        fs.writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
        fs.chmodSync(tmp, 0o600);
        fs.renameSync(tmp, resolved);
    } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw err;
    }
}

/**
 * Seed fingerprints: scrypt (N = 2^15, r = 8, p = 1: about 32 MiB and tens of milliseconds per
 * guess) with a random salt per fingerprint. Whoever holds the seed can check a snapshot was made
 * with it (`seedMatchesFingerprint`); whoever holds only the snapshot pays the full scrypt cost for
 * every guess, and no table of precomputed seeds helps across snapshots. A SHA-256 of the seed let a
 * weak seed be recovered in 712 guesses of microseconds each.
 */
const scryptParams = { N: 2 ** 15, r: 8, p: 1 };
const fingerprintFormat = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([0-9a-f]{32})\$([0-9a-f]{32,128})$/;
const domain = "odoo-platform sanitize seed\u0000";

function scryptHex(seed: string, salt: Buffer, params: { N: number; r: number; p: number }, length: number): Buffer {
    return scryptSync(`${domain}${seed}`, salt, length, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 });
}

export function seedFingerprint(seed: string): string {
    const salt = randomBytes(16);
    const hash = scryptHex(seed, salt, scryptParams, 16);
    return `scrypt$${scryptParams.N}$${scryptParams.r}$${scryptParams.p}$${salt.toString("hex")}$${hash.toString("hex")}`;
}

export function isSeedFingerprint(text: string): boolean {
    return fingerprintFormat.test(text);
}

export function seedMatchesFingerprint(seed: string, fingerprint: string): boolean {
    const match = fingerprintFormat.exec(fingerprint);
    if (!match) return false;
    const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (N > 2 ** 20 || r > 32 || p > 16) return false;
    const expected = Buffer.from(match[5], "hex");
    const actual = scryptHex(seed, Buffer.from(match[4], "hex"), { N, r, p }, expected.length);
    return timingSafeEqual(actual, expected);
}
