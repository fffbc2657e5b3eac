import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planStack } from "../../plan/plan";
import { ciEnv, containerType, labelsOf, ofType, plan, upload } from "../support/plan";
import { parseOdooConf } from "../../ops/repo/read/odooConf";

const made: string[] = [];
const stackFile = (base: string, extra: string[]): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-roles-"));
    made.push(dir);
    const file = path.join(dir, `Pulumi.${base}.yaml`);
    fs.writeFileSync(file, fs.readFileSync(path.resolve(__dirname, `../../Pulumi.${base}.yaml`), "utf8") + extra.map((l) => `  ${l}\n`).join(""));
    return file;
};

describe("Odoo roles, odoo.conf extensions and module secrets in a planned stack", () => {
    after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    it("production with split roles: routed HTTP workers without crons, one cron runner, a queue_job runner, queue_job server-wide", async () => {
        const file = stackFile("production", [
            "odoo-platform:odooSplitRoles: true",
            "odoo-platform:odooQueueJobRunner: true",
            "odoo-platform:odooCronThreads: 3",
            'odoo-platform:odooConfOptions: {"unaccent": true}',
            'odoo-platform:odooConfSections: {"queue_job": {"channels": "root:2"}}',
        ]);
        const result = await plan("production", { configFile: file });
        const odoo = ofType(result, containerType).filter((c) => labelsOf(c)["odoo-platform.role"] === "odoo");
        assert.deepEqual(odoo.map((c) => c.name).sort(), ["odoo-odoo", "odoo-odoo-cron", "odoo-odoo-queue-job"]);
        const conf = (name: string) =>
            parseOdooConf(
                upload(
                    odoo.find((c) => c.name === name)!,
                    "/etc/odoo/odoo.conf",
                ),
                name,
            );
        assert.equal(conf("odoo-odoo").sections.options.max_cron_threads.value, "0");
        assert.equal(conf("odoo-odoo-cron").sections.options.max_cron_threads.value, "3");
        assert.equal(conf("odoo-odoo").sections.options.server_wide_modules.value, "base,web,queue_job");
        assert.equal(conf("odoo-odoo").sections.options.unaccent.value, "True");
        assert.equal(conf("odoo-odoo-queue-job").sections.queue_job.host.value, "odoo");
        assert.equal(conf("odoo-odoo-queue-job").sections.queue_job.channels.value, "root:2");
        const cronCommand: string[] = odoo.find((c) => c.name === "odoo-odoo-cron")!.inputs.command;
        assert.ok(cronCommand.includes("--no-http"), cronCommand.join(" "));
        // Each process carries the options the policies judge, with its own cron threads.
        assert.ok(cronCommand.includes("--max-cron-threads=3"), cronCommand.join(" "));
        assert.ok(odoo.find((c) => c.name === "odoo-odoo")!.inputs.command.includes("--max-cron-threads=0"));
        assert.ok(!labelsOf(odoo.find((c) => c.name === "odoo-odoo-cron")!)["traefik.enable"], "only the HTTP container is routed");
        assert.equal(result.exitCode, 0, JSON.stringify(result.policies.filter((p) => p.violations.length)));
    });

    it("module credentials from the secret map reach Odoo's environment and never the plan's output", async () => {
        const value = "sk-live-0123456789abcdef";
        const result = await plan("production", {
            env: ciEnv({
                ODOO_PLATFORM_SECRET_ENV: JSON.stringify({ AZURE_OPENAI_API_KEY: value, AZURE_STORAGE_CONNECTION_STRING: `AccountName=x;AccountKey=${value}` }),
            }),
        });
        const printed = JSON.stringify({ resources: result.resources, outputs: result.outputs });
        assert.ok(!printed.includes(value), "the plan prints no secret value");
        const envs = ofType(result, containerType).find((c) => c.name === "odoo-odoo")!.inputs.envs as string[];
        assert.ok(envs.includes(`AZURE_OPENAI_API_KEY=${value}`), "the container gets it");
    });

    it("a credential in plain odooExtraEnv is refused in every stage, naming the secret map", async () => {
        for (const stack of ["production", "staging", "dev"]) {
            const file = stackFile(stack, [
                'odoo-platform:odooExtraEnv: {"AZURE_OPENAI_API_KEY": "sk-x", "SENTRY_URL": "https://u:p@sentry.example.com/1", "LOG_LEVEL": "info"}',
            ]);
            const result = await planStack({ stack, configFile: file, env: ciEnv() });
            assert.equal(result.exitCode, 2, stack);
            const errors = result.errors.join("\n");
            assert.match(errors, /odooExtraEnv AZURE_OPENAI_API_KEY is a credential: move it to the secret map — `pulumi config set --secret odooSecretEnv/);
            assert.match(errors, /SENTRY_URL holds a URL with a password/);
            assert.doesNotMatch(errors, /LOG_LEVEL/);
        }
    });
});
