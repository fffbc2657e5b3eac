/** Verification: an independent re-read of a staging database before it may serve traffic. */
export { verifyChecks, type Finding, type VerifyCheck } from "./checks";
export { verifyDatabase, type VerifyOptions, type VerifyReport } from "./verify";
