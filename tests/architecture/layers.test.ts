import * as assert from "node:assert/strict";
import { folderCycles, folderOf, importGraph, isCliCode } from "./importGraph";

/**
 * Library files that import CLI code today, each with what it imports. The library reports failures
 * with ops/core/errors.ts and progress with ops/core/progress.ts; these still take CliError,
 * UsageError, Progress or exitWhenFlushed from ops/cli/runtime.ts.
 * Remove a line when its file is moved over: the test fails on a line that no longer applies, so
 * this list only shrinks.
 */
const knownLibraryToCli: Record<string, string[]> = {
    "demo/staging.ts": ["ops/cli/runtime.ts"],
    "ops/db/options.ts": ["ops/cli/runtime.ts"],
    "ops/neutralize/neutralize.ts": ["ops/cli/runtime.ts"],
    "ops/postmortem/query.ts": ["ops/cli/runtime.ts"],
    "ops/pr/automation.ts": ["ops/cli/runtime.ts"],
    "ops/pr/branch.ts": ["ops/cli/runtime.ts"],
    "ops/pr/github.ts": ["ops/cli/runtime.ts"],
    "ops/pr/lifecycle.ts": ["ops/cli/runtime.ts"],
    "ops/promotion/backup.ts": ["ops/cli/runtime.ts"],
    "ops/promotion/modules.ts": ["ops/cli/runtime.ts"],
    "ops/promotion/rollback.ts": ["ops/cli/runtime.ts"],
    "ops/promotion/safeUpdate.ts": ["ops/cli/runtime.ts"],
    "ops/sanitize/sanitize.ts": ["ops/cli/runtime.ts"],
    "ops/verify/verify.ts": ["ops/cli/runtime.ts"],
    "plan/guard.ts": ["ops/cli/runtime.ts"],
};

describe("layers: the library never imports the CLI", () => {
    const edges = importGraph();
    const libraryToCli = new Map<string, Set<string>>();
    for (const e of edges) {
        if (isCliCode(e.from) || !isCliCode(e.to)) continue;
        if (!libraryToCli.has(e.from)) libraryToCli.set(e.from, new Set());
        libraryToCli.get(e.from)!.add(e.to);
    }

    it("reads the real graph (the CLI entry imports the command groups)", () => {
        const fromMain = edges.filter((e) => e.from === "ops/cli/main.ts").map((e) => e.to);
        for (const group of ["ops/snapshot/cli.ts", "ops/staging/cli.ts", "ops/promotion/cli.ts", "ops/evidence/cli.ts"]) assert.ok(fromMain.includes(group), `ops/cli/main.ts → ${group} not found`);
        assert.ok(isCliCode("ops/repo/initCli.ts") && isCliCode("ops/cli/runtime.ts") && !isCliCode("ops/core/errors.ts"));
        assert.ok(edges.length > 300, `only ${edges.length} import edges found`);
    });

    it("no library file imports CLI code (ops/cli/, *cli.ts, command registration) beyond the known list", () => {
        const unexpected: string[] = [];
        for (const [from, targets] of libraryToCli) {
            const known = new Set(knownLibraryToCli[from] ?? []);
            for (const to of targets) if (!known.has(to)) unexpected.push(`${from} → ${to}`);
        }
        assert.deepEqual(
            unexpected.sort(),
            [],
            "library code imports CLI code: take errors from ops/core/errors.ts (the CLI maps them to exit codes in ops/cli/exitCodes.ts exitCodeOf) and progress from ops/core/progress.ts",
        );
    });

    it("the known list only shrinks: every line still describes an import that exists", () => {
        const stale: string[] = [];
        for (const [from, targets] of Object.entries(knownLibraryToCli)) {
            for (const to of targets) if (!libraryToCli.get(from)?.has(to)) stale.push(`${from} → ${to}`);
        }
        assert.deepEqual(stale, [], "these imports are gone: remove them from knownLibraryToCli in tests/architecture/layers.test.ts");
    });

    it("ops/core imports nothing else of this repository", () => {
        const outward = edges.filter((e) => e.from.startsWith("ops/core/") && !e.to.startsWith("ops/core/")).map((e) => `${e.from} → ${e.to}`);
        assert.deepEqual(outward, []);
    });

    it("finds folder cycles in a graph that has one (the cycle report of importGraph.ts)", () => {
        const synthetic = [
            { from: "ops/a/x.ts", to: "ops/b/y.ts", typeOnly: false },
            { from: "ops/b/y.ts", to: "ops/a/z.ts", typeOnly: false },
            { from: "ops/c/w.ts", to: "ops/a/x.ts", typeOnly: false },
        ];
        assert.deepEqual(folderCycles(synthetic), [["ops/a", "ops/b"]]);
        assert.equal(folderOf("ops/snapshot/create.ts"), "ops/snapshot");
        assert.equal(folderOf("index.ts"), ".");
    });
});
