/**
 * The policies the offline plan (`npm run plan`, `npm run guard`) and the tests run: the groups of
 * the one policy pack, policy/odoo-platform (published alone; this file is outside it).
 */
export { platformPack, policyGroups as policyPacks } from "./odoo-platform/policies";
export type { PolicyPackDefinition } from "./odoo-platform/policies";
