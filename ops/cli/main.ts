/**
 * `odoo-platform`: the operations CLI. A thin shell: each command group lives in its capability's
 * folder under ops/ and registers itself here.
 */
import { Command, CommanderError } from "commander";
import { registerBuildCommands } from "../build/cli";
import { registerDbCommands } from "../db/cli";
import { registerEvidence } from "../evidence/cli";
import { registerEvidencePrune } from "../evidence/pruneCli";
import { registerPostmortem } from "../postmortem/cli";
import { registerPromotion } from "../promotion/cli";
import { registerRepoCommands } from "../repo/cli";
import { registerInit } from "../repo/initCli";
import { registerSnapshotCommands } from "../snapshot/cli";
import { registerStagingCommands } from "../staging/cli";
import { killChildrenNow, stopChildren } from "../core/children";
import { errorLine, exitCodeOf } from "./exitCodes";
import { exitCodes, exitWhenFlushed } from "./runtime";

/** Command groups, each `(program) => void`. Add a group by adding its register function. */
const groups: ((program: Command) => void)[] = [registerEvidence, (program) => registerPromotion(program), registerEvidencePrune, registerPostmortem, registerBuildCommands, registerDbCommands, registerSnapshotCommands, registerStagingCommands, registerRepoCommands, registerInit];

/**
 * Groups loaded only when their command runs (or for help): `pr` and `branch` load the Pulumi program's
 * components and the Automation API, seconds of start-up that a `staging refresh` run under a
 * Pulumi command step should not pay.
 */
const lazyGroups: { name: string; load: () => (program: Command) => void }[] = [
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    { name: "pr", load: () => require("../pr/cli").registerPrCommands },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    { name: "branch", load: () => require("../pr/cli").registerBranchCommands },
];

/** The whole CLI, or — given the command line — only what that command needs. */
export function buildCli(argv?: string[]): Command {
    const program = new Command("odoo-platform")
        .description("Operations for the odoo-platform: data (snapshot, sanitize, neutralize, verify), PR environments, evidence")
        .version(require("../../package.json").version)
        .showHelpAfterError()
        .exitOverride();
    for (const register of groups) register(program);
    const command = argv?.slice(2).find((a) => !a.startsWith("-"));
    for (const lazy of lazyGroups) if (command === undefined || command === lazy.name || command === "help") lazy.load()(program);
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
