/**
 * Minimal data rules for testing the pipeline's orchestration on the small database
 * (tests/support/smallDb.ts): one sanitizing expression, one neutralizing UPDATE, one verify
 * check. The real rules (ops/sanitize, ops/neutralize, ops/verify) are tested on the Odoo fixture.
 */
import type { DataRules } from "../../ops/staging/dataRules";

export function testRules(opts: { sanitize?: boolean } = {}): DataRules {
    return {
        sanitizePlan: async () => ({
            transforms: opts.sanitize === false ? [] : [{ table: "res_partner", columns: { email: "'test+' || t.id || '@example.com'" } }],
            financial: false,
            summary: { test: true },
        }),
        markSanitized: async (client) => {
            await client.query("INSERT INTO marker VALUES ('sanitized')");
        },
        neutralize: async (client, settings) => {
            await client.query("UPDATE marker SET note = $1", [`neutralized for ${settings.baseUrl}`]);
            return { rules: 1 };
        },
        verify: async (client, { allowDomains }) => {
            const { rows } = await client.query<{ n: string }>(
                `SELECT count(*)::text AS n FROM res_partner WHERE split_part(email, '@', 2) <> ALL($1::text[])`,
                [allowDomains],
            );
            const leaks = Number(rows[0].n);
            const findings = leaks ? [`res_partner.email: ${leaks} addresses outside ${allowDomains.join(", ")}`] : [];
            return { ok: !leaks, findings, report: { leaks } };
        },
    };
}
