import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { projectDir } from "./importGraph";

describe("a single test file runs alone", () => {
    it("`npx mocha <file>` runs that file's tests only (.mocharc.json names no spec; npm test does)", () => {
        const file = "tests/config/naming.test.ts";
        const run = spawnSync(process.execPath, [path.join(projectDir, "node_modules/mocha/bin/mocha.js"), "--dry-run", "--reporter", "json", file], {
            cwd: projectDir,
            encoding: "utf8",
        });
        assert.equal(run.status, 0, run.stderr);
        const report = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as { tests: { file: string }[] };
        const files = [...new Set(report.tests.map((t) => path.relative(projectDir, t.file)))];
        assert.ok(report.tests.length > 0, "no test found");
        assert.deepEqual(files, [file]);
    });
});
