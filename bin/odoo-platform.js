#!/usr/bin/env node
// The operations CLI. TypeScript sources run through tsx, so `npx odoo-platform …` works right
// after `npm ci`, with no build step.
"use strict";
require("tsx/cjs");
const { main, onFatal, finish } = require("../ops/cli/main.ts");
// A reader that closes the pipe (`… | head`) is not a crash: stop writing, keep the exit code.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
process.on("uncaughtException", onFatal);
process.on("unhandledRejection", onFatal);
main(process.argv).then(finish, onFatal);
