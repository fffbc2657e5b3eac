import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ciVariables, runtimeVariables } from "../../config/environment";
import { inventoryPath, renderEnvironmentInventory } from "../../config/inventory";
import { configKeyNames, configKeys } from "../../config/schema";
import { generatedDocs, projectDir, staleDocs } from "../../plan/docs";
import { policyPacks } from "../../policy/registry";

describe("docs/architecture/ENVIRONMENT_VARIABLES.md", () => {
    const committed = fs.readFileSync(path.join(projectDir, inventoryPath), "utf8");

    it("is exactly what the schema renders (run `npm run docs` after changing config/schema.ts or config/environment.ts)", () => {
        assert.equal(committed, renderEnvironmentInventory());
        assert.deepEqual(staleDocs(), []);
    });

    it("renders byte-identical every time", () => {
        assert.equal(renderEnvironmentInventory(), renderEnvironmentInventory());
    });

    it("lists every config key, its CI variable, every runtime and CI variable, and the provider credentials", () => {
        for (const key of configKeyNames) {
            assert.ok(committed.includes(`\`odoo-platform:${key}\``), key);
            const env = (configKeys[key] as { env?: string }).env;
            if (env) assert.ok(committed.includes(`| \`${env}\` |`), env);
        }
        for (const v of [...runtimeVariables, ...ciVariables]) assert.ok(committed.includes(`| \`${v.name}\` `), v.name);
        for (const name of [
            "PGPASSWORD",
            "EVIDENCE_PGPASSWORD",
            "CLOUDFLARE_API_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "GITHUB_TOKEN",
            "PULUMI_ACCESS_TOKEN",
            "PULUMI_CONFIG_PASSPHRASE",
            "ODOO_STAGE",
            "HTTP_PROXY",
            "HTTPS_PROXY",
        ]) {
            assert.ok(committed.includes(`| \`${name}\` |`), name);
        }
    });

    it("lists every environment variable the code reads (process.env.NAME in config/, components/, ops/, index.ts)", () => {
        const documented = new Set([...runtimeVariables, ...ciVariables].map((v) => v.name));
        for (const key of configKeyNames) {
            const env = (configKeys[key] as { env?: string }).env;
            if (env) documented.add(env);
        }
        const sources = (dir: string): string[] =>
            fs
                .readdirSync(dir, { withFileTypes: true })
                .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
        const files = [...["config", "components", "ops"].flatMap((d) => sources(path.join(projectDir, d))), path.join(projectDir, "index.ts")];
        const read = new Map<string, string>();
        for (const file of files) {
            for (const m of fs.readFileSync(file, "utf8").matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)|process\.env\[["']([A-Z_][A-Z0-9_]*)["']\]/g)) {
                read.set(m[1] ?? m[2], path.relative(projectDir, file));
            }
        }
        const missing = [...read].filter(([name]) => !documented.has(name)).map(([name, file]) => `${name} (read in ${file})`);
        assert.deepEqual(missing, [], "add these to config/environment.ts (ciVariables or runtimeVariables), then npm run docs");
    });

    it("marks per stage what is required: odooImage in staging, smtpHost only in production", () => {
        const rowOf = (key: string) =>
            committed
                .split("\n")
                .find((l) => l.startsWith(`| \`odoo-platform:${key}\``))!
                .split(" | ");
        // | key | env | source | dev | pr | staging | production | description
        assert.deepEqual(rowOf("odooImage").slice(3, 7), ["default `odoo:17.0`", "default `odoo:17.0`", "**required**", "**required**"]);
        assert.deepEqual(rowOf("smtpHost").slice(3, 7), ["optional", "optional", "optional", "**required**"]);
    });

    it("is reported stale when the committed file differs", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-"));
        for (const [file, content] of Object.entries(generatedDocs())) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), content.replace("Three kinds", "Two kinds"));
        }
        assert.deepEqual(staleDocs(dir), [inventoryPath]);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("runtime contracts (docs/architecture/*_RUNTIME_CONTRACT.md)", () => {
    const contracts = ["DEV_RUNTIME_CONTRACT.md", "STAGING_RUNTIME_CONTRACT.md", "PRODUCTION_RUNTIME_CONTRACT.md"];
    const policyNames = new Set(policyPacks.flatMap((p) => p.policies.map((policy) => `${p.name}/${policy.name}`)));
    const text = (file: string) => fs.readFileSync(path.join(projectDir, "docs", "architecture", file), "utf8");

    it("name only policies that exist (as pack/policy)", () => {
        for (const file of contracts) {
            const named = [...text(file).matchAll(/`((?:contracts|neutralization|security|pr-limits|kubernetes)\/[a-z0-9-]+)`/g)].map((m) => m[1]);
            assert.ok(named.length > 0, `${file} names no policy`);
            for (const name of named) assert.ok(policyNames.has(name), `${file} names ${name}, which is not a registered policy`);
        }
    });

    it("together name every policy that applies outside PR stacks", () => {
        const all = contracts.map(text).join("\n");
        // PR-only policies are named by PR_RUNTIME_CONTRACT.md (pr-limits/*, kubernetes/kubernetes-pr-*).
        for (const name of policyNames)
            if (!name.startsWith("pr-limits/") && !name.startsWith("kubernetes/kubernetes-pr-"))
                assert.ok(all.includes(`\`${name}\``), `${name} is enforced but no runtime contract names it`);
    });
});
