import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { lintWorkflow, workflowsDir } from "../support/actionlint";

const file = path.join(workflowsDir, "postmortem.yml");
const text = fs.readFileSync(file, "utf8");
const wf = parse(text);

describe("postmortem workflow", () => {
    it("passes actionlint", async () => {
        assert.deepEqual(await lintWorkflow(file, text), []);
    });

    it("runs when a deploy workflow of this repository fails", () => {
        const names = fs
            .readdirSync(workflowsDir)
            .filter((f) => f !== "postmortem.yml")
            .map((f) => parse(fs.readFileSync(path.join(workflowsDir, f), "utf8")).name);
        const watched: string[] = wf.on.workflow_run.workflows;
        for (const name of watched) assert.ok(names.includes(name), `${name} is a workflow here`);
        assert.deepEqual(watched.sort(), ["production-promote", "rollback", "staging-deploy"]);
        assert.deepEqual(wf.on.workflow_run.types, ["completed"]);
        assert.match(wf.jobs.draft.if, /github\.event\.workflow_run\.conclusion == 'failure'/);
        assert.ok(wf.on.workflow_dispatch.inputs.deployment && wf.on.workflow_dispatch.inputs.since);
    });

    it("drafts with odoo-platform postmortem from the failed run's evidence, least privilege, pinned actions", () => {
        const steps = wf.jobs.draft.steps as { uses?: string; run?: string; with?: Record<string, unknown> }[];
        const runs = steps.map((s) => s.run ?? "").join("\n");
        assert.match(runs, /npx odoo-platform postmortem "\$\{selection\[@\]\}" --evidence-dir evidence --out docs\/postmortems --json/);
        assert.match(runs, /selection=\(--since "\$RUN_STARTED"\)/);
        const download = steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
        assert.equal(download?.with?.["run-id"], "${{ github.event.workflow_run.id }}");
        assert.equal(download?.with?.pattern, "evidence-*");
        assert.deepEqual(wf.permissions, {});
        assert.deepEqual(wf.jobs.draft.permissions, { contents: "write", "pull-requests": "write", actions: "read" });
        for (const s of steps) if (s.uses) assert.match(s.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        assert.doesNotMatch(text, /postgres(ql)?:\/\//, "the database URL comes from a secret");
    });
});
