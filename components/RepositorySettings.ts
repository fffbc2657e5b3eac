/**
 * The GitHub repository's deployment settings, owned by the production stack (one owner, so two
 * stacks never fight over them):
 *   - environments `preview` (PR deploy jobs), `staging` (deployable from main only),
 *     `production` (required reviewers who may not approve their own run, no admin bypass,
 *     deployable from main and production only) and `production-backup` (main only);
 *   - branch protection on `main` (reviewed pull requests, the CI checks, linear history) and
 *     `production` (the CI checks, no force push, no deletion — fast-forwarded by the approved
 *     promotion job, so no pull-request requirement);
 *   - the Actions secrets and variables the workflows need (rows in components/githubActions.ts),
 *     secret values from Pulumi secret config only.
 *
 * Provider: https://www.pulumi.com/registry/packages/github/ (token: GITHUB_TOKEN with admin rights
 * on the repository — the Actions GITHUB_TOKEN cannot manage these settings).
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { isDnsLabel } from "../config/naming";
import { ActionsScope, githubEnvironments, protectedBranches, requiredChecks } from "./githubActions";

export interface RepositorySettingsArgs {
    /** `owner/name`. */
    repository: string;
    /** GitHub user ids allowed to approve production jobs (1–6). */
    productionReviewers: number[];
    secrets: { name: string; scope: ActionsScope; value: pulumi.Input<string> }[];
    variables: { name: string; scope: ActionsScope; value: string }[];
}

export class RepositorySettings extends pulumi.ComponentResource {
    public readonly repository: pulumi.Output<string>;
    public readonly environments: pulumi.Output<string[]>;
    public readonly protectedBranches: pulumi.Output<string[]>;
    /** Names of the managed secrets (never their values). */
    public readonly secretNames: pulumi.Output<string[]>;

    constructor(name: string, args: RepositorySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        const repo = validateRepositorySettingsArgs(args);
        super("odoo-platform:github:RepositorySettings", name, {}, opts);
        const child = { parent: this };

        // Environments, and the branches allowed to deploy to each (unset: any branch, for PR previews).
        const branchPolicies: Record<string, string[] | undefined> = {
            [githubEnvironments.preview]: undefined,
            [githubEnvironments.staging]: [protectedBranches.main],
            // Promotion is dispatched from main and fast-forwards production; rollback runs on either.
            [githubEnvironments.production]: [protectedBranches.main, protectedBranches.production],
            [githubEnvironments.productionBackup]: [protectedBranches.main],
        };
        const environments: Record<string, github.RepositoryEnvironment> = {};
        for (const [environment, branches] of Object.entries(branchPolicies)) {
            const isProduction = environment === githubEnvironments.production;
            const env = new github.RepositoryEnvironment(
                `${name}-env-${environment}`,
                {
                    repository: repo,
                    environment,
                    ...(isProduction ? { reviewers: [{ users: args.productionReviewers }], preventSelfReview: true, canAdminsBypass: false } : {}),
                    ...(branches ? { deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } } : {}),
                },
                child,
            );
            for (const branch of branches ?? []) {
                new github.RepositoryEnvironmentDeploymentPolicy(
                    `${name}-env-${environment}-${branch}`,
                    { repository: repo, environment: env.environment, branchPattern: branch },
                    child,
                );
            }
            environments[environment] = env;
        }

        const checks = [{ strict: true, contexts: [...requiredChecks] }];
        new github.BranchProtection(
            `${name}-protect-main`,
            {
                repositoryId: repo,
                pattern: protectedBranches.main,
                enforceAdmins: true,
                allowsDeletions: false,
                allowsForcePushes: false,
                requiredLinearHistory: true,
                requireConversationResolution: true,
                requiredStatusChecks: checks,
                requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1, dismissStaleReviews: true, requireLastPushApproval: true }],
            },
            child,
        );
        new github.BranchProtection(
            `${name}-protect-production`,
            {
                repositoryId: repo,
                pattern: protectedBranches.production,
                enforceAdmins: true,
                allowsDeletions: false,
                allowsForcePushes: false,
                requiredLinearHistory: true,
                requiredStatusChecks: checks,
            },
            child,
        );

        for (const secret of args.secrets) {
            const id = `${name}-secret-${secret.scope}-${secret.name.toLowerCase()}`;
            const value = pulumi.secret(secret.value);
            if (secret.scope === "repository") {
                new github.ActionsSecret(id, { repository: repo, secretName: secret.name, value }, child);
            } else {
                new github.ActionsEnvironmentSecret(
                    id,
                    { repository: repo, environment: environments[secret.scope].environment, secretName: secret.name, value },
                    child,
                );
            }
        }
        for (const variable of args.variables) {
            const id = `${name}-var-${variable.scope}-${variable.name.toLowerCase()}`;
            if (variable.scope === "repository") {
                new github.ActionsVariable(id, { repository: repo, variableName: variable.name, value: variable.value }, child);
            } else {
                new github.ActionsEnvironmentVariable(
                    id,
                    { repository: repo, environment: environments[variable.scope].environment, variableName: variable.name, value: variable.value },
                    child,
                );
            }
        }

        this.repository = pulumi.output(args.repository);
        this.environments = pulumi.output(Object.values(githubEnvironments));
        this.protectedBranches = pulumi.output(Object.values(protectedBranches));
        this.secretNames = pulumi.output(args.secrets.map((s) => `${s.scope}/${s.name}`));
        this.registerOutputs({
            repository: this.repository,
            environments: this.environments,
            protectedBranches: this.protectedBranches,
            secretNames: this.secretNames,
        });
    }
}

/**
 * Refuses args GitHub would refuse after some settings exist (a secret name it does not accept, a
 * production environment nobody may approve) or that would configure another repository:
 * `RepositorySettingsArgs.<field>: <why>; fix: <how>`. GitHub's rules: an owner is 1–39 letters,
 * digits or inner hyphens; an environment takes 1–6 required reviewers; a secret or variable name
 * is letters, digits and underscores, not starting with a digit or GITHUB_ (the platform's names are
 * upper case). Pure; runs before anything is registered. Returns the repository's name (the
 * provider is configured with the owner).
 */
export function validateRepositorySettingsArgs(args: RepositorySettingsArgs): string {
    const fail = (field: string, why: string, fix: string): never => {
        throw new Error(`RepositorySettingsArgs.${field}: ${why}; fix: ${fix}`);
    };
    const match = /^([^/]+)\/([A-Za-z0-9._-]{1,100})$/.exec(args.repository ?? "");
    if (!match || !isDnsLabel(match[1]) || match[1].length > 39 || match[2] === "." || match[2] === "..")
        fail("repository", `must be owner/name, got "${args.repository}"`, "set odoo-platform:githubRepository");
    const reviewers = args.productionReviewers ?? [];
    if (reviewers.length < 1 || reviewers.length > 6)
        fail(
            "productionReviewers",
            `must list 1 to 6 GitHub user ids (the production environment needs an approver), got ${reviewers.length}`,
            "set odoo-platform:githubProductionReviewers",
        );
    const badReviewers = reviewers.filter((id) => !(Number.isInteger(id) && id > 0));
    if (badReviewers.length)
        fail("productionReviewers", `must be numeric GitHub user ids, got ${badReviewers.join(", ")}`, "look ids up with `gh api users/<login> --jq .id`");
    const scopes = new Set<string>(["repository", ...Object.values(githubEnvironments)]);
    const seen = new Set<string>();
    for (const item of [...(args.secrets ?? []).map((s) => ({ ...s, kind: "secret" })), ...(args.variables ?? []).map((v) => ({ ...v, kind: "variable" }))]) {
        const field = `${item.kind}s`;
        const fix = "fix the row in components/githubActions.ts";
        if (!/^[A-Z_][A-Z0-9_]*$/.test(item.name) || item.name.startsWith("GITHUB_"))
            fail(field, `has an invalid name "${item.name}" (upper case, not GITHUB_*)`, fix);
        if (!scopes.has(item.scope))
            fail(field, `${item.name} has an unknown scope "${item.scope}" (repository or ${Object.values(githubEnvironments).join(", ")})`, fix);
        const key = `${item.kind}:${item.scope}:${item.name}`;
        if (seen.has(key)) fail(field, `lists ${item.scope}/${item.name} twice`, fix);
        seen.add(key);
    }
    return match![2];
}
