#!/usr/bin/env node
// Compiles the operations CLI once (at `npm ci` through the `prepare` script, or `npm run build`)
// into dist/odoo-platform.js, so `npx odoo-platform` does not transpile TypeScript at every start.
//
// One bundle of this repository's sources; packages in node_modules stay external (loaded as
// usual). Sources find their data files through `__dirname` (ops/evidence/migrations,
// ops/repo/core-addons, the project root): each `__dirname` is rewritten to the source file's
// own folder, so the bundle reads the same files as the TypeScript it came from.
// dist/odoo-platform.inputs.json lists the sources; bin/odoo-platform.js runs them through tsx
// instead when one is newer than the bundle (an edit not rebuilt yet).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const outDir = path.join(root, "dist");
const outfile = path.join(outDir, "odoo-platform.js");

const sourceDirname = {
    name: "source-dirname",
    setup(build) {
        build.onLoad({ filter: /\.ts$/ }, async (args) => {
            if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
            const text = await fs.promises.readFile(args.path, "utf8");
            const rel = path.relative(root, path.dirname(args.path)).split(path.sep).join("/");
            // The replacement's own __dirname is the bundle's folder (dist/) at run time.
            const contents = text.replace(/\b__dirname\b/g, `require("node:path").join(__dirname, "..", ${JSON.stringify(rel)})`);
            return { contents, loader: "ts" };
        });
    },
};

async function main() {
    const result = await esbuild.build({
        entryPoints: [path.join(root, "ops/cli/main.ts")],
        outfile,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        packages: "external",
        sourcemap: "linked",
        metafile: true,
        logLevel: "warning",
        plugins: [sourceDirname],
    });
    const inputs = Object.keys(result.metafile.inputs)
        .filter((p) => !p.startsWith("node_modules/"))
        .sort();
    fs.writeFileSync(path.join(outDir, "odoo-platform.inputs.json"), `${JSON.stringify(inputs, null, 1)}\n`);
    process.stderr.write(`odoo-platform: CLI compiled to ${path.relative(root, outfile)} (${inputs.length} sources)\n`);
}

main().catch((err) => {
    process.stderr.write(`odoo-platform: building the CLI failed: ${err.message}\n`);
    process.exitCode = 1;
});
