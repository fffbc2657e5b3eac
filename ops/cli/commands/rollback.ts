/** `odoo-platform rollback`: redeploy the last version that worked (ops/promotion/rollback.ts) and record it. */
import { Command, Option } from "commander";
import { automationDeployer, Deployer } from "../../promotion/deployer";
import { assertRollbackUsage, describeRollback, RollbackOptions, runRollback } from "../../promotion/rollback";
import { evidenceDbOption, misplacedDbOption } from "../options";
import { action, progress } from "../runtime";
import { projectDir } from "../../../config/projectDir";

export function register(program: Command, deps: { deployer: Deployer } = { deployer: automationDeployer }): void {
    program
        .command("rollback")
        .description("redeploy the last version that worked (recorded in ops.deployments) and record the rollback")
        .addOption(evidenceDbOption())
        .addOption(misplacedDbOption("rollback"))
        .option("--to <target>", "previous, or a commit SHA that succeeded in this environment", "previous")
        .option("--environment <name>", "environment to roll back", "production")
        .option("--stack <name>", "Pulumi stack (default: the environment; org/project/stack accepted)")
        .option("--work-dir <dir>", "Pulumi project directory (a checkout of the target SHA)", projectDir)
        .option("--dry-run", "only print the SHA and image that would be redeployed")
        .option("--force", "with --to <sha>: allow a SHA that was rolled back before")
        .option("--actor <name>", "who asked (default: GITHUB_ACTOR)")
        .option("--run-url <url>", "CI run (default: from GITHUB_* variables)")
        .option("--evidence-dir <dir>", "root of the evidence files", "evidence")
        .addOption(new Option("--stamp <stamp>", "evidence/<stamp>/… directory").env("ODOO_PLATFORM_EVIDENCE_STAMP"))
        .option("--evidence-uri <uri>", "what the row's evidence_uri says")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: RollbackOptions & { json?: boolean }) => {
                assertRollbackUsage(opts);
                const report = await runRollback(opts, { deployer: deps.deployer, progress: progress("rollback") });
                return { exitCode: 0, report, text: describeRollback(report) };
            }),
        );
}
