/**
 * Passwords out of connection URLs and messages. libpq has two secret connection parameters,
 * `password` and `sslpassword` (the ones PQconndefaults marks with dispchar "*"); both are redacted
 * wherever they appear: in a URL's userinfo, as a query parameter (any case), or as `key=value` in a
 * conninfo string or an environment dump. Imports nothing, so errors.ts can use it.
 */
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
const credentialQueryParams =
    /^(password|passwd|pwd|sslpassword|token|access_token|auth|api_key|apikey|key|secret|signature|sig|x-amz-signature|x-amz-credential)$/i;

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
