import * as assert from "node:assert/strict";
import { OdooConfInput, renderOdooConf } from "../../components/odooConf";

const base: OdooConfInput = {
    stage: "staging",
    addonsPath: ["/mnt/extra-addons", "/mnt/oca"],
    database: { host: "db", port: 5432, user: "odoo", password: "pw", name: "odoo_staging", sslMode: "require" },
    adminPassword: "master",
    workers: 2,
    memoryMb: 3072,
    smtp: { host: "mailpit", port: 1025, ssl: false },
    dataDir: "/var/lib/odoo",
};

const option = (conf: string, key: string) =>
    conf
        .split("\n")
        .find((l) => l.startsWith(`${key} = `))
        ?.slice(key.length + 3);

describe("odoo.conf", () => {
    it("serves one database only, behind a proxy, with the contract's addons path", () => {
        const conf = renderOdooConf(base);
        assert.ok(conf.startsWith("[options]\n"));
        assert.equal(option(conf, "addons_path"), "/mnt/extra-addons,/mnt/oca");
        assert.equal(option(conf, "dbfilter"), "^odoo_staging$");
        assert.equal(option(conf, "list_db"), "False");
        assert.equal(option(conf, "proxy_mode"), "True");
        assert.equal(option(conf, "smtp_server"), "mailpit");
    });

    it("runs crons only in production", () => {
        assert.equal(option(renderOdooConf(base), "max_cron_threads"), "0");
        assert.equal(option(renderOdooConf({ ...base, stage: "pr" }), "max_cron_threads"), "0");
        assert.equal(option(renderOdooConf({ ...base, stage: "production" }), "max_cron_threads"), "2");
    });

    it("takes the stage's decisions as given: crons, dev mode's debug log, demo data", () => {
        const { stage: _stage, ...settings } = base as OdooConfInput & { stage: "staging" };
        const decisions = { runsCrons: false, devMode: false, demoData: false };
        const conf = (d: Partial<typeof decisions>) => renderOdooConf({ ...settings, decisions: { ...decisions, ...d } });
        assert.deepEqual(
            ["max_cron_threads", "log_level", "without_demo"].map((k) => option(conf({}), k)),
            ["0", "info", "all"],
        );
        assert.equal(option(conf({ runsCrons: true }), "max_cron_threads"), "2");
        assert.equal(option(conf({ devMode: true }), "log_level"), "debug");
        assert.equal(option(renderOdooConf({ ...settings, logLevel: "warn", decisions }), "log_level"), "warn");
        assert.equal(option(conf({ demoData: true }), "without_demo"), "False");
        // By the stage's name, the table decides: the same text as the decisions it holds.
        for (const stage of ["dev", "pr", "staging", "production"] as const) {
            assert.equal(renderOdooConf({ ...settings, stage }), renderOdooConf({ ...settings, decisions: stageProfile(stage).environment }), stage);
        }
    });

    it("derives worker memory limits from the container limit", () => {
        const conf = renderOdooConf(base);
        assert.equal(Number(option(conf, "limit_memory_soft")), 1024 * 1024 * 1024);
        assert.ok(Number(option(conf, "limit_memory_hard")) > Number(option(conf, "limit_memory_soft")));
    });

    it("refuses a value that would inject another option", () => {
        assert.throws(() => renderOdooConf({ ...base, adminPassword: "x\nlist_db = True" }), /value of admin_passwd must not contain a line break/);
    });
});

import { defaultServerWideModules, odooRoles, serverWideModules } from "../../components/odooRoles";
import { stageProfile } from "../../config/stageProfile";

const decided = (stage: "dev" | "pr" | "staging" | "production") => ({
    runsCrons: stageProfile(stage).environment.runsCrons,
    devMode: stageProfile(stage).environment.devMode,
});
import { parseOdooConf } from "../../ops/repo/read/odooConf";

describe("odoo.conf extensions and roles", () => {
    it("writes extra options, server_wide_modules and extra sections that Odoo's configparser reads back", () => {
        const conf = renderOdooConf({
            ...base,
            serverWideModules: ["base", "web", "queue_job"],
            extraOptions: { unaccent: true, limit_time_real_cron: 1800 },
            sections: { queue_job: { channels: "root:2,root.mail:1" } },
        });
        const parsed = parseOdooConf(conf, "odoo.conf");
        assert.equal(parsed.sections.options.server_wide_modules.value, "base,web,queue_job");
        assert.equal(parsed.sections.options.unaccent.value, "True");
        assert.equal(parsed.sections.options.limit_time_real_cron.value, "1800");
        assert.equal(parsed.sections.queue_job.channels.value, "root:2,root.mail:1");
    });

    it("refuses an extra option the platform sets itself, naming the key to use", () => {
        assert.throws(
            () => renderOdooConf({ ...base, extraOptions: { max_cron_threads: 4 } }),
            /max_cron_threads is set by the platform: crons run in production only: set odoo-platform:odooCronThreads/,
        );
        assert.throws(() => renderOdooConf({ ...base, extraOptions: { db_password: "x" } }), /set by the platform/);
        assert.throws(() => renderOdooConf({ ...base, sections: { "bad name": {} } }), /section name/);
    });

    it("splits production into HTTP workers, one cron runner and a queue_job runner; other stages run no cron or job", () => {
        const split = odooRoles({
            ...decided("production"),
            confPath: "/etc/odoo/odoo.conf",
            workers: 4,
            splitRoles: true,
            cronThreads: 3,
            queueJobRunner: true,
        });
        assert.deepEqual(
            split.map((r) => [r.role, r.suffix, r.options.max_cron_threads, r.routed]),
            [
                ["http", "", 0, true],
                ["cron", "-cron", 3, false],
                ["queue_job", "-queue-job", 0, false],
            ],
        );
        assert.deepEqual(split[1].command, ["odoo", "--config=/etc/odoo/odoo.conf", "--no-http"]);
        assert.deepEqual(split[2].command, ["python3", "-m", "odoo.addons.queue_job.jobrunner", "--config=/etc/odoo/odoo.conf"]);
        assert.deepEqual(split[2].sections, { queue_job: { scheme: "http", host: "odoo", port: 8069 } });
        const together = odooRoles({ ...decided("production"), confPath: "/c", workers: 4, splitRoles: false, cronThreads: 2, queueJobRunner: false });
        assert.deepEqual(
            together.map((r) => [r.role, r.options.max_cron_threads]),
            [["http", 2]],
        );
        for (const stage of ["dev", "pr", "staging"] as const) {
            const roles = odooRoles({ ...decided(stage), confPath: "/c", workers: 2, splitRoles: true, cronThreads: 2, queueJobRunner: true });
            assert.deepEqual(
                roles.map((r) => [r.role, r.options.max_cron_threads]),
                [["http", 0]],
                stage,
            );
        }
        assert.ok(
            odooRoles({ ...decided("dev"), confPath: "/c", workers: 0, splitRoles: false, cronThreads: 2, queueJobRunner: false })[0].command.includes(
                "--dev=all",
            ),
        );
    });

    it("server_wide_modules: Odoo's default per series, queue_job added for its runner", () => {
        assert.deepEqual(defaultServerWideModules("18.0"), ["base", "web"]);
        assert.deepEqual(defaultServerWideModules("19.0"), ["base", "rpc", "web"]);
        assert.deepEqual(serverWideModules("17.0", undefined, true), ["base", "web", "queue_job"]);
        assert.deepEqual(serverWideModules("17.0", ["base", "web", "queue_job"], true), ["base", "web", "queue_job"]);
    });
});
