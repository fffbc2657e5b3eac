/**
 * `npm run docs` — regenerates the documents generated from code (the environment variable
 * inventory, the policy pack's platform data). `npm run docs -- --check` writes nothing and exits 1 when a committed file is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { inventoryPath, renderEnvironmentInventory } from "../config/inventory";
import { platformContractPath, renderPlatformContract } from "./platformContract";

export { projectDir } from "../config/projectDir";
import { projectDir } from "../config/projectDir";

/** Every generated document: path relative to the repository → its content. */
export const generatedDocs = (): Record<string, string> => ({
    [inventoryPath]: renderEnvironmentInventory(),
    [platformContractPath]: renderPlatformContract(),
});

/** Generated documents whose committed content differs from what the code renders. */
export function staleDocs(dir = projectDir): string[] {
    return Object.entries(generatedDocs())
        .filter(([file, content]) => {
            const full = path.join(dir, file);
            return !fs.existsSync(full) || fs.readFileSync(full, "utf8") !== content;
        })
        .map(([file]) => file);
}

function main(argv: string[]): number {
    if (argv.includes("--check")) {
        const stale = staleDocs();
        for (const file of stale) process.stderr.write(`${file} is stale: run \`npm run docs\` and commit the result\n`);
        return stale.length ? 1 : 0;
    }
    for (const [file, content] of Object.entries(generatedDocs())) {
        const full = path.join(projectDir, file);
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
        process.stdout.write(`wrote ${file}\n`);
    }
    return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
