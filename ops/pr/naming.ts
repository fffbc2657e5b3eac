/**
 * Names of PR environments outside the program: the Pulumi stack of a PR, and the PR a stack
 * belongs to. The program's own names (hosts, database, containers) live in config/naming.ts.
 */

const prStackPattern = /^pr-([1-9][0-9]{0,8})$/;

/** Validates a pull request number given on the command line or by an event. */
export function prNumber(value: unknown): number {
    const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 999_999_999) {
        throw new Error(`pull request number must be a positive whole number, got ${JSON.stringify(value)}`);
    }
    return n;
}

/**
 * The stack of PR `n`: `pr-<n>`, qualified like the shared stack it deploys next to, so it lands in
 * the same organization and project (`org/odoo-platform/staging` → `org/odoo-platform/pr-7`).
 */
export function prStackName(pr: number, sharedStack?: string): string {
    const name = `pr-${prNumber(pr)}`;
    if (!sharedStack) return name;
    const parts = sharedStack.split("/");
    return parts.length > 1 ? [...parts.slice(0, -1), name].join("/") : name;
}

/** The PR number of a stack name (`pr-7`, `org/project/pr-7`), or undefined for other stacks. */
export function prOfStack(stackName: string): number | undefined {
    const match = prStackPattern.exec(stackName.split("/").pop() ?? "");
    return match ? Number(match[1]) : undefined;
}

/** Labels on the pull request: where the environment stands, visible in GitHub's PR list. */
export const prLabels = {
    /** Holds a slot: its environment exists. */
    deployed: "pr-env:deployed",
    /** Waiting for a slot; the sticky comment records since when (the queue order). */
    queued: "pr-env:queued",
} as const;

/** The workflow `pr sweep` / `pr down` dispatch to deploy a queued PR whose turn has come. */
export const deployWorkflowFile = "pr-environment.yml";
