/**
 * The stream and neutralize agree on every credential (ops/neutralize/revoke.ts): for each column
 * the copies revoke in their SELECT, the value they read is the one neutralize writes in the
 * database (or neutralize removes the row); and the revocation composes with the sanitizing
 * expression of the same column instead of replacing it.
 */
import * as assert from "node:assert/strict";
import type { Client } from "pg";
import { neutralizeDatabase } from "../../../ops/neutralize";
import { CredentialRevocations, planCredentialRevocations, withRevocations } from "../../../ops/neutralize/revoke";
import { adminUserSql } from "../../../ops/neutralize/rules";
import { qualifiedTable, quoteIdent } from "../../../ops/odoo/sql";
import { connectTo, fixtureDatabase } from "../../support/odoo";
import { plantCredentials } from "../../support/plantCredentials";

const staging = { baseUrl: "https://staging.revoke.test", mailHost: "mailpit", mailPort: 1025 };

/** Per row id: the value the column holds (text), read with `expr` over the row `t`. */
async function columnValues(client: Client, table: string, expr: string): Promise<Map<number, string | null>> {
    const { rows } = await client.query<{ id: number; v: string | null }>(`SELECT t.id, (${expr})::text AS v FROM ${qualifiedTable(table)} t ORDER BY t.id`);
    return new Map(rows.map((r) => [r.id, r.v]));
}

describe("credential revocation in the stream (ops/neutralize/revoke.ts)", function () {
    this.timeout(180_000);

    it("lays each revocation over the sanitizing expression of its column and blanks secret parameters by key", () => {
        const revocations: CredentialRevocations = {
            columns: [
                { table: "res_partner", column: "signup_token", value: "NULL", when: "t.signup_token IS NOT NULL", rule: "x" },
                { table: "ir_mail_server", column: "smtp_pass", value: "NULL", when: "t.smtp_pass IS NOT NULL", rule: "y" },
            ],
            parameters: [
                { key: "google_gmail_client_secret", value: "''", rule: "z" },
                { key: "it's", value: "''", rule: "w" },
            ],
        };
        const out = withRevocations([{ table: "res_partner", columns: { signup_token: "md5(t.id::text)", name: "'P' || t.id" } }], revocations);
        assert.deepEqual(out, [
            { table: "res_partner", columns: { signup_token: "md5(t.id::text)", name: "'P' || t.id" } },
            { table: "public.res_partner", columns: { signup_token: "CASE WHEN t.signup_token IS NOT NULL THEN NULL ELSE (md5(t.id::text)) END" } },
            { table: "public.ir_mail_server", columns: { smtp_pass: `CASE WHEN t.smtp_pass IS NOT NULL THEN NULL ELSE t."smtp_pass" END` } },
            {
                table: "public.ir_config_parameter",
                columns: { value: `CASE t.key WHEN 'google_gmail_client_secret' THEN '' WHEN 'it''s' THEN '' ELSE t."value" END` },
            },
        ]);
        assert.deepEqual(withRevocations([], { columns: [], parameters: [] }), []);
    });

    for (const version of ["16.0", "18.0"] as const) {
        it(`on the Odoo ${version} fixture: what the stream reads for each credential is what neutralize writes (or neutralize removes the row)`, async () => {
            // Two identical planted productions: one read through the revocations, one neutralized.
            const [a, b] = [
                await fixtureDatabase(`rev_a_${version.replace(".", "")}`, { version }),
                await fixtureDatabase(`rev_b_${version.replace(".", "")}`, { version }),
            ];
            const source = await connectTo(a.url);
            const neutralized = await connectTo(b.url);
            try {
                const planted = await plantCredentials(source);
                assert.deepEqual(
                    (await plantCredentials(neutralized)).map((p) => p.value),
                    planted.map((p) => p.value),
                );
                const revocations = await planCredentialRevocations(source);
                assert.ok(
                    revocations.columns.some((r) => r.rule.startsWith("declared.")),
                    "declared credential columns are revoked too",
                );
                const streamed = new Map<string, Map<number, string | null>>();
                for (const r of revocations.columns) {
                    streamed.set(
                        `${r.table}.${r.column}`,
                        await columnValues(source, r.table, `CASE WHEN ${r.when} THEN ${r.value} ELSE t.${quoteIdent(r.column)} END`),
                    );
                }
                const admin = (await source.query<{ id: number }>(`SELECT ${adminUserSql} AS id`)).rows[0].id;
                await neutralizeDatabase(neutralized, staging);

                const compared: string[] = [];
                for (const r of revocations.columns) {
                    const after = await columnValues(neutralized, r.table, `t.${quoteIdent(r.column)}`);
                    const stream = streamed.get(`${r.table}.${r.column}`)!;
                    if (r.rule.endsWith(".*")) {
                        assert.equal(after.size, 0, `${r.rule} removes the rows whose ${r.column} the stream revokes`);
                        continue;
                    }
                    if (r.rule === "base.res_users.password") {
                        // Neutralize then gives the admin a new password; everyone else has none, as in the stream.
                        assert.equal(stream.get(admin), null);
                        after.delete(admin);
                        stream.delete(admin);
                    }
                    // Rows neutralize adds (its mail catcher) are not production's.
                    assert.deepEqual(
                        [...stream],
                        [...stream.keys()].map((id) => [id, after.get(id)]),
                        `${r.table}.${r.column} (${r.rule})`,
                    );
                    if (stream.size) compared.push(`${r.table}.${r.column}`);
                }
                const plantedColumns = new Set(planted.filter((p) => p.where.includes("#")).map((p) => p.where.replace(/#.*/, "")));
                for (const column of plantedColumns) {
                    assert.ok(
                        revocations.columns.some((r) => `${r.table}.${r.column}` === column),
                        `${column} is revoked in the stream`,
                    );
                }

                const params = new Map(
                    (await neutralized.query<{ key: string; value: string }>("SELECT key, value FROM ir_config_parameter")).rows.map((r) => [r.key, r.value]),
                );
                for (const p of revocations.parameters) {
                    const streamedValue = (await source.query<{ v: string }>(`SELECT ${p.value} AS v`)).rows[0].v;
                    if (p.key === "database.secret") {
                        // Regenerated by both, each with a value of its own.
                        const production = planted.find((x) => x.where === "ir_config_parameter[database.secret]")!.value;
                        assert.notEqual(streamedValue, production);
                        assert.notEqual(params.get(p.key), production);
                        continue;
                    }
                    assert.ok(
                        !params.has(p.key) || params.get(p.key) === streamedValue,
                        `${p.key}: neutralize left ${JSON.stringify(params.get(p.key))}, the stream writes ${streamedValue}`,
                    );
                }
                for (const p of planted.filter((x) => x.where.startsWith("ir_config_parameter["))) {
                    assert.ok(
                        revocations.parameters.some((r) => `ir_config_parameter[${r.key}]` === p.where),
                        `${p.where} is revoked in the stream`,
                    );
                }
                assert.ok(compared.length >= 15, `compared ${compared.length} columns holding values`);
            } finally {
                await source.end();
                await neutralized.end();
            }
        });
    }
});
