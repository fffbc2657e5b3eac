import * as assert from "node:assert/strict";
import { dayMs, decide, parseAge, planPrune, RetentionPolicy, validatePolicy } from "../../../ops/evidence/prunePolicy";

const now = Date.UTC(2026, 10, 25, 12);
const ago = (days: number) => now - days * dayMs;
const local: RetentionPolicy = { compressAfterDays: 30, deleteAfterDays: 90, archive: false };
const archived: RetentionPolicy = { ...local, archive: true };
const file = (path: string, daysOld: number, unreadable?: string) => ({ path, mtimeMs: ago(daysOld), size: 100, unreadable });

describe("evidence retention decisions", () => {
    const cases: [string, number, RetentionPolicy, string][] = [
        ["deploy.log", 10, local, "keep"],
        ["deploy.log", 29.9, local, "keep"],
        ["deploy.log", 30, local, "compress"],
        ["deploy.log", 40, local, "compress"],
        ["deploy.log.gz", 40, local, "keep"],
        ["deploy.log", 89.9, local, "compress"],
        ["deploy.log", 90, local, "delete"],
        ["deploy.log", 100, local, "delete"],
        ["deploy.log.gz", 100, local, "delete"],
        ["deploy.log", 10, archived, "keep"],
        ["deploy.log", 40, archived, "archive"],
        ["deploy.log.gz", 40, archived, "archive"],
        ["deploy.log", 100, archived, "delete"],
    ];
    for (const [path, days, policy, expected] of cases) {
        it(`${path}, ${days} days old${policy.archive ? ", with long-term storage" : ""} → ${expected}`, () => {
            assert.equal(decide(file(path, days), policy, now).action, expected);
        });
    }

    it("reports an unreadable file as an error, whatever its age, with the reason", () => {
        const d = decide(file("pipe", 100, "a named pipe, not an evidence file"), local, now);
        assert.deepEqual([d.action, d.reason], ["error", "a named pipe, not an evidence file"]);
    });

    it("a file from the future is zero days old, kept", () => {
        assert.deepEqual([decide(file("x.log", -2), local, now).action, decide(file("x.log", -2), local, now).ageDays], ["keep", 0]);
    });

    it("plans every file in path order", () => {
        const plan = planPrune([file("b/new.log", 10), file("a/old.log", 100), file("a/mid.log", 40)], local, now);
        assert.deepEqual(
            plan.map((d) => [d.path, d.action]),
            [
                ["a/mid.log", "compress"],
                ["a/old.log", "delete"],
                ["b/new.log", "keep"],
            ],
        );
    });

    it("parses ages in hours, days and weeks and refuses anything else", () => {
        assert.equal(parseAge("30d", "--x"), 30);
        assert.equal(parseAge("12h", "--x"), 0.5);
        assert.equal(parseAge("2w", "--x"), 14);
        assert.throws(() => parseAge("30", "--compress-after"), /--compress-after must be an age such as 30d/);
        assert.throws(() => parseAge("1 month", "--delete-after"), /--delete-after/);
    });

    it("refuses a policy that deletes before it compresses", () => {
        assert.throws(() => validatePolicy({ compressAfterDays: 30, deleteAfterDays: 30, archive: false }), /must be longer than --compress-after/);
        assert.throws(() => planPrune([], { compressAfterDays: 90, deleteAfterDays: 30, archive: false }, now), /--delete-after \(30d\)/);
    });
});
