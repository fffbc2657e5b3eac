/** Text reports of `repo check` and `repo modules`, shared by the CLI and `npm run guard`. */
import type { RepoCheckResult } from "./check";
import { formatFinding } from "./findings";
import type { ModuleSelection } from "./select";

export function describeCheck(result: RepoCheckResult): string {
    const errors = result.findings.filter((f) => f.severity === "error");
    const warnings = result.findings.length - errors.length;
    const lines = result.findings.map(formatFinding);
    const own = result.repository.modules.filter((m) => m.origin === "own").length;
    lines.push(
        `repo check: ${result.repository.modules.length} modules (${own} own) in ${result.repository.addonsPath.length} addons folders; ` +
            `${result.surfaces.length} places run Odoo; ${errors.length} finding${errors.length === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`,
    );
    return lines.join("\n");
}

export function describeSelection(selection: ModuleSelection, stack: string): string {
    const lines = [`${stack}: install ${selection.install.length ? selection.install.join(",") : "(none: base only)"}`];
    if (selection.dependencies.length) lines.push(`  with their dependencies: ${selection.dependencies.join(",")}`);
    for (const e of selection.excluded) lines.push(`  excluded ${e.name}: ${e.reason}`);
    for (const [m, names] of Object.entries(selection.unverified)) lines.push(`  ${m} needs ${names.join(",")}, checked in the image`);
    return lines.join("\n");
}
