import { HeadObjectCommand } from "@aws-sdk/client-s3";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { createSnapshot, SanitizeSpec } from "../../../ops/snapshot/create";
import { exitCodeOf } from "../../../ops/cli/exitCodes";
import { restoreSnapshot, SnapshotIntegrityError } from "../../../ops/snapshot/restore";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { markManaged, scanForPersonalData } from "../../support/managed";
import { startTestS3, TestS3 } from "../../support/s3";
import { query, seedSmallDb, tableDigest } from "../../support/smallDb";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-test-"));

/** A test transform: the partner e-mail becomes test+<id>@example.com, names are blanked. */
const testSanitize: SanitizeSpec = {
    seed: "test",
    strict: false,
    plan: async () => ({
        transforms: [{ table: "res_partner", columns: { email: "'test+' || t.id || '@example.com'", name: "'Partner ' || t.id" } }],
        financial: false,
    }),
};

async function databases(): Promise<string[]> {
    const pg = await testPostgres();
    return (await query<{ datname: string }>(pg.url, "SELECT datname FROM pg_database ORDER BY 1")).map((r) => r.datname);
}

/** Every byte the snapshot holds, decompressed where gzip. */
function snapshotText(dir: string): string {
    let text = "";
    for (const sub of ["db", "data"]) {
        const d = path.join(dir, sub);
        if (!fs.existsSync(d)) continue;
        for (const f of fs.readdirSync(d)) {
            const raw = fs.readFileSync(path.join(d, f));
            text += (f.endsWith(".gz") ? gunzipSync(raw) : raw).toString("latin1");
        }
    }
    return text;
}

describe("snapshot create / restore", function () {
    this.timeout(120000);
    let source: { url: string; name: string };
    let filestore: string;

    before(async () => {
        source = await freshDatabase("snap_src");
        await seedSmallDb(source.url);
        filestore = tmp();
        fs.mkdirSync(path.join(filestore, "ab"), { recursive: true });
        fs.writeFileSync(path.join(filestore, "ab", "abcdef"), "attachment body");
    });

    it("round-trips through a directory: same rows, sequences, indexes, materialized view and filestore; the old database is replaced only after success", async () => {
        const dir = path.join(tmp(), "snap");
        const created = await createSnapshot({ dbUrl: source.url, to: dir, filestore, jobs: 2 });
        assert.equal(created.sanitized, false);
        assert.equal(created.odooVersion, "17.0.1.3");
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
        assert.equal(manifest.odoo.series, "17.0");
        assert.ok(!manifest.source.url.includes("password"));
        for (const f of manifest.files) {
            const body = fs.readFileSync(path.join(dir, f.path));
            assert.equal(body.length, f.size, f.path);
            assert.equal(crypto.createHash("sha256").update(body).digest("hex"), f.sha256, f.path);
        }

        const target = await freshDatabase("snap_dst");
        await seedSmallDb(target.url, { partners: 3, lines: 3, marker: "old staging" });
        await markManaged(target.name);
        const liveFilestore = path.join(tmp(), "filestore", target.name);
        fs.mkdirSync(liveFilestore, { recursive: true });
        fs.writeFileSync(path.join(liveFilestore, "old"), "old");

        const report = await restoreSnapshot({ from: dir, dbUrl: target.url, filestore: liveFilestore, jobs: 2, keepPrevious: false });
        assert.equal(report.swap.previous?.startsWith(`${target.name}__previous_`), true);
        assert.equal(report.swap.previousKept, false);
        assert.ok(report.swap.unavailableSeconds < 10);
        for (const table of ["res_partner", "account_move_line", "marker"]) {
            assert.equal(await tableDigest(target.url, table), await tableDigest(source.url, table), table);
        }
        const [seq] = await query<{ v: string }>(target.url, "SELECT nextval('res_partner_id_seq')::text AS v");
        assert.equal(seq.v, "501");
        const [mv] = await query<{ n: string }>(target.url, "SELECT n::text FROM partner_count");
        assert.equal(mv.n, "500");
        const idx = await query(target.url, "SELECT 1 FROM pg_indexes WHERE indexname = 'account_move_line_partner_idx'");
        assert.equal(idx.length, 1);
        assert.equal(fs.readFileSync(path.join(liveFilestore, "ab", "abcdef"), "utf8"), "attachment body");
        assert.ok(!fs.existsSync(path.join(liveFilestore, "old")));
        const left = (await databases()).filter((d) => d.startsWith(`${target.name}__`));
        assert.deepEqual(left, [], "no work database left behind");
        assert.deepEqual(fs.readdirSync(path.dirname(liveFilestore)), [target.name]);
    });

    it("refuses a corrupted, truncated or incomplete snapshot before anything changes, naming the file", async () => {
        const dir = path.join(tmp(), "snap");
        await createSnapshot({ dbUrl: source.url, to: dir, jobs: 2 });
        const target = await freshDatabase("snap_refuse");
        await seedSmallDb(target.url, { partners: 3, lines: 3, marker: "untouched" });
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as { files: { path: string; size: number }[] };
        const dataFiles = manifest.files.filter((f) => f.path.endsWith(".dat.gz")).sort((a, b) => b.size - a.size);

        const damage: [string, (file: string) => void, RegExp][] = [
            [
                "one flipped byte",
                (file) => {
                    const body = fs.readFileSync(file);
                    body[Math.floor(body.length / 2)] ^= 0xff;
                    fs.writeFileSync(file, body);
                },
                /is corrupted: SHA-256/,
            ],
            ["a truncated file", (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)), /is truncated: \d+ of \d+ bytes/],
            ["a missing file", (file) => fs.rmSync(file), /is missing/],
        ];
        const before = await databases();
        for (const [label, harm, message] of damage) {
            const copy = path.join(tmp(), "damaged");
            fs.cpSync(dir, copy, { recursive: true });
            harm(path.join(copy, dataFiles[0].path));
            await assert.rejects(restoreSnapshot({ from: copy, dbUrl: target.url }), (err: Error) => {
                assert.ok(err instanceof SnapshotIntegrityError, `${label}: ${err.message}`);
                assert.equal(exitCodeOf(err), 1);
                assert.match(err.message, new RegExp(`${dataFiles[0].path.replace(/\./g, "\\.")} ${message.source}`), label);
                assert.match(err.message, /nothing was changed/);
                return true;
            });
        }
        const unfinished = path.join(tmp(), "unfinished");
        fs.cpSync(dir, unfinished, { recursive: true });
        fs.rmSync(path.join(unfinished, "manifest.json"));
        await assert.rejects(restoreSnapshot({ from: unfinished, dbUrl: target.url }), (err: Error) => {
            assert.match(err.message, /holds no manifest.json: not a snapshot, or an unfinished one/);
            assert.equal(exitCodeOf(err), 2);
            return true;
        });
        assert.deepEqual(await databases(), before, "no database created, renamed or dropped");
        const [m] = await query<{ note: string }>(target.url, "SELECT note FROM marker");
        assert.equal(m.note, "untouched");
    });

    it("with --sanitize, personal data never reaches the snapshot; the restore carries the sanitized rows and everything else unchanged", async () => {
        const dir = path.join(tmp(), "sanitized");
        const created = await createSnapshot({ dbUrl: source.url, to: dir, sanitize: testSanitize, jobs: 2, latest: true });
        assert.equal(created.sanitized, true);
        assert.deepEqual(
            created.manifest.sanitize!.tables.map((t) => [t.name, t.transformed, t.rows]),
            [["res_partner", ["name", "email"], 500]],
        );
        const everything = snapshotText(dir);
        assert.ok(everything.includes("test+1@example.com"), "sanitized rows are in the snapshot");
        assert.ok(everything.includes("line 1999"), "other tables are dumped");
        assert.ok(!everything.includes("@customer.test"), "no original e-mail address anywhere in the snapshot");
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(path.dirname(dir), "latest.json"), "utf8")).id, "sanitized");

        const target = await freshDatabase("snap_san");
        const report = await restoreSnapshot({
            from: path.join(path.dirname(dir), "latest"),
            dbUrl: target.url,
            requireSanitized: true,
            proveSanitized: scanForPersonalData,
        });
        assert.equal(report.snapshot.sanitized, true);
        assert.deepEqual(report.proof, { checked: true, findings: [] });
        const partners = await query<{ n: string; bad: string }>(
            target.url,
            "SELECT count(*)::text AS n, count(*) FILTER (WHERE email NOT LIKE 'test+%@example.com')::text AS bad FROM res_partner",
        );
        assert.deepEqual(partners[0], { n: "500", bad: "0" });
        assert.equal(
            await tableDigest(target.url, "(SELECT id, comment, photo FROM res_partner) AS"),
            await tableDigest(source.url, "(SELECT id, comment, photo FROM res_partner) AS"),
            "untransformed columns (tabs, newlines, backslashes, bytea, unicode) survive exactly",
        );
        assert.equal(await tableDigest(target.url, "account_move_line"), await tableDigest(source.url, "account_move_line"));
        const fk = await query(target.url, "SELECT 1 FROM pg_constraint WHERE conname = 'account_move_line_partner_id_fkey'");
        assert.equal(fk.length, 1, "post-data (foreign keys) restored after the sanitized rows");
    });

    it("refuses to restore an unsanitized snapshot where only sanitized ones are allowed", async () => {
        const dir = path.join(tmp(), "raw");
        await createSnapshot({ dbUrl: source.url, to: dir });
        const target = await freshDatabase("snap_raw");
        await assert.rejects(
            restoreSnapshot({ from: dir, dbUrl: target.url, requireSanitized: true, proveSanitized: scanForPersonalData }),
            /is not sanitized .*only sanitized snapshots may be restored here/,
        );
        await assert.rejects(createSnapshot({ dbUrl: source.url, to: dir }), /already holds a snapshot/);
    });

    describe("on S3 (local S3-compatible server)", () => {
        let s3: TestS3;
        before(async () => {
            s3 = await startTestS3("snapshots");
        });
        after(async () => {
            await s3?.stop();
        });

        it("uploads with multipart, verifies every checksum on the way down, and refuses a damaged object", async () => {
            const big = tmp();
            // 11 MiB of incompressible bytes: three 5 MiB parts.
            fs.writeFileSync(path.join(big, "blob"), crypto.randomBytes(11 * 1024 * 1024));
            // The store uses the client it is given: the test watches the requests it sends.
            const client = s3.client;
            const sent: string[] = [];
            client.middlewareStack.add(
                (next, context) => async (args) => {
                    sent.push(String(context.commandName));
                    return next(args);
                },
                { step: "initialize" },
            );
            const options = { endpoint: s3.endpoint, partSize: 5 * 1024 * 1024, client };
            const to = `s3://${s3.bucket}/staging/snap-1`;
            const created = await createSnapshot({ dbUrl: source.url, to, filestore: big, sanitize: testSanitize, s3: options, latest: true });
            assert.equal(created.location, to);
            assert.equal(sent.filter((c) => c === "CreateMultipartUploadCommand").length, 1, "the filestore tar goes up in parts");
            assert.equal(sent.filter((c) => c === "UploadPartCommand").length, 3);
            assert.equal(sent.filter((c) => c === "CompleteMultipartUploadCommand").length, 1);
            const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "staging/snap-1/filestore.tar" }));
            assert.ok(Number(head.ContentLength) > 11 * 1024 * 1024);

            const target = await freshDatabase("snap_s3");
            const live = path.join(tmp(), target.name);
            const report = await restoreSnapshot({
                from: `s3://${s3.bucket}/staging/latest`,
                dbUrl: target.url,
                filestore: live,
                s3: options,
                requireSanitized: true,
                proveSanitized: scanForPersonalData,
            });
            assert.equal(report.snapshot.id, "snap-1");
            assert.equal(await tableDigest(target.url, "account_move_line"), await tableDigest(source.url, "account_move_line"));
            assert.ok(fs.readFileSync(path.join(live, "blob")).equals(fs.readFileSync(path.join(big, "blob"))));

            // Corrupt one stored object behind the server's back: the restore must refuse it.
            const stored = fs.readdirSync(path.join(s3.directory, s3.bucket, "staging", "snap-1", "db")).find((f) => f.endsWith(".dat.gz._S3rver_object"));
            assert.ok(stored, "s3rver keeps objects as files");
            const file = path.join(s3.directory, s3.bucket, "staging", "snap-1", "db", stored!);
            const body = fs.readFileSync(file);
            body[0] ^= 0xff;
            fs.writeFileSync(file, body);
            const [before] = await query<{ n: string }>(target.url, "SELECT count(*)::text AS n FROM res_partner");
            await assert.rejects(restoreSnapshot({ from: to, dbUrl: target.url, s3: options }), /db\/\d+\.dat\.gz is corrupted/);
            const [afterRefusal] = await query<{ n: string }>(target.url, "SELECT count(*)::text AS n FROM res_partner");
            assert.deepEqual(afterRefusal, before);
        });
    });
});
