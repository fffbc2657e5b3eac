import * as assert from "node:assert/strict";
import { stackIdentity } from "../../config/stage";

describe("stage from stack name", () => {
    it("maps dev, staging, production and pr-<n>", () => {
        assert.deepEqual(stackIdentity("dev"), { stack: "dev", stage: "dev" });
        assert.deepEqual(stackIdentity("staging"), { stack: "staging", stage: "staging" });
        assert.deepEqual(stackIdentity("production"), { stack: "production", stage: "production" });
        assert.deepEqual(stackIdentity("pr-42"), { stack: "pr-42", stage: "pr", prNumber: 42 });
        assert.deepEqual(stackIdentity("acme/odoo-platform/pr-7"), { stack: "pr-7", stage: "pr", prNumber: 7 });
    });

    it("refuses anything else, saying which names are valid", () => {
        for (const bad of ["prod", "pr-", "pr-0", "pr-007", "pr-42-foo", "Staging", "pr", "br-", "br-Feature", "br--x", "br-x-", `br-${"a".repeat(41)}`]) {
            assert.throws(() => stackIdentity(bad), /use dev, staging, production, pr-<number> \(for example pr-42\) or br-<branch slug>/, bad);
        }
    });

    it("a branch environment (br-<slug>) runs in the PR stage", () => {
        assert.deepEqual(stackIdentity("br-feature-invoice"), { stack: "br-feature-invoice", stage: "pr", branchEnvironment: "feature-invoice" });
        assert.deepEqual(stackIdentity("org/odoo-platform/br-x"), { stack: "br-x", stage: "pr", branchEnvironment: "x" });
    });
});
