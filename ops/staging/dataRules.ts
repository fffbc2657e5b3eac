/**
 * The data rules the pipeline applies, behind one small interface: sanitizing expressions
 * (ops/sanitize), neutralization (ops/neutralize) and the independent verification (ops/verify).
 * The pipeline only orchestrates; what "safe" means lives in those modules.
 */
import type { Client } from "pg";
import type { SourceSnapshot } from "../postgres/copyDatabase";
import type { ColumnTransform } from "../postgres/copyStream";
import { CliError } from "../cli/runtime";
import type { SanitizeSpec } from "../snapshot/create";

export interface NeutralizeSettings {
    baseUrl: string;
    mailHost: string;
    mailPort: number;
}

export interface VerifyOutcome {
    ok: boolean;
    /** One line per finding: table/column/count. */
    findings: string[];
    /** The verify module's own report, carried into the pipeline's JSON. */
    report: unknown;
}

export interface DataRules {
    transforms(client: Client, opts: { seed: string; strict: boolean }): Promise<ColumnTransform[]>;
    neutralize(client: Client, opts: NeutralizeSettings): Promise<unknown>;
    verify(client: Client, opts: { allowDomains: string[] }): Promise<VerifyOutcome>;
}

const notAvailable = (what: string) =>
    new CliError(`${what} is not available in this build: the data rules (ops/sanitize, ops/neutralize, ops/verify) are missing`);

/** The platform's rules (ops/sanitize, ops/neutralize, ops/verify). */
export function platformDataRules(): DataRules {
    return {
        transforms: async () => {
            throw notAvailable("sanitize");
        },
        neutralize: async () => {
            throw notAvailable("neutralize");
        },
        verify: async () => {
            throw notAvailable("verify");
        },
    };
}

/** The `snapshot create --sanitize` spec over the platform's rules. */
export function sanitizeSpec(opts: { seed: string; strict: boolean }, rules: DataRules = platformDataRules()): SanitizeSpec {
    return { ...opts, transforms: (snapshot: SourceSnapshot) => rules.transforms(snapshot.client, opts) };
}
