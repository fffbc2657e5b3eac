/**
 * A fake GitHub REST API on a real HTTP server (127.0.0.1, a free port): the endpoints the platform
 * calls, with GitHub's own rules where they matter (a commit status's state must be one of
 * error/failure/pending/success and its description at most 140 characters, or 422; no token, 401).
 * Tests point the real Octokit adapter at it (GITHUB_API_URL), so requests, pagination and errors
 * go through the same code as in CI.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface StoredStatus {
    sha: string;
    state: string;
    context: string;
    description?: string;
    target_url?: string;
    created_at: string;
    id: number;
}

export interface FakeRepo {
    defaultBranch: string;
    pulls: Map<
        number,
        {
            number: number;
            state: "open" | "closed";
            merged: boolean;
            head: { sha: string; ref: string; repo: { full_name: string } };
            labels: { name: string }[];
        }
    >;
    comments: { id: number; issue: number; body: string; user: { login: string; type: string }; created_at: string }[];
    statuses: StoredStatus[];
    branches: Map<string, string>;
    dispatches: { workflow: string; ref: string; inputs: Record<string, string> }[];
    /** Every request, for assertions on what was called. */
    requests: { method: string; path: string; body?: unknown }[];
}

export interface FakeGitHubApi {
    url: string;
    repo: FakeRepo;
    /** Environment for githubFromEnvironment. */
    env: Record<string, string>;
    close(): Promise<void>;
}

export async function startFakeGitHubApi(owner = "acme", name = "odoo", clock: () => Date = () => new Date()): Promise<FakeGitHubApi> {
    const repo: FakeRepo = { defaultBranch: "main", pulls: new Map(), comments: [], statuses: [], branches: new Map(), dispatches: [], requests: [] };
    let nextId = 1000;
    const base = `/repos/${owner}/${name}`;

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://localhost");
            const method = (req.method ?? "GET").toUpperCase();
            const text = Buffer.concat(chunks).toString("utf8");
            const body = text ? JSON.parse(text) : undefined;
            repo.requests.push({ method, path: url.pathname + url.search, body });
            const send = (status: number, payload?: unknown) => {
                res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
                res.end(status === 204 ? undefined : JSON.stringify(payload ?? {}));
            };
            if (!/^(token|bearer) \S+/i.test(req.headers.authorization ?? "")) return send(401, { message: "Requires authentication" });
            const p = url.pathname;
            let m: RegExpExecArray | null;
            if (method === "GET" && p === base) return send(200, { default_branch: repo.defaultBranch, full_name: `${owner}/${name}` });
            if (method === "GET" && (m = new RegExp(`^${base}/pulls/(\\d+)$`).exec(p))) {
                const pull = repo.pulls.get(Number(m[1]));
                return pull ? send(200, { ...pull, merged_at: pull.merged ? "2026-03-01T00:00:00Z" : null }) : send(404, { message: "Not Found" });
            }
            if ((m = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(p))) {
                const issue = Number(m[1]);
                if (method === "GET")
                    return send(
                        200,
                        repo.comments.filter((c) => c.issue === issue),
                    );
                if (method === "POST") {
                    const comment = {
                        id: nextId++,
                        issue,
                        body: body.body,
                        user: { login: "github-actions[bot]", type: "Bot" },
                        created_at: clock().toISOString(),
                    };
                    repo.comments.push(comment);
                    return send(201, comment);
                }
            }
            if ((m = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(p))) {
                const i = repo.comments.findIndex((c) => c.id === Number(m![1]));
                if (i < 0) return send(404, { message: "Not Found" });
                if (method === "PATCH") return ((repo.comments[i].body = body.body), send(200, repo.comments[i]));
                if (method === "DELETE") return (repo.comments.splice(i, 1), send(204));
            }
            if ((m = new RegExp(`^${base}/issues/(\\d+)/labels(?:/(.+))?$`).exec(p))) {
                const pull = repo.pulls.get(Number(m[1]));
                if (!pull) return send(404, { message: "Not Found" });
                if (method === "POST") {
                    for (const l of body.labels as string[]) if (!pull.labels.some((x) => x.name === l)) pull.labels.push({ name: l });
                    return send(200, pull.labels);
                }
                if (method === "DELETE") {
                    const label = decodeURIComponent(m[2] ?? "");
                    if (!pull.labels.some((x) => x.name === label)) return send(404, { message: "Label does not exist" });
                    pull.labels = pull.labels.filter((x) => x.name !== label);
                    return send(200, pull.labels);
                }
            }
            if (method === "GET" && p === `${base}/issues`) {
                const label = url.searchParams.get("labels");
                return send(
                    200,
                    [...repo.pulls.values()]
                        .filter((x) => x.state === "open" && (!label || x.labels.some((l) => l.name === label)))
                        .map((x) => ({ number: x.number, pull_request: {} })),
                );
            }
            if (method === "POST" && (m = new RegExp(`^${base}/statuses/([0-9a-f]{7,40})$`).exec(p))) {
                const errors: string[] = [];
                if (!["error", "failure", "pending", "success"].includes(body?.state))
                    errors.push(`state "${body?.state}" is not one of error, failure, pending, success`);
                if (typeof body?.description === "string" && body.description.length > 140) errors.push("description is too long (maximum is 140 characters)");
                if (errors.length) return send(422, { message: "Validation Failed", errors: errors.map((e) => ({ message: e })) });
                const status: StoredStatus = {
                    id: nextId++,
                    sha: m[1],
                    state: body.state,
                    context: body.context ?? "default",
                    description: body.description,
                    target_url: body.target_url,
                    created_at: clock().toISOString(),
                };
                repo.statuses.push(status);
                return send(201, status);
            }
            if (method === "GET" && (m = new RegExp(`^${base}/commits/([^/]+)/statuses$`).exec(p))) {
                const ref = decodeURIComponent(m[1]);
                const sha = repo.branches.get(ref) ?? ref;
                return send(200, repo.statuses.filter((s) => s.sha === sha).reverse());
            }
            if (method === "GET" && p === `${base}/branches`) {
                return send(
                    200,
                    [...repo.branches.entries()].map(([branch, sha]) => ({ name: branch, commit: { sha } })),
                );
            }
            if (method === "GET" && (m = new RegExp(`^${base}/branches/(.+)$`).exec(p))) {
                const branch = decodeURIComponent(m[1]);
                const sha = repo.branches.get(branch);
                return sha ? send(200, { name: branch, commit: { sha } }) : send(404, { message: "Branch not found" });
            }
            if (method === "POST" && (m = new RegExp(`^${base}/actions/workflows/([^/]+)/dispatches$`).exec(p))) {
                repo.dispatches.push({ workflow: decodeURIComponent(m[1]), ref: body.ref, inputs: body.inputs ?? {} });
                return send(204);
            }
            return send(404, { message: "Not Found" });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    return {
        url,
        repo,
        env: {
            GITHUB_TOKEN: "ghs_test",
            GITHUB_REPOSITORY: `${owner}/${name}`,
            GITHUB_API_URL: url,
            GITHUB_SERVER_URL: "https://github.com",
            GITHUB_RUN_ID: "4242",
        },
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
