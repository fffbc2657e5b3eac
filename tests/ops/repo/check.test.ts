import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkRepository, imageSeries } from "../../../ops/repo/check";
import { formatFinding } from "../../../ops/repo/findings";
import { loadStackViews } from "../../../ops/repo/stacks";
import { runCli } from "../../support/cli";
import { materializeRepo, removeRepo } from "../../support/repoFixtures";

/**
 * The fixture monorepo (tests/fixtures/repos/monorepo): Odoo 18, custom modules under addons/ipai,
 * OCA repositories cloned by a script into a git-ignored addons/oca, config/{dev,staging,prod}/odoo.conf,
 * a Compose file, a devcontainer with its own Compose override, two Dockerfiles — with one defect
 * of each kind planted. monorepo-fixed overlays the fixes.
 */
const planted: { defect: string; rule: string; file: string; line: number; says: RegExp }[] = [
    {
        defect: "compose --addons-path differs from the stack",
        rule: "addons-path-mismatch",
        file: "docker-compose.yml",
        line: 7,
        says: /--addons-path\) is \/mnt\/extra-addons\/ipai,\/mnt\/oca-addons, but Pulumi\.dev\.yaml/,
    },
    {
        defect: "the devcontainer's Compose override runs another addons path",
        rule: "addons-path-mismatch",
        file: ".devcontainer/docker-compose.yml",
        line: 6,
        says: /devcontainer .*is \/workspace\/addons\/ipai, but/,
    },
    {
        defect: "the dev conf's addons path differs from the command line that overrides it",
        rule: "addons-path-mismatch",
        file: "config/dev/odoo.conf",
        line: 2,
        says: /overrides it on the command line/,
    },
    {
        defect: "an addons path entry nothing mounts (/mnt/enterprise)",
        rule: "addons-path-unmounted",
        file: "config/dev/odoo.conf",
        line: 2,
        says: /\/mnt\/enterprise is never mounted or copied/,
    },
    {
        defect: "the mounted folder of OCA repositories, which Odoo does not recurse into",
        rule: "addons-path-not-modules",
        file: "docker-compose.yml",
        line: 7,
        says: /\/mnt\/oca-addons \(addons\/oca of the repository\) holds folders of modules.*list each folder instead: \/mnt\/oca-addons\/queue,\/mnt\/oca-addons\/server-tools/,
    },
    {
        defect: "OCA modules mounted but not on the addons path",
        rule: "addons-path-incomplete",
        file: "docker-compose.yml",
        line: 13,
        says: /addons\/oca\/queue .* at \/mnt\/oca-addons\/queue here, but the addons path \(docker-compose\.yml:7\) does not list it/,
    },
    {
        defect: "the production image copies the custom modules where its conf does not look",
        rule: "addons-path-incomplete",
        file: "docker/Dockerfile.prod",
        line: 4,
        says: /addons\/ipai \(7 modules.* at \/mnt\/addons\/ipai here, but the addons path \(config\/prod\/odoo\.conf:2\)/,
    },
    {
        defect: "the production conf lists a path the image never fills",
        rule: "addons-path-unmounted",
        file: "config/prod/odoo.conf",
        line: 2,
        says: /image docker\/Dockerfile\.prod: addons path entry \/mnt\/extra-addons\/ipai is never mounted or copied/,
    },
    {
        defect: "the stack's addons path misses where the stack's Dockerfile copies the modules",
        rule: "stack-addons-path",
        file: "Pulumi.production.yaml",
        line: 7,
        says: /does not load \/mnt\/addons\/ipai/,
    },
    {
        defect: "the dev image is built FROM odoo:17.0 on an 18.0 repository",
        rule: "image-version",
        file: "Dockerfile",
        line: 2,
        says: /odoo:17\.0 is Odoo 17\.0, but odoo-platform:odooVersion is 18\.0/,
    },
    {
        defect: "the dev stack runs odoo:17.0 with odooVersion 18.0",
        rule: "image-version",
        file: "Pulumi.dev.yaml",
        line: 3,
        says: /odooImage odoo:17\.0 is Odoo 17\.0/,
    },
    {
        defect: "a manifest of the 19.0 series on 18.0",
        rule: "manifest-series",
        file: "addons/ipai/ipai_next/__manifest__.py",
        line: 6,
        says: /version 19\.0\.1\.0\.0 is not a 18\.0 version/,
    },
    { defect: "staging runs crons (max_cron_threads = 1)", rule: "staging-crons", file: "config/staging/odoo.conf", line: 6, says: /max_cron_threads is 1/ },
    {
        defect: "staging mails through an SMTP host no Compose file defines",
        rule: "staging-smtp",
        file: "config/staging/odoo.conf",
        line: 7,
        says: /smtp-relay\.internal, which is not a mail catcher/,
    },
    {
        defect: "staging's env file says ODOO_STAGE=production",
        rule: "staging-stage",
        file: "config/staging/odoo.env",
        line: 2,
        says: /ODOO_STAGE is production in a staging file/,
    },
    { defect: "production in threaded mode (workers = 0)", rule: "production-settings", file: "config/prod/odoo.conf", line: 6, says: /workers is 0/ },
    {
        defect: "production's master password committed",
        rule: "committed-credential",
        file: "config/prod/odoo.conf",
        line: 3,
        says: /admin_passwd is written in the repository/,
    },
    {
        defect: "git-ignored OCA repositories no build fetches",
        rule: "third-party-unfetched",
        file: ".gitignore",
        line: 5,
        says: /addons\/oca\/queue holds modules but is git-ignored/,
    },
    {
        defect: "a module depending on an Enterprise module",
        rule: "module-dependency",
        file: "addons/ipai/ipai_finance_reports/__manifest__.py",
        line: 10,
        says: /account_reports \(an Odoo 18\.0 Enterprise module/,
    },
];

describe("repo check on repository layouts", () => {
    let broken: string;
    let fixed: string;
    before(() => {
        broken = materializeRepo("monorepo");
        fixed = materializeRepo("monorepo", "monorepo-fixed");
    });
    after(() => {
        removeRepo(broken);
        removeRepo(fixed);
    });

    const check = (dir: string) => checkRepository({ repoDir: dir, stacks: loadStackViews(dir) });

    for (const p of planted) {
        it(`reports ${p.defect} at ${p.file}:${p.line}`, () => {
            const { findings } = check(broken);
            const hit = findings.find((f) => f.rule === p.rule && f.file === p.file && f.line === p.line && p.says.test(`${f.message} — ${f.fix}`));
            assert.ok(hit, `no ${p.rule} at ${p.file}:${p.line} matching ${p.says}; found:\n${findings.map(formatFinding).join("\n")}`);
            assert.ok(hit.fix.length > 10, "every finding says how to fix it");
        });
    }

    it("reports nothing else than the planted defects", () => {
        const { findings } = check(broken);
        const unexpected = findings.filter((f) => !planted.some((p) => p.rule === f.rule && p.file === f.file && p.line === f.line));
        // The same defects seen from a second place: the devcontainer reuses docker-compose.yml's mounts and conf.
        const echoes = unexpected.filter((f) => /^devcontainer /.test(f.message) || f.rule === "third-party-unfetched" || f.rule === "module-dependency");
        assert.deepEqual(unexpected.filter((f) => !echoes.includes(f)).map(formatFinding), []);
    });

    it("the fixed repository has no finding but the warnings for modules that cannot be installed", () => {
        const { findings, repository } = check(fixed);
        assert.deepEqual(findings.filter((f) => f.severity === "error").map(formatFinding), []);
        assert.deepEqual(
            findings.map((f) => f.rule),
            ["module-dependency", "module-dependency"],
        );
        // repos.yaml makes addons/oca third-party (fetched by the image build) instead of unfetched.
        assert.deepEqual(
            repository.sources.map((s) => s.label),
            ["repos.yaml: ./addons/oca/queue", "repos.yaml: ./addons/oca/server-tools"],
        );
    });

    it("reads an image's series from its tag", () => {
        assert.equal(imageSeries("odoo:17.0"), "17.0");
        assert.equal(imageSeries("odoo:18"), "18.0");
        assert.equal(imageSeries("ghcr.io/acme/odoo:19.0-20251101"), "19.0");
        assert.equal(imageSeries("registry:5000/odoo"), undefined);
        assert.equal(imageSeries("ghcr.io/acme/odoo@sha256:5b0f1d5a9c6e3f2e8b7a4c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f"), undefined);
    });

    it("CLI: exit 1 with file:line findings, 0 once fixed, 2 on an unreadable file", async () => {
        const bad = await runCli(["repo", "check", "--repo", broken]);
        assert.equal(bad.code, 1);
        assert.match(bad.stdout, /^config\/staging\/odoo\.conf:6: staging runs crons/m);
        const json = await runCli(["repo", "check", "--repo", broken, "--json"]);
        const report = JSON.parse(json.stdout);
        assert.equal(report.ok, false);
        assert.ok(report.findings.some((f: { rule: string; line: number }) => f.rule === "staging-smtp" && f.line === 7));
        const good = await runCli(["repo", "check", "--repo", fixed]);
        assert.equal(good.code, 0, good.stdout + good.stderr);
        const unreadable = materializeRepo("monorepo", "monorepo-fixed");
        try {
            fs.writeFileSync(path.join(unreadable, "docker-compose.yml"), "services:\n  odoo: [unclosed\n");
            const r = await runCli(["repo", "check", "--repo", unreadable]);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /docker-compose\.yml:\d+: not YAML/);
        } finally {
            removeRepo(unreadable);
        }
    });

    it("this repository passes its own check (npm run guard runs it)", () => {
        const root = path.resolve(__dirname, "../../..");
        const { findings } = check(root);
        assert.deepEqual(findings.filter((f) => f.severity === "error").map(formatFinding), []);
    });
});
