import * as assert from "node:assert/strict";
import { progress } from "../../../ops/core/progress";

describe("ops/core progress", () => {
    it("writes steps and the summary to the sink it is given, prefixed with the elapsed time and the task", () => {
        const lines: string[] = [];
        const p = progress("snapshot create", { stderr: (t) => lines.push(t) }, true);
        p.step("dumping");
        p.update(3, 10);
        p.done("3 tables");
        assert.match(lines[0], /^\[\d+\.\ds\] snapshot create: dumping\n$/);
        assert.match(lines[1], /^\[\d+\.\ds\] snapshot create: dumping 3\/10 \(30%\)\n$/);
        assert.match(lines[2], /^\[\d+\.\ds\] snapshot create: done — 3 tables\n$/);
    });

    it("prints nothing when disabled (ODOO_PLATFORM_QUIET)", () => {
        const lines: string[] = [];
        const p = progress("x", { stderr: (t) => lines.push(t) }, false);
        p.step("a");
        p.update(1, 2);
        p.done();
        assert.deepEqual(lines, []);
    });
});
