/**
 * CLI: `odoo-platform repo check` (the Phase 0 guards over the repository's own files) and
 * `odoo-platform repo modules` (what an environment installs: the prepare plan).
 *
 * Exit codes: 0 clean (warnings allowed), 1 findings, 2 unreadable input or bad usage.
 */
import { Command } from "commander";
import * as fs from "node:fs";
import * as path from "node:path";
import { action, UsageError } from "../runtime";
import { checkRepository, StackView } from "../../repo/check";
import { UnreadableInputError } from "../../repo/findings";
import { describeCheck, describeSelection } from "../../repo/report";
import { readRepository, selectableModules } from "../../repo/repository";
import { ModuleSelection, ModuleSelectionError, selectModules } from "../../repo/select";
import { loadStackViews } from "../../repo/stacks";

import { projectDir as platformDir } from "../../../config/projectDir";

/** Stack files: beside the repository's own Pulumi.yaml, else the platform's. */
function stacksFor(repoDir: string, stackDir?: string): StackView[] {
    const dir = stackDir ? path.resolve(stackDir) : fs.existsSync(path.join(repoDir, "Pulumi.yaml")) ? repoDir : platformDir;
    const views = loadStackViews(dir, repoDir);
    if (!views.length) throw new UsageError(`no Pulumi.<stack>.yaml in ${dir}: run \`odoo-platform init\` there, or point --stacks at the stack files`);
    return views;
}

const asUsage = <T>(run: () => T): T => {
    try {
        return run();
    } catch (err) {
        if (err instanceof UnreadableInputError) throw new UsageError(`${err.message} — fix the file (nothing was checked)`);
        throw err;
    }
};

export function register(program: Command): void {
    const repo = program.command("repo").description("the Odoo repository: addons, modules, Phase 0 checks of its own files");
    repo.command("check")
        .description(
            "check the repository's Compose, devcontainer, Dockerfiles, odoo.conf and env files against the stacks (exit 1 on findings, 2 on unreadable input)",
        )
        .option("--repo <dir>", "the Odoo repository", ".")
        .option("--stacks <dir>", "directory of the Pulumi.<stack>.yaml files (default: the repository if it has Pulumi.yaml, else the platform's)")
        .option("--json", "print the findings as JSON")
        .action(
            action(async (opts: { repo: string; stacks?: string; json?: boolean }) => {
                const repoDir = path.resolve(opts.repo);
                if (!fs.existsSync(repoDir)) throw new UsageError(`--repo ${opts.repo}: no such directory`);
                const result = asUsage(() => checkRepository({ repoDir, stacks: stacksFor(repoDir, opts.stacks) }));
                const failed = result.findings.some((f) => f.severity === "error");
                return {
                    exitCode: failed ? 1 : 0,
                    report: {
                        ok: !failed,
                        findings: result.findings,
                        addonsPath: result.repository.addonsPath,
                        modules: result.repository.modules.map((m) => ({ name: m.name, path: m.path, origin: m.origin })),
                        selection: result.selection,
                    },
                    text: describeCheck(result),
                };
            }),
        );
    repo.command("modules")
        .description("the modules a stack's environment installs (own modules, install/exclude rules, dependencies), and why others are excluded")
        .option("--repo <dir>", "the Odoo repository", ".")
        .option("--stacks <dir>", "directory of the Pulumi.<stack>.yaml files")
        .option("--stack <name>", "stack whose rules apply (pr-1 stands for every PR)", "pr-1")
        .option("--json", "print the selection as JSON")
        .action(
            action(async (opts: { repo: string; stacks?: string; stack: string; json?: boolean }) => {
                const repoDir = path.resolve(opts.repo);
                const views = asUsage(() => stacksFor(repoDir, opts.stacks));
                const view = views.find((v) => v.stack === opts.stack || (opts.stack.startsWith("pr-") && v.stage === "pr"));
                if (!view) throw new UsageError(`--stack ${opts.stack}: no such stack among ${views.map((v) => v.stack).join(", ")}`);
                const s = view.settings;
                const repository = asUsage(() =>
                    readRepository(repoDir, {
                        addonsRoots: s.addonsRoots,
                        thirdPartyAddonsRoots: s.thirdPartyAddonsRoots,
                        maxDepth: s.addonsMaxDepth,
                        series: s.odooVersion,
                        reposFile: s.reposFile,
                    }),
                );
                let selection: ModuleSelection;
                try {
                    selection = selectModules({
                        modules: selectableModules(repository),
                        series: s.odooVersion,
                        install: s.installModules,
                        exclude: s.excludeModules,
                        missingDependencies: s.missingDependencies,
                        pendingSources: repository.pendingSources,
                    });
                } catch (err) {
                    if (err instanceof ModuleSelectionError) return { exitCode: 1, report: { ok: false, excluded: err.excluded }, text: err.message };
                    throw err;
                }
                const report = {
                    stack: view.stack,
                    ...selection,
                    addonsPath: repository.addonsPath,
                    requirements: repository.requirements,
                    skipped: repository.discovery.skipped,
                };
                return { exitCode: 0, report, text: describeSelection(selection, view.stack) };
            }),
        );
}
