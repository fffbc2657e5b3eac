/**
 * A table of leaks for the scans to find (tests/ops/pii): every detector, look-alikes that must not
 * count, COPY escapes and padding, and a real partner's name, e-mail and phone in columns no rule
 * knows (for the known-value scan).
 */
import type { Client } from "pg";

export async function plantLeakTable(client: Client): Promise<void> {
    await client.query(`CREATE TABLE x_planted (id serial PRIMARY KEY, note text, info jsonb, api_token varchar, code character(24), other json)`);
    const {
        rows: [person],
    } = await client.query(
        "SELECT name, email, phone FROM res_partner WHERE NOT is_company AND email IS NOT NULL AND phone IS NOT NULL AND id > 4 ORDER BY id LIMIT 1",
    );
    await client.query(
        `INSERT INTO x_planted (note, info, api_token, code, other) VALUES
        ('mail jane.doe@realcustomer.org\tor call +32 470 12 34 56', '{"en_US": "IBAN BE68 5390 0754 7034"}', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'DE136695976             ', '{"fr_FR": 4111111111111111}'),
        ('card 4111 1111 1111 1111\\nnext line; VAT BE0417497106', NULL, 'sanitized-0000000000000000000', NULL, NULL),
        ('test+42@example.com, +1 555-0142, BE00 0000 0000 0042, 4111 1111 1111 1112', '{"a": "nothing"}', 'short', 'none', '"just text"'),
        ($1, jsonb_build_object('fr_FR', $2::text), NULL, NULL, json_build_object('x', $3::text)),
        ('back\\\\slash a@b.co ünïcödé +49 30 1234567', '{"n": {"deep": "x@realcustomer.org"}}', NULL, NULL, NULL)`,
        [person.name, person.email, person.phone],
    );
}
