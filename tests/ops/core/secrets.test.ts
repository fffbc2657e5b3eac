/**
 * Secrets in URLs, files and fingerprints: redaction that survives odd characters and every libpq
 * secret parameter, password files that only their owner can read, and a seed fingerprint that
 * cannot be turned back into the seed by guessing.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDatabaseUrl, redact } from "../../../ops/postgres/connect";
import { splitPassword } from "../../../ops/postgres/tools";
import { seedFingerprint } from "../../../ops/core/secrets";
import { seedMatchesFingerprint, writeSecretFile } from "../../../ops/core/secrets";

describe("secrets", () => {
    it("redacts passwords with @, / and : in them, and every libpq secret parameter", () => {
        const cases: [string, string[]][] = [
            ["postgresql://odoo:p@ss/w0rd@db:5432/prod", ["p@ss", "ss/w0rd", "w0rd"]],
            ["postgresql://odoo:a:b:c@db/prod", ["a:b:c", "b:c"]],
            ["postgresql://odoo:s3cr%40t@db/prod", ["s3cr%40t", "s3cr@t"]],
            ["postgresql://odoo@db/prod?sslmode=require&sslpassword=k3y-phrase", ["k3y-phrase"]],
            ["postgresql://odoo@db/prod?PASSWORD=upper-case-pw", ["upper-case-pw"]],
            ["postgresql:///prod?host=/run/pg&password=p%26w&port=5", ["p%26w", "p&w"]],
            ["error: cannot reach postgresql://a:one@h1/x nor postgres://b:two@h2/y", ["one", "two"]],
        ];
        for (const [text, secrets] of cases) {
            const shown = redact(text);
            for (const secret of secrets) assert.ok(!shown.includes(secret), `${text} → ${shown} still shows ${secret}`);
        }
        assert.equal(redact("postgresql://odoo:x@db:5432/prod?sslmode=require"), "postgresql://odoo:***@db:5432/prod?sslmode=require");
    });

    it("refuses a URL whose password holds a raw @ or /, saying how to encode it", () => {
        assert.throws(
            () => parseDatabaseUrl("postgresql://odoo:p@ss/w0rd@db:5432/prod", "--db"),
            (err: Error) => {
                assert.match(err.message, /percent-encode/);
                assert.doesNotMatch(err.message, /p@ss|w0rd/);
                return true;
            },
        );
    });

    it("keeps sslpassword off the command line of pg_dump, pg_restore and psql", () => {
        const split = splitPassword("postgresql://odoo:pw@db/prod?sslpassword=k3y&sslmode=require");
        assert.doesNotMatch(split.url, /k3y|pw@/);
        assert.equal(split.password, "pw");
        assert.equal((split as { sslPassword?: string }).sslPassword, "k3y");
    });

    it("writes secret files 0600, tightening an existing file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"));
        const file = path.join(dir, "pw");
        fs.writeFileSync(file, "old");
        fs.chmodSync(file, 0o644);
        writeSecretFile(file, "new\n");
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.equal(fs.readFileSync(file, "utf8"), "new\n");
    });

    it("fingerprints a seed with a slow, salted hash: verifiable with the seed, useless for guessing without a large cost", () => {
        const fp = seedFingerprint("weak");
        const parsed = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([0-9a-f]{32})\$([0-9a-f]{32,})$/.exec(fp);
        assert.ok(parsed, fp);
        assert.ok(Number(parsed[1]) >= 2 ** 15, "cost N at least 2^15");
        assert.notEqual(seedFingerprint("weak"), fp, "a fresh salt every time: no table of precomputed seeds");
        assert.equal(seedMatchesFingerprint("weak", fp), true);
        assert.equal(seedMatchesFingerprint("weaker", fp), false);
    });
});
