import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { coreAddons } from "../../../ops/repo/coreAddons";
import { discoverAddons, versionFitsSeries } from "../../../ops/repo/discover";
import { parseReposFile } from "../../../ops/repo/reposFile";
import { readRepository, selectableModules } from "../../../ops/repo/repository";
import { ModuleSelectionError, selectModules } from "../../../ops/repo/select";
import { materializeRepo, removeRepo } from "../../support/repoFixtures";

describe("ops/repo: discovery, selection, repos file", () => {
    let repo: string;
    let fixed: string;
    before(() => {
        repo = materializeRepo("monorepo");
        fixed = materializeRepo("monorepo", "monorepo-fixed");
    });
    after(() => {
        removeRepo(repo);
        removeRepo(fixed);
    });

    it("finds modules by manifest under addons/ipai and addons/oca/<repo>; each folder holding modules is an addons-path entry", () => {
        const d = discoverAddons(repo, ["addons"], { series: "18.0" });
        assert.deepEqual(d.addonsPath, ["addons/ipai", "addons/oca/queue", "addons/oca/server-tools"]);
        assert.deepEqual(
            d.modules.map((m) => m.name),
            [
                "base_technical_user",
                "ipai_ai_connector",
                "ipai_base",
                "ipai_finance",
                "ipai_finance_reports",
                "ipai_hr",
                "ipai_next",
                "ipai_website",
                "module_auto_update",
                "queue_job",
            ],
        );
        assert.deepEqual(d.skipped, [{ name: "ipai_legacy_sync", path: "addons/ipai/ipai_legacy_sync", reason: "installable: False in its manifest" }]);
        assert.deepEqual(
            d.findings.map((f) => `${f.rule} ${f.file}:${f.line}`),
            ["manifest-series addons/ipai/ipai_next/__manifest__.py:6"],
        );
    });

    it("stops at the depth bound, skips symbolic links, and keeps the first of two modules with one name", () => {
        assert.deepEqual(discoverAddons(repo, ["addons"], { maxDepth: 2 }).addonsPath, ["addons/ipai"]);
        fs.symlinkSync(path.join(repo, "addons/ipai"), path.join(repo, "addons/linked"));
        fs.cpSync(path.join(repo, "addons/ipai/ipai_base"), path.join(repo, "addons/zz/ipai_base"), { recursive: true });
        try {
            const d = discoverAddons(repo, ["addons"]);
            assert.ok(!d.addonsPath.includes("addons/linked"));
            assert.equal(d.modules.find((m) => m.name === "ipai_base")!.path, "addons/ipai/ipai_base");
            assert.deepEqual(
                d.findings.filter((f) => f.rule === "module-shadowed").map((f) => f.file),
                ["addons/zz/ipai_base/__manifest__.py"],
            );
        } finally {
            fs.rmSync(path.join(repo, "addons/linked"));
            fs.rmSync(path.join(repo, "addons/zz"), { recursive: true });
        }
    });

    it("roots are globs; a root matching nothing is reported", () => {
        const d = discoverAddons(repo, ["addons/oca/*", "vendor/*"]);
        assert.deepEqual(d.addonsPath, ["addons/oca/queue", "addons/oca/server-tools"]);
        assert.deepEqual(d.missingRoots, ["vendor/*"]);
    });

    it("checks versions with Odoo's adapt_version rule", () => {
        assert.ok(versionFitsSeries("18.0.1.0.0", "18.0"));
        assert.ok(versionFitsSeries("1.0", "18.0"));
        assert.ok(versionFitsSeries("1.2.3", "18.0"));
        assert.ok(!versionFitsSeries("19.0.1.0.0", "18.0"));
        assert.ok(!versionFitsSeries("17.0.1.0.0", "18.0"));
    });

    it("own modules are those of the repository; git-ignored, submodule and repos-file folders are third-party", () => {
        const r = readRepository(repo, { addonsRoots: ["addons"], series: "18.0" });
        assert.deepEqual(
            r.modules.filter((m) => m.origin === "third-party").map((m) => m.name),
            ["base_technical_user", "module_auto_update", "queue_job"],
        );
        assert.deepEqual(r.requirements, [
            "addons/ipai/requirements.txt",
            "addons/oca/queue/requirements.txt",
            "addons/ipai/ipai_ai_connector/requirements.txt",
        ]);
        const f = readRepository(fixed, { addonsRoots: ["addons"], series: "18.0" });
        assert.deepEqual(
            f.sources.map((s) => [s.kind, s.dir, s.present]),
            [
                ["repos-file", "addons/oca/queue", true],
                ["repos-file", "addons/oca/server-tools", true],
            ],
        );
    });

    it("the PR prepare plan of the monorepo: own modules with their dependencies, exclusions named", () => {
        const r = readRepository(repo, { addonsRoots: ["addons"], series: "18.0" });
        const s = selectModules({ modules: selectableModules(r), series: "18.0" });
        assert.deepEqual(s.install, ["ipai_ai_connector", "ipai_base", "ipai_finance", "ipai_website"]);
        assert.deepEqual(s.dependencies, ["account", "base", "mail", "queue_job", "web", "website"]);
        assert.deepEqual(s.excluded, [
            {
                name: "ipai_finance_reports",
                reason: "depends on account_reports (an Odoo 18.0 Enterprise module, not in the repository)",
                missing: ["account_reports"],
            },
            {
                name: "ipai_hr",
                reason: "depends on ipai_legacy_sync (installable: False in addons/ipai/ipai_legacy_sync/__manifest__.py)",
                missing: ["ipai_legacy_sync"],
            },
            { name: "ipai_next", reason: "version 19.0.1.0.0 in addons/ipai/ipai_next/__manifest__.py is not a 18.0 version" },
        ]);
        assert.equal(s.warnings.length, 2);
    });

    it("install and exclude lists and patterns; excluding a dependency excludes its dependents", () => {
        const r = readRepository(repo, { addonsRoots: ["addons"], series: "18.0" });
        const s = selectModules({
            modules: selectableModules(r),
            series: "18.0",
            install: ["module_auto_update", "l10n_be*"],
            exclude: ["ipai_website", "ipai_b*"],
        });
        assert.ok(s.install.includes("module_auto_update"));
        assert.ok(s.install.includes("l10n_be"));
        assert.ok(!s.install.some((m) => m.startsWith("ipai_")), s.install.join());
        assert.match(s.excluded.find((e) => e.name === "ipai_finance")!.reason, /ipai_base \(excluded by odoo-platform:excludeModules \(ipai_b\*\)\)/);
        assert.match(s.excluded.find((e) => e.name === "ipai_website")!.reason, /excluded by odoo-platform:excludeModules \(ipai_website\)/);
    });

    it("missingDependencies: fail refuses the selection, naming every module and what it lacks", () => {
        const r = readRepository(repo, { addonsRoots: ["addons"], series: "18.0" });
        assert.throws(
            () => selectModules({ modules: selectableModules(r), series: "18.0", missingDependencies: "fail" }),
            (err: unknown) => {
                assert.ok(err instanceof ModuleSelectionError);
                assert.match(err.message, /ipai_finance_reports: depends on account_reports/);
                assert.match(err.message, /ipai_hr: depends on ipai_legacy_sync/);
                return true;
            },
        );
    });

    it("a dependency found nowhere but declared in an unfetched source is left for the image to confirm", () => {
        const modules = [{ name: "ipai_ai", origin: "own" as const, depends: ["queue_job"], installable: true, path: "addons/ipai_ai" }];
        const pending = selectModules({ modules, series: "18.0", pendingSources: ["repos.yaml: ./oca/queue"] });
        assert.deepEqual(pending.install, ["ipai_ai"]);
        assert.deepEqual(pending.unverified, { ipai_ai: ["queue_job"] });
        const none = selectModules({ modules, series: "18.0" });
        assert.deepEqual(none.excluded[0].missing, ["queue_job"]);
    });

    it("has Odoo's Community and Enterprise module lists for 16.0 to 19.0", () => {
        for (const series of ["16.0", "17.0", "18.0", "19.0"] as const) {
            assert.ok(coreAddons(series, "community").has("account"));
            assert.ok(coreAddons(series, "enterprise").has("account_accountant"));
            assert.ok(!coreAddons(series, "community").has("account_accountant"));
        }
        assert.ok(coreAddons("19.0", "community").has("rpc"));
    });

    it("reads git-aggregator's format with its own rules, each problem at its line", () => {
        const ok = parseReposFile(fs.readFileSync(path.join(fixed, "repos.yaml"), "utf8"), "repos.yaml");
        assert.deepEqual(ok.findings, []);
        assert.deepEqual(
            ok.repositories.map((r) => [r.dir, r.line, r.merges, r.target]),
            [
                ["addons/oca/queue", 2, [{ remote: "oca", ref: "18.0" }], { remote: "oca", branch: "18.0" }],
                ["addons/oca/server-tools", 8, [{ remote: "oca", ref: "18.0" }], { branch: "_git_aggregated" }],
            ],
        );
        const bad = parseReposFile(
            "./a:\n  merges:\n    - oca 18.0\n./b:\n  remotes:\n    oca: https://github.com/OCA/b.git\n  merges:\n    - ocb 18.0\n    - oca\n  target: x y z\n../c:\n  remotes: {oca: u}\n  merges: [oca 1]\n",
            "third-party/repos.yaml",
        );
        assert.deepEqual(
            bad.findings.map((f) => `${f.line} ${f.message}`),
            [
                "1 ./a: remotes is not defined",
                "8 ./b: merge remote ocb not defined in remotes",
                '9 ./b: merge "oca" must be formatted as "remote_name ref"',
                '10 ./b: target must be formatted as "[remote_name] branch_name"',
            ],
        );
        // Relative to the repos file's folder: third-party/../c is the repository's c, allowed.
        assert.deepEqual(
            bad.repositories.map((r) => r.dir),
            ["third-party/a", "third-party/b", "c"],
        );
    });
});

describe("ops/repo: a pull request's files are data", () => {
    it("never reads a manifest that links out of the repository (a key file would end up in a message)", () => {
        const repo = materializeRepo("monorepo");
        try {
            const secret = path.join(repo, "..", `secret-${path.basename(repo)}`);
            fs.writeFileSync(secret, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n");
            fs.mkdirSync(path.join(repo, "addons/ipai/evil"));
            fs.symlinkSync(secret, path.join(repo, "addons/ipai/evil/__manifest__.py"));
            const d = discoverAddons(repo, ["addons"]);
            const f = d.findings.find((x) => x.file === "addons/ipai/evil/__manifest__.py")!;
            assert.match(f.message, /symbolic link out of the repository: not read/);
            assert.doesNotMatch(JSON.stringify(d), /PRIVATE KEY|b3BlbnNz/);
            fs.rmSync(secret);
        } finally {
            removeRepo(repo);
        }
    });
});
