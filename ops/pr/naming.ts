/**
 * Names of PR and branch environments outside the program: the Pulumi stack of a PR (`pr-<n>`) or
 * of a branch (`br-<slug>`), and the environment a stack belongs to. The program's own names
 * (hosts, database, containers) live in config/naming.ts.
 */
import { branchSlug } from "../../config/naming";
import { branchStack } from "../../config/stage";

/** A PR environment's PR number, or a branch environment's `br-<slug>`. */
export type EnvironmentId = number | `br-${string}`;

/** Longest branch slug in a branch environment's name (its host gets a -mail sibling, its database a suffix). */
export const maxBranchSlug = 40;

/** The environment of a pushed branch: `br-<slug>` (two branches with one slug share it). */
export function branchEnvironmentId(branch: string): `br-${string}` {
    if (!branch.trim()) throw new Error("branch name must not be empty");
    return `br-${branchSlug(branch, maxBranchSlug)}`;
}

export const isBranchEnvironment = (id: EnvironmentId): id is `br-${string}` => typeof id === "string";

/** PRs first, by number; then branch environments, by name. */
export function compareEnvironments(a: EnvironmentId, b: EnvironmentId): number {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return a < b ? -1 : a > b ? 1 : 0;
}

/** For people: `#7` or `br-feature-x`. */
export const describeEnvironment = (id: EnvironmentId): string => (typeof id === "number" ? `#${id}` : id);

/**
 * Does a branch match a configured pattern? `*` matches within one path segment, `**` across
 * segments, `?` one character; everything else literally (`feature/*` matches feature/x, not
 * feature/x/y; `release-**` matches release-1/hotfix).
 */
export function matchesBranchPattern(branch: string, pattern: string): boolean {
    let re = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*" && pattern[i + 1] === "*") {
            re += ".*";
            i++;
        } else if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`).test(branch);
}

export const branchGetsEnvironment = (branch: string, patterns: string[]): boolean => patterns.some((p) => matchesBranchPattern(branch, p));

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

/** The environment of a stack name: a PR number, `br-<slug>`, or undefined for other stacks. */
export function environmentOfStack(stackName: string): EnvironmentId | undefined {
    const pr = prOfStack(stackName);
    if (pr !== undefined) return pr;
    const name = stackName.split("/").pop() ?? "";
    return branchStack.test(name) ? (name as `br-${string}`) : undefined;
}

/** The stack of an environment, qualified like the shared stack (see prStackName). */
export function environmentStackName(id: EnvironmentId, sharedStack?: string): string {
    if (typeof id === "number") return prStackName(id, sharedStack);
    if (!branchStack.test(id)) throw new Error(`"${id}" is not a branch environment name (br-<slug>)`);
    const parts = (sharedStack ?? "").split("/");
    return sharedStack && parts.length > 1 ? [...parts.slice(0, -1), id].join("/") : id;
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
/** The workflow that deploys a branch environment (dispatched with the branch as ref). */
export const branchDeployWorkflowFile = "branch-environment.yml";
