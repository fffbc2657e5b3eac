import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lockHash, parseGitShow } from "../../../ops/evidence/build";
import { runCli } from "../../support/cli";
import { evidenceCounts, evidenceDatabase, query } from "../../support/evidence";

const digest = `sha256:${"b".repeat(64)}`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function gitRepo(): { dir: string; sha: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "build-repo-"));
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    fs.writeFileSync(path.join(dir, "package-lock.json"), '{"lockfileVersion":3}\n');
    fs.writeFileSync(path.join(dir, "requirements.txt"), "phonenumbers==8.13.0\n");
    git("add", ".");
    execFileSync("git", ["-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com", "commit", "-q", "-m", "Add invoice layout\n\nLonger body."], {
        cwd: dir,
        env: { ...process.env, GIT_COMMITTER_DATE: "2026-11-20T08:30:00Z", GIT_AUTHOR_DATE: "2026-11-20T08:30:00Z" },
    });
    return { dir, sha: git("rev-parse", "HEAD") };
}

describe("evidence build", () => {
    it("parses git show output, message with separators intact", () => {
        const info = parseGitShow(`${"a".repeat(40)}\x1fAda <ada@example.com>\x1f2026-11-20T08:30:00Z\x1fTitle\n\nBody\n`);
        assert.deepEqual(info, { sha: "a".repeat(40), author: "Ada <ada@example.com>", committedAt: "2026-11-20T08:30:00Z", message: "Title\n\nBody" });
    });

    it("hashes one lock file like sha256sum, several as their sorted listing", () => {
        const { dir } = gitRepo();
        const lock = fs.readFileSync(path.join(dir, "package-lock.json"), "utf8");
        const reqs = fs.readFileSync(path.join(dir, "requirements.txt"), "utf8");
        assert.equal(lockHash(["package-lock.json"], dir).hash, `sha256:${sha256(lock)}`);
        const both = lockHash(["requirements.txt", "package-lock.json"], dir);
        assert.deepEqual(both.files, ["package-lock.json", "requirements.txt"]);
        assert.equal(both.hash, `sha256:${sha256(`${sha256(lock)}  package-lock.json\n${sha256(reqs)}  requirements.txt\n`)}`);
    });

    it("records the commit, branch, author, time, lock hash and image of a checkout", async () => {
        const db = await evidenceDatabase("build_row");
        const { dir, sha } = gitRepo();
        fs.writeFileSync(path.join(dir, "build.log"), "#1 building\n#2 pushing\n");
        const run = await runCli([
            "evidence",
            "build",
            "--evidence-db",
            db.writerUrl,
            "--repo-dir",
            dir,
            "--image",
            `ghcr.io/o/odoo:17.0@${digest}`,
            "--lock-file",
            "package-lock.json",
            "--lock-file",
            "requirements.txt",
            "--log-file",
            path.join(dir, "build.log"),
            "--evidence-dir",
            path.join(dir, "evidence"),
            "--stamp",
            "20261120T083500Z",
            "--json",
        ]);
        assert.equal(run.code, 0, run.stderr);
        const [row] = await query<Record<string, any>>(db.url, "SELECT * FROM ops.builds");
        assert.equal(row.git_sha, sha);
        assert.equal(row.branch, "main");
        assert.equal(row.author, "Ada Lovelace <ada@example.com>");
        assert.equal(row.commit_message, "Add invoice layout\n\nLonger body.");
        assert.equal(row.committed_at.toISOString(), "2026-11-20T08:30:00.000Z");
        assert.equal(row.lock_hash, run.json.lockHash);
        assert.deepEqual(row.lock_files, ["package-lock.json", "requirements.txt"]);
        assert.equal(row.image_reference, `ghcr.io/o/odoo@${digest}`);
        assert.equal(row.image_digest, digest);
        assert.equal(fs.readFileSync(path.join(dir, "evidence/20261120T083500Z/build/logs/build.log"), "utf8"), "#1 building\n#2 pushing\n");
    });

    it("a deployment of the same commit and image links to its build", async () => {
        const db = await evidenceDatabase("build_link");
        const { dir, sha } = gitRepo();
        const build = await runCli([
            "evidence",
            "build",
            "--evidence-db",
            db.writerUrl,
            "--repo-dir",
            dir,
            "--image",
            `ghcr.io/o/odoo@${digest}`,
            "--lock-file",
            "package-lock.json",
            "--evidence-dir",
            path.join(dir, "evidence"),
            "--json",
        ]);
        assert.equal(build.code, 0, build.stderr);
        const outputs = {
            stackName: "staging",
            stageName: "staging",
            gitSha: sha.slice(0, 12),
            url: "https://staging.example.com",
            databaseName: "odoo_staging",
            imageReference: `ghcr.io/o/odoo@${digest}`,
            imageDigest: `ghcr.io/o/odoo@${digest}`,
            evidence: { stack: "staging", gitSha: sha.slice(0, 12) },
        };
        fs.writeFileSync(path.join(dir, "outputs.json"), JSON.stringify(outputs));
        const deploy = await runCli([
            "evidence",
            "deployment",
            "--evidence-db",
            db.writerUrl,
            "--outputs",
            path.join(dir, "outputs.json"),
            "--status",
            "succeeded",
            "--evidence-dir",
            path.join(dir, "evidence"),
            "--json",
        ]);
        assert.equal(deploy.code, 0, deploy.stderr);
        assert.equal(deploy.json.buildId, build.json.id);
    });

    it("bad input is refused before anything is written", async () => {
        const db = await evidenceDatabase("build_bad");
        const { dir } = gitRepo();
        const base = ["evidence", "build", "--evidence-db", db.writerUrl, "--repo-dir", dir, "--evidence-dir", path.join(dir, "evidence")];
        const unpinned = await runCli([...base, "--image", "ghcr.io/o/odoo:latest"]);
        assert.equal(unpinned.code, 2);
        assert.match(unpinned.stderr, /--image must be a pinned image reference such as ghcr\.io\/org\/odoo@sha256/);
        const noLock = await runCli([...base, "--image", `ghcr.io/o/odoo@${digest}`, "--lock-file", "poetry.lock"]);
        assert.equal(noLock.code, 2);
        assert.match(noLock.stderr, /lock file poetry\.lock does not exist/);
        const noLog = await runCli([...base, "--image", `ghcr.io/o/odoo@${digest}`, "--log-file", path.join(dir, "nope.log")]);
        assert.equal(noLog.code, 2);
        assert.match(noLog.stderr, /log file .*nope\.log does not exist/);
        assert.deepEqual(await evidenceCounts(db.url), { builds: 0, health_checks: 0, deployments: 0, migrations: 0 });
        assert.equal(fs.existsSync(path.join(dir, "evidence")), false);
    });
});
