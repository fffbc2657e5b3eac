#!/usr/bin/env node
// The operations CLI. TypeScript sources run through tsx, so `npx odoo-platform …` works right
// after `npm ci`, with no build step.
"use strict";
require("tsx/cjs");
require("../ops/cli/main.ts").main(process.argv).then((code) => {
    process.exitCode = code;
});
