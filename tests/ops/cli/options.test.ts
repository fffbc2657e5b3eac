import * as assert from "node:assert/strict";
import type { Command } from "commander";
import { buildCli } from "../../../ops/cli/main";
import { seedMatchesFingerprint } from "../../../ops/core/secrets";
import { resolveSanitizeSeed, seedEnv } from "../../../ops/cli/options";
import { seedFingerprint } from "../../../ops/core/secrets";

const find = (program: Command, path: string[]): Command =>
    path.reduce((cmd, name) => {
        const sub = cmd.commands.find((c) => c.name() === name);
        assert.ok(sub, `command ${path.join(" ")} exists`);
        return sub!;
    }, program);

describe("sanitize options shared by every command that sanitizes", () => {
    const program = buildCli();
    const commands = [
        ["db", "sanitize"],
        ["snapshot", "create"],
        ["staging", "refresh"],
    ];

    it("declare the same options, and none has a built-in seed anyone could read", () => {
        for (const path of commands) {
            const options = new Map(find(program, path).options.map((o) => [o.long, o]));
            for (const flag of ["--seed", "--strict", "--keep-company-names", "--no-keep-company-names"]) {
                assert.ok(options.has(flag), `${path.join(" ")} has ${flag}`);
            }
            assert.equal(options.get("--seed")!.defaultValue, undefined, `${path.join(" ")} --seed has no default`);
        }
    });

    it("takes --seed, else the environment, else a random seed with a warning", () => {
        const saved = process.env[seedEnv];
        try {
            process.env[seedEnv] = "from-env";
            assert.equal(
                resolveSanitizeSeed("given", () => assert.fail("no warning expected")),
                "given",
            );
            assert.equal(
                resolveSanitizeSeed(undefined, () => assert.fail("no warning expected")),
                "from-env",
            );
            delete process.env[seedEnv];
            const warnings: string[] = [];
            const a = resolveSanitizeSeed(undefined, (l) => warnings.push(l));
            const b = resolveSanitizeSeed(undefined, (l) => warnings.push(l));
            assert.notEqual(a, b);
            assert.equal(warnings.length, 2);
            assert.match(warnings[0], /random seed, the output will not be repeatable/);
        } finally {
            if (saved === undefined) delete process.env[seedEnv];
            else process.env[seedEnv] = saved;
        }
    });

    it("fingerprints a seed without revealing it (slow, salted: see tests/ops/secrets.test.ts)", () => {
        const fp = seedFingerprint("s3cret");
        assert.match(fp, /^scrypt\$/);
        assert.ok(!fp.includes("s3cret"));
        assert.equal(seedMatchesFingerprint("s3cret", fp), true);
        assert.equal(seedMatchesFingerprint("s3cret2", fp), false);
    });
});
