/**
 * The platform's names and rules as the policies use them, from platform.generated.ts (data the
 * program's own tables generate): the pack imports nothing outside its folder.
 */
import { platform } from "./platform.generated";

export const labelKeys = platform.labelKeys;
export const containerRoles = platform.containerRoles;
export type ContainerRole = (typeof containerRoles)[keyof typeof containerRoles];
export const deployedCodeRoles: readonly string[] = platform.deployedCodeRoles;
export const stages = platform.stages;
export type Stage = (typeof stages)[number];
/** A variable containers of some roles must carry in some stages (config/environment.ts). */
export interface RuntimeVariableRule {
    name: string;
    description: string;
    roles: readonly string[];
    requiredIn: readonly Stage[];
    requiredWhenRolePresent: string | null;
    fileVariant: boolean;
}
export const runtimeVariables: readonly RuntimeVariableRule[] = platform.runtimeVariables;
export const addonsPathContract: readonly string[] = platform.addonsPath;
export const encryptedPlaceholder = platform.encryptedPlaceholder;
export const productionBranch = platform.productionBranch;
export const prBudgetDefaults = platform.prBudget;
export const sharedInternalNetworks: readonly string[] = platform.sharedInternalNetworks;
/** Does another stack on the host declare `name` internal (the router's edge and PR slot networks)? */
export const isSharedInternalNetwork = (name: string): boolean => new RegExp(platform.sharedInternalNetworkPattern).test(name);

/** ODOO_STAGE's value in a stage. */
export const odooStageValue = (stage: Stage): string => platform.odooStage[stage];

export interface StackIdentity {
    stack: string;
    stage: Stage;
    prNumber?: number;
    /** Branch environments (stack br-<slug>, stage pr): the branch slug. */
    branchEnvironment?: string;
}

const prStack = new RegExp(platform.prStackPattern);
const branchStack = new RegExp(platform.branchStackPattern);

/** The stage a stack name names (the program's rule, config/stage.ts), or undefined. */
export function stackIdentity(stack: string): StackIdentity | undefined {
    const name = stack.split("/").pop() ?? stack;
    if (name === "dev" || name === "staging" || name === "production") return { stack: name, stage: name };
    const pr = prStack.exec(name);
    if (pr) return { stack: name, stage: "pr", prNumber: Number(pr[1]) };
    const branch = branchStack.exec(name);
    return branch ? { stack: name, stage: "pr", branchEnvironment: branch[1] } : undefined;
}
