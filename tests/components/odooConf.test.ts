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

const option = (conf: string, key: string) => conf.split("\n").find((l) => l.startsWith(`${key} = `))?.slice(key.length + 3);

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

    it("derives worker memory limits from the container limit", () => {
        const conf = renderOdooConf(base);
        assert.equal(Number(option(conf, "limit_memory_soft")), 1024 * 1024 * 1024);
        assert.ok(Number(option(conf, "limit_memory_hard")) > Number(option(conf, "limit_memory_soft")));
    });

    it("refuses a value that would inject another option", () => {
        assert.throws(() => renderOdooConf({ ...base, adminPassword: "x\nlist_db = True" }), /value of admin_passwd must not contain a line break/);
    });
});
