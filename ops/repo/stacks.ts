/**
 * The stack configurations `repo check` compares the repository with: every `Pulumi.<stack>.yaml`
 * of a project directory, and `Pulumi.pr.yaml` as the PR stacks' defaults — validated with the
 * program's own schema (config/load.ts), with the line of each key for findings.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument, isMap, isScalar } from "yaml";
import { readStackConfigFile } from "../../config/files";
import { ConfigError, projectValues, RawConfig, resolveSettings } from "../../config/load";
import { projectName } from "../../config/schema";
import { stackIdentity } from "../../config/stage";
import { UnreadableInputError } from "./findings";
import type { StackView } from "./check";

/** CI values a stack needs to validate (the check reads no identity from them). */
const placeholderCi = { ODOO_PLATFORM_GIT_SHA: "0000000", ODOO_PLATFORM_GIT_BRANCH: "repo-check" };

function keyLines(file: string): Record<string, number> {
    const lineCounter = new LineCounter();
    const doc = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter });
    const out: Record<string, number> = {};
    const config = isMap(doc.contents) ? doc.contents.get("config", true) : undefined;
    if (!isMap(config)) return out;
    for (const pair of config.items) {
        if (!isScalar(pair.key)) continue;
        const full = String(pair.key.value);
        const short = full.startsWith(`${projectName}:`) ? full.slice(projectName.length + 1) : full.includes(":") ? undefined : full;
        if (short && pair.key.range) out[short] = lineCounter.linePos(pair.key.range[0]).line;
    }
    return out;
}

const raw = (file: string, label: string): RawConfig => {
    const parsed = readStackConfigFile(file);
    return { values: projectValues(parsed.values), secretKeys: new Set(parsed.secretKeys.map((k) => k.slice(k.indexOf(":") + 1))), file: label };
};

/** Every stack of `projectDir` (relative labels against `labelDir`). */
export function loadStackViews(projectDir: string, labelDir = projectDir, env: Record<string, string | undefined> = {}): StackView[] {
    const label = (f: string) => path.relative(labelDir, path.join(projectDir, f)) || f;
    const files = fs
        .readdirSync(projectDir)
        .filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f))
        .sort();
    const views: StackView[] = [];
    const prFile = files.find((f) => /^Pulumi\.pr\.ya?ml$/.test(f));
    for (const f of files) {
        const abs = path.join(projectDir, f);
        const isPr = f === prFile;
        const stack = isPr ? "pr-1" : f.replace(/^Pulumi\.|\.ya?ml$/g, "");
        let identity;
        try {
            identity = stackIdentity(stack);
        } catch {
            continue; // not a stack of this program (e.g. Pulumi.yaml is filtered above; other names are skipped)
        }
        const lines = keyLines(abs);
        try {
            const settings = resolveSettings({
                identity,
                stack: isPr ? { values: {}, secretKeys: new Set(), file: label(f) } : raw(abs, label(f)),
                prDefaults: isPr ? raw(abs, label(f)) : undefined,
                env: { ...placeholderCi, ...env },
            }).settings;
            views.push({ stack, stage: identity.stage, file: label(f), settings, keyLine: (k) => lines[k] ?? 1 });
        } catch (err) {
            if (err instanceof ConfigError) throw new UnreadableInputError(label(f), 1, `invalid stack configuration — ${err.problems.join("; ")}`);
            throw err;
        }
    }
    return views;
}
