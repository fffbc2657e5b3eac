import * as assert from "node:assert/strict";
import { InvalidInputError, OperationFailedError } from "../../../ops/core/errors";
import { prDown, prSweep, prUp } from "../../../ops/pr/lifecycle";
import { prLabels } from "../../../ops/pr/naming";
import { parseMarker } from "../../../ops/pr/record";
import { world, World } from "./fakes";

const sha = (n: number) =>
    `${n}`
        .repeat(40)
        .slice(0, 40)
        .replace(/[^0-9a-f]/g, "a");
const image = "ghcr.io/example/odoo-pr@sha256:" + "b".repeat(64);

async function upPr(w: World, pr: number, opts: { sha?: string; branch?: string } = {}) {
    if (!w.github.pulls.has(pr)) w.github.openPull(pr);
    return prUp(w.deps, { pr, sha: opts.sha ?? sha(pr), branch: opts.branch ?? `feature/pr-${pr}`, image });
}

describe("PR lifecycle: up", () => {
    it("deploys a PR and writes one sticky comment with URL, mail catcher, login, where the password is, build SHA and deploy time", async () => {
        const w = world();
        const report = await upPr(w, 7, { branch: "feature/Invoice Layout" });
        assert.equal(report.outcome, "deployed");
        assert.equal(w.backend.deploys.length, 1);
        assert.deepEqual(w.backend.deploys[0].config, { gitSha: sha(7), gitBranch: "feature/Invoice Layout", odooImage: image, slot: 1 });

        const [comment] = w.github.markerComments(7);
        assert.ok(comment, "a sticky comment exists");
        const body = comment.body;
        assert.match(body, /https:\/\/pr-7-feature-invoice-layout\.dev\.example\.com/);
        assert.match(body, /-mail\.dev\.example\.com/);
        assert.match(body, /`admin`/);
        assert.match(body, /pulumi stack output adminLoginPassword --show-secrets -s example\/odoo-platform\/pr-7/);
        assert.match(body, /pulumi stack output mailCatcherPassword --show-secrets -s example\/odoo-platform\/pr-7/);
        assert.match(body, new RegExp(sha(7).slice(0, 12)));
        assert.match(body, /2026-03-02T10:00:00\.000Z/, "time of the last deploy");
        assert.match(body, /actions\/runs\/42/);
        const record = parseMarker(body)!;
        assert.equal(record.state, "deployed");
        assert.equal(record.sha, sha(7));
        assert.deepEqual(w.github.labelsOf(7), [prLabels.deployed]);
    });

    it("edits the same comment on every push instead of adding a new one", async () => {
        const w = world();
        await upPr(w, 7, { sha: "1111111" });
        const [first] = w.github.markerComments(7);
        w.clock.advanceHours(2);
        await upPr(w, 7, { sha: "2222222" });
        await upPr(w, 7, { sha: "3333333" });

        const comments = w.github.markerComments(7);
        assert.equal(comments.length, 1, "still exactly one sticky comment");
        assert.equal(comments[0].id, first.id, "the same comment, edited in place");
        assert.equal(w.github.calls.create, 1);
        assert.ok(w.github.calls.update >= 4, `updated on each push (deploying + deployed), got ${w.github.calls.update}`);
        assert.match(comments[0].body, /3333333/);
        assert.doesNotMatch(comments[0].body, /2222222/);
        assert.equal(parseMarker(comments[0].body)!.deployedAt, "2026-03-02T12:00:00.000Z");
    });

    it("deletes extra sticky comments a race left behind, and ignores people quoting the marker", async () => {
        const w = world();
        w.github.openPull(7);
        const quoted = w.github.addComment(7, "look: <!-- odoo-platform:pr-environment {} -->", { login: "alice", type: "User" });
        await upPr(w, 7);
        const stray = w.github.addComment(7, w.github.markerComments(7).find((c) => c.user?.type === "Bot")!.body, {
            login: "github-actions[bot]",
            type: "Bot",
        });
        await upPr(w, 7, { sha: "4444444" });
        const bots = w.github.markerComments(7).filter((c) => c.user?.type === "Bot");
        assert.equal(bots.length, 1);
        assert.notEqual(bots[0].id, stray, "the newer duplicate is the one deleted");
        assert.ok(
            w.github.comments.some((c) => c.id === quoted),
            "a person's comment is never touched",
        );
        assert.equal(w.github.comments.find((c) => c.id === quoted)!.body, "look: <!-- odoo-platform:pr-environment {} -->");
    });

    it("queues the 6th concurrent PR, naming the PRs that hold the slots, and deploys nothing", async () => {
        const w = world({ limit: 5 });
        for (const pr of [1, 2, 3, 4, 5]) await upPr(w, pr);
        assert.equal(w.backend.stacks.size, 5);

        const report = await upPr(w, 6);
        assert.equal(report.outcome, "queued");
        assert.deepEqual(report.holders, [1, 2, 3, 4, 5]);
        assert.deepEqual(report.position, { position: 1, length: 1 });
        assert.equal(w.backend.deploys.filter((d) => d.pr === 6).length, 0);
        assert.ok(!w.backend.stacks.has(6), "no stack is created for a queued PR");
        assert.deepEqual(w.github.labelsOf(6), [prLabels.queued]);
        const [comment] = w.github.markerComments(6);
        assert.match(comment.body, /Queued: all 5 PR environment slots are in use/);
        assert.match(comment.body, /#1, #2, #3, #4, #5/);
        const record = parseMarker(comment.body)!;
        assert.equal(record.state, "queued");
        assert.equal(record.image, image, "the queued build is recorded for the later deploy");
    });

    it("keeps a queued PR's place when it is pushed again, and orders the queue by arrival", async () => {
        const w = world({ limit: 1 });
        await upPr(w, 1);
        await upPr(w, 3);
        w.clock.advanceHours(1);
        await upPr(w, 2);
        w.clock.advanceHours(1);
        const again = await upPr(w, 3, { sha: "5555555" });
        assert.equal(again.outcome, "queued");
        assert.deepEqual(again.position, { position: 1, length: 2 });
        const record = parseMarker(w.github.markerComments(3)[0].body)!;
        assert.equal(record.queuedAt, "2026-03-02T10:00:00.000Z");
        assert.equal(record.sha, "5555555");
        const second = parseMarker(w.github.markerComments(2)[0].body)!;
        assert.equal(second.queuedAt, "2026-03-02T11:00:00.000Z");
    });

    it("redeploys a PR that already holds a slot even when every slot is taken", async () => {
        const w = world({ limit: 2 });
        await upPr(w, 1);
        await upPr(w, 2);
        const report = await upPr(w, 2, { sha: "6666666" });
        assert.equal(report.outcome, "deployed");
    });

    it("resolves a race for the last slot: the lower PR number keeps it, the other queues and removes its reservation", async () => {
        const w = world({ limit: 3 });
        await upPr(w, 1);
        await upPr(w, 2);
        // PR 8 and PR 9 both saw 2 of 3 slots used and both reserve: each re-read sees both.
        w.backend.onReserve = (pr) => {
            if (pr === 8) w.backend.stacks.set(9, { pr: 9, name: "pr-9", resourceCount: 0, updating: false });
        };
        const eight = await upPr(w, 8);
        assert.equal(eight.outcome, "deployed", "lower number wins the contested slot");

        const w2 = world({ limit: 3 });
        await upPr(w2, 1);
        await upPr(w2, 2);
        w2.backend.onReserve = (pr) => {
            if (pr === 10) w2.backend.stacks.set(8, { pr: 8, name: "pr-8", resourceCount: 0, updating: false });
        };
        const ten = await upPr(w2, 10);
        assert.equal(ten.outcome, "queued");
        assert.deepEqual(ten.holders, [1, 2, 8]);
        assert.ok(!w2.backend.stacks.has(10), "the losing reservation is released");
        assert.ok(w2.backend.stacks.has(8));
    });

    it("records a failed deploy in the comment and fails with the reason", async () => {
        const w = world();
        w.github.openPull(7);
        w.backend.failNextDeploy = new Error("policy violation: neutralization/mail-catcher-only\nmore detail");
        await assert.rejects(
            () => upPr(w, 7),
            (err: Error) => err instanceof OperationFailedError && /neutralization\/mail-catcher-only/.test(err.message),
        );
        const record = parseMarker(w.github.markerComments(7)[0].body)!;
        assert.equal(record.state, "failed");
        assert.equal(record.reason, "policy violation: neutralization/mail-catcher-only");
    });

    it("does not deploy a closed PR and rejects a PR that does not exist", async () => {
        const w = world();
        w.github.openPull(7);
        w.github.close(7, true);
        const report = await upPr(w, 7);
        assert.equal(report.outcome, "skipped");
        assert.equal(w.backend.deploys.length, 0);
        await assert.rejects(() => prUp(w.deps, { pr: 99, sha: "abcdef1", branch: "x" }), InvalidInputError);
    });

    it("rejects a bad --sha before touching anything", async () => {
        const w = world();
        w.github.openPull(7);
        await assert.rejects(() => prUp(w.deps, { pr: 7, sha: "not-a-sha", branch: "x" }), /--sha must be the commit/);
        assert.equal(w.github.comments.length, 0);
        assert.equal(w.backend.stacks.size, 0);
    });

    it("deploys the build recorded in the queued comment when dispatched from the queue", async () => {
        const w = world({ limit: 1 });
        await upPr(w, 1);
        await upPr(w, 2, { sha: "7777777", branch: "feature/queued" });
        await prDown(w.deps, { pr: 1 });
        assert.deepEqual(w.github.dispatched, [2]);
        const report = await prUp(w.deps, { pr: 2, fromQueue: true });
        assert.equal(report.outcome, "deployed");
        assert.deepEqual(w.backend.deploys.at(-1), { pr: 2, config: { gitSha: "7777777", gitBranch: "feature/queued", odooImage: image, slot: 1 } });
        assert.deepEqual(w.github.labelsOf(2), [prLabels.deployed]);
        const skipped = await prUp(w.deps, { pr: 2, fromQueue: true });
        assert.equal(skipped.outcome, "skipped", "a dispatched run for a PR no longer queued does nothing");
    });
});

describe("PR lifecycle: down", () => {
    it("destroys and removes the stack, marks the comment removed, and is idempotent", async () => {
        const w = world();
        await upPr(w, 7);
        w.github.close(7, true);
        const first = await prDown(w.deps, { pr: 7 });
        assert.equal(first.destroyed, true);
        assert.equal(first.reason, "the pull request was merged");
        assert.ok(!w.backend.stacks.has(7));
        const again = await prDown(w.deps, { pr: 7 });
        assert.equal(again.destroyed, false, "an already-removed stack is fine");
        const comments = w.github.markerComments(7);
        assert.equal(comments.length, 1);
        assert.equal(parseMarker(comments[0].body)!.state, "removed");
        assert.deepEqual(w.github.labelsOf(7), []);
    });

    it("removes a half-created (reserved, empty) stack and a PR that was only queued", async () => {
        const w = world({ limit: 1 });
        await upPr(w, 1);
        await upPr(w, 2);
        w.backend.stacks.set(3, { pr: 3, name: "pr-3", resourceCount: 0, updating: false });
        w.github.openPull(3);
        assert.equal((await prDown(w.deps, { pr: 3 })).destroyed, true);
        w.github.close(2);
        const queuedDown = await prDown(w.deps, { pr: 2 });
        assert.equal(queuedDown.destroyed, false);
        assert.equal(parseMarker(w.github.markerComments(2)[0].body)!.state, "removed");
        assert.deepEqual(w.github.labelsOf(2), []);
    });

    it("hands the freed slot to the PR queued first", async () => {
        const w = world({ limit: 2 });
        await upPr(w, 1);
        await upPr(w, 2);
        await upPr(w, 5);
        w.clock.advanceHours(1);
        await upPr(w, 4);
        w.github.close(1);
        const report = await prDown(w.deps, { pr: 1 });
        assert.deepEqual(report.promoted, [5], "PR 5 queued before PR 4");
        assert.deepEqual(w.github.dispatched, [5]);
    });
});

describe("PR lifecycle: the runtime of the PR stacks", () => {
    it("docker: the deploy gets a routing slot; the report names the PR's own database container", async () => {
        const w = world();
        const report = await upPr(w, 7);
        assert.equal(w.backend.deploys[0].config.slot, 1);
        assert.deepEqual([report.runtime, report.databaseHost, report.namespace], ["docker", "odoo-pr-7-db", undefined]);
        assert.equal((await prDown(w.deps, { pr: 7 })).runtime, "docker");
    });

    it("kubernetes: no routing slot (a namespace needs none), the mail catcher URL, the namespace and the staging server in the report", async () => {
        const w = world({ runtime: "kubernetes" });
        for (const pr of [7, 8]) await upPr(w, pr);
        assert.deepEqual(
            w.backend.deploys.map((d) => d.config.slot),
            [undefined, undefined],
        );
        const report = await upPr(w, 9, { branch: "feature/x" });
        assert.equal(report.outcome, "deployed");
        assert.equal(report.runtime, "kubernetes");
        assert.equal(report.namespace, "pr-9");
        assert.equal(report.databaseHost, "odoo-staging-db.example.rds.amazonaws.com");
        assert.equal(report.mailCatcherUrl, "https://pr-9-feature-x-mail.dev.example.com");
        const body = w.github.markerComments(9)[0].body!;
        const record = parseMarker(body)!;
        assert.equal(record.mailCatcherUrl, "https://pr-9-feature-x-mail.dev.example.com");
        assert.deepEqual([record.runtime, record.namespace, record.databaseHost], ["kubernetes", "pr-9", "odoo-staging-db.example.rds.amazonaws.com"]);
        // The reviewer sees where things are, and that no test verdict exists on this runtime.
        assert.match(body, /\| \*\*Database\*\* \| `[a-z0-9_]+` on `odoo-staging-db\.example\.rds\.amazonaws\.com`/);
        assert.match(body, /\| \*\*Namespace\*\* \| `pr-9` — its pods: `kubectl -n pr-9 get pods`/);
        assert.match(body, /\| \*\*Tests\*\* \| not run: PR stacks on the kubernetes runtime have no test step yet/);
        const down = await prDown(w.deps, { pr: 9 });
        assert.deepEqual([down.runtime, down.destroyed], ["kubernetes", true]);
        assert.match(w.github.markerComments(9)[0].body!, /The stack, its namespace `pr-9` and its database are gone/);
    });

    it("a destroy that finds something kept or left (ops/pr/destroyCheck.ts) fails pr down: the comment is not marked removed and the slot is not handed on", async () => {
        const w = world({ runtime: "kubernetes", limit: 1 });
        await upPr(w, 7);
        const queued = await upPr(w, 8);
        assert.equal(queued.outcome, "queued");
        w.backend.failNextDestroy = new OperationFailedError("pr-7 still holds kubernetes:core/v1:Namespace namespace after the destroy");
        await assert.rejects(prDown(w.deps, { pr: 7 }), /still holds kubernetes:core\/v1:Namespace/);
        assert.equal(parseMarker(w.github.markerComments(7)[0].body)!.state, "deployed");
        assert.deepEqual(w.github.dispatched, []);
        assert.ok(w.backend.stacks.has(7));
        const retry = await prDown(w.deps, { pr: 7 });
        assert.equal(retry.destroyed, true);
        assert.deepEqual(w.github.dispatched, [8]);
    });
});

describe("PR lifecycle: sweep", () => {
    it("removes the stack of a closed PR whose close event was lost, and of a merged one", async () => {
        const w = world();
        for (const pr of [1, 2, 3]) await upPr(w, pr);
        w.github.close(1);
        w.github.close(3, true);
        const report = await prSweep(w.deps, { dryRun: false });
        assert.deepEqual(
            report.actions.map((a) => [a.pr, a.reason]),
            [
                [1, "closed"],
                [3, "merged"],
            ],
        );
        assert.deepEqual([...w.backend.stacks.keys()], [2]);
        assert.equal(parseMarker(w.github.markerComments(1)[0].body)!.state, "removed");
        assert.deepEqual(report.failures, []);
    });

    it("removes an environment idle past the TTL and keeps a recently deployed one", async () => {
        const w = world({ ttlHours: 72 });
        await upPr(w, 1);
        w.clock.advanceHours(70);
        await upPr(w, 2);
        w.clock.advanceHours(3);
        const report = await prSweep(w.deps, { dryRun: false });
        assert.deepEqual(
            report.actions.map((a) => [a.pr, a.reason]),
            [[1, "idle"]],
        );
        assert.match(report.actions[0].detail, /no deploy for 73 h \(TTL 72 h\)/);
        assert.match(w.github.markerComments(1)[0].body, /no push for 72 h/);
        assert.ok(w.backend.stacks.has(2));
    });

    it("in a dry run reports what it would remove and promote, and changes nothing", async () => {
        const w = world({ limit: 1 });
        await upPr(w, 1);
        await upPr(w, 2);
        w.github.close(1);
        const before = JSON.stringify(w.github.comments);
        const report = await prSweep(w.deps, { dryRun: true });
        assert.deepEqual(
            report.actions.map((a) => a.pr),
            [1],
        );
        assert.deepEqual(report.promoted, [2]);
        assert.ok(w.backend.stacks.has(1));
        assert.equal(JSON.stringify(w.github.comments), before);
        assert.deepEqual(w.github.dispatched, []);
    });

    it("after sweeping, dispatches queued PRs into the freed slots", async () => {
        const w = world({ limit: 1 });
        await upPr(w, 1);
        await upPr(w, 2);
        w.github.close(1, true);
        const report = await prSweep(w.deps, { dryRun: false });
        assert.deepEqual(report.promoted, [2]);
        assert.deepEqual(w.github.dispatched, [2]);
    });

    it("keeps going when one PR cannot be read, and reports it", async () => {
        const w = world();
        await upPr(w, 1);
        await upPr(w, 2);
        w.github.close(2);
        const original = w.github.getPull.bind(w.github);
        w.github.getPull = async (pr) => {
            if (pr === 1) throw new Error("GitHub API rate limit exceeded");
            return original(pr);
        };
        const report = await prSweep(w.deps, { dryRun: false });
        assert.deepEqual(
            report.actions.map((a) => a.pr),
            [2],
        );
        assert.equal(report.failures.length, 1);
        assert.match(report.failures[0].error, /rate limit/);
        assert.ok(w.backend.stacks.has(1), "an unreadable PR's environment is never removed by guess");
    });
});
