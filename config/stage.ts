/**
 * The stack name decides the stage: `dev`, `staging`, `production`, `pr-<number>`, or `br-<slug>`
 * (a branch environment: a pushed branch matching odoo-platform:branchEnvironments, which runs in
 * the PR stage with the PR lifecycle).
 * Nothing else may: a stage is never read from configuration, so a copied config file cannot
 * turn a PR stack into production.
 */
export const stages = ["dev", "pr", "staging", "production"] as const;
export type Stage = (typeof stages)[number];

export interface StackIdentity {
    stack: string;
    stage: Stage;
    /** Set for PR stacks only: the pull request number taken from the stack name. */
    prNumber?: number;
    /** Set for branch environments only (stage pr): the branch slug taken from the stack name. */
    branchEnvironment?: string;
}

export const prStack = /^pr-([1-9][0-9]{0,8})$/;
/** A branch environment: `br-` and the branch slug (config/naming.ts branchSlug, at most 40 characters). */
export const branchStack = /^br-([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)$/;

export class StackNameError extends Error {}

export function stackIdentity(stack: string): StackIdentity {
    // `pulumi stack select org/project/name` and the Automation API may hand us a qualified name.
    const name = stack.split("/").pop() ?? stack;
    if (name === "dev" || name === "staging" || name === "production") return { stack: name, stage: name };
    const pr = prStack.exec(name);
    if (pr) return { stack: name, stage: "pr", prNumber: Number(pr[1]) };
    const branch = branchStack.exec(name);
    if (branch) return { stack: name, stage: "pr", branchEnvironment: branch[1] };
    throw new StackNameError(
        `stack name "${stack}" does not name a stage: use dev, staging, production, pr-<number> ` +
            `(for example pr-42) or br-<branch slug> — the stack name is what decides the stage`,
    );
}

export const isProduction = (stage: Stage): boolean => stage === "production";
/** Every stage except production runs on neutralized or demo data behind a mail catcher. */
export const isNonProduction = (stage: Stage): boolean => stage !== "production";
