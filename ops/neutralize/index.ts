/** Neutralization: everything Odoo's own neutralize does, plus what it leaves open. */
export { neutralizeContextInput, neutralizeDatabase, type NeutralizeOptions, type NeutralizeReport, type NeutralizeRuleOutcome } from "./neutralize";
export { odooBinNeutralizeCommand, odooImageNeutralizeCommand, runOdooNeutralize, type OdooNeutralizeCommand, type OdooNeutralizeResult } from "./odooBin";
export {
    blockingServerName,
    catcherServerName,
    neutralizeRules,
    productionIdentityKey,
    type NeutralizeContext,
    type NeutralizeRule,
    type Statement,
} from "./rules";
export { planCredentialRevocations, withRevocations, type CredentialRevocations } from "./revoke";
export { odooPasswordHash, Secret } from "./secrets";
