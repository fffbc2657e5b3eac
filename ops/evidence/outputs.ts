/**
 * Stack outputs are the evidence: `pulumi stack output --json` of the stack just deployed, read
 * into what a deployment row records. index.ts exports the keys read here (url, databaseName,
 * imageReference, imageDigest, stageName, stackName, gitSha, gitBranch and the structured
 * `evidence` object); a missing or malformed key is bad usage, reported all at once.
 */
import * as fs from "node:fs";
import { stackIdentity, StackNameError } from "../../config/stage";
import { InvalidInputError } from "../core/errors";
import { isGitSha, parsePinnedImage, PinnedImage } from "./schema";

export interface DeploymentOutputs {
    /** Stack name as exported (may be org/project/stack). */
    stack: string;
    /** The environment (unqualified stack name): production, staging, pr-42 … */
    environment: string;
    stage: string;
    gitSha: string;
    gitBranch: string | null;
    url: string;
    databaseName: string;
    image: PinnedImage;
    /** The outputs kept in the row: the known keys only, so a --show-secrets file leaks nothing else. */
    recorded: Record<string, unknown>;
}

/** Output keys copied into ops.deployments.outputs. */
export const recordedOutputKeys = [
    "stageName",
    "stackName",
    "prNumber",
    "gitSha",
    "gitBranch",
    "url",
    "mailCatcherUrl",
    "databaseName",
    "imageReference",
    "imageDigest",
    "snapshotBucketName",
    "grafanaUrl",
    "evidence",
] as const;

const requiredKeys = ["url", "databaseName", "imageDigest", "stageName", "gitSha", "evidence"] as const;

const howToWrite = (file: string) => `write it with \`pulumi stack output --json --stack <stack> > ${file}\` after \`pulumi up\``;

export function readOutputsFile(file: string | undefined): unknown {
    if (!file) throw new InvalidInputError("--outputs is required: the file written by `pulumi stack output --json`");
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new InvalidInputError(`outputs file ${file} does not exist or cannot be read: ${howToWrite(file)}`);
    }
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new InvalidInputError(`outputs file ${file} is not valid JSON (${(err as Error).message}): ${howToWrite(file)}`);
    }
}

const isText = (v: unknown): v is string => typeof v === "string" && v !== "" && v !== "[secret]";

/** Pure: the deployment facts in a parsed outputs document, or every problem with it. */
export function parseDeploymentOutputs(raw: unknown, source: string): DeploymentOutputs {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
        throw new InvalidInputError(`outputs file ${source} must hold a JSON object of stack outputs: ${howToWrite(source)}`);
    }
    const o = raw as Record<string, unknown>;
    const problems: string[] = [];
    const missing = requiredKeys.filter((k) => o[k] === undefined || o[k] === null);
    if (missing.length) problems.push(`missing output${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);

    const evidence = (o.evidence && typeof o.evidence === "object" && !Array.isArray(o.evidence) ? o.evidence : undefined) as
        Record<string, unknown> | undefined;
    if (o.evidence !== undefined && o.evidence !== null && !evidence) problems.push("output evidence must be an object");
    for (const key of ["url", "databaseName", "stageName"] as const) {
        if (o[key] !== undefined && o[key] !== null && !isText(o[key]))
            problems.push(`output ${key} must be a non-empty string, got ${JSON.stringify(o[key])}`);
    }
    if (o.gitSha !== undefined && o.gitSha !== null && !isGitSha(o.gitSha)) {
        problems.push(`output gitSha must be a commit SHA (7–40 hex), got ${JSON.stringify(o.gitSha)}: set ODOO_PLATFORM_GIT_SHA when running pulumi up`);
    }

    let image: PinnedImage | undefined;
    if (o.imageDigest !== undefined && o.imageDigest !== null) {
        try {
            image = parsePinnedImage(String(o.imageDigest), "output imageDigest");
        } catch (err) {
            problems.push((err as Error).message);
        }
    }

    const stackName = isText(o.stackName) ? o.stackName : isText(evidence?.stack) ? (evidence!.stack as string) : undefined;
    let environment: string | undefined;
    if (!stackName) {
        problems.push("missing output stackName (and evidence.stack)");
    } else {
        try {
            const identity = stackIdentity(stackName);
            environment = identity.stack;
            if (isText(o.stageName) && o.stageName !== identity.stage) {
                problems.push(`output stageName is "${o.stageName}" but stack ${stackName} is stage "${identity.stage}"`);
            }
        } catch (err) {
            if (!(err instanceof StackNameError)) throw err;
            problems.push(`unknown environment "${stackName}": the stack must be dev, staging, production or pr-<number>`);
        }
    }
    if (evidence && isGitSha(o.gitSha) && evidence.gitSha !== undefined && evidence.gitSha !== o.gitSha) {
        problems.push(`output gitSha ${o.gitSha} disagrees with evidence.gitSha ${JSON.stringify(evidence.gitSha)}`);
    }

    if (problems.length) throw new InvalidInputError(`outputs file ${source}: ${problems.join("; ")} (${howToWrite(source)})`);

    const recorded: Record<string, unknown> = {};
    for (const key of recordedOutputKeys) if (o[key] !== undefined) recorded[key] = o[key];
    return {
        stack: stackName!,
        environment: environment!,
        stage: o.stageName as string,
        gitSha: o.gitSha as string,
        gitBranch: isText(o.gitBranch) ? o.gitBranch : null,
        url: o.url as string,
        databaseName: o.databaseName as string,
        image: image!,
        recorded,
    };
}
