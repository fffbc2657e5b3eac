/**
 * A snapshot is a closed set: every path its manifest names is relative, normalized and inside the
 * snapshot, every file restore reads is one whose SHA-256 was checked, and "sanitized" is proven
 * by the restored data, not by a flag in a file anyone can edit. Run through the real CLI.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { createSnapshot, SanitizeSpec } from "../../../ops/snapshot/create";
import { sanitizeSpec } from "../../../ops/staging/dataRules";
import { fixtureDatabase } from "../../support/odoo";
import { errorLines, runCliProcess } from "../../support/cliProcess";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { query, seedSmallDb } from "../../support/smallDb";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-closed-"));

const testSanitize: SanitizeSpec = {
    seed: "closed-set",
    strict: false,
    plan: async () => ({
        transforms: [{ table: "res_partner", columns: { email: "'test+' || t.id || '@example.com'", name: "'Partner ' || t.id" } }],
        financial: false,
    }),
};

const readManifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
const writeManifest = (dir: string, manifest: unknown) => fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));

async function databases(prefix: string): Promise<string[]> {
    const pg = await testPostgres();
    return (await query<{ datname: string }>(pg.url, `SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}')`)).map((r) => r.datname);
}

describe("snapshots are closed sets (real CLI)", function () {
    this.timeout(120000);
    let source: { url: string; name: string };
    /** The proof behind --require-sanitized is the platform's verify, which reads Odoo databases only. */
    let odoo: { url: string; name: string };

    before(async () => {
        source = await freshDatabase("closed_src");
        await seedSmallDb(source.url, { partners: 50, lines: 200 });
        odoo = await fixtureDatabase("closed_odoo");
    });

    async function sanitizedSnapshot(): Promise<string> {
        const dir = path.join(tmp(), "snap");
        await createSnapshot({ dbUrl: source.url, to: dir, sanitize: testSanitize });
        return dir;
    }

    /** Restores through the CLI; the target must not change whatever the snapshot says. */
    async function refusedRestore(dir: string, code: number, message: RegExp, extra: string[] = []) {
        const target = await freshDatabase("closed_dst");
        await query(target.url, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('live')");
        const run = await runCliProcess(["snapshot", "restore", "--from", dir, "--db", target.url, "--confirm", target.name, ...extra]);
        assert.equal(run.code, code, run.stderr);
        assert.equal(errorLines(run.stderr).length, 1, run.stderr);
        assert.match(run.stderr, message);
        assert.deepEqual(await query(target.url, "SELECT note FROM marker"), [{ note: "live" }]);
        assert.deepEqual(await databases(`${target.name}__`), []);
    }

    it("refuses a sanitized table whose data file points outside the snapshot, in verify and in restore", async () => {
        const dir = await sanitizedSnapshot();
        const outside = path.join(path.dirname(dir), "leak.copy.gz");
        fs.writeFileSync(outside, gzipSync("1\tReal Name\treal.person@customer.test\t\\N\t\\N\n\\.\n"));
        const manifest = readManifest(dir);
        manifest.sanitize.tables[0].path = "../leak.copy.gz";
        writeManifest(dir, manifest);

        const verify = await runCliProcess(["snapshot", "verify", "--from", dir]);
        assert.equal(verify.code, 1, verify.stderr);
        assert.match(verify.stderr, /\.\.\/leak\.copy\.gz/);
        await refusedRestore(dir, 1, /\.\.\/leak\.copy\.gz/);
    });

    it("refuses a data file the checksummed list does not hold", async () => {
        const dir = await sanitizedSnapshot();
        const manifest = readManifest(dir);
        const dataFile = manifest.sanitize.tables[0].path;
        manifest.files = manifest.files.filter((f: { path: string }) => f.path !== dataFile);
        writeManifest(dir, manifest);
        const verify = await runCliProcess(["snapshot", "verify", "--from", dir]);
        assert.equal(verify.code, 1, verify.stderr);
        assert.match(verify.stderr, new RegExp(`${dataFile.replace(/[.]/g, "\\.")}.*not in the manifest's checksummed files|not listed`));
        await refusedRestore(dir, 1, /not (in|listed)/);
    });

    it("refuses files in the snapshot that the manifest does not list, and paths that are not normalized", async () => {
        const extra = await sanitizedSnapshot();
        fs.writeFileSync(path.join(extra, "db", "9999.dat.gz"), gzipSync("planted"));
        const verify = await runCliProcess(["snapshot", "verify", "--from", extra]);
        assert.equal(verify.code, 1, verify.stderr);
        assert.match(verify.stderr, /db\/9999\.dat\.gz/);

        const dotted = await sanitizedSnapshot();
        const manifest = readManifest(dotted);
        manifest.files.push({ path: "db/..", size: 0, sha256: "0".repeat(64) });
        writeManifest(dotted, manifest);
        const bad = await runCliProcess(["snapshot", "verify", "--from", dotted]);
        assert.equal(bad.code, 1, bad.stderr);
        assert.match(bad.stderr, /db\/\.\./);

        const linked = await sanitizedSnapshot();
        const target = readManifest(linked).sanitize.tables[0].path;
        const copy = path.join(path.dirname(linked), "elsewhere.gz");
        fs.copyFileSync(path.join(linked, target), copy);
        fs.rmSync(path.join(linked, target));
        fs.symlinkSync(copy, path.join(linked, target));
        const symlinked = await runCliProcess(["snapshot", "verify", "--from", linked]);
        assert.equal(symlinked.code, 1, symlinked.stderr);
        assert.match(symlinked.stderr, /not a regular file|symbolic link/);
    });

    it("--require-sanitized checks the restored data, not the manifest's flag", async () => {
        const dir = path.join(tmp(), "raw");
        await createSnapshot({ dbUrl: odoo.url, to: dir });
        const manifest = readManifest(dir);
        manifest.sanitized = true;
        manifest.sanitize = { seedFingerprint: "0123456789ab", strict: false, financial: false, tables: [], skipped: [] };
        writeManifest(dir, manifest);
        await refusedRestore(dir, 3, /says it is sanitized, but the restored data holds personal data \(pii: /, ["--require-sanitized"]);
    });

    it("restores a real sanitized snapshot with --require-sanitized", async () => {
        const dir = path.join(tmp(), "snap");
        await createSnapshot({ dbUrl: odoo.url, to: dir, sanitize: sanitizeSpec({ seed: "closed-set", strict: false }) });
        const target = await freshDatabase("closed_ok");
        const run = await runCliProcess(["snapshot", "restore", "--from", dir, "--db", target.url, "--require-sanitized"]);
        assert.equal(run.code, 0, run.stderr);
        const [partners] = await query<{ n: string; outside: string }>(
            target.url,
            "SELECT count(email)::text AS n, count(*) FILTER (WHERE email NOT LIKE '%@example.com')::text AS outside FROM res_partner",
        );
        assert.ok(Number(partners.n) > 0, "partners with e-mails were restored");
        assert.equal(partners.outside, "0");
    });
});
