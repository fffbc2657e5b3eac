import * as assert from "node:assert/strict";
import { checkFile, copyFileName, parseManifest, snapshotId } from "../../../ops/snapshot/manifest";
import { childLocation, parentLocation, parseLocation } from "../../../ops/snapshot/store";

const sha = "a".repeat(64);
const manifest = {
    format: 1,
    id: "prod-20260101T000000Z",
    createdAt: "2026-01-01T00:00:00.000Z",
    durationSeconds: 1.5,
    source: { url: "postgresql://odoo:***@db/prod", database: "prod", serverVersion: "15.8", encoding: "UTF8", collate: "C", ctype: "C" },
    odoo: { version: "17.0.1.3", series: "17.0" },
    pgDump: { version: "15.8", major: 15, format: "directory", jobs: 2 },
    sanitized: false,
    sanitize: null,
    filestore: null,
    files: [{ path: "db/toc.dat", size: 10, sha256: sha }],
};

describe("snapshot manifest", () => {
    it("parses a valid manifest and refuses damaged or foreign ones, naming the problem", () => {
        assert.equal(parseManifest(JSON.stringify(manifest), "/snap").id, manifest.id);
        assert.throws(() => parseManifest(JSON.stringify(manifest).slice(0, 50), "/snap"), /manifest.json is not valid JSON.*damaged or unfinished/);
        assert.throws(() => parseManifest(JSON.stringify({ ...manifest, format: 2 }), "/snap"), /format: /);
        assert.throws(
            () => parseManifest(JSON.stringify({ ...manifest, files: [{ path: "../etc/passwd", size: 1, sha256: sha }] }), "/snap"),
            /names "\.\.\/etc\/passwd", which is not a file inside the snapshot/,
        );
        assert.throws(
            () => parseManifest(JSON.stringify({ ...manifest, files: [{ path: "db/1.dat.gz", size: 1, sha256: sha }] }), "/snap"),
            /does not list db\/toc.dat/,
        );
        const twice = { ...manifest, files: [manifest.files[0], manifest.files[0]] };
        assert.throws(() => parseManifest(JSON.stringify(twice), "/snap"), /lists db\/toc.dat twice/);
    });

    it("tells missing, truncated, resized and corrupted files apart", () => {
        const expected = { path: "db/1.dat.gz", size: 100, sha256: sha };
        assert.equal(checkFile(expected, { size: 100, sha256: sha }), null);
        assert.equal(checkFile(expected, null)?.problem, "missing");
        assert.match(checkFile(expected, { size: 40, sha256: sha })!.detail, /db\/1.dat.gz is truncated: 40 of 100 bytes/);
        assert.equal(checkFile(expected, { size: 101, sha256: sha })?.problem, "size");
        assert.match(checkFile(expected, { size: 100, sha256: "b".repeat(64) })!.detail, /db\/1.dat.gz is corrupted/);
    });

    it("names snapshots and their data files safely", () => {
        assert.equal(snapshotId("odoo prod", new Date("2026-01-02T03:04:05.678Z")), "odoo-prod-20260102T030405Z");
        assert.equal(copyFileName(3, "public", "res partner"), "data/3-public.res_partner.copy.gz");
    });

    it("parses directory and S3 locations, and walks to parent and child", () => {
        assert.deepEqual(parseLocation("s3://my-bucket/staging/snap-1/", "--to"), { kind: "s3", bucket: "my-bucket", prefix: "staging/snap-1" });
        assert.throws(() => parseLocation("s3://my-bucket", "--to"), /non-empty prefix/);
        assert.throws(() => parseLocation("s3://B/x", "--to"), /not an S3 bucket name/);
        assert.throws(() => parseLocation("https://x/y", "--to"), /directory or s3/);
        assert.throws(() => parseLocation(undefined, "--from"), /--from is required/);
        const s3 = parseLocation("s3://bk1/staging/latest", "--from");
        assert.deepEqual(parentLocation(s3), { kind: "s3", bucket: "bk1", prefix: "staging" });
        assert.deepEqual(childLocation(parentLocation(s3), "snap-2"), { kind: "s3", bucket: "bk1", prefix: "staging/snap-2" });
        assert.deepEqual(parentLocation({ kind: "s3", bucket: "bk1", prefix: "top" }), { kind: "s3", bucket: "bk1", prefix: "" });
        assert.throws(() => childLocation(s3, "../x"), /not a snapshot name/);
        assert.deepEqual(parentLocation(parseLocation("/srv/snaps/one", "--to")), { kind: "dir", path: "/srv/snaps" });
    });
});
