import * as assert from "node:assert/strict";
import {
    detect,
    findCards,
    findIbans,
    findPhones,
    findVats,
    isCardNumber,
    isTokenShaped,
    isValidIban,
    isValidVat,
    knownForms,
} from "../../../ops/pii/detectors";
import { formA, formB } from "../../../ops/pii/knownValues";

describe("PII detectors (pure)", () => {
    it("IBAN: mod-97 and each country's length; the sanitizer's check digits 00 never pass", () => {
        for (const v of [
            "BE71 0961 2345 6769",
            "DE89 3704 0044 0532 0130 00",
            "GB82 WEST 1234 5698 7654 32",
            "FR14 2004 1010 0505 0001 3M02 606",
            "NL91ABNA0417164300",
        ]) {
            assert.ok(isValidIban(v), v);
        }
        for (const v of ["BE71 0961 2345 6768", "BE00 0000 0000 0042", "BE71 0961 2345 676", "XX71 0961 2345 6769"]) assert.ok(!isValidIban(v), v);
        assert.deepEqual(findIbans("pay to BE71 0961 2345 6769 please, not BE00 0000 0000 0042"), ["BE71 0961 2345 6769"]);
    });

    it("cards: a scheme's prefix and length and Luhn; EAN-13 barcodes are not cards", () => {
        for (const v of ["4111 1111 1111 1111", "5555555555554444", "378282246310005", "6011111111111117"]) assert.ok(isCardNumber(v), v);
        for (const v of ["4111111111111112", "4006381333931", "1234567812345678"]) assert.ok(!isCardNumber(v), v);
        assert.deepEqual(findCards("card 4111-1111-1111-1111 exp 12/29, barcode 4006381333931"), ["4111-1111-1111-1111"]);
    });

    it("VAT: the formats and check digits of the common countries; the sanitizer's TEST numbers never pass", () => {
        for (const v of [
            "BE0477472701",
            "DE136695976",
            "FR40303265045",
            "NL004495445B01",
            "IT00743110157",
            "ATU13585627",
            "ESA28015865",
            "GB980780684",
            "LU26375245",
            "PL5260250274",
            "PT501964843",
            "SE556188840401",
            "DK13585628",
            "FI20774740",
            "CHE-116.281.710 MWST",
            "BE 0477.472.701",
        ]) {
            assert.ok(isValidVat(v), v);
        }
        for (const v of ["BE0477472702", "DE136695977", "BETEST123456", "DETEST000042", "XX123456789"]) assert.ok(!isValidVat(v), v);
        assert.deepEqual(findVats("Tax ID BE 0477.472.701 (and INV/2024/0001)"), ["BE 0477.472.701"]);
    });

    it("phones as patterns.ts matches them in SQL: the fiction range and e-mail local parts are not phones", () => {
        assert.deepEqual(findPhones("call +32 470 12 34 56, or +1 555-0142, or mail test+100234@example.com"), ["+32 470 12 34 56"]);
    });

    it("tokens: long mixed letters and digits without spaces; identifiers, markers and fakes are not", () => {
        for (const v of ["ya29.a0AfH6SMBx12345abcdefg", "sk_live_51AcmeSecret0123456", "0123456789abcdef0123456789abcdef"]) assert.ok(isTokenShaped(v), v);
        for (const v of ["website.homepage_page", "sanitized-0123456789abcdef0123", "0123456789abcdef+disabled", "dummy_secret_value_x", "short1234"])
            assert.ok(!isTokenShaped(v), v);
        assert.deepEqual(detect("x", { column: "stripe_secret_key" }), []);
        assert.deepEqual(
            detect("sk_live_51AcmeSecret0123456", { column: "stripe_secret_key" }).map((d) => d.kind),
            ["token"],
        );
    });

    it("known-value forms: what Node compares is what SQL computes (lower/trim, separators removed)", () => {
        assert.deepEqual(formA("  Zenobia Quillfeather "), ["zenobia quillfeather"]);
        assert.deepEqual(formA("Émile Zola"), ["émile zola", "Émile zola"]);
        assert.equal(formB("+32 470 12-34 (56)"), "32470123456");
        assert.equal(formB("be71 0961 2345 6769"), "BE71096123456769");
        assert.ok(knownForms("BE71 0961 2345 6769").includes("BE71096123456769"));
    });
});
