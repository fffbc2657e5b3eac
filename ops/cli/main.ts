/**
 * `odoo-platform`: the operations CLI. A thin shell: each command group is one file under
 * ops/cli/commands/ (`odoo-platform <group> …` is ops/cli/commands/<group>.ts), over the library.
 */
import { Command, CommanderError } from "commander";
import * as backup from "./commands/backup";
import * as db from "./commands/db";
import * as evidence from "./commands/evidence";
import * as health from "./commands/health";
import * as init from "./commands/init";
import * as modules from "./commands/modules";
import * as postmortem from "./commands/postmortem";
import * as promote from "./commands/promote";
import * as repo from "./commands/repo";
import * as rollback from "./commands/rollback";
import * as snapshot from "./commands/snapshot";
import * as staging from "./commands/staging";
import * as status from "./commands/status";
import * as tests from "./commands/tests";
import { killChildrenNow, stopChildren } from "../core/children";
import { errorLine, exitCodeOf } from "./exitCodes";
import { exitWhenFlushed } from "../core/exit";
import { exitCodes } from "./runtime";

/** A command group: one file under ops/cli/commands/, named after the group's command. */
interface CommandGroup {
    register(program: Command): void;
}

/** The command groups, in the order `--help` lists them. Add a group by adding its file here. */
const groups: CommandGroup[] = [evidence, health, promote, rollback, modules, backup, postmortem, tests, status, db, snapshot, staging, repo, init];

/**
 * Groups loaded only when their command runs (or for help): `pr` and `branch` load the Pulumi program's
 * components and the Automation API, seconds of start-up that a `staging refresh` run under a
 * Pulumi command step should not pay.
 */
const lazyGroups: { name: string; load: () => CommandGroup }[] = [
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    { name: "pr", load: () => require("./commands/pr") },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    { name: "branch", load: () => require("./commands/branch") },
];

/** The whole CLI, or — given the command line — only what that command needs. */
export function buildCli(argv?: string[]): Command {
    const program = new Command("odoo-platform")
        .description("Operations for the odoo-platform: data (snapshot, sanitize, neutralize, verify), PR environments, evidence")
        .version(require("../../package.json").version)
        .showHelpAfterError()
        .exitOverride();
    for (const group of groups) group.register(program);
    const command = argv?.slice(2).find((a) => !a.startsWith("-"));
    for (const lazy of lazyGroups) if (command === undefined || command === lazy.name || command === "help") lazy.load().register(program);
    return program;
}

export async function main(argv: string[]): Promise<number> {
    const program = buildCli(argv);
    try {
        await program.parseAsync(argv);
    } catch (err) {
        if (err instanceof CommanderError) {
            // Help and --version exit 0; any other parse error is bad usage.
            return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
        }
        process.stderr.write(`error: ${errorLine(err)}\n`);
        return exitCodeOf(err);
    } finally {
        // Whatever happened, no pg_dump / psql / tar of this command keeps running.
        await stopChildren();
    }
    return typeof process.exitCode === "number" ? process.exitCode : exitCodes.ok;
}

/** Exit of the `odoo-platform` process: once the output is flushed, even if a socket is still open. */
export function finish(code: number): void {
    exitWhenFlushed(code);
}

let fatal = false;

/**
 * The process-level safety net (bin/odoo-platform.js): an error nothing caught — an 'error' event
 * without a listener, a rejected promise nobody awaited — still ends with one line and the exit code
 * of its class, and with every child process stopped.
 */
export function onFatal(err: unknown): void {
    if (fatal) return;
    fatal = true;
    try {
        process.stderr.write(`error: ${errorLine(err)}\n`);
    } catch {
        // stderr is gone too
    }
    killChildrenNow();
    exitWhenFlushed(exitCodeOf(err));
}
