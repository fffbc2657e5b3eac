/**
 * Secrets neutralize creates: a new admin password (hashed the way Odoo stores it), a new
 * database.uuid and database.secret. `Secret` keeps a value out of logs: it prints as `[secret]`
 * and only `--json` (meant for a secret-aware caller such as Pulumi's command step) reveals it.
 */
import { pbkdf2, randomBytes, randomUUID } from "node:crypto";
import { inspect, promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);

export class Secret {
    readonly #value: string;
    constructor(value: string) {
        this.#value = value;
    }
    reveal(): string {
        return this.#value;
    }
    toJSON(): string {
        return this.#value;
    }
    toString(): string {
        return "[secret]";
    }
    [inspect.custom](): string {
        return "[secret]";
    }
}

/** A random password: 24 URL-safe characters (144 bits). */
export function randomPassword(): string {
    return randomBytes(18).toString("base64url");
}

/** passlib's "adapted base64": standard alphabet with `.` for `+`, no padding. */
function ab64(buffer: Buffer): string {
    return buffer.toString("base64").replace(/\+/g, ".").replace(/=+$/, "");
}

/** Odoo's default rounds for pbkdf2_sha512 (odoo/addons/base/models/res_users.py, 17.0/18.0). */
export const odooPasswordRounds = 600_000;

/**
 * Hashes `password` as Odoo's CryptContext does (`$pbkdf2-sha512$<rounds>$<salt>$<hash>`), so
 * Odoo accepts it at login without a migration.
 */
export async function odooPasswordHash(password: string, rounds = odooPasswordRounds, salt: Buffer = randomBytes(16)): Promise<string> {
    const key = await pbkdf2Async(password, salt, rounds, 64, "sha512");
    return `$pbkdf2-sha512$${rounds}$${ab64(salt)}$${ab64(key)}`;
}

/** A new database.uuid (v4) and database.secret (Odoo uses a uuid for both). */
export function newDatabaseIdentity(): { uuid: string; secret: string } {
    return { uuid: randomUUID(), secret: randomUUID() };
}
