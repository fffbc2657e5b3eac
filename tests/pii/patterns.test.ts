import * as assert from "node:assert/strict";
import { Client } from "pg";
import { emailPattern, maskFinding, normalizeDomain, numberCandidatePattern, phonePattern, sanitizerAddressSql } from "../../ops/pii/patterns";
import { testPostgres } from "../support/postgres";

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
        for (const phone of ["+32 470 12 34 56", "+33 6 12 34 56 78", "+1 (415) 623-1234", "+49 151 12345678", "(415) 623-1234",
            "0470 12 34 56", "06 12 34 56 78", "call +32475123456 now", "+1 555-01423", "call +32 470 12 34 56 or mail test+100234@example.com"]) {
            assert.equal(await matches(phone, pattern), true, phone);
        }
        for (const other of ["+1 555-0142", "+15550142", "2024-01-15 10:00:00", "01.02.2024", "BE71 0961 2345 6769", "INV/2023/000123", "12345678", "€ 1 234,56",
            // Sanitized addresses of partners with six-digit ids: the local part is not a phone.
            "test+100234@example.com", "<p>Write to test+1234567@example.com</p>", "jane+32470123456@example.com", "+32470123456@sms.example.com"]) {
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

describe("the scan's shortcut for the sanitizer's own addresses (sanitizerAddressSql, in PostgreSQL)", () => {
    let client: Client;
    before(async () => {
        client = new Client({ connectionString: (await testPostgres()).url });
        await client.connect();
    });
    after(() => client.end());

    const allow = ["example.com", "bench.example.com"];
    /** Whether the shortcut applies, and whether any pattern matches, for each value. */
    const judge = async (values: string[]) => {
        const fake = sanitizerAddressSql("v", allow)!;
        const { rows } = await client.query(
            `SELECT v, ${fake} AS fake, (v ~* $2 OR v ~ $3 OR v ~ $4) AS matches FROM unnest($1::text[]) v`,
            [values, emailPattern(allow), phonePattern(), numberCandidatePattern()],
        );
        return rows as { v: string; fake: boolean; matches: boolean }[];
    };

    it("applies to what the sanitizer writes", async () => {
        const written = ["test+42@example.com", "test+res_partner-1234@example.com", "test+mail_message-email_from-7@bench.example.com",
            "\"Robin Testperson\" <test+42@example.com>", "\"Jamie O'Dummy-Specimen Jr.\" <test+crm_lead-99@example.com>"];
        for (const row of await judge(written)) {
            assert.equal(row.fake, true, row.v);
            assert.equal(row.matches, false, `${row.v} matches a pattern`);
        }
    });

    it("never applies to text a pattern can match (so skipping the expressions loses no finding)", async () => {
        const leaks = ["test+1@gmail.com", "test+1@example.com.evil.org", "test+1@example.com jane@gmail.com", "TEST+1@example.com x@y.org",
            "test+4111111111111111@example.com", "test+0470.12.34.56@example.com", "test+ 0470 12 34 56@example.com",
            "\"Jane +32 470 12 34 56\" <test+1@example.com>", "\"BE0477472701\" <test+1@example.com>", "\"Jane (415) 623-1234\" <test+1@example.com>",
            "\"Jane\" <jane@gmail.com>", "\"Jane\" <test+1@example.com> +32 470 12 34 56", "test+x@example.com\n+32 470 12 34 56",
            "test+NL91ABNA0417164300@example.com", "test+1@2.example.com"];
        const judged = await judge(leaks);
        for (const row of judged) assert.equal(row.fake, false, `shortcut applied to ${JSON.stringify(row.v)}`);
        // Most of them do match a pattern: the shortcut is what would have hidden them.
        assert.ok(judged.filter((r) => r.matches).length >= 10);
    });

    it("is off when no allowed domain is a plain lower-case name", () => {
        assert.equal(sanitizerAddressSql("v", ["2.example.com"]), null);
    });
});
