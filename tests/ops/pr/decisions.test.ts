import * as assert from "node:assert/strict";
import { escapeMarkdown, pickStickyComment, renderComment } from "../../../ops/pr/comment";
import { prNumber, prOfStack, prStackName } from "../../../ops/pr/naming";
import { choosePromotions, confirmReservation, decideAdmission, PrStackInfo, queueOrder, queuePosition } from "../../../ops/pr/queue";
import { encodeMarker, EnvironmentRecord, parseMarker } from "../../../ops/pr/record";
import { planSweep, PullState } from "../../../ops/pr/sweep";
import type { EnvironmentId } from "../../../ops/pr/naming";

const stack = (pr: number, opts: Partial<PrStackInfo> = {}): PrStackInfo => ({ pr, name: `pr-${pr}`, resourceCount: 19, updating: false, ...opts });
const record = (over: Partial<EnvironmentRecord> = {}): EnvironmentRecord => ({
    v: 1,
    state: "deployed",
    pr: 7,
    stack: "acme/odoo-platform/pr-7",
    sha: "0123456789abcdef0123456789abcdef01234567",
    branch: "feature/x",
    url: "https://pr-7-feature-x.dev.acme.test",
    mailCatcherUrl: "https://pr-7-feature-x-mail.dev.acme.test",
    database: "odoo_pr_7",
    deployedAt: "2026-03-02T10:00:00.000Z",
    ...over,
});
const ctx = { ttlHours: 72, limit: 5, adminLogin: "admin", mailCatcherUser: "mail", repositoryUrl: "https://github.com/acme/odoo" };

describe("PR naming", () => {
    it("names the stack pr-<n>, qualified like the shared stack", () => {
        assert.equal(prStackName(7), "pr-7");
        assert.equal(prStackName(7, "acme/odoo-platform/staging"), "acme/odoo-platform/pr-7");
        assert.equal(prStackName(7, "acme/staging"), "acme/pr-7");
        assert.equal(prStackName(7, "staging"), "pr-7");
    });

    it("reads the PR number back from any form of stack name, and only from PR stacks", () => {
        assert.equal(prOfStack("pr-7"), 7);
        assert.equal(prOfStack("acme/odoo-platform/pr-123"), 123);
        for (const other of ["staging", "production", "pr-0", "pr-07", "pr-x", "dev", "pr-7-old"]) assert.equal(prOfStack(other), undefined, other);
    });

    it("accepts only positive whole PR numbers", () => {
        assert.equal(prNumber("42"), 42);
        assert.equal(prNumber(42), 42);
        for (const bad of ["0", "-1", "4.2", "abc", "", 0, 1.5, undefined]) assert.throws(() => prNumber(bad), /positive whole number/, String(bad));
    });
});

describe("PR comment marker", () => {
    it("round-trips the record, even with a branch that would close the HTML comment", () => {
        const tricky = record({ branch: "evil-->branch<script>&" });
        const marker = encodeMarker(tricky);
        assert.equal(marker.indexOf("-->"), marker.length - 3, "the only --> ends the marker");
        assert.ok(!/<script>/.test(marker));
        assert.deepEqual(parseMarker(`hello\n${marker}\nbody`), tricky);
    });

    it("ignores bodies without a valid marker", () => {
        for (const body of [undefined, "", "no marker", "<!-- odoo-platform:pr-environment not json -->", '<!-- odoo-platform:pr-environment {"v":2} -->']) {
            assert.equal(parseMarker(body), undefined, String(body));
        }
    });
});

describe("PR comment rendering", () => {
    it("shows URL, mail catcher, login and where to read the password — never a password", () => {
        const body = renderComment(record(), ctx);
        assert.match(body, /https:\/\/pr-7-feature-x\.dev\.acme\.test/);
        assert.match(body, /https:\/\/pr-7-feature-x-mail\.dev\.acme\.test/);
        assert.match(body, /`admin` — password: `pulumi stack output adminLoginPassword --show-secrets -s acme\/odoo-platform\/pr-7`/);
        assert.match(body, /\[`0123456789ab`\]\(https:\/\/github\.com\/acme\/odoo\/commit\/0123456789abcdef/);
        assert.match(body, /2026-03-02T10:00:00\.000Z/);
        assert.match(body, /after 72 h without a push/);
        assert.ok(body.startsWith("<!-- odoo-platform:pr-environment "));
    });

    it("renders each state", () => {
        assert.match(renderComment(record({ state: "deploying" }), ctx), /Deploying/);
        assert.match(renderComment(record({ state: "failed", reason: "boom" }), ctx), /failed[\s\S]*> boom/);
        assert.match(
            renderComment(record({ state: "queued", holders: [1, 2], queuedAt: "2026-03-02T09:00:00Z" }), { ...ctx, queue: { position: 2, length: 3 } }),
            /position 2 of 3[\s\S]*#1, #2/,
        );
        assert.match(renderComment(record({ state: "removed", reason: "the pull request was merged" }), ctx), /removed: the pull request was merged/);
    });

    it("escapes user-controlled text so a branch name cannot inject links or formatting", () => {
        assert.equal(escapeMarkdown("[x](http://evil) *b* `c`"), "\\[x\\]\\(http://evil\\) \\*b\\* \\`c\\`");
        const visible = renderComment(record({ branch: "[click](http://evil)" }), ctx)
            .split("\n")
            .slice(1)
            .join("\n");
        assert.ok(!visible.includes("[click](http://evil)"), "outside the hidden marker the branch is escaped");
        assert.ok(visible.includes("\\[click\\]"));
    });

    it("picks the oldest bot marker comment as sticky and the rest as duplicates", () => {
        const m = encodeMarker(record());
        const comments = [
            { id: 5, body: m, user: { login: "github-actions[bot]", type: "Bot" }, created_at: "2026-03-02T10:05:00Z" },
            { id: 3, body: m, user: { login: "github-actions[bot]", type: "Bot" }, created_at: "2026-03-02T10:00:00Z" },
            { id: 4, body: m, user: { login: "mallory", type: "User" }, created_at: "2026-03-02T09:00:00Z" },
            { id: 6, body: "LGTM", user: { login: "bob", type: "User" }, created_at: "2026-03-02T11:00:00Z" },
        ];
        const choice = pickStickyComment(comments);
        assert.equal(choice.keep?.id, 3);
        assert.deepEqual(
            choice.duplicates.map((c) => c.id),
            [5],
        );
        assert.equal(pickStickyComment(comments, "mallory").keep?.id, 4, "a configured personal-token author counts as ours");
        assert.equal(pickStickyComment([comments[3]]).keep, undefined);
    });
});

describe("PR queue decisions", () => {
    const five = [1, 2, 3, 4, 5].map((n) => stack(n));

    it("admits while slots are free and queues the 6th PR with the 5 holders", () => {
        assert.deepEqual(decideAdmission({ pr: 5, stacks: five.slice(0, 4), limit: 5 }), { admit: true, reason: "free-slot" });
        assert.deepEqual(decideAdmission({ pr: 6, stacks: five, limit: 5 }), { admit: false, holders: [1, 2, 3, 4, 5] });
    });

    it("lets a PR that holds a slot redeploy at the limit", () => {
        assert.deepEqual(decideAdmission({ pr: 3, stacks: five, limit: 5 }), { admit: true, reason: "holds-slot" });
        assert.deepEqual(decideAdmission({ pr: 3, stacks: five, limit: 2 }), { admit: true, reason: "holds-slot" });
    });

    it("counts a reservation and an update in progress as taken", () => {
        const stacks = [stack(1), stack(2, { resourceCount: 0 }), stack(3, { resourceCount: 0, updating: true })];
        assert.deepEqual(decideAdmission({ pr: 4, stacks, limit: 3 }), { admit: false, holders: [1, 2, 3] });
    });

    it("settles a reservation race the same way on both sides: lowest PR numbers win the free slots", () => {
        const stacks = [stack(1), stack(2), stack(9, { resourceCount: 0 }), stack(8, { resourceCount: 0 })];
        assert.deepEqual(confirmReservation({ pr: 8, stacks, limit: 3 }), { admit: true, reason: "won-reservation" });
        assert.deepEqual(confirmReservation({ pr: 9, stacks, limit: 3 }), { admit: false, holders: [1, 2, 8] });
        assert.deepEqual(confirmReservation({ pr: 9, stacks, limit: 4 }), { admit: true, reason: "won-reservation" });
        // An update already running keeps its slot whatever its number.
        const running = [stack(1), stack(9, { resourceCount: 0, updating: true }), stack(8, { resourceCount: 0 })];
        assert.deepEqual(confirmReservation({ pr: 8, stacks: running, limit: 2 }), { admit: false, holders: [1, 9] });
    });

    it("rejects a nonsensical limit", () => {
        assert.throws(() => decideAdmission({ pr: 1, stacks: [], limit: 0 }), /limit/);
    });

    it("orders the queue by arrival, then PR number; entries without a time go last", () => {
        const entries = [
            { pr: 4, queuedAt: "2026-03-02T11:00:00Z" },
            { pr: 9 },
            { pr: 7, queuedAt: "2026-03-02T10:00:00Z" },
            { pr: 2, queuedAt: "2026-03-02T11:00:00Z" },
        ];
        assert.deepEqual(
            queueOrder(entries).map((e) => e.pr),
            [7, 2, 4, 9],
        );
        assert.deepEqual(choosePromotions(entries, 2), [7, 2]);
        assert.deepEqual(choosePromotions(entries, 0), []);
        assert.deepEqual(queuePosition(entries, { pr: 4, queuedAt: "2026-03-02T11:00:00Z" }), { position: 3, length: 4 });
        assert.deepEqual(queuePosition([], { pr: 1, queuedAt: "2026-03-02T11:00:00Z" }), { position: 1, length: 1 });
    });
});

describe("PR sweep decisions", () => {
    const now = new Date("2026-03-05T12:00:00Z");
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const open: PullState = { state: "open", merged: false };

    const cases: { name: string; stack: PrStackInfo; pull: PullState | null | undefined; expect?: string }[] = [
        { name: "closed PR", stack: stack(1, { lastUpdate: hoursAgo(1) }), pull: { state: "closed", merged: false }, expect: "closed" },
        { name: "merged PR", stack: stack(2, { lastUpdate: hoursAgo(1) }), pull: { state: "closed", merged: true }, expect: "merged" },
        { name: "PR that no longer exists", stack: stack(3), pull: null, expect: "no-such-pr" },
        { name: "idle past the TTL", stack: stack(4, { lastUpdate: hoursAgo(73) }), pull: open, expect: "idle" },
        { name: "active within the TTL", stack: stack(5, { lastUpdate: hoursAgo(71) }), pull: open },
        { name: "idle but an update is running", stack: stack(6, { lastUpdate: hoursAgo(100), updating: true }), pull: open },
        { name: "abandoned empty reservation", stack: stack(7, { resourceCount: 0, lastUpdate: hoursAgo(2) }), pull: open, expect: "abandoned-reservation" },
        { name: "fresh empty reservation", stack: stack(8, { resourceCount: 0, lastUpdate: hoursAgo(0.2) }), pull: open },
        { name: "PR state unknown (GitHub error)", stack: stack(9, { lastUpdate: hoursAgo(500) }), pull: undefined },
        { name: "closed PR with an update running", stack: stack(10, { updating: true }), pull: { state: "closed", merged: false }, expect: "closed" },
    ];
    for (const c of cases) {
        it(`${c.expect ? "removes" : "keeps"}: ${c.name}`, () => {
            const pulls = new Map<EnvironmentId, PullState | null>();
            if (c.pull !== undefined) pulls.set(c.stack.pr, c.pull);
            const actions = planSweep({ stacks: [c.stack], pulls, now, ttlHours: 72 });
            assert.deepEqual(
                actions.map((a) => a.reason),
                c.expect ? [c.expect] : [],
            );
        });
    }
});
