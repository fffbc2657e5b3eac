import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");
import { backupPrefix, latestBackup, newestBackup } from "../../../ops/promotion/backup";
import { modulesFromPaths } from "../../../ops/promotion/modules";
import { runCli } from "../../support/cli";

function repoWithAddons(): { dir: string; commit: (msg: string) => string; write: (file: string, text: string) => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "addons-repo-"));
    const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    };
    const commit = (msg: string) => {
        git("add", "-A");
        git("commit", "-q", "-m", msg);
        return git("rev-parse", "HEAD");
    };
    return { dir, commit, write };
}

describe("modules changed", () => {
    it("maps changed paths to the modules that own them", () => {
        const paths = [
            "addons/sale_x/models/sale.py",
            "addons/README.md",
            "addons/.github/x.yml",
            "oca/web_y/static/a.js",
            "docs/x.md",
            "addons/gone/models.py",
        ];
        const modules = [
            { name: "sale_x", path: "addons/sale_x", root: "addons" },
            { name: "web_y", path: "oca/web/web_y", root: "oca/web" },
        ];
        paths.push("oca/web/web_y/static/b.js", "oca/web/README.md");
        assert.deepEqual(modulesFromPaths(paths, modules), ["sale_x", "web_y"]);
    });

    it("lists the modules touched between two commits (what `-u` needs), and every module without a base", async () => {
        const repo = repoWithAddons();
        repo.write("addons/sale_x/__manifest__.py", "{'version': '17.0.1.0'}");
        repo.write("addons/crm_y/__manifest__.py", "{'version': '17.0.1.0'}");
        repo.write("addons/crm_y/models/lead.py", "# lead");
        // A module two levels down (addons/<group>/<module>) is found by its manifest too.
        repo.write("addons/ipai/ipai_z/__manifest__.py", "{'version': '17.0.1.0'}");
        repo.write("addons/ipai/ipai_z/models/z.py", "# z");
        const first = repo.commit("first");
        repo.write("addons/crm_y/models/lead.py", "# lead, changed");
        repo.write("addons/ipai/ipai_z/models/z.py", "# z, changed");
        repo.write("requirements.txt", "phonenumbers\n");
        const second = repo.commit("second");

        const run = await runCli(["modules", "changed", "--from", first, "--to", second, "--repo-dir", repo.dir, "--json"]);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.json.modules, ["crm_y", "ipai_z"]);
        assert.equal(run.json.requirementsChanged, true);
        const text = await runCli(["modules", "changed", "--to", second, "--repo-dir", repo.dir]);
        assert.equal(text.stdout, "crm_y,ipai_z,sale_x\n");
        const bad = await runCli(["modules", "changed", "--from", "0000000", "--to", second, "--repo-dir", repo.dir]);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /git diff [\s\S]* failed [\s\S]*fetch-depth: 0/);
    });
});

describe("backup keys", () => {
    it("puts scheduled backups in the retention tier of their day, promotion backups apart", () => {
        assert.equal(backupPrefix("scheduled", new Date("2026-11-24T02:00:00Z")), "production/daily/20261124T020000Z/");
        assert.equal(backupPrefix("scheduled", new Date("2026-11-29T02:00:00Z")), "production/weekly/20261129T020000Z/");
        assert.equal(backupPrefix("scheduled", new Date("2026-12-01T02:00:00Z")), "production/monthly/20261201T020000Z/");
        assert.equal(backupPrefix("promotion", new Date("2026-12-01T02:00:00Z")), "production/promotion/20261201T020000Z/");
        assert.equal(
            newestBackup(["production/daily/20261124T020000Z/", "production/promotion/20261124T153000Z/", "staging/x/", "production/weekly/20261122T020000Z/"]),
            "production/promotion/20261124T153000Z/",
        );
    });

    it("finds the newest backup in a bucket (a local S3 server)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
        const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir });
        const { port } = await server.run();
        const endpoint = `http://127.0.0.1:${port}`;
        const client = new S3Client({ region: "eu-west-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
        try {
            await client.send(new CreateBucketCommand({ Bucket: "snapshots" }));
            for (const key of [
                "production/daily/20261123T020000Z/manifest.json",
                "production/weekly/20261122T020000Z/manifest.json",
                "production/daily/20261124T020000Z/manifest.json",
                "production/daily/20261124T020000Z/dump/toc.dat",
                "staging/20261125T000000Z/manifest.json",
            ]) {
                await client.send(new PutObjectCommand({ Bucket: "snapshots", Key: key, Body: "{}" }));
            }
            assert.equal(await latestBackup(client, "snapshots"), "production/daily/20261124T020000Z/");
            process.env.AWS_ACCESS_KEY_ID ??= "S3RVER";
            process.env.AWS_SECRET_ACCESS_KEY ??= "S3RVER";
            const run = await runCli(["backup", "latest", "--bucket", "snapshots", "--s3-endpoint", endpoint]);
            assert.equal(run.code, 0, run.stderr);
            assert.equal(run.stdout, "s3://snapshots/production/daily/20261124T020000Z/\n");
            const empty = await runCli(["backup", "latest", "--bucket", "snapshots-empty", "--s3-endpoint", endpoint]);
            assert.notEqual(empty.code, 0);
        } finally {
            client.destroy();
            await server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
