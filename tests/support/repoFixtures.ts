/**
 * Odoo repositories for tests, built in a temporary directory from tests/fixtures/repos/<name>
 * (later overlays replace files of earlier ones). A fixture's `gitignore` becomes `.gitignore`
 * there: committed as `.gitignore`, it would hide the fixture's own git-ignored folders from this
 * repository too.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const repoFixturesDir = path.resolve(__dirname, "../fixtures/repos");

export function materializeRepo(...layers: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-repo-"));
    for (const layer of layers) fs.cpSync(path.join(repoFixturesDir, layer), dir, { recursive: true });
    const ignoreFile = path.join(dir, "gitignore");
    if (fs.existsSync(ignoreFile)) fs.renameSync(ignoreFile, path.join(dir, ".gitignore"));
    return dir;
}

export const removeRepo = (dir: string): void => fs.rmSync(dir, { recursive: true, force: true });
