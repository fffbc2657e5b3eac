/**
 * The prepare script is executed for real with bash, against stub `chown` and `runuser` commands
 * that record how they were called.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { postInitPython, PrepareModules, prepareScript } from "../../components/odooInit";
import { readRepository, selectableModules } from "../../ops/repo/repository";
import { selectModules } from "../../ops/repo/select";
import { materializeRepo, removeRepo } from "../support/repoFixtures";

const noModules: PrepareModules = { install: [], unverified: {}, excluded: [], missingDependencies: "exclude" };

interface Sandbox {
    dir: string;
    run(script: string, opts?: { failRunuser?: boolean; args?: string[] }): { status: number; calls: string[]; stdin: string[] };
}

function sandbox(): Sandbox {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-prepare-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const log = path.join(dir, "calls.log");
    const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    stub("chown", `echo "chown $*" >> ${log}`);
    // The ownership walk over the data volumes is recorded; any other find (the module scan) is real.
    stub(
        "find",
        `if [ "$1" = /var/lib/odoo/filestore ]; then echo "find $*" >> ${log}; else exec ${execFileSync("bash", ["-c", "command -v find"], { encoding: "utf8" }).trim()} "$@"; fi`,
    );
    stub(
        "runuser",
        [
            `echo "runuser $* | password=\${ODOO_ADMIN_LOGIN_PASSWORD:-unset}" >> ${log}`,
            `if [ "$5" = "shell" ]; then cat > ${dir}/stdin.txt; fi`,
            `[ -n "$FAIL_RUNUSER" ] && exit 3`,
            "exit 0",
        ].join("\n"),
    );
    return {
        dir,
        run(script, opts = {}) {
            const file = path.join(dir, "prepare.sh");
            fs.writeFileSync(file, script);
            fs.rmSync(log, { force: true });
            const res = spawnSync("bash", [file, ...(opts.args ?? [])], {
                env: { PATH: `${bin}:${process.env.PATH}`, ...(opts.failRunuser ? { FAIL_RUNUSER: "1" } : {}) },
                encoding: "utf8",
            });
            const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
            const stdinFile = path.join(dir, "stdin.txt");
            return { status: res.status ?? -1, calls, stdin: fs.existsSync(stdinFile) ? [fs.readFileSync(stdinFile, "utf8")] : [] };
        },
    };
}

describe("odooInit: the prepare step", () => {
    it("hands the volumes to odoo, installs base + our modules, updates them, then sets the admin password from the file and deletes it", () => {
        const box = sandbox();
        const addons = path.join(box.dir, "addons");
        for (const module of ["sale_custom", "account_custom"]) {
            fs.mkdirSync(path.join(addons, module), { recursive: true });
            fs.writeFileSync(path.join(addons, module, "__manifest__.py"), "{}");
        }
        fs.mkdirSync(path.join(addons, "not_a_module"));
        const passwordFile = path.join(box.dir, "admin-password");
        fs.writeFileSync(passwordFile, "s3cret-login");
        const postInit = path.join(box.dir, "post-init.py");
        fs.writeFileSync(postInit, "print('post init')\n");
        const script = prepareScript({
            dataDir: "/var/lib/odoo",
            initialize: {
                confPath: "/etc/odoo/odoo.conf",
                database: "odoo_pr_7",
                addonsDirs: [addons, path.join(box.dir, "missing")],
                modules: { ...noModules, install: ["account_custom", "sale_custom"] },
                passwordFile,
                postInitScript: postInit,
            },
        });
        const { status, calls, stdin } = box.run(script);
        assert.equal(status, 0, calls.join("\n"));
        assert.deepEqual(calls, [
            "chown odoo:odoo /var/lib/odoo/filestore /var/lib/odoo/sessions",
            "find /var/lib/odoo/filestore /var/lib/odoo/sessions -mindepth 1 ( ! -user odoo -o ! -group odoo ) -exec chown -h odoo:odoo {} +",
            "runuser -u odoo -- odoo --config=/etc/odoo/odoo.conf -d odoo_pr_7 -i base,account_custom,sale_custom -u account_custom,sale_custom --stop-after-init | password=unset",
            "runuser -u odoo -- odoo shell --config=/etc/odoo/odoo.conf -d odoo_pr_7 --no-http | password=s3cret-login",
        ]);
        assert.deepEqual(stdin, ["print('post init')\n"]);
        assert.ok(!fs.existsSync(passwordFile), "the password file is removed after use");
    });

    it("installs only base when there are no modules of ours, and stops at the first failure", () => {
        const box = sandbox();
        const passwordFile = path.join(box.dir, "pw");
        fs.writeFileSync(passwordFile, "x");
        const script = prepareScript({
            dataDir: "/var/lib/odoo",
            initialize: {
                confPath: "/c",
                database: "odoo_dev",
                addonsDirs: [path.join(box.dir, "none")],
                modules: noModules,
                passwordFile,
                postInitScript: "/dev/null",
            },
        });
        const ok = box.run(script);
        assert.match(ok.calls[2], /-d odoo_dev -i base --stop-after-init/);
        const failed = box.run(script, { failRunuser: true });
        assert.notEqual(failed.status, 0);
        assert.equal(failed.calls.length, 3, "the shell step never runs after a failed install");
    });

    it("passes its arguments (the Odoo options the policies judge) to every odoo it runs", () => {
        const box = sandbox();
        const passwordFile = path.join(box.dir, "pw");
        fs.writeFileSync(passwordFile, "x");
        const script = prepareScript({
            dataDir: "/var/lib/odoo",
            initialize: { confPath: "/c", database: "odoo_dev", addonsDirs: [], modules: noModules, passwordFile, postInitScript: "/dev/null" },
        });
        const { calls } = box.run(script, { args: ["--smtp=mailpit", "--max-cron-threads=0"] });
        const odoo = calls.filter((c) => c.startsWith("runuser"));
        assert.equal(odoo.length, 2);
        for (const call of odoo) assert.match(call, /--config=\/c --smtp=mailpit --max-cron-threads=0 -d odoo_dev/);
    });

    it("the fixture monorepo's PR prepare plan: exactly the selected modules, exclusions in the log", () => {
        const repo = materializeRepo("monorepo");
        try {
            const selection = selectModules({ modules: selectableModules(readRepository(repo, { addonsRoots: ["addons"], series: "18.0" })), series: "18.0" });
            const box = sandbox();
            fs.writeFileSync(path.join(box.dir, "pw"), "x");
            const script = prepareScript({
                dataDir: "/var/lib/odoo",
                initialize: {
                    confPath: "/c",
                    database: "odoo_pr_7",
                    addonsDirs: [],
                    modules: { ...selection, missingDependencies: "exclude" },
                    passwordFile: path.join(box.dir, "pw"),
                    postInitScript: "/dev/null",
                },
            });
            const { status, calls } = box.run(script);
            assert.equal(status, 0);
            assert.equal(
                calls.find((c) => c.startsWith("runuser")),
                "runuser -u odoo -- odoo --config=/c -d odoo_pr_7 -i base,ipai_ai_connector,ipai_base,ipai_finance,ipai_website -u ipai_ai_connector,ipai_base,ipai_finance,ipai_website --stop-after-init | password=unset",
            );
            assert.match(script, /not installed: ipai_finance_reports \(depends on account_reports \(an Odoo 18\.0 Enterprise module/);
        } finally {
            removeRepo(repo);
        }
    });

    it("checks names only the image can confirm against its addons path: drops the module (and its dependents) or fails", () => {
        const box = sandbox();
        const image = path.join(box.dir, "image-addons");
        fs.mkdirSync(path.join(image, "queue_job"), { recursive: true });
        fs.writeFileSync(path.join(image, "queue_job", "__manifest__.py"), "{}");
        const modules: PrepareModules = {
            install: ["ipai_ai", "ipai_ai_ui", "ipai_base", "ipai_sync"],
            unverified: { ipai_ai: ["queue_job"], ipai_sync: ["connector"], ipai_ai_ui: ["connector", "queue_job"] },
            excluded: [],
            missingDependencies: "exclude",
        };
        const run = (m: PrepareModules) => {
            fs.writeFileSync(path.join(box.dir, "pw"), "x");
            return box.run(
                prepareScript({
                    dataDir: "/var/lib/odoo",
                    initialize: {
                        confPath: "/c",
                        database: "odoo_pr_7",
                        addonsDirs: [image],
                        modules: m,
                        passwordFile: path.join(box.dir, "pw"),
                        postInitScript: "/dev/null",
                    },
                }),
            );
        };
        const dropped = run(modules);
        assert.equal(dropped.status, 0);
        assert.match(dropped.calls.find((c) => c.startsWith("runuser")) ?? "", / -i base,ipai_ai,ipai_base -u ipai_ai,ipai_base --stop-after-init/);
        const failed = run({ ...modules, missingDependencies: "fail" });
        assert.notEqual(failed.status, 0);
        assert.deepEqual(
            failed.calls.filter((c) => c.startsWith("runuser")),
            [],
            "nothing is installed when a dependency is missing and the policy is fail",
        );
    });

    it("outside dev/PR only fixes volume ownership", () => {
        const box = sandbox();
        const { status, calls } = box.run(prepareScript({ dataDir: "/var/lib/odoo" }));
        assert.equal(status, 0);
        assert.deepEqual(calls, [
            "chown odoo:odoo /var/lib/odoo/filestore /var/lib/odoo/sessions",
            "find /var/lib/odoo/filestore /var/lib/odoo/sessions -mindepth 1 ( ! -user odoo -o ! -group odoo ) -exec chown -h odoo:odoo {} +",
        ]);
    });

    it("refuses a database name that is not a plain identifier", () => {
        assert.throws(
            () =>
                prepareScript({
                    dataDir: "/d",
                    initialize: { confPath: "/c", database: "x; rm -rf /", addonsDirs: [], modules: noModules, passwordFile: "/p", postInitScript: "/s" },
                }),
            /PostgreSQL identifier/,
        );
        assert.throws(
            () =>
                prepareScript({
                    dataDir: "/d",
                    initialize: {
                        confPath: "/c",
                        database: "odoo",
                        addonsDirs: [],
                        modules: { ...noModules, install: ["a;b"] },
                        passwordFile: "/p",
                        postInitScript: "/s",
                    },
                }),
            /not an Odoo module name/,
        );
    });

    it("generates Python that compiles, sets the password from the environment and keeps URLs inside", () => {
        const py = postInitPython({ baseUrl: "https://pr-7-x.dev.example.com" });
        assert.match(py, /os\.environ\["ODOO_ADMIN_LOGIN_PASSWORD"\]/);
        assert.match(py, /"report\.url", "http:\/\/localhost:8069"/);
        assert.match(py, /"web\.base\.url", "https:\/\/pr-7-x\.dev\.example\.com"/);
        if (spawnSync("python3", ["--version"]).status === 0) {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "py-")), "post_init.py");
            fs.writeFileSync(file, py);
            execFileSync("python3", ["-m", "py_compile", file]);
        }
        assert.throws(() => postInitPython({ baseUrl: "javascript:alert(1)" }), /http\(s\):\/\/host/);
    });
});
