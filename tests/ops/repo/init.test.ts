import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { planStack } from "../../../plan/plan";
import { runCli } from "../../support/cli";
import { ciEnv } from "../../support/plan";

const root = path.resolve(__dirname, "../../..");
const configOf = (file: string) => parse(fs.readFileSync(file, "utf8")).config;

const made: string[] = [];
const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "init-"));
    made.push(dir);
    return dir;
};

describe("odoo-platform init", () => {
    after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    it("no code or doc names the organisation's domain: only stack files (its own and examples/) and tests reading them do", () => {
        const { execFileSync } = require("node:child_process") as typeof import("node:child_process");
        const domain = configOf(path.join(root, "Pulumi.production.yaml"))["odoo-platform:domain"] as string;
        const org = domain.split(".")[0];
        const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
        const offending = tracked
            .filter((f) => !/(^|\/)Pulumi\.[^/]+\.yaml$/.test(f) && !f.startsWith("tests/") && fs.existsSync(path.join(root, f)))
            .filter((f) => new RegExp(org, "i").test(fs.readFileSync(path.join(root, f), "utf8")));
        assert.deepEqual(offending, []);
    });

    it("writes this repository's own stack files (they are init's output)", async () => {
        const dir = tempDir();
        const r = await runCli([
            "init",
            "--domain",
            "insightpulseai.com",
            "--repo",
            "insightpulseai/odoo",
            "--odoo-version",
            "17.0",
            "--dir",
            dir,
            "--image-digest",
            "sha256:5b0f1d5a9c6e3f2e8b7a4c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f",
        ]);
        assert.equal(r.code, 0, r.stderr);
        for (const f of ["Pulumi.dev.yaml", "Pulumi.pr.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml"]) {
            assert.deepEqual(configOf(path.join(dir, f)), configOf(path.join(root, f)), f);
        }
    });

    it("starts another organisation: its domain and repository everywhere, every stack plans clean, placeholders listed", async () => {
        const dir = tempDir();
        const r = await runCli([
            "init",
            "--domain",
            "acme-erp.example",
            "--repo",
            "Acme/odoo-monorepo",
            "--odoo-version",
            "19.0",
            "--addons-roots",
            "addons/acme",
            "--dir",
            dir,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /odooImage digest \(staging, production\)/);
        for (const f of fs.readdirSync(dir)) {
            const text = fs.readFileSync(path.join(dir, f), "utf8");
            assert.doesNotMatch(text, /insightpulseai/i, f);
        }
        assert.equal(configOf(path.join(dir, "Pulumi.production.yaml"))["odoo-platform:host"], "erp.acme-erp.example");
        assert.equal(configOf(path.join(dir, "Pulumi.pr.yaml"))["odoo-platform:sharedStack"], "Acme/odoo-platform/staging");
        assert.deepEqual(configOf(path.join(dir, "Pulumi.dev.yaml"))["odoo-platform:addonsRoots"], ["addons/acme"]);
        for (const stack of ["dev", "staging", "production"]) {
            const result = await planStack({ stack, configFile: path.join(dir, `Pulumi.${stack}.yaml`), env: ciEnv() });
            assert.equal(
                result.exitCode,
                0,
                `${stack}: ${result.errors.join("; ")} ${JSON.stringify(result.policies.filter((p) => p.violations.length).map((p) => p.violations))}`,
            );
        }
        const again = await runCli(["init", "--domain", "acme-erp.example", "--repo", "Acme/odoo-monorepo", "--dir", dir]);
        assert.equal(again.code, 2);
        assert.match(again.stderr, /already exist .*nothing was written \(use --force/);
        const bad = await runCli(["init", "--domain", "not a domain", "--repo", "x"]);
        assert.equal(bad.code, 2);
    });
});
