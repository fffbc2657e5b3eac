/**
 * The thin outer layers of the PR lifecycle: the GitHub adapter against a fake `fetch` (the REST
 * calls it makes), the Automation API helpers that need no Pulumi CLI, the PR settings read from
 * the real Pulumi.pr.yaml, and the CLI's refusals before anything changes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policyPackDirs, prConfigValues } from "../../../ops/pr/automation";
import { outsideError } from "../../../ops/cli/environmentDeps";
import { githubFromEnvironment } from "../../../ops/pr/github";
import { InvalidInputError } from "../../../ops/core/errors";
import { keptByDestroy, leftInState } from "../../../ops/pr/destroyCheck";
import { prPlatformSettings, prStackSettings, prView } from "../../../ops/pr/settings";
import { runCli } from "../../support/cli";

interface Call {
    method: string;
    url: string;
    body?: unknown;
}

function fakeGitHub(routes: Record<string, (url: URL) => { status: number; body: unknown; headers?: Record<string, string> }>) {
    const calls: Call[] = [];
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
        const method = (init?.method ?? "GET").toUpperCase();
        calls.push({ method, url: url.pathname + url.search, body: init?.body ? JSON.parse(String(init.body)) : undefined });
        const route = routes[`${method} ${url.pathname}`];
        const res = route ? route(url) : { status: 404, body: { message: "Not Found" } };
        return new Response(res.status === 204 ? null : JSON.stringify(res.body), {
            status: res.status,
            headers: { "content-type": "application/json", ...(res.headers ?? {}) },
        });
    }) as typeof fetch;
    return { calls, fetchImpl };
}

const env = { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/odoo", GITHUB_RUN_ID: "99", GITHUB_SERVER_URL: "https://github.com" };

describe("PR lifecycle adapters: GitHub (Octokit)", () => {
    it("maps a pull request, and a missing one to null", async () => {
        const { fetchImpl } = fakeGitHub({
            "GET /repos/acme/odoo/pulls/7": () => ({
                status: 200,
                body: {
                    number: 7,
                    state: "closed",
                    merged: true,
                    merged_at: "2026-03-01T00:00:00Z",
                    head: { sha: "abc1234", ref: "feature/x", repo: { full_name: "acme/odoo" } },
                    labels: [{ name: "pr-env:deployed" }],
                },
            }),
        });
        const gh = githubFromEnvironment(env, undefined, fetchImpl);
        assert.deepEqual(await gh.getPull(7), {
            number: 7,
            state: "closed",
            merged: true,
            headSha: "abc1234",
            headRef: "feature/x",
            headRepository: "acme/odoo",
            labels: ["pr-env:deployed"],
        });
        assert.equal(await gh.getPull(8), null);
        assert.equal(gh.runUrl, "https://github.com/acme/odoo/actions/runs/99");
        assert.equal(gh.repositoryUrl, "https://github.com/acme/odoo");
    });

    it("reads every page of comments, edits in place, and tolerates removing what is already gone", async () => {
        const page = (n: number, count: number) =>
            Array.from({ length: count }, (_, i) => ({
                id: n * 1000 + i,
                body: "x",
                user: { login: "github-actions[bot]", type: "Bot" },
                created_at: "2026-03-02T00:00:00Z",
            }));
        const { calls, fetchImpl } = fakeGitHub({
            "GET /repos/acme/odoo/issues/7/comments": (url) =>
                url.searchParams.get("page") === "2"
                    ? { status: 200, body: page(2, 1) }
                    : {
                          status: 200,
                          body: page(1, 100),
                          headers: { link: '<https://api.github.com/repos/acme/odoo/issues/7/comments?per_page=100&page=2>; rel="next"' },
                      },
            "PATCH /repos/acme/odoo/issues/comments/1000": () => ({ status: 200, body: { id: 1000 } }),
            "POST /repos/acme/odoo/issues/7/comments": () => ({ status: 201, body: { id: 5555 } }),
            "POST /repos/acme/odoo/issues/7/labels": () => ({ status: 200, body: [] }),
        });
        const gh = githubFromEnvironment(env, undefined, fetchImpl);
        assert.equal((await gh.listComments(7)).length, 101);
        await gh.updateComment(1000, "new body");
        assert.equal(await gh.createComment(7, "hello"), 5555);
        await gh.deleteComment(42);
        await gh.setLabels(7, { add: ["pr-env:queued"], remove: ["pr-env:deployed"] });
        assert.deepEqual(calls.find((c) => c.method === "PATCH")?.body, { body: "new body" });
        assert.deepEqual(calls.find((c) => c.url.endsWith("/labels"))?.body, { labels: ["pr-env:queued"] });
        assert.ok(calls.some((c) => c.method === "DELETE" && c.url === "/repos/acme/odoo/issues/7/labels/pr-env%3Adeployed"));
    });

    it("dispatches the deploy workflow on the default branch with the PR number", async () => {
        const { calls, fetchImpl } = fakeGitHub({
            "GET /repos/acme/odoo": () => ({ status: 200, body: { default_branch: "main" } }),
            "POST /repos/acme/odoo/actions/workflows/pr-environment.yml/dispatches": () => ({ status: 204, body: null }),
            "GET /repos/acme/odoo/issues": () => ({ status: 200, body: [{ number: 3, pull_request: {} }, { number: 4 }] }),
        });
        const gh = githubFromEnvironment(env, undefined, fetchImpl);
        await gh.dispatchDeploy(12);
        assert.deepEqual(calls.at(-1)?.body, { ref: "main", inputs: { pr: "12" } });
        assert.deepEqual(await gh.listOpenPullsWithLabel("pr-env:queued"), [3], "issues are not pull requests");
        assert.match(calls.at(-1)!.url, /state=open&labels=pr-env%3Aqueued/);
    });

    it("turns an unreachable GitHub or a refused token into exit 2 with what to check", () => {
        const offline = outsideError(
            Object.assign(new Error("getaddrinfo ENOTFOUND api.github.com"), { status: 500, cause: { cause: { code: "ENOTFOUND" } } }),
        );
        assert.ok(offline instanceof InvalidInputError && /cannot reach GitHub \(ENOTFOUND\)/.test(offline.message));
        assert.match(outsideError(Object.assign(new Error("Bad credentials"), { status: 401 })).message, /check GITHUB_TOKEN/);
        assert.match(
            outsideError(Object.assign(new Error("Resource not accessible by integration"), { status: 403 })).message,
            /pull-requests, issues and actions write/,
        );
        const other = new Error("boom");
        assert.equal(outsideError(other), other);
    });

    it("refuses to start without a repository or a token", () => {
        assert.throws(() => githubFromEnvironment({ GITHUB_TOKEN: "t" }), /GITHUB_REPOSITORY/);
        assert.throws(() => githubFromEnvironment({ GITHUB_REPOSITORY: "acme/odoo" }), /GITHUB_TOKEN is not set/);
    });
});

describe("PR lifecycle adapters: Automation API helpers", () => {
    it("enforces every policy pack directory that has a PulumiPolicy.yaml", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "packs-"));
        for (const [pack, file] of [
            ["security", "PulumiPolicy.yaml"],
            ["contracts", "PulumiPolicy.yaml"],
            ["lib", "index.ts"],
        ]) {
            fs.mkdirSync(path.join(dir, "policy", pack), { recursive: true });
            fs.writeFileSync(path.join(dir, "policy", pack, file), "");
        }
        fs.writeFileSync(path.join(dir, "policy", "registry.ts"), "");
        assert.deepEqual(policyPackDirs(dir), [path.join(dir, "policy/contracts"), path.join(dir, "policy/security")]);
        assert.deepEqual(policyPackDirs(path.join(dir, "nowhere")), []);
    });

    it("sets the CI values as stack config, the image only when CI built one", () => {
        assert.deepEqual(prConfigValues({ gitSha: "abc1234", gitBranch: "feature/x", odooImage: "ghcr.io/a/b@sha256:" + "0".repeat(64) }), {
            "odoo-platform:gitSha": "abc1234",
            "odoo-platform:gitBranch": "feature/x",
            "odoo-platform:odooImage": "ghcr.io/a/b@sha256:" + "0".repeat(64),
        });
        assert.ok(!("odoo-platform:odooImage" in prConfigValues({ gitSha: "abc1234", gitBranch: "x" })));
    });
});

describe("PR lifecycle adapters: settings from Pulumi.pr.yaml", () => {
    it("reads the limit, TTL, shared stack and Docker host the program uses", () => {
        assert.deepEqual(prPlatformSettings({ env: {} }), {
            limit: 5,
            ttlHours: 72,
            sharedStack: "insightpulseai/odoo-platform/staging",
            runtime: "docker",
            dockerHost: "ssh://deploy@nonprod-1.insightpulseai.com",
            testLogIgnore: [],
            branchEnvironments: [],
        });
    });

    it("names the host and database of a build before it is deployed, and refuses a bad image", () => {
        const { names } = prStackSettings({ pr: 7, sha: "abc1234", branch: "Feature/Émile's layout", env: {} });
        assert.equal(names.host, "pr-7-feature-emile-s-layout.dev.insightpulseai.com");
        assert.equal(names.database, "odoo_pr_7");
        assert.throws(
            () => prStackSettings({ pr: 7, sha: "abc1234", branch: "x", image: "not an image!", env: {} }),
            /odooImage must be a Docker image reference/,
        );
    });
});

describe("PR lifecycle adapters: the runtime of the PR stacks", () => {
    const kubernetesDir = path.resolve(__dirname, "../../../examples/kubernetes");

    it("reads the runtime from Pulumi.pr.yaml: kubernetes (examples/kubernetes) has no Docker host", () => {
        const platform = prPlatformSettings({ projectDir: kubernetesDir, env: {} });
        assert.equal(platform.runtime, "kubernetes");
        assert.equal(platform.dockerHost, undefined);
        assert.equal(platform.limit, 5);
    });

    it("names what a build will be on each runtime: the same hosts, the database's place, the namespace", () => {
        const build = { pr: 7, sha: "abc1234", branch: "feature/x", env: {} };
        const docker = prView(prStackSettings(build));
        assert.deepEqual(docker, {
            runtime: "docker",
            url: "https://pr-7-feature-x.dev.insightpulseai.com",
            mailCatcherUrl: "https://pr-7-feature-x-mail.dev.insightpulseai.com",
            database: "odoo_pr_7",
            databaseHost: "odoo-pr-7-db",
        });
        const kubernetes = prView(prStackSettings({ ...build, projectDir: kubernetesDir }));
        assert.deepEqual(kubernetes, {
            runtime: "kubernetes",
            url: "https://pr-7-feature-x.dev.insightpulseai.com",
            // The namespace's Mailpit Ingress serves this host (components/StackNamespace.ts mailUi).
            mailCatcherUrl: "https://pr-7-feature-x-mail.dev.insightpulseai.com",
            database: "odoo_pr_7",
            databaseHost: "odoo-staging-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com",
            namespace: "pr-7",
        });
    });

    it("confirms a destroy keeps nothing and leaves nothing in the state (ops/pr/destroyCheck.ts)", () => {
        const urn = (type: string, name: string) => `urn:pulumi:pr-7::odoo-platform::${type}::${name}`;
        const stackRes = { urn: urn("pulumi:pulumi:Stack", "odoo-platform-pr-7"), type: "pulumi:pulumi:Stack" };
        const provider = { urn: urn("pulumi:providers:kubernetes", "kubernetes"), type: "pulumi:providers:kubernetes", protect: true };
        const namespace = {
            urn: urn("odoo-platform:kubernetes:StackNamespace$kubernetes:core/v1:Namespace", "namespace"),
            type: "kubernetes:core/v1:Namespace",
        };
        const database = {
            urn: urn("odoo-platform:data:ServerDatabase$postgresql:index/database:Database", "database-database"),
            type: "postgresql:index/database:Database",
        };
        assert.deepEqual(keptByDestroy({ resources: [stackRes, provider, namespace, database] }), []);
        assert.deepEqual(keptByDestroy({ resources: [namespace, { ...database, retainOnDelete: true }] }), [
            "postgresql:index/database:Database database-database (retainOnDelete)",
        ]);
        assert.deepEqual(keptByDestroy({ resources: [{ ...namespace, protect: true }] }), ["kubernetes:core/v1:Namespace namespace (protect)"]);
        assert.deepEqual(leftInState({ resources: [stackRes, provider] }), []);
        assert.deepEqual(leftInState(undefined), []);
        assert.deepEqual(leftInState({ resources: [stackRes, namespace] }), ["kubernetes:core/v1:Namespace namespace"]);
    });
});

describe("odoo-platform pr (CLI)", () => {
    it("refuses bad usage with exit 2 before touching anything", async () => {
        const saved = { token: process.env.GITHUB_TOKEN, repo: process.env.GITHUB_REPOSITORY };
        delete process.env.GITHUB_TOKEN;
        delete process.env.GITHUB_REPOSITORY;
        try {
            const badPr = await runCli(["pr", "up", "--pr", "abc", "--sha", "abc1234", "--branch", "x"]);
            assert.equal(badPr.code, 2);
            assert.match(badPr.stderr, /--pr: pull request number must be a positive whole number/);
            const noRepo = await runCli(["pr", "down", "--pr", "7", "--json"]);
            assert.equal(noRepo.code, 2);
            assert.match(noRepo.json.error, /GITHUB_REPOSITORY/);
            const missing = await runCli(["pr", "up", "--sha", "abc1234"]);
            assert.equal(missing.code, 2, "a missing --pr is a usage error");
        } finally {
            if (saved.token !== undefined) process.env.GITHUB_TOKEN = saved.token;
            if (saved.repo !== undefined) process.env.GITHUB_REPOSITORY = saved.repo;
        }
    });
});
