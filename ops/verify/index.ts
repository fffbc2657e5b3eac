/** Verification: an independent re-read of a staging database before it may serve traffic. */
export { verifyChecks, type Finding, type VerifyCheck } from "./checks";
export { KnownValueGuard, knownValueGuard, KnownValueLeak } from "./knownValueGuard";
export { notOdooReason, odooCoreTables, verifyAllowDomains, verifyDatabase, type VerifyOptions, type VerifyReport } from "./verify";
