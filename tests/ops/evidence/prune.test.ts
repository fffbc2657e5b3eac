import { GetObjectCommand } from "@aws-sdk/client-s3";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { pruneEvidence, PruneReport } from "../../../ops/evidence/prune";
import { parseS3Url } from "../../../ops/s3";
import { dayMs } from "../../../ops/evidence/prunePolicy";
import { startTestS3, TestS3 } from "../../support/s3";

const projectDir = path.resolve(__dirname, "../../..");
const policy = { compressAfterDays: 30, deleteAfterDays: 90 };

/** An evidence tree with files 10, 40 and 100 days old (mtime set with utimes). */
function evidenceTree(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-"));
    const write = (rel: string, daysOld: number, content: string) => {
        const abs = path.join(dir, rel);
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        fs.writeFileSync(abs, content);
        const t = new Date(Date.now() - daysOld * dayMs);
        fs.utimesSync(abs, t, t);
    };
    write("20261115T100000Z/deploy/logs/deploy.log", 10, "deploy ok\n".repeat(200));
    write("20261016T100000Z/build/logs/build.log", 40, "build step\n".repeat(500));
    write("20260817T100000Z/deploy/logs/deploy.log", 100, "old deploy\n".repeat(50));
    return dir;
}

const actions = (report: PruneReport) => Object.fromEntries(report.files.map((f) => [f.path, f.action]));
const tree = (dir: string): string[] => {
    const out: string[] = [];
    const walk = (d: string, rel: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) walk(path.join(d, e.name), r);
            else out.push(r);
        }
    };
    walk(dir, "");
    return out.sort();
};

describe("evidence prune", function () {
    this.timeout(60_000);
    const dirs: string[] = [];
    afterEach(() => {
        for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    });
    const fresh = () => {
        const d = evidenceTree();
        dirs.push(d);
        return d;
    };

    it("dry run reports keep / compress / delete for 10-, 40- and 100-day-old files and changes nothing", async () => {
        const dir = fresh();
        const before = tree(dir);
        const report = await pruneEvidence({ dir, policy, dryRun: true });
        assert.deepEqual(actions(report), {
            "20260817T100000Z/deploy/logs/deploy.log": "delete",
            "20261016T100000Z/build/logs/build.log": "compress",
            "20261115T100000Z/deploy/logs/deploy.log": "keep",
        });
        assert.ok(report.files.every((f) => !f.done));
        assert.deepEqual(tree(dir), before);
        assert.deepEqual(report.summary, { keep: 1, compress: 1, archive: 0, delete: 1, error: 0 });
    });

    it("without --dry-run does exactly that: gzip keeping the age, delete, keep; a second run changes nothing", async () => {
        const dir = fresh();
        const original = fs.readFileSync(path.join(dir, "20261016T100000Z/build/logs/build.log"));
        const mtime = fs.statSync(path.join(dir, "20261016T100000Z/build/logs/build.log")).mtimeMs;
        const report = await pruneEvidence({ dir, policy, dryRun: false });
        assert.ok(report.ok);
        assert.ok(report.files.every((f) => f.done || f.action === "keep"));
        assert.deepEqual(tree(dir), ["20261016T100000Z/build/logs/build.log.gz", "20261115T100000Z/deploy/logs/deploy.log"]);
        const gz = path.join(dir, "20261016T100000Z/build/logs/build.log.gz");
        assert.deepEqual(gunzipSync(fs.readFileSync(gz)), original, "the compressed file holds the original bytes");
        assert.equal(Math.round(fs.statSync(gz).mtimeMs), Math.round(mtime), "compression keeps the modification time");
        const compressed = report.files.find((f) => f.action === "compress")!;
        assert.ok(compressed.compressedBytes! < compressed.bytes);
        assert.deepEqual(report.removedDirectories, ["20260817T100000Z", "20260817T100000Z/deploy", "20260817T100000Z/deploy/logs"]);

        const again = await pruneEvidence({ dir, policy, dryRun: false });
        assert.deepEqual(actions(again), { "20261016T100000Z/build/logs/build.log.gz": "keep", "20261115T100000Z/deploy/logs/deploy.log": "keep" });
        assert.deepEqual(tree(dir), ["20261016T100000Z/build/logs/build.log.gz", "20261115T100000Z/deploy/logs/deploy.log"]);

        // Sixty days later the compressed file passes 90 days and goes.
        const later = await pruneEvidence({ dir, policy, dryRun: false, nowMs: Date.now() + 60 * dayMs });
        assert.equal(actions(later)["20261016T100000Z/build/logs/build.log.gz"], "delete");
        assert.equal(actions(later)["20261115T100000Z/deploy/logs/deploy.log"], "compress");
    });

    it("reports a broken symlink and a named pipe without reading them, and handles every other file", async () => {
        const dir = fresh();
        fs.symlinkSync("/nonexistent/deploy.log", path.join(dir, "20261016T100000Z/build/logs/missing.log"));
        execFileSync("mkfifo", [path.join(dir, "20261016T100000Z/build/logs/pipe.log")]);
        const report = await pruneEvidence({ dir, policy, dryRun: false });
        assert.equal(report.ok, false);
        const errors = report.files.filter((f) => f.action === "error");
        assert.deepEqual(
            errors.map((f) => [f.path, f.reason]),
            [
                ["20261016T100000Z/build/logs/missing.log", "broken symbolic link"],
                ["20261016T100000Z/build/logs/pipe.log", "a named pipe, not an evidence file"],
            ],
        );
        assert.equal(report.summary.error, 2);
        assert.equal(actions(report)["20260817T100000Z/deploy/logs/deploy.log"], "delete");
        assert.ok(fs.existsSync(path.join(dir, "20261016T100000Z/build/logs/build.log.gz")), "the readable file was still compressed");
        assert.ok(fs.lstatSync(path.join(dir, "20261016T100000Z/build/logs/pipe.log")).isFIFO(), "the pipe is left alone");
    });

    it("moves compressed files to S3 and deletes the local copy only after the upload is verified", async () => {
        let s3: TestS3 | undefined;
        try {
            s3 = await startTestS3();
            const dir = fresh();
            const to = parseS3Url(`s3://${s3.bucket}/evidence`, "--to");
            const dry = await pruneEvidence({ dir, policy, to, dryRun: true }, { s3: s3.client });
            assert.equal(actions(dry)["20261016T100000Z/build/logs/build.log"], "archive");
            const report = await pruneEvidence({ dir, policy, to, dryRun: false }, { s3: s3.client });
            assert.ok(report.ok, JSON.stringify(report.files));
            const archived = report.files.find((f) => f.action === "archive")!;
            assert.equal(archived.remote, `s3://${s3.bucket}/evidence/20261016T100000Z/build/logs/build.log.gz`);
            assert.deepEqual(tree(dir), ["20261115T100000Z/deploy/logs/deploy.log"]);
            const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: "evidence/20261016T100000Z/build/logs/build.log.gz" }));
            const body = Buffer.from(await object.Body!.transformToByteArray());
            assert.equal(gunzipSync(body).toString(), "build step\n".repeat(500));
            const again = await pruneEvidence({ dir, policy, to, dryRun: false }, { s3: s3.client });
            assert.deepEqual(again.summary, { keep: 1, compress: 0, archive: 0, delete: 0, error: 0 });
        } finally {
            await s3?.stop();
        }
    });

    it("keeps the local compressed file and reports the error when the upload fails", async () => {
        const dir = fresh();
        const s3 = await startTestS3();
        await s3.stop();
        const to = parseS3Url("s3://evidence-archive/evidence", "--to");
        const report = await pruneEvidence({ dir, policy, to, dryRun: false }, { s3: s3.client });
        assert.equal(report.ok, false);
        const failed = report.files.find((f) => f.action === "archive")!;
        assert.ok(failed.error, "error reported");
        assert.equal(failed.done, false);
        assert.ok(fs.existsSync(path.join(dir, "20261016T100000Z/build/logs/build.log.gz")), "compressed copy kept locally");
        assert.ok(!fs.existsSync(path.join(dir, "20260817T100000Z/deploy/logs/deploy.log")), "the rest still happened");
    });

    it("runs from the CLI: --dry-run text report, then --json, exit 2 on bad usage", () => {
        const dir = fresh();
        const cli = (...args: string[]) =>
            spawnSync("node", [path.join(projectDir, "bin/odoo-platform.js"), "evidence", "prune", "--dir", dir, ...args], {
                encoding: "utf8",
                env: { ...process.env, ODOO_PLATFORM_QUIET: "1" },
            });
        const dry = cli("--compress-after", "30d", "--delete-after", "90d", "--dry-run");
        assert.equal(dry.status, 0, dry.stderr);
        assert.match(dry.stdout, /keep\s+10d\s+20261115T100000Z\/deploy\/logs\/deploy\.log/);
        assert.match(dry.stdout, /compress\s+40d\s+20261016T100000Z\/build\/logs\/build\.log/);
        assert.match(dry.stdout, /delete\s+100d\s+20260817T100000Z\/deploy\/logs\/deploy\.log/);
        const real = cli("--json");
        assert.equal(real.status, 0, real.stderr);
        const report = JSON.parse(real.stdout);
        assert.deepEqual(report.summary, { keep: 1, compress: 1, archive: 0, delete: 1, error: 0 });
        const bad = cli("--compress-after", "90d", "--delete-after", "30d");
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /--delete-after \(30d\) must be longer than --compress-after \(90d\)/);
        assert.equal(cli("--to", "http://bucket").status, 2);
        const missing = spawnSync("node", [path.join(projectDir, "bin/odoo-platform.js"), "evidence", "prune", "--dir", path.join(dir, "nope")], {
            encoding: "utf8",
        });
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /does not exist/);
    });
});
