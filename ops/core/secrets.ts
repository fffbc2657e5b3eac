/**
 * Secrets the operations library handles: files that hold a password, and the fingerprint of a
 * sanitize seed. Redaction of URLs and messages is in redact.ts (re-exported here).
 */
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "./errors";

export { libpqSecretParameters, redactText, redactUrl, stripUrlCredentials } from "./redact";

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
        throw new InvalidInputError(
            `${option} ${file}: its directory ${dir} is not a writable directory (${(err as Error).message.replace(/^[A-Z]+: /, "")}): choose a writable path`,
        );
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
        throw new InvalidInputError(
            `${option} ${file}: cannot create files in ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): choose a writable path`,
        );
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
