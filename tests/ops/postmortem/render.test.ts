import * as assert from "node:assert/strict";
import { lineTime, maskSecrets, summariseLog } from "../../../ops/postmortem/evidenceLogs";
import { DeploymentRecord, planWrite, postmortemFileName, PostmortemInput, readMarker, renderPostmortem, repositoryUrl } from "../../../ops/postmortem/render";

const t = (iso: string) => new Date(iso);
const deployment = (over: Partial<DeploymentRecord>): DeploymentRecord => ({
    id: 7,
    environment: "staging",
    gitSha: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    gitBranch: "main",
    imageReference: null,
    imageDigest: null,
    status: "failed",
    rollbackOfSha: null,
    startedAt: t("2026-11-25T10:00:00Z"),
    finishedAt: t("2026-11-25T10:04:30Z"),
    evidenceUri: "evidence/20261125T100000Z/deploy",
    runUrl: "https://github.com/insightpulseai/odoo/actions/runs/42",
    actor: "alice",
    migrationsExecuted: ["sale"],
    health: null,
    ...over,
});

const input: PostmortemInput = {
    deployment: deployment({}),
    previousSucceeded: deployment({
        id: 5,
        status: "succeeded",
        gitSha: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        imageDigest: `sha256:${"a".repeat(64)}`,
        startedAt: t("2026-11-24T09:00:00Z"),
        finishedAt: t("2026-11-24T09:03:00Z"),
        runUrl: null,
    }),
    after: [
        deployment({
            id: 8,
            status: "rolled_back",
            gitSha: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            rollbackOfSha: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            startedAt: t("2026-11-25T10:10:00Z"),
            finishedAt: t("2026-11-25T10:12:30Z"),
        }),
    ],
    migrations: [
        {
            module: "sale",
            versionBefore: "17.0.1.2",
            versionAfter: "17.0.1.3",
            scripts: ["sale/migrations/17.0.1.3/post-migrate.py"],
            seconds: 12.5,
            recordedAt: t("2026-11-25T10:02:00Z"),
        },
    ],
    healthCheck: {
        id: 3,
        url: "https://staging.example.com/web/health",
        httpStatus: 502,
        httpOk: false,
        httpMs: 30,
        databaseName: "odoo_staging",
        databaseOk: true,
        ok: false,
        detail: {},
        checkedAt: t("2026-11-25T10:04:00Z"),
    },
    logs: [
        summariseLog(
            "evidence/20261125T100000Z/deploy/logs/deploy.log",
            Buffer.from(
                [
                    "2026-11-25 10:01:00,000 1 INFO odoo_staging odoo.modules.loading: loading 120 modules...",
                    "2026-11-25 10:03:10,500 1 ERROR odoo_staging odoo.modules.registry: Failed to load registry",
                    "Traceback (most recent call last):",
                    "psycopg2.OperationalError: connection to postgresql://odoo:hunter2@db:5432/odoo failed",
                ].join("\n"),
            ),
        ),
    ],
    commits: ["bbbbbbb Rework invoice layout", "ccccccc Bump sale"],
};

describe("postmortem rendering", () => {
    const doc = renderPostmortem(input);

    it("names the file after the day, environment and commit", () => {
        assert.equal(postmortemFileName(input.deployment), "20261125-staging-deploy-bbbbbbbbbbbb.md");
        assert.equal(postmortemFileName(deployment({ environment: "pr-17" })), "20261125-pr-17-deploy-bbbbbbbbbbbb.md");
    });

    it("has a timeline in time order, from the previous success to the rollback", () => {
        const rows = doc.split("\n").filter((l) => /^\| 2026-/.test(l));
        const times = rows.map((r) => r.slice(2, 21));
        assert.deepEqual(times, [...times].sort(), "sorted");
        assert.match(rows[0], /Previous succeeded deployment #5 of `aaaaaaaaaaaa`/);
        assert.match(rows[1], /Deployment #7 of `bbbbbbbbbbbb` to staging started by alice \(\[run\]/);
        assert.ok(rows.some((r) => /2026-11-25 10:02:00 \| Module `sale` upgraded 17\.0\.1\.2 → 17\.0\.1\.3 in 12\.5 s/.test(r)));
        assert.ok(
            rows.some((r) => /2026-11-25 10:03:10 \| `deploy\.log`: .*Failed to load registry/.test(r)),
            "error lines with a time join the timeline",
        );
        assert.ok(rows.some((r) => /10:04:00 \| Health check FAILED: HTTP 502 \(not OK\), database reachable/.test(r)));
        assert.ok(rows.some((r) => /10:04:30 \| Deployment #7 finished: \*\*failed\*\* after 4 min 30 s/.test(r)));
        assert.match(rows[rows.length - 1], /Rollback #8 to `aaaaaaaaaaaa` \(undoing `bbbbbbbbbbbb`\): rolled_back/);
        assert.match(doc, /\| Time to recovery \| 8 min \(rollback #8 at 2026-11-25 10:12:30 UTC\) \|/);
    });

    it("says what changed: the commit range with a compare link, commits, image and migrations", () => {
        assert.match(doc, /Commits: `aaaaaaaaaaaa\.\.bbbbbbbbbbbb` \(\[compare\]\(https:\/\/github\.com\/insightpulseai\/odoo\/compare\/a{40}\.\.\.b{40}\)\)/);
        assert.match(doc, /  - bbbbbbb Rework invoice layout/);
        assert.match(doc, /\| `sale` \| 17\.0\.1\.2 \| 17\.0\.1\.3 \| 12\.5 \| `sale\/migrations\/17\.0\.1\.3\/post-migrate\.py` \|/);
        assert.match(doc, /Image: `sha256:a{64}` → `not recorded/);
        assert.equal(repositoryUrl("https://github.com/o/r/actions/runs/9/attempts/2"), "https://github.com/o/r");
    });

    it("shows health results and the evidence log with secrets masked", () => {
        assert.match(doc, /\| HTTP https:\/\/staging\.example\.com\/web\/health \| FAILED \(502, 30 ms\) \|/);
        assert.match(doc, /Error lines:/);
        assert.ok(!doc.includes("hunter2"), "password masked");
        assert.match(doc, /postgresql:\/\/odoo:\*\*\*@db/);
    });

    it("leaves summary, impact, root cause and actions blank for people", () => {
        for (const section of ["## Summary", "## Impact", "## Root cause", "## Actions"]) assert.ok(doc.includes(section), section);
        assert.match(doc, /\| Action \| Owner \| Issue \|\n\| --- \| --- \| --- \|\n\| \| \| \|/);
    });

    it("copes with a first deployment: no previous success, no health check, no logs, not recovered", () => {
        const lonely = renderPostmortem({ deployment: deployment({ migrationsExecuted: [] }), after: [], migrations: [], logs: [] });
        assert.match(lonely, /no earlier succeeded deployment of staging is recorded/);
        assert.match(lonely, /No health check was recorded/);
        assert.match(lonely, /No evidence files were found/);
        assert.match(lonely, /not recovered yet/);
        assert.match(lonely, /No module migration was recorded/);
    });

    it("is deterministic and marks itself: untouched until somebody edits it", () => {
        assert.equal(renderPostmortem(input), doc);
        assert.deepEqual(readMarker(doc), { deploymentId: 7, untouched: true });
        assert.deepEqual(readMarker(doc.replace("_What happened and who noticed, in two or three sentences._", "The registry failed to load.")), {
            deploymentId: 7,
            untouched: false,
        });
        assert.equal(readMarker("# A postmortem written by hand\n"), undefined);
    });
});

describe("postmortem writing plan", () => {
    const doc = renderPostmortem(input);
    const name = "20261125-staging-deploy-bbbbbbbbbbbb.md";
    const edited = doc.replace("## Summary\n", "## Summary\n\nWe broke the registry.\n");

    it("creates, leaves an identical draft, regenerates an untouched draft", () => {
        assert.deepEqual(planWrite(name, 7, doc, new Map()), { file: name, outcome: "created", keptEdited: [] });
        assert.deepEqual(planWrite(name, 7, doc, new Map([[name, doc]])), { file: name, outcome: "unchanged", keptEdited: [] });
        const older = renderPostmortem({ ...input, after: [] });
        assert.deepEqual(planWrite(name, 7, doc, new Map([[name, older]])), { file: name, outcome: "updated", keptEdited: [] });
    });

    it("never overwrites an edited postmortem: writes -2 beside it, then keeps updating -2", () => {
        assert.deepEqual(planWrite(name, 7, doc, new Map([[name, edited]])), { file: name.replace(".md", "-2.md"), outcome: "created", keptEdited: [name] });
        assert.deepEqual(
            planWrite(
                name,
                7,
                doc,
                new Map([
                    [name, edited],
                    [name.replace(".md", "-2.md"), doc],
                ]),
            ),
            { file: name.replace(".md", "-2.md"), outcome: "unchanged", keptEdited: [name] },
        );
        assert.deepEqual(planWrite(name, 7, doc, new Map([[name, "# hand-written\n"]])).file, name.replace(".md", "-2.md"));
    });

    it("gives a second failed deployment of the same commit on the same day its own file", () => {
        const other = renderPostmortem({ ...input, deployment: { ...input.deployment, id: 9 } });
        assert.deepEqual(planWrite(name, 9, other, new Map([[name, doc]])), { file: name.replace(".md", "-2.md"), outcome: "created", keptEdited: [] });
    });
});

describe("evidence log reading", () => {
    it("masks secrets in URLs and assignments", () => {
        assert.equal(maskSecrets("PGPASSWORD=abc123 db_password: 'x y' token=zz"), "PGPASSWORD=*** db_password: *** token=***");
        assert.equal(maskSecrets("postgresql://u:secret@h/db"), "postgresql://u:***@h/db");
    });

    it("reads times of Odoo, ISO and PostgreSQL log lines", () => {
        assert.equal(lineTime("2026-11-25 10:03:10,500 1 ERROR x")?.toISOString(), "2026-11-25T10:03:10.500Z");
        assert.equal(lineTime("2026-11-25T10:03:10Z step done")?.toISOString(), "2026-11-25T10:03:10.000Z");
        assert.equal(lineTime("2026-11-25 10:03:10.123 UTC [77] LOG:  duration: 1.0 ms")?.toISOString(), "2026-11-25T10:03:10.123Z");
        assert.equal(lineTime("no time here"), undefined);
    });
});
