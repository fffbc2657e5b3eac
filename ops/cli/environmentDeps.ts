/**
 * What `pr` and `branch` share: the real Pulumi backend (Automation API) and GitHub (Octokit) behind
 * ops/pr/lifecycle.ts, and how failures of those outside services become exit codes.
 */
import * as fs from "node:fs";
import { ConfigError } from "../../config/load";
import type * as odooEnvironment from "../../components/OdooEnvironment";
import { InvalidInputError } from "../core/errors";
import { AutomationBackend, policyPackDirs } from "../pr/automation";
import { githubFromEnvironment } from "../pr/github";
import { LifecycleDeps } from "../pr/lifecycle";
import { systemClock } from "../pr/ports";
import { prPlatformSettings, prStackSettings, prView, projectDir } from "../pr/settings";
import { progress } from "./runtime";

export interface CommonOptions {
    json?: boolean;
    repo?: string;
    /** File the build's full test log is written to (the workflow keeps it as an artifact). */
    testLog?: string;
}

export function configured<T>(read: () => T): T {
    try {
        return read();
    } catch (err) {
        if ((err as ConfigError).name === "ConfigError") throw new InvalidInputError((err as Error).message);
        throw err;
    }
}

/**
 * GitHub or Pulumi Cloud unreachable, or a token refused: exit 2 with what to check, like an
 * unreachable database elsewhere in the CLI. Anything else keeps its own message (exit 1).
 */
export function outsideError(err: unknown): Error {
    const e = err as { status?: number; message?: string; cause?: { code?: string; cause?: { code?: string } }; code?: string };
    // Octokit wraps fetch's failure twice: HttpError → TypeError("fetch failed") → the socket error.
    const code = e.cause?.cause?.code ?? e.cause?.code ?? e.code;
    if (code && ["ENOTFOUND", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN"].includes(code)) {
        return new InvalidInputError(`cannot reach GitHub (${code}): check the network and GITHUB_API_URL`);
    }
    if (e.status === 401) return new InvalidInputError("GitHub refused the token (401): check GITHUB_TOKEN");
    if (e.status === 403 && /rate limit/i.test(e.message ?? "")) return new InvalidInputError(`GitHub rate limit reached: ${e.message}`);
    if (e.status === 403)
        return new InvalidInputError(`GitHub refused the request (403): the token needs pull-requests, issues and actions write — ${e.message ?? ""}`.trim());
    return err as Error;
}

export async function guarded<T>(run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        throw outsideError(err);
    }
}

export function realDeps(task: string, opts: CommonOptions): LifecycleDeps {
    const platform = configured(() => prPlatformSettings());
    const github = githubFromEnvironment(process.env, opts.repo);
    const backend = new AutomationBackend({
        workDir: projectDir,
        sharedStack: platform.sharedStack,
        policyPacks: policyPackDirs(projectDir),
        onOutput: (text) => process.stderr.write(text),
        dockerHost: platform.dockerHost,
    });
    // Required here, not imported at the top: the component pulls in @pulumi/pulumi, @pulumi/docker
    // and @pulumi/random (about a second of CPU), which no other command needs to start.
    const { adminLogin, mailCatcherUser } = require("../../components/OdooEnvironment") as typeof odooEnvironment;
    return {
        backend,
        github,
        clock: systemClock,
        platform: () => platform,
        // PR environments sit behind TLS on either runtime (the shared edge, or the ingress controller's wildcard certificate).
        view: (build) => configured(() => prView(prStackSettings(build))),
        progress: progress(task),
        adminLogin,
        mailCatcherUser,
        onTestLog: opts.testLog ? (log) => fs.writeFileSync(opts.testLog!, log) : undefined,
    };
}
