/** Credential detection by name and by value, with the program's own patterns (config/credentials.ts, copied as data). */
import { platform } from "../platform.generated";

const name = new RegExp(platform.credentialPatterns.name, "i");
const notCredential = new RegExp(platform.credentialPatterns.notCredential, "i");
const urlWithPassword = new RegExp(platform.credentialPatterns.urlWithPassword, "i");
const connectionString = new RegExp(platform.credentialPatterns.connectionString, "i");

export const isCredentialName = (variable: string): boolean => !notCredential.test(variable) && name.test(variable);

export function credentialInValue(value: string): string | undefined {
    if (urlWithPassword.test(value)) return "a URL with a password";
    if (connectionString.test(value)) return "a connection string with a key or password";
    return undefined;
}
