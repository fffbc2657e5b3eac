/**
 * The runtime files of an Odoo repository that `repo check` reads: Compose files, devcontainer
 * definitions, Dockerfiles, odoo.conf files and env files — found by name down to a few levels,
 * outside the addons directories — and the stage each one is for, from its path
 * (`config/staging/odoo.conf`, `Dockerfile.prod`, `.env.production`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stage } from "../../config/stage";

export interface RuntimeFiles {
    compose: string[];
    devcontainers: string[];
    dockerfiles: string[];
    confs: string[];
    envFiles: string[];
}

const skipped = new Set([".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".pulumi", "dist", "coverage"]);
export const composePattern = /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/;
export const dockerfilePattern = /^(Dockerfile([.-][\w.-]+)?|[\w.-]+\.Dockerfile)$/;
const envPattern = /^(\.env([.-][\w.-]+)?|[\w.-]+\.env)$/;

/** Every runtime file, repository-relative, sorted; `exclude` are directories not searched (addons). */
export function findRuntimeFiles(repoDir: string, exclude: string[], maxDepth = 4): RuntimeFiles {
    const files: RuntimeFiles = { compose: [], devcontainers: [], dockerfiles: [], confs: [], envFiles: [] };
    const excluded = (rel: string) => exclude.some((d) => d !== "." && (rel === d || rel.startsWith(`${d}/`)));
    const walk = (rel: string, depth: number) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(path.join(repoDir, rel), { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
            const child = rel === "." ? e.name : `${rel}/${e.name}`;
            if (e.isDirectory()) {
                if (skipped.has(e.name) || excluded(child) || depth >= maxDepth) continue;
                // Test data is not how the repository runs.
                if (/(^|\/)tests?\/fixtures$/.test(child)) continue;
                if (e.name.startsWith(".") && e.name !== ".devcontainer" && e.name !== ".docker") continue;
                // A nested Pulumi project or git repository is another repository (e.g. test fixtures).
                if (["Pulumi.yaml", ".git"].some((f) => fs.existsSync(path.join(repoDir, child, f)))) continue;
                walk(child, depth + 1);
                continue;
            }
            if (!e.isFile()) continue;
            if (composePattern.test(e.name)) files.compose.push(child);
            else if (e.name === "devcontainer.json" || e.name === ".devcontainer.json") files.devcontainers.push(child);
            else if (dockerfilePattern.test(e.name)) files.dockerfiles.push(child);
            else if (envPattern.test(e.name) && !e.name.endsWith(".example") && !e.name.endsWith(".sample")) files.envFiles.push(child);
            else if (/\.conf$|^odoo\.conf\./.test(e.name) && isOdooConf(path.join(repoDir, child))) files.confs.push(child);
        }
    };
    walk(".", 0);
    return files;
}

function isOdooConf(abs: string): boolean {
    try {
        const text = fs.readFileSync(abs, "utf8");
        return /^\s*\[options\]\s*$/m.test(text);
    } catch {
        return false;
    }
}

/** The stage a file is for, from its path; undefined when the path names none. */
export function stageOfPath(rel: string): Stage | undefined {
    const words = rel.toLowerCase().split(/[/._-]+/);
    if (words.some((w) => w === "prod" || w === "production" || w === "prd")) return "production";
    if (words.some((w) => w === "staging" || w === "stage" || w === "stg")) return "staging";
    if (words.some((w) => w === "pr" || w === "preview" || w === "review")) return "pr";
    if (words.some((w) => w === "dev" || w === "development" || w === "local" || w === "devcontainer")) return "dev";
    return undefined;
}
