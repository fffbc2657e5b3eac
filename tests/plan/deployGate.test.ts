/**
 * Every deploy the program runs through the Automation API (`odoo-platform promote`, `rollback`,
 * `pr up`) is gated like the workflows' `pulumi preview --policy-pack … && pulumi up`: the
 * Automation API's `up` always skips its own preview, so without the gate a stack policy would only
 * run after the resources had changed.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { deployGate, GatedStack, previewThenUp, projectDir, stackPolicyConfig } from "../../plan/policyConfig";

class RecordingStack implements GatedStack<string> {
    calls: { call: "preview" | "up"; options: Record<string, unknown> }[] = [];
    constructor(private readonly previewFails = false) {}
    async preview(options: Record<string, unknown>) {
        this.calls.push({ call: "preview", options });
        if (this.previewFails) throw new Error("mandatory policy violated: mail-catcher-only");
    }
    async up(options: Record<string, unknown>) {
        this.calls.push({ call: "up", options });
        return "updated";
    }
}

describe("deploy gate of the Automation API deploys", () => {
    it("previews with the pack and the stack's policy configuration, then updates with the same", async () => {
        const stack = new RecordingStack();
        const result = await previewThenUp(stack, deployGate("production"), { color: "never" }, { message: "promote" });
        assert.equal(result, "updated");
        assert.deepEqual(
            stack.calls.map((c) => c.call),
            ["preview", "up"],
        );
        for (const { options } of stack.calls) {
            assert.deepEqual(options.policyPacks, [path.join(projectDir, "policy", "odoo-platform")]);
            assert.equal(options.parallel, 4, "Docker over ssh:// at Pulumi's default parallelism exceeds sshd's MaxStartups");
            const [file] = options.policyPackConfigs as string[];
            assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), JSON.parse(JSON.stringify(stackPolicyConfig("production"))));
            assert.equal(options.color, "never");
        }
        assert.equal(stack.calls[1].options.message, "promote");
        assert.equal(stack.calls[0].options.message, undefined);
    });

    it("does not update when the preview's policies fail", async () => {
        const stack = new RecordingStack(true);
        await assert.rejects(previewThenUp(stack, deployGate("staging")), /mail-catcher-only/);
        assert.deepEqual(
            stack.calls.map((c) => c.call),
            ["preview"],
        );
    });
});
