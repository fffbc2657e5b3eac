/**
 * Odoo's own `odoo-bin neutralize`, as defence in depth: it runs every installed module's
 * `data/neutralize.sql`, including custom and OCA modules that ship one and that our rule table
 * cannot know. It must run with the real addons path (modules not on it are skipped silently), so
 * the natural place is the Odoo image itself:
 *
 *     docker run --rm -e HOST -e PORT -e USER -e PASSWORD <image> odoo neutralize -d <db>
 *
 * The official image's entrypoint turns HOST/PORT/USER/PASSWORD into --db_host/--db_port/
 * --db_user/--db_password (appended after our arguments, so passing those flags ourselves would be
 * overridden). The password travels in the environment, never in argv.
 */
import { spawn } from "node:child_process";
import type { DatabaseUrl } from "../postgres/connect";

export interface OdooNeutralizeCommand {
    /** Program and arguments (no shell). */
    argv: string[];
    /** Environment additions for the child (may hold the password: never print them). */
    env: Record<string, string>;
    /** argv for display. */
    display: string;
}

export interface OdooImageOptions {
    image: string;
    db: DatabaseUrl;
    password?: string;
    /** Docker network to join (the one where the database host resolves). */
    network?: string;
    /** Extra addons paths inside the image (custom modules mounted there). */
    addonsPath?: string;
    /** `--stdout`: print the SQL instead of applying it (evidence). */
    stdout?: boolean;
}

const validImage = /^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$/;

/** `docker run … <image> odoo neutralize -d <db>` for the official Odoo image. Pure. */
export function odooImageNeutralizeCommand(options: OdooImageOptions): OdooNeutralizeCommand {
    if (!validImage.test(options.image)) throw new Error(`--odoo-image must be a Docker image reference such as odoo:17.0 (got "${options.image}")`);
    const argv = ["docker", "run", "--rm"];
    if (options.network) argv.push("--network", options.network);
    const env: Record<string, string> = {
        HOST: options.db.host ?? "localhost",
        PORT: String(options.db.port ?? 5432),
        USER: options.db.user ?? "odoo",
    };
    if (options.password) env.PASSWORD = options.password;
    for (const name of Object.keys(env)) argv.push("-e", name);
    argv.push(options.image, "odoo", "neutralize", "-d", options.db.database);
    if (options.addonsPath) argv.push("--addons-path", options.addonsPath);
    if (options.stdout) argv.push("--stdout");
    return { argv, env, display: argv.join(" ") };
}

export interface OdooBinOptions {
    /** The odoo-bin program, possibly with leading arguments (`/opt/odoo/odoo-bin -c /etc/odoo.conf`). */
    command: string;
    db: DatabaseUrl;
    password?: string;
    stdout?: boolean;
}

/** `<odoo-bin> neutralize -d <db> --db_host … --db_port … --db_user …` with PGPASSWORD in the environment. Pure. */
export function odooBinNeutralizeCommand(options: OdooBinOptions): OdooNeutralizeCommand {
    const words = options.command.trim().split(/\s+/).filter(Boolean);
    if (!words.length) throw new Error("--odoo-bin needs a command, e.g. /opt/odoo/odoo-bin or 'docker exec odoo odoo'");
    const argv = [...words, "neutralize", "-d", options.db.database];
    if (options.db.host) argv.push("--db_host", options.db.host);
    if (options.db.port) argv.push("--db_port", String(options.db.port));
    if (options.db.user) argv.push("--db_user", options.db.user);
    if (options.stdout) argv.push("--stdout");
    // psycopg2 (libpq) reads PGPASSWORD when Odoo is given no --db_password.
    const env: Record<string, string> = options.password ? { PGPASSWORD: options.password } : {};
    return { argv, env, display: argv.join(" ") };
}

export interface OdooNeutralizeResult {
    command: string;
    exitCode: number;
    seconds: number;
    /** Last lines of its output, for the report (Odoo logs "THE DATABASE IS NOT NEUTRALIZED!" on failure). */
    tail: string;
}

/** Runs the command; resolves with its exit code (never throws for a non-zero exit). */
export function runOdooNeutralize(command: OdooNeutralizeCommand): Promise<OdooNeutralizeResult> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(command.argv[0], command.argv.slice(1), { env: { ...process.env, ...command.env }, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        const collect = (chunk: Buffer) => {
            output = (output + chunk.toString("utf8")).slice(-4000);
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        const finish = (exitCode: number, extra = "") =>
            resolve({
                command: command.display,
                exitCode,
                seconds: (Date.now() - started) / 1000,
                tail: (output + extra).trim().split("\n").slice(-10).join("\n"),
            });
        child.on("error", (err) => finish(127, `\n${err.message}`));
        child.on("close", (code) => finish(code ?? 1));
    });
}
