/**
 * What the mock providers "create": the inputs echoed back plus deterministic stand-ins for the
 * values a real provider computes (ids, ARNs, image digests, generated passwords). Deterministic
 * so two plans of the same config are byte-identical.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackConfigFile } from "../config/files";

const hex = (text: string, length = 64) => createHash("sha256").update(text).digest("hex").slice(0, length);

/**
 * Outputs the shared stack publishes, for StackReferences: PR stacks read `edge` from the staging
 * stack (components/shared.ts `SharedEdge`). tests/plan/sharedStack.test.ts checks these equal what
 * the staging plan really exports.
 */
const stagingFile = path.resolve(__dirname, "../Pulumi.staging.yaml");
const staging = fs.existsSync(stagingFile) ? readStackConfigFile(stagingFile).values : {};
const stagingDomain = staging["odoo-platform:domain"] ?? "example.com";
/** The organisation's own staging host and domain (Pulumi.staging.yaml, written by `odoo-platform init`). */
export const sampleStackReferenceOutputs: Record<string, unknown> = {
    edge: {
        network: "odoo-edge",
        entrypoint: "websecure",
        certResolver: "letsencrypt",
        dockerHost: staging["odoo-platform:dockerHost"] ?? `ssh://deploy@nonprod-1.${stagingDomain}`,
        prParentDomain: `dev.${stagingDomain}`,
        prNetworks: ["odoo-edge-pr-1", "odoo-edge-pr-2", "odoo-edge-pr-3", "odoo-edge-pr-4", "odoo-edge-pr-5"],
    },
};

export function mockResourceState(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
    const inputs = { ...(args.inputs as Record<string, unknown>) };
    const id = `${args.name}-id`;
    switch (args.type) {
        case "random:index/randomPassword:RandomPassword":
            // The real provider marks `result` secret; so does the mock. The hash has bcrypt's shape (htpasswdLine checks it).
            return {
                id,
                state: {
                    ...inputs,
                    result: pulumi.secret(`mock-${hex(args.name, 24)}`),
                    bcryptHash: pulumi.secret(`$2a$10$${hex(`bcrypt-${args.name}`, 53)}`),
                },
            };
        case "random:index/randomId:RandomId":
            return { id, state: { ...inputs, hex: hex(args.name, 16), b64Url: hex(args.name, 16) } };
        case "docker:index/remoteImage:RemoteImage": {
            const name = String(inputs.name ?? "");
            const digest = name.includes("@sha256:") ? name.slice(name.indexOf("@") + 1) : `sha256:${hex(name)}`;
            const repository = name.split("@")[0].replace(/:[^/:]+$/, "");
            return { id, state: { ...inputs, imageId: `sha256:${hex(`id-${name}`)}`, repoDigest: `${repository}@${digest}` } };
        }
        case "docker:index/image:Image": {
            const imageName = String(inputs.imageName ?? "");
            return { id, state: { ...inputs, repoDigest: `${imageName.replace(/:[^/:]+$/, "")}@sha256:${hex(imageName)}`, baseImageName: imageName } };
        }
        case "docker:index/container:Container":
            return { id, state: { ...inputs, exitCode: 0, networkDatas: [] } };
        case "aws:s3/bucket:Bucket": {
            const bucket = String(inputs.bucket ?? args.name);
            return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com` } };
        }
        case "aws:iam/policy:Policy":
            return { id, state: { ...inputs, arn: `arn:aws:iam::123456789012:policy/${args.name}` } };
        case "command:local:Command":
            return { id, state: { ...inputs, stdout: "", stderr: "" } };
        case "aws:rds/instance:Instance": {
            // The endpoint's host part is the account's own: a stand-in for the plan.
            const identifier = String(inputs.identifier ?? args.name);
            const address = `${identifier}.c0ffee123456.${"eu-west-1"}.rds.amazonaws.com`;
            return {
                id: identifier,
                state: { ...inputs, address, endpoint: `${address}:${inputs.port ?? 5432}`, arn: `arn:aws:rds:eu-west-1:123456789012:db:${identifier}` },
            };
        }
        case "pulumi:pulumi:StackReference":
            return { id: String(inputs.name ?? args.name), state: { ...inputs, outputs: sampleStackReferenceOutputs, secretOutputNames: [] } };
        default:
            if (args.type.startsWith("kubernetes:") && !args.type.startsWith("kubernetes:helm")) return { id, state: kubernetesState(args.name, inputs) };
            return { id, state: inputs };
    }
}

/** A Kubernetes object without metadata.name gets the provider's auto-name: `<name>-<8 characters>`. */
function kubernetesState(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
    if (metadata.name !== undefined) return inputs;
    return { ...inputs, metadata: { ...metadata, name: `${name}-${hex(name, 8)}` } };
}

/** The snapshot `staging/latest.json` names in the offline plan (a bucket named no-snapshot-… has none). */
export const sampleLatestSnapshot = "odoo_production-20260105T030000Z";

export function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    switch (args.token) {
        case "aws:s3/getObject:getObject": {
            const inputs = args.inputs as { bucket?: string; key?: string };
            if (String(inputs.bucket).startsWith("no-snapshot-")) {
                // The engine hands the provider's message over in `details`, as the SDK reads it.
                const message = `reading S3 Object (${inputs.key}): NoSuchKey: The specified key does not exist.`;
                throw Object.assign(new Error(message), { details: message });
            }
            return {
                ...inputs,
                body: `${JSON.stringify({ id: sampleLatestSnapshot, createdAt: "2026-01-05T03:00:00Z", sanitized: true })}\n`,
                contentType: "application/json",
            };
        }
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/plan", userId: "plan" };
        case "aws:index/getRegion:getRegion":
            return { name: "eu-west-1", region: "eu-west-1" };
        default:
            return args.inputs as Record<string, unknown>;
    }
}
