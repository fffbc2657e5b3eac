import * as assert from "node:assert/strict";
import { renderStepTable } from "../../../ops/staging/report";

describe("step timing report", () => {
    it("prints steps with seconds, rows, rows/s and the ratio to a baseline", () => {
        const text = renderStepTable(
            [
                { step: "schema", seconds: 0.25 },
                { step: "copy + sanitize", seconds: 2, rows: 1000000, rowsPerSecond: 500000, detail: "12 tables" },
            ],
            3.3,
            { baseline: 3, title: "refresh" },
        );
        const lines = text.split("\n");
        assert.equal(lines[0], "refresh");
        assert.match(lines[1], /^step\s+seconds\s+rows\s+rows\/s$/);
        assert.match(text, /copy \+ sanitize\s+2\.00\s+1,000,000\s+500,000\s+12 tables/);
        assert.match(lines[lines.length - 1], /^total\s+3\.30\s+1\.10× the plain copy \(3\.00 s\)$/);
    });
});
