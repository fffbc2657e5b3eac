import * as assert from "node:assert/strict";
import { Client } from "pg";
import { emailPattern, maskFinding, normalizeDomain, phonePattern } from "../../../ops/pii/patterns";
import { testPostgres } from "../../support/postgres";

describe("PII patterns (matched by PostgreSQL itself)", () => {
    let client: Client;
    before(async () => {
        client = new Client({ connectionString: (await testPostgres()).url });
        await client.connect();
    });
    after(() => client.end());

    const matches = async (text: string, pattern: string, flags = "") =>
        (await client.query(`SELECT $1 ${flags === "i" ? "~*" : "~"} $2 AS m`, [text, pattern])).rows[0].m as boolean;

    it("finds addresses outside the allowed domains, not inside them or their subdomains", async () => {
        const pattern = emailPattern(["example.com", "staging.acme.io"]);
        for (const leak of ["jane@gmail.com", "<1.2-openerp-3@erp.acme.com>", "x@example.community", "x@example.com.evil.org", "Info@ACME-Industries.COM"]) {
            assert.equal(await matches(leak, pattern, "i"), true, leak);
        }
        for (const fine of ["test+1@example.com", "a@mail.example.com", "foo@staging.acme.io", "mail me at test+2@example.com.", "no address here"]) {
            assert.equal(await matches(fine, pattern, "i"), false, fine);
        }
    });

    it("finds phone numbers in the formats people type, never the fictional fakes or dates, amounts, IBANs", async () => {
        const pattern = phonePattern();
        for (const phone of [
            "+32 470 12 34 56",
            "+33 6 12 34 56 78",
            "+1 (415) 623-1234",
            "+49 151 12345678",
            "(415) 623-1234",
            "0470 12 34 56",
            "06 12 34 56 78",
            "call +32475123456 now",
            "+1 555-01423",
            "call +32 470 12 34 56 or mail test+100234@example.com",
        ]) {
            assert.equal(await matches(phone, pattern), true, phone);
        }
        for (const other of [
            "+1 555-0142",
            "+15550142",
            "2024-01-15 10:00:00",
            "01.02.2024",
            "BE71 0961 2345 6769",
            "INV/2023/000123",
            "12345678",
            "€ 1 234,56",
            // Sanitized addresses of partners with six-digit ids: the local part is not a phone.
            "test+100234@example.com",
            "<p>Write to test+1234567@example.com</p>",
            "jane+32470123456@example.com",
            "+32470123456@sms.example.com",
        ]) {
            assert.equal(await matches(other, pattern), false, other);
        }
    });

    it("normalizes allow-list domains and refuses things that are not domains", () => {
        assert.equal(normalizeDomain(" Staging.Example.COM. "), "staging.example.com");
        assert.throws(() => normalizeDomain("not a domain"), /not a domain name/);
        assert.throws(() => normalizeDomain("localhost"), /not a domain name/);
    });

    it("masks what it reports", () => {
        assert.equal(maskFinding("jane.doe@gmail.com"), "***@gmail.com");
        assert.equal(maskFinding("+32 470 12 34 56"), "***56");
    });
});
