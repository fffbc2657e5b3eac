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
        for (const bad of ["prod", "pr-", "pr-0", "pr-007", "pr-42-foo", "Staging", "pr"]) {
            assert.throws(() => stackIdentity(bad), /use dev, staging, production, or pr-<number>/, bad);
        }
    });
});
