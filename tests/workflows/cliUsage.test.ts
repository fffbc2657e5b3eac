/**
 * Every `odoo-platform …` command line in the workflows names a command and options the CLI really
 * has: a renamed flag breaks the test here, not a deployment at 2 a.m.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { buildCli } from "../../ops/cli/main";

const root = path.resolve(__dirname, "../..");
const workflowDir = path.join(root, ".github/workflows");

interface Invocation {
    file: string;
    line: number;
    words: string[];
}

/** The `odoo-platform` invocations of a script, continuation lines joined. Pure. */
export function invocations(file: string, text: string): Invocation[] {
    const lines = text.split("\n");
    const found: Invocation[] = [];
    for (let i = 0; i < lines.length; i++) {
        if (/^\s*(#|name:)/.test(lines[i])) continue;
        const at = lines[i].search(/\bodoo-platform\s+[a-z]/);
        if (at < 0 || /^\s*#/.test(lines[i])) continue;
        let text = lines[i].slice(at);
        let j = i;
        while (/\\\s*$/.test(text) && j + 1 < lines.length) text = text.replace(/\\\s*$/, " ") + lines[++j].trim();
        // Stop at the end of the command: a pipe, redirection, closing substitution or `;`.
        const command = text.split(/\s(?:\||>|>>|&&|;)\s|\)"?\s|\)"?$/)[0];
        const words = command
            .split(/\s+/)
            .slice(1)
            .filter((w) => w.length);
        found.push({ file, line: i + 1, words });
    }
    return found;
}

function check(program: Command, inv: Invocation): string[] {
    const problems: string[] = [];
    let command = program;
    let k = 0;
    while (k < inv.words.length && !inv.words[k].startsWith("-")) {
        const sub = command.commands.find((c) => c.name() === inv.words[k]);
        if (!sub) break;
        command = sub;
        k++;
    }
    if (command === program) return [`${inv.file}:${inv.line}: "${inv.words[0]}" is not an odoo-platform command`];
    for (const word of inv.words.slice(k)) {
        const flag = /^(--[a-z0-9-]+)/.exec(word)?.[1];
        if (!flag) continue;
        const known = command.options.some((o) => o.long === flag || (o.negate && o.long === flag)) || flag === "--help";
        if (!known)
            problems.push(`${inv.file}:${inv.line}: \`${command.name()}\` has no option ${flag} (it has ${command.options.map((o) => o.long).join(", ")})`);
    }
    return problems;
}

describe("workflows call the CLI as it is", () => {
    const program = buildCli();
    const all = fs
        .readdirSync(workflowDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .flatMap((f) => invocations(f, fs.readFileSync(path.join(workflowDir, f), "utf8")));

    it("finds the invocations (the check is not vacuous)", () => {
        assert.ok(all.length >= 20, `only ${all.length} invocations found`);
        assert.ok(all.some((i) => i.words[0] === "snapshot" && i.words.includes("--to")));
    });

    it("uses only commands and options the CLI declares", () => {
        const problems = all.flatMap((inv) => check(program, inv));
        assert.deepEqual(problems, []);
    });

    it("catches a misspelled option", () => {
        const bad = invocations("x.yml", `run: npx odoo-platform snapshot create --db "$DB" --too s3://b/p`);
        assert.match(check(program, bad[0])[0], /`create` has no option --too/);
    });
});
