/**
 * Which Odoo modules a deployment must upgrade (`odoo -u <list>`): the addons whose files changed
 * between the SHA running now and the SHA being deployed, found with `git diff`. Odoo.sh also takes
 * a backup when requirements change; `requirementsChanged` says so.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../cli/runtime";

export interface ChangedModules {
    /** Modules to pass to `-u`, sorted. */
    modules: string[];
    /** No base SHA: every module of the addons directories is listed. */
    all: boolean;
    /** A requirements.txt (anywhere) changed. */
    requirementsChanged: boolean;
    from: string | null;
    to: string;
}

/** Pure: module names owning the changed paths (`<addonsDir>/<module>/…` with a manifest at `to`). */
export function modulesFromPaths(paths: string[], addonsDirs: string[], hasManifest: (moduleDir: string) => boolean): string[] {
    const roots = addonsDirs.map((d) => d.replace(/\/+$/, "").replace(/^\.\//, ""));
    const found = new Set<string>();
    for (const p of paths) {
        for (const root of roots) {
            const prefix = root === "" || root === "." ? "" : `${root}/`;
            if (!p.startsWith(prefix)) continue;
            const [module, ...rest] = p.slice(prefix.length).split("/");
            if (module && rest.length > 0 && !module.startsWith(".") && hasManifest(path.join(root, module))) found.add(module);
        }
    }
    return [...found].sort();
}

export const isRequirementsFile = (p: string) => path.basename(p) === "requirements.txt";

function git(args: string[], cwd: string): string {
    try {
        return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        throw new UsageError(`git ${args.join(" ")} failed in ${cwd}: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()} (is the checkout deep enough? use fetch-depth: 0)`);
    }
}

export function changedModules(opts: { from?: string; to: string; addonsDirs: string[]; repoDir: string }): ChangedModules {
    const hasManifest = (dir: string) => fs.existsSync(path.join(opts.repoDir, dir, "__manifest__.py"));
    if (!opts.from) {
        const modules = opts.addonsDirs.flatMap((dir) => {
            const abs = path.join(opts.repoDir, dir);
            return fs.existsSync(abs) ? fs.readdirSync(abs).filter((m) => hasManifest(path.join(dir, m))) : [];
        });
        return { modules: [...new Set(modules)].sort(), all: true, requirementsChanged: true, from: null, to: opts.to };
    }
    const paths = git(["diff", "--name-only", `${opts.from}..${opts.to}`], opts.repoDir).split("\n").filter(Boolean);
    return {
        modules: modulesFromPaths(paths, opts.addonsDirs, hasManifest),
        all: false,
        requirementsChanged: paths.some(isRequirementsFile),
        from: opts.from,
        to: opts.to,
    };
}
