/**
 * The modules a dev or PR environment installs, from the stack's settings: the repository at
 * odoo-platform:repoDir (CI points it at the pull request's own checkout, read as data only —
 * manifests are never executed), its addons roots and the install/exclude rules.
 */
import * as path from "node:path";
import type { Settings } from "../../config/schema";
import { readRepository, selectableModules } from "./repository";
import { ModuleSelection, selectModules } from "./select";

export function selectForStack(settings: Settings, projectDir: string): ModuleSelection & { repoDir: string } {
    const repoDir = path.resolve(projectDir, settings.repoDir);
    const repository = readRepository(repoDir, {
        addonsRoots: settings.addonsRoots,
        thirdPartyAddonsRoots: settings.thirdPartyAddonsRoots,
        maxDepth: settings.addonsMaxDepth,
        series: settings.odooVersion,
        reposFile: settings.reposFile,
    });
    const selection = selectModules({
        modules: selectableModules(repository),
        series: settings.odooVersion,
        install: settings.installModules,
        exclude: settings.excludeModules,
        missingDependencies: settings.missingDependencies,
        pendingSources: repository.pendingSources,
    });
    return { ...selection, repoDir };
}
