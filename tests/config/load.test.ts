import * as assert from "node:assert/strict";
import * as path from "node:path";
import { readStackConfigFile } from "../../config/files";
import { ConfigError, projectValues, RawConfig, resolveSettings, StackSettings } from "../../config/load";
import { configKeyNames, configKeys } from "../../config/schema";
import { stackIdentity } from "../../config/stage";

const root = path.resolve(__dirname, "../..");
const sha = "0123456789abcdef0123456789abcdef01234567";

function fromFile(file: string): RawConfig {
    const parsed = readStackConfigFile(path.join(root, file));
    return { values: projectValues(parsed.values), secretKeys: new Set(parsed.secretKeys.map((k) => k.split(":")[1])), file };
}

function resolve(
    stack: string,
    values: Record<string, string>,
    env: Record<string, string> = { ODOO_PLATFORM_GIT_SHA: sha },
    secretKeys: string[] = [],
): StackSettings {
    const identity = stackIdentity(stack);
    return resolveSettings({
        identity,
        stack: { values, secretKeys: new Set(secretKeys), file: `Pulumi.${stack}.yaml` },
        prDefaults: identity.stage === "pr" ? fromFile("Pulumi.pr.yaml") : undefined,
        env,
    });
}

function problemsOf(fn: () => unknown): string[] {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail("expected the configuration to be rejected");
}

describe("stack configuration", () => {
    for (const stack of ["dev", "staging", "production"]) {
        it(`accepts the committed Pulumi.${stack}.yaml`, () => {
            const settings = resolveSettings({ identity: stackIdentity(stack), stack: fromFile(`Pulumi.${stack}.yaml`), env: { ODOO_PLATFORM_GIT_SHA: sha } });
            assert.equal(settings.stage, stack);
            assert.equal(settings.gitSha, sha);
        });
    }

    it("builds a PR stack from Pulumi.pr.yaml plus what CI passes", () => {
        const settings = resolve("pr-42", {}, { ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "feature/Invoice-Layout" });
        assert.equal(settings.prNumber, 42);
        assert.equal(settings.names.host, "pr-42-feature-invoice-layout.dev.insightpulseai.com");
        assert.equal(settings.names.database, "odoo_pr_42");
        assert.equal(settings.origins.domain?.kind, "prDefaults");
        assert.equal(settings.origins.gitBranch?.kind, "env");
        assert.equal(settings.labels["odoo-platform.pr"], "42");
        assert.equal(settings.labels["odoo-platform.ttl-hours"], "72");
    });

    it("lets the dev stack run with no configuration and no cloud account", () => {
        const settings = resolve("dev", {}, {});
        assert.equal(settings.settings.domain, "localhost");
        assert.equal(settings.settings.dockerHost, "unix:///var/run/docker.sock");
        assert.equal(settings.settings.cloudflareZoneId, undefined);
        assert.equal(settings.settings.snapshotBucket, undefined);
        assert.equal(settings.gitSha, "uncommitted");
    });

    it("reports every problem at once, each naming the key and the file", () => {
        const problems = problemsOf(() =>
            resolve("staging", {
                ...fromFile("Pulumi.staging.yaml").values,
                domain: "not a domain!",
                odooWorkers: "many",
                dbPort: "70000",
            }),
        );
        assert.equal(problems.length, 3, problems.join("\n"));
        assert.ok(
            problems.some((p) => p === "odoo-platform:domain must be a DNS name (letters, digits, dashes and dots, e.g. example.com) (Pulumi.staging.yaml)"),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => p.startsWith("odoo-platform:odooWorkers ") && p.endsWith("(Pulumi.staging.yaml)")),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => p.startsWith("odoo-platform:dbPort must be a TCP port") && p.endsWith("(Pulumi.staging.yaml)")),
            problems.join("\n"),
        );
    });

    it("says how to supply a missing required key, including CI-provided ones", () => {
        const problems = problemsOf(() => resolve("staging", {}, {}));
        const gitSha = problems.find((p) => p.startsWith("odoo-platform:gitSha"));
        assert.match(gitSha ?? "", /required for the staging stage: set ODOO_PLATFORM_GIT_SHA in CI or run `pulumi config set gitSha <value>`/);
        for (const key of ["domain", "dbHost", "snapshotBucket", "cloudflareZoneId"]) {
            assert.ok(
                problems.some((p) => p.startsWith(`odoo-platform:${key} is required for the staging stage`) && p.includes("Pulumi.staging.yaml")),
                `${key} missing from: ${problems.join("\n")}`,
            );
        }
    });

    it("refuses a secret stored in plain text", () => {
        const base = fromFile("Pulumi.production.yaml").values;
        const problems = problemsOf(() => resolve("production", { ...base, smtpPassword: "hunter2" }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /smtpPassword is a secret but is stored in plain text: run `pulumi config set --secret smtpPassword <value>`/);
        assert.ok(!problems[0].includes("hunter2"), "the secret value must not be echoed");
        const ok = resolve("production", { ...base, smtpPassword: "hunter2" }, { ODOO_PLATFORM_GIT_SHA: sha }, ["smtpPassword"]);
        assert.ok(ok.secretKeys.has("smtpPassword"));
    });

    it("names an unknown key and suggests the one meant", () => {
        const problems = problemsOf(() => resolve("dev", { odooWorker: "2" }, {}));
        assert.deepEqual(problems, ["odoo-platform:odooWorker is not a known key — did you mean odoo-platform:odooWorkers? (Pulumi.dev.yaml)"]);
    });

    it("reads structured values as Pulumi hands them (JSON strings) and comma lists", () => {
        const json = resolve(
            "dev",
            { addonsPath: '["/mnt/a","/mnt/b"]', egressAllowlist: "pypi.org, apps.odoo.com", mailCatcher: "true", odooCpus: "1.5" },
            {},
        );
        assert.deepEqual(json.settings.addonsPath, ["/mnt/a", "/mnt/b"]);
        assert.deepEqual(json.settings.egressAllowlist, ["pypi.org", "apps.odoo.com"]);
        assert.equal(json.settings.mailCatcher, true);
        assert.equal(json.settings.odooCpus, 1.5);
    });

    it("applies stack config over CI variables over PR defaults over built-in defaults", () => {
        const env = { ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "b", ODOO_PLATFORM_ODOO_IMAGE: "ghcr.io/acme/odoo:pr-1" };
        assert.equal(resolve("pr-1", {}, env).settings.odooImage, "ghcr.io/acme/odoo:pr-1");
        assert.equal(resolve("pr-1", { odooImage: "odoo:18.0" }, env).settings.odooImage, "odoo:18.0");
        assert.equal(resolve("pr-1", {}, { ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "b" }).settings.odooImage, "ghcr.io/insightpulseai/odoo:17.0");
        assert.equal(resolve("pr-1", {}, env).settings.odooWorkers, 2);
    });

    it("refuses a PR number from CI that does not match the stack", () => {
        const problems = problemsOf(() => resolve("pr-3", {}, { ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "b", ODOO_PLATFORM_PR_NUMBER: "4" }));
        assert.match(problems[0], /ODOO_PLATFORM_PR_NUMBER=4 does not match stack pr-3/);
    });

    it("asks a PR stack that wants a neutralized copy for the server and bucket it needs", () => {
        const problems = problemsOf(() => resolve("pr-5", { snapshotId: "latest" }, { ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "b" }));
        assert.equal(problems.length, 2);
        assert.match(problems[0], /dbHost is required when odoo-platform:snapshotId asks a PR stack for a neutralized copy/);
    });

    it("keeps building images from source out of staging and production", () => {
        const problems = problemsOf(() => resolve("staging", { ...fromFile("Pulumi.staging.yaml").values, odooBuildContext: "." }));
        assert.match(problems[0], /odooBuildContext is only for dev and PR stacks/);
    });

    it("describes every key and validates every default against the key's own schema", () => {
        for (const name of configKeyNames) {
            const spec = configKeys[name];
            assert.ok(spec.description.length >= 10, `${name} needs a description`);
            if (spec.env) assert.match(spec.env, /^[A-Z][A-Z0-9_]+$/);
            for (const [stage, value] of Object.entries(spec.defaults ?? {})) {
                const parsed = spec.schema.safeParse(value);
                assert.ok(parsed.success, `default of ${name} for ${stage} does not pass its own schema`);
            }
        }
    });

    it("refuses verify-full without the CA to verify against, naming dbSslRootCert", () => {
        const production = fromFile("Pulumi.production.yaml").values;
        const { dbSslRootCert: _cert, ...withoutCert } = production;
        const problems = problemsOf(() => resolve("production", withoutCert));
        assert.ok(
            problems.some((p) =>
                /odoo-platform:dbSslRootCert is required with odoo-platform:dbSslMode verify-full: libpq checks the server's certificate against it/.test(p),
            ),
            problems.join("\n"),
        );
        assert.ok(
            problemsOf(() => resolve("production", { ...production, dbSslRootCert: "not a certificate" })).some((p) =>
                /dbSslRootCert must be `system` or a PEM certificate/.test(p),
            ),
        );
        assert.equal(
            resolve("production", {
                ...production,
                dbSslRootCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            }).settings.dbSslRootCert?.startsWith("-----BEGIN"),
            true,
        );
    });

    it("refuses a Supabase direct host (IPv6 only) and says to use the session pooler", () => {
        const production = fromFile("Pulumi.production.yaml").values;
        const problems = problemsOf(() => resolve("production", { ...production, evidenceDbHost: "db.abcdefghijklmnopqrst.supabase.co" }));
        assert.ok(
            problems.some((p) =>
                /evidenceDbHost db\.abcdefghijklmnopqrst\.supabase\.co is a Supabase direct host, which has only an IPv6 address .* host aws-0-<region>\.pooler\.supabase\.com, odoo-platform:evidenceDbPort 5432, user postgres\.abcdefghijklmnopqrst/.test(
                    p,
                ),
            ),
            problems.join("\n"),
        );
    });
});
