/**
 * Running ops/build/odoo_steps.py in tests: a python3 with psycopg2 (as every Odoo image has; on
 * Debian the python3-psycopg2 package) and tests/support/fake-odoo.py as the `odoo` it calls.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const stepScript = path.resolve(__dirname, "../../ops/build/odoo_steps.py");
const fakeOdooScript = path.resolve(__dirname, "fake-odoo.py");

/** The first python3 that can import psycopg2, or undefined (the tests then say they were skipped). */
export function python(): string | undefined {
    return ["python3", "/usr/bin/python3"].find((bin) => spawnSync(bin, ["-c", "import psycopg2"], { encoding: "utf8" }).status === 0);
}

/** An executable `odoo` stand-in run by the same python3 as the step. */
export function fakeOdooBin(py: string, dir: string): string {
    const bin = path.join(dir, "odoo");
    fs.writeFileSync(bin, `#!/bin/sh\nexec ${py} ${fakeOdooScript} "$@"\n`, { mode: 0o755 });
    return bin;
}
