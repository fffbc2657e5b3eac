/**
 * Credential detection by name and by value, shared by the config validation (a credential in
 * plain config must move to odoo-platform:odooSecretEnv), the policy packs (no non-production Odoo
 * carries one) and `repo check` (no credential committed in a repository file).
 */

/**
 * Names that hold credentials: `*_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`/`*_PASSWD`, `*_PASS`,
 * `*_CONNECTION_STRING`, `*_DSN`, `*_CREDENTIALS`, private keys, webhooks; also odoo.conf's own
 * `admin_passwd`, `db_password`, `smtp_password`. Names ending in `_KEY_ID`/`_KEY_FILE` or naming a
 * file (`*_FILE`, `*_PATH`) are not credentials themselves.
 */
const credentialName =
    /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|CONNECTION_?STRING|CONN_?STR|DSN|CREDENTIALS?|PRIVATE_?KEY|ACCESS_?KEY|CLIENT_?SECRET|WEBHOOK(_URL)?|AUTH)$/i;
const notCredential = /(_KEY_ID|_ID|_FILE|_PATH|_DIR|_NAME|_USER(NAME)?|_ARN|_URL_BASE)$/i;

/** The patterns as data, for the policy pack (published alone: plan/platformContract.ts copies them into it). */
export const credentialPatterns = {
    name: credentialName.source,
    notCredential: notCredential.source,
    urlWithPassword: /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i.source,
    connectionString: /(^|;)\s*(AccountKey|SharedAccessKey|Password|Pwd)\s*=/i.source,
} as const;

export function isCredentialName(name: string): boolean {
    if (notCredential.test(name)) return false;
    return credentialName.test(name);
}

/**
 * Values that carry a credential whatever their name: URLs with a password (`scheme://user:pass@`),
 * Azure-style connection strings (`AccountKey=`, `SharedAccessKey=`, `Password=`).
 */
export function credentialInValue(value: string): string | undefined {
    if (new RegExp(credentialPatterns.urlWithPassword, "i").test(value)) return "a URL with a password";
    if (new RegExp(credentialPatterns.connectionString, "i").test(value)) return "a connection string with a key or password";
    return undefined;
}

/** A value that only refers to a credential held elsewhere (`${VAR}`, empty, False), not one itself. */
export const isReferenceOrEmpty = (value: string): boolean => /^\s*$|^\$\{?[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}?$|^(False|None|false)$/.test(value);
