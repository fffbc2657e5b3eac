import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { actionsSecrets, githubEnvironments, prImageRepository, resolveActionsSettings } from "../../components/githubActions";
import { RepositorySettings, RepositorySettingsArgs } from "../../components/RepositorySettings";
import { isSecretValue } from "../../plan/mockRuntime";
import type { PlanResult } from "../../plan/plan";
import { configKeys, Settings } from "../../config/schema";
import { buildUnderMocks, itRefusesEachBadField, Refusal } from "../support/component";
import { ofType, one, plan } from "../support/plan";

const productionWithSecrets = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-"));
    const file = path.join(dir, "Pulumi.production.yaml");
    const base = fs.readFileSync(path.join(__dirname, "../../Pulumi.production.yaml"), "utf8");
    const secure = (key: string) => `  odoo-platform:${key}:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBBBBBB\n`;
    const keys = [
        "ciPulumiAccessToken",
        "ciProductionPulumiAccessToken",
        "ciNonprodSshKey",
        "ciProductionSshKey",
        "ciSshKnownHosts",
        "ciPlatformGithubToken",
        "dbAdminPassword",
        "evidenceDbAdminPassword",
        "ciStagingPgPassword",
        "ciSnapshotReaderAwsAccessKeyId",
        "ciSnapshotReaderAwsSecretAccessKey",
    ];
    fs.writeFileSync(file, base + keys.map(secure).join(""));
    return file;
};

describe("RepositorySettings (production stack)", () => {
    let result: PlanResult;
    before(async () => {
        result = await plan("production", { configFile: productionWithSecrets() });
    });

    it("creates the staging and production environments; production needs a reviewer who is not the author", () => {
        const envs = ofType(result, "github:index/repositoryEnvironment:RepositoryEnvironment");
        assert.deepEqual(envs.map((e) => e.inputs.environment).sort(), ["preview", "production", "production-backup", "staging"]);
        const production = one(result, "github:index/repositoryEnvironment:RepositoryEnvironment", "github-env-production");
        assert.deepEqual(production.inputs.reviewers, [{ users: [1234567] }]);
        assert.equal(production.inputs.preventSelfReview, true);
        assert.equal(production.inputs.canAdminsBypass, false);
        assert.deepEqual(production.inputs.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true });
        const policies = ofType(result, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy");
        assert.deepEqual(
            policies
                .filter((p) => p.inputs.environment === "production")
                .map((p) => p.inputs.branchPattern)
                .sort(),
            ["main", "production"],
        );
    });

    it("protects main and production against force pushes and deletion, with the CI checks required", () => {
        const protections = ofType(result, "github:index/branchProtection:BranchProtection");
        assert.deepEqual(protections.map((p) => p.inputs.pattern).sort(), ["main", "production"]);
        for (const p of protections) {
            assert.equal(p.inputs.allowsForcePushes, false);
            assert.equal(p.inputs.allowsDeletions, false);
            assert.equal(p.inputs.enforceAdmins, true);
            assert.deepEqual(p.inputs.requiredStatusChecks, [{ strict: true, contexts: ["test", "plan", "actionlint"] }]);
            assert.equal(p.inputs.repositoryId, "odoo");
        }
        assert.equal(
            one(result, "github:index/branchProtection:BranchProtection", "github-protect-main").inputs.requiredPullRequestReviews[0]
                .requiredApprovingReviewCount,
            1,
        );
    });

    it("writes every Actions secret from secret config, marked secret, production ones only into the production environment", () => {
        const repoSecrets = result.recorded.filter((r) => r.type === "github:index/actionsSecret:ActionsSecret");
        const envSecrets = result.recorded.filter((r) => r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
        assert.deepEqual(repoSecrets.map((r) => r.inputs.secretName).sort(), [
            "DEPLOY_KNOWN_HOSTS",
            "DEPLOY_SSH_KEY",
            "PULUMI_ACCESS_TOKEN",
            // PR stacks restored from a snapshot (pr-environment.yml).
            "STAGING_PGPASSWORD",
            "STAGING_SNAPSHOT_READER_AWS_ACCESS_KEY_ID",
            "STAGING_SNAPSHOT_READER_AWS_SECRET_ACCESS_KEY",
        ]);
        assert.deepEqual(envSecrets.map((r) => `${r.inputs.environment}/${r.inputs.secretName}`).sort(), [
            "production-backup/DEPLOY_SSH_KEY",
            "production/DEPLOY_SSH_KEY",
            "production/EVIDENCE_PGPASSWORD",
            "production/PLATFORM_GITHUB_TOKEN",
            "production/PRODUCTION_PGPASSWORD",
            "production/PULUMI_ACCESS_TOKEN",
        ]);
        for (const r of [...repoSecrets, ...envSecrets]) assert.ok(isSecretValue(r.inputs.value), `${r.name}: value is a secret`);
        const vars = ofType(result, "github:index/actionsVariable:ActionsVariable");
        assert.deepEqual(Object.fromEntries(vars.map((v) => [v.inputs.variableName, v.inputs.value])), {
            AWS_REGION: "eu-west-1",
            ODOO_BUILD_CONTEXT: ".",
            ODOO_IMAGE_REPOSITORY: "ghcr.io/insightpulseai/odoo",
            PRODUCTION_DOCKER_HOST: "ssh://deploy@prod-1.insightpulseai.com",
            PR_IMAGE_REPOSITORY: "ghcr.io/insightpulseai/odoo-pr",
            SNAPSHOT_BUCKET: "insightpulseai-odoo-snapshots",
        });
        assert.deepEqual((result.outputs.githubSettings as { missing: string[] }).missing, []);
    });

    it("no other stack manages the repository", async () => {
        for (const stack of ["staging", "pr-7"]) {
            const other = await plan(stack);
            assert.equal(other.recorded.filter((r) => r.type.startsWith("github:")).length, 0, stack);
        }
    });
});

describe("GitHub Actions settings table", () => {
    it("reports what is missing with the command that fixes it, and creates nothing empty", () => {
        const resolved = resolveActionsSettings({ githubRepository: "Acme/Odoo" } as Settings);
        assert.equal(resolved.secrets.length, 0);
        assert.deepEqual(
            resolved.variables.find((v) => v.name === "PR_IMAGE_REPOSITORY"),
            { name: "PR_IMAGE_REPOSITORY", scope: "repository", value: "ghcr.io/acme/odoo-pr" },
        );
        assert.equal(resolved.missing.filter((m) => m.startsWith("secret ")).length, actionsSecrets.length);
        assert.ok(resolved.missing.includes("secret DEPLOY_SSH_KEY (repository): pulumi config set --secret ciNonprodSshKey <value>"));
        assert.ok(resolved.missing.includes("variable SNAPSHOT_BUCKET (repository): set odoo-platform:snapshotBucket"));
    });

    it("lower-cases the GHCR repository", () => {
        assert.equal(prImageRepository("InsightPulseAI/Odoo"), "ghcr.io/insightpulseai/odoo-pr");
    });

    it("maps every secret row to a secret-sourced config key", () => {
        for (const row of actionsSecrets) assert.equal(configKeys[row.configKey].source, "secret", row.configKey);
    });
});

/** The repository's settings with one secret and one variable of each scope kind. */
function settingsArgs(): RepositorySettingsArgs {
    return {
        repository: "insightpulseai/odoo-platform",
        productionReviewers: [1234567],
        secrets: [
            { name: "PULUMI_ACCESS_TOKEN", scope: "repository", value: "pul-token" },
            { name: "SSH_KEY", scope: githubEnvironments.production, value: "ssh-key" },
        ],
        variables: [{ name: "PR_IMAGE_REPOSITORY", scope: "repository", value: "ghcr.io/insightpulseai/odoo-platform-pr" }],
    };
}

describe("RepositorySettings from its args", function () {
    this.timeout(60000);

    it("creates the environments, branch protections, secrets and variables on the named repository, all parented to it", async () => {
        const built = await buildUnderMocks(() => new RepositorySettings("github", settingsArgs()));
        const [component, ...children] = built.resources;
        assert.equal(component.type, "odoo-platform:github:RepositorySettings");
        const environments = children.filter((r) => r.type === "github:index/repositoryEnvironment:RepositoryEnvironment");
        assert.deepEqual(environments.map((e) => (e.inputs as any).environment).sort(), Object.values(githubEnvironments).sort());
        for (const e of environments) assert.equal((e.inputs as any).repository, "odoo-platform");
        const production = environments.find((e) => (e.inputs as any).environment === githubEnvironments.production)!;
        assert.deepEqual((production.inputs as any).reviewers, [{ users: [1234567] }]);
        const secret = children.find((r) => r.type === "github:index/actionsSecret:ActionsSecret")!;
        assert.equal((secret.inputs as any).secretName, "PULUMI_ACCESS_TOKEN");
        const environmentSecret = children.find((r) => r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")!;
        assert.deepEqual(
            [(environmentSecret.inputs as any).secretName, (environmentSecret.inputs as any).environment],
            ["SSH_KEY", githubEnvironments.production],
        );
        const variable = children.find((r) => r.type === "github:index/actionsVariable:ActionsVariable")!;
        assert.equal((variable.inputs as any).variableName, "PR_IMAGE_REPOSITORY");
        assert.ok(children.some((r) => r.type === "github:index/branchProtection:BranchProtection"));
        for (const child of children) assert.equal(child.parent, component.name, `${child.type} ${child.name} is parented to the component`);
    });

    const refusals: Refusal<RepositorySettingsArgs>[] = [
        [
            "repository",
            (a) => (a.repository = "odoo-platform"),
            /RepositorySettingsArgs\.repository: must be owner\/name, got "odoo-platform"; fix: set odoo-platform:githubRepository/,
        ],
        [
            "repository (owner)",
            (a) => (a.repository = "-insight/odoo-platform"),
            /RepositorySettingsArgs\.repository: must be owner\/name, got "-insight\/odoo-platform"/,
        ],
        [
            "productionReviewers (none)",
            (a) => (a.productionReviewers = []),
            /RepositorySettingsArgs\.productionReviewers: must list 1 to 6 GitHub user ids .*got 0; fix: /,
        ],
        [
            "productionReviewers (not ids)",
            (a) => (a.productionReviewers = [0]),
            /RepositorySettingsArgs\.productionReviewers: must be numeric GitHub user ids, got 0/,
        ],
        ["secrets (name)", (a) => (a.secrets[0].name = "GITHUB_TOKEN"), /RepositorySettingsArgs\.secrets: has an invalid name "GITHUB_TOKEN"/],
        ["secrets (scope)", (a) => (a.secrets[1].scope = "prod" as never), /RepositorySettingsArgs\.secrets: SSH_KEY has an unknown scope "prod"/],
        ["variables (twice)", (a) => a.variables.push({ ...a.variables[0] }), /RepositorySettingsArgs\.variables: lists repository\/PR_IMAGE_REPOSITORY twice/],
    ];
    itRefusesEachBadField(settingsArgs, (args) => new RepositorySettings("github", args), refusals);
});
