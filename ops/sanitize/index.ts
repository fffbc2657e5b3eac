/** Sanitization: personal data replaced by consistent fakes, amounts anonymized, books kept usable. */
export { actions, type ActionContext, type ActionName } from "./actions";
export { factorSql, financialTransforms } from "./finance";
export { ruleName, sanitizeRules, type SanitizeRule } from "./rules";
export { declaredRules, type DeclaredRule } from "./declared";
export {
    markSanitized,
    planSanitize,
    SanitizeRuleError,
    validateTransforms,
    sanitizeDatabase,
    sanitizeMarkers,
    sanitizeTransforms,
    type RuleOutcome,
    type SanitizeOptions,
    type SanitizePlan,
    type SanitizeReport,
} from "./sanitize";
export { mergeTransforms, transformFrom, transformSelectSql, transformSessionSettings, type TableTransform } from "./transform";
