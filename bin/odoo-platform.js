#!/usr/bin/env node
// The operations CLI. Runs dist/odoo-platform.js, compiled from ops/cli/main.ts at `npm ci`
// (`prepare`) or by `npm run build`. When that bundle is missing, or a source it was built from has
// changed since, the TypeScript sources run through tsx instead (a few seconds slower, always current).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bundle = path.join(root, "dist", "odoo-platform.js");

function bundleIsCurrent() {
    if (process.env.ODOO_PLATFORM_FROM_SOURCE) return false;
    let builtAt;
    let inputs;
    try {
        builtAt = fs.statSync(bundle).mtimeMs;
        inputs = JSON.parse(fs.readFileSync(path.join(root, "dist", "odoo-platform.inputs.json"), "utf8"));
    } catch {
        return false;
    }
    for (const input of inputs) {
        try {
            if (fs.statSync(path.join(root, input)).mtimeMs > builtAt) return false;
        } catch {
            return false; // a source moved or was removed: the bundle is from another tree
        }
    }
    return true;
}

let cli;
if (bundleIsCurrent()) {
    cli = require(bundle);
} else {
    require("tsx/cjs");
    cli = require("../ops/cli/main.ts");
}
// A reader that closes the pipe (`… | head`) is not a crash: stop writing, keep the exit code.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
process.on("uncaughtException", cli.onFatal);
process.on("unhandledRejection", cli.onFatal);
cli.main(process.argv).then(cli.finish, cli.onFatal);
