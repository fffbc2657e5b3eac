/** The pure helpers the policies are built on. */
import * as assert from "node:assert/strict";
import type { StackValidationPolicy } from "@pulumi/policy";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { productionValues } from "../../plan/policyConfig";
import { mentions } from "../../policy/odoo-platform/lib/policy";
import { cliOption, envValue, hostMounts, networkNames, odooOption, parseImageRef, parseOdooConf, isDigestPinned } from "../../policy/odoo-platform/lib/docker";
import { awsTagMap, labelCarrier } from "../../policy/odoo-platform/lib/labels";
import { stringsIn, withConfigDefaults } from "../../policy/odoo-platform/lib/policy";
import { identityFromUrn } from "../../policy/odoo-platform/lib/stack";
import { cloudflareTypes, commandTypes, componentTypes, dockerTypes, githubTypes, otherTypes, s3Types } from "../../policy/odoo-platform/lib/types";

describe("policy helpers", () => {
    it("reads the stack and stage from a URN", () => {
        assert.deepEqual(identityFromUrn("urn:pulumi:pr-42::odoo-platform::docker:index/container:Container::odoo"), {
            stack: "pr-42",
            stage: "pr",
            prNumber: 42,
        });
        assert.equal(identityFromUrn("urn:pulumi:sandbox::odoo-platform::x::y"), undefined);
        assert.equal(identityFromUrn("not a urn"), undefined);
    });

    it("parses odoo.conf like Odoo's ConfigParser: [options] only, keys lower-cased, comments skipped", () => {
        assert.deepEqual(parseOdooConf("; c\n[options]\nADDONS_PATH = /a,/b\n# x\nsmtp_server: mailpit\n[other]\nx = 1\n"), {
            addons_path: "/a,/b",
            smtp_server: "mailpit",
        });
    });

    it("finds command-line options in all their spellings, the last one winning", () => {
        assert.equal(cliOption(["odoo", "--smtp", "a", "--smtp=b"], ["--smtp"]), "b");
        assert.equal(cliOption(["odoo", "-w", "pw"], ["-w", "--db_password"]), "pw");
        assert.equal(cliOption(["odoo", "--smtp-port=25"], ["--smtp"]), undefined);
    });

    it("resolves an Odoo option: command line > the odoo.conf at --config > Odoo's default", () => {
        const props = {
            command: ["odoo", "-c", "/opt/odoo.conf"],
            uploads: [
                { file: "/etc/odoo/odoo.conf", content: "[options]\nsmtp_server = wrong\n" },
                { file: "/opt/odoo.conf", content: "[options]\nsmtp_server = mailpit\n" },
            ],
        };
        assert.deepEqual(odooOption(props, "smtp_server"), { value: "mailpit", source: "smtp_server in /opt/odoo.conf", fromDefault: false });
        assert.deepEqual(odooOption({ ...props, entrypoints: ["odoo", "--smtp=x"] }, "smtp_server"), {
            value: "x",
            source: "command line --smtp",
            fromDefault: false,
        });
        assert.equal(odooOption({}, "max_cron_threads")?.value, "2");
        assert.equal(odooOption({}, "addons_path"), undefined);
    });

    it("keeps the last value of a repeated environment variable, as Docker does", () => {
        assert.equal(envValue({ envs: ["A=1", "B=x=y", "A=2"] }, "A"), "2");
        assert.equal(envValue({ envs: ["A=1", "B=x=y"] }, "B"), "x=y");
    });

    it("splits image references, registry ports included", () => {
        const digest = "sha256:" + "0".repeat(64);
        assert.deepEqual(parseImageRef("registry:5000/org/odoo:17.0"), { repository: "registry:5000/org/odoo", tag: "17.0", digest: undefined });
        assert.deepEqual(parseImageRef(`odoo@${digest}`), { repository: "odoo", tag: undefined, digest });
        assert.ok(isDigestPinned(parseImageRef(`ghcr.io/a/b:17.0@${digest}`)));
        assert.ok(!isDigestPinned(parseImageRef("ghcr.io/a/b@sha256:short")));
    });

    it("lists bind mounts and network names", () => {
        assert.deepEqual(
            hostMounts({
                volumes: [
                    { volumeName: "v", containerPath: "/x" },
                    { hostPath: "/h", containerPath: "/c" },
                ],
                mounts: [
                    { type: "bind", source: "/s", target: "/t", readOnly: true },
                    { type: "volume", source: "v", target: "/u" },
                ],
            }),
            [
                { hostPath: "/h", containerPath: "/c", readOnly: false },
                { hostPath: "/s", containerPath: "/t", readOnly: true },
            ],
        );
        assert.deepEqual(networkNames({ name: "c", hostname: "h", networksAdvanced: [{ name: "n", aliases: ["a", "b"] }] }), ["c", "h", "a", "b"]);
    });

    it("knows how each type carries labels, from the first matching rule", () => {
        assert.deepEqual(labelCarrier(dockerTypes.container), { kind: "docker-labels" });
        assert.equal(labelCarrier(dockerTypes.remoteImage)?.kind, "exempt");
        assert.deepEqual(labelCarrier("aws:s3/bucket:Bucket"), { kind: "aws-tags" });
        assert.deepEqual(labelCarrier("aws:s3/bucketV2:BucketV2"), { kind: "aws-tags" });
        assert.equal(labelCarrier("aws:s3/bucketVersioning:BucketVersioning")?.kind, "exempt");
        assert.equal(labelCarrier("aws:iam/rolePolicyAttachment:RolePolicyAttachment")?.kind, "exempt");
        assert.deepEqual(labelCarrier("aws:iam/role:Role"), { kind: "aws-tags" });
        assert.deepEqual(labelCarrier("kubernetes:core/v1:Pod"), { kind: "kubernetes-labels" });
        assert.equal(labelCarrier("kubernetes:helm.sh/v3:Release")?.kind, "exempt");
        assert.equal(labelCarrier("azure-native:storage:StorageAccount"), undefined);
    });

    it("merges AWS tags: provider defaults (object or JSON), tagsAll, then the resource's own", () => {
        assert.deepEqual(awsTagMap({ tags: { a: "own" } }, { defaultTags: JSON.stringify({ tags: { a: "default", b: "default" } }) }), {
            a: "own",
            b: "default",
        });
        assert.deepEqual(awsTagMap({}, { defaultTags: { tags: { c: "1" } } }), { c: "1" });
    });

    it("finds production values only as whole names", () => {
        assert.ok(mentions("https://erp.example.com/web", "erp.example.com"));
        assert.ok(mentions("host=ERP.example.com.", "erp.example.com"));
        assert.ok(!mentions("staging-erp.example.com", "erp.example.com"));
        assert.ok(!mentions("erp.example.com.evil.io", "erp.example.com"));
        assert.ok(!mentions("203.0.113.200", "203.0.113.20"));
        assert.ok(mentions("arn:aws:s3:::prod-bucket/*", "prod-bucket"));
    });

    it("learns production's identifying values from its stack file", () => {
        const values = productionValues().map((v) => v.value);
        assert.deepEqual(values, [
            "erp.insightpulseai.com",
            "odoo_production",
            "db-prod.internal.insightpulseai.com",
            "smtp.postmarkapp.com",
            "insightpulseai-odoo-snapshots",
            "prod-1.insightpulseai.com",
            "203.0.113.20",
        ]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prod-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.production.yaml"),
            "config:\n  odoo-platform:domain: example.org\n  odoo-platform:dockerHost: unix:///var/run/docker.sock\n",
        );
        assert.deepEqual(
            productionValues(path.join(dir, "Pulumi.production.yaml")).map((v) => v.value),
            ["erp.example.org", "odoo_production"],
        );
        assert.deepEqual(productionValues(path.join(dir, "missing.yaml")), []);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("gives a policy its schema defaults when the engine sends no configuration, and lets sent values win", async () => {
        const seen: unknown[] = [];
        const policy = withConfigDefaults<StackValidationPolicy>({
            name: "p",
            description: "d",
            configSchema: { properties: { a: { type: "array", default: ["x"] }, b: { type: "string" } } },
            validateStack: (args) => {
                seen.push(args.getConfig());
            },
        });
        const args = (config: object) => ({
            resources: [],
            stackTags: new Map(),
            getConfig: <T extends object>() => config as T,
            notApplicable: (): never => {
                throw new Error();
            },
        });
        await policy.validateStack(args({}), () => undefined);
        await policy.validateStack(args({ a: ["y"], b: "z" }), () => undefined);
        assert.deepEqual(seen, [{ a: ["x"] }, { a: ["y"], b: "z" }]);
    });

    it("lists every string of a value with its path", () => {
        assert.deepEqual(stringsIn({ a: ["x", { b: "y" }], n: 1 }), [
            { path: "a[0]", text: "x" },
            { path: "a[1].b", text: "y" },
        ]);
    });
});

describe("resource type tokens", () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const token = (module: string, cls: string): string => (require(module) as Record<string, { __pulumiType: string }>)[cls].__pulumiType;
    it("match the installed provider classes", () => {
        const expected: [string, string, string][] = [
            [dockerTypes.container, "@pulumi/docker/container", "Container"],
            [dockerTypes.network, "@pulumi/docker/network", "Network"],
            [dockerTypes.volume, "@pulumi/docker/volume", "Volume"],
            [dockerTypes.remoteImage, "@pulumi/docker/remoteImage", "RemoteImage"],
            [dockerTypes.image, "@pulumi/docker/image", "Image"],
            [dockerTypes.service, "@pulumi/docker/service", "Service"],
            [s3Types.bucket[0], "@pulumi/aws/s3/bucket", "Bucket"],
            [s3Types.encryption[0], "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration", "BucketServerSideEncryptionConfiguration"],
            [s3Types.versioning[0], "@pulumi/aws/s3/bucketVersioning", "BucketVersioning"],
            [s3Types.publicAccessBlock[0], "@pulumi/aws/s3/bucketPublicAccessBlock", "BucketPublicAccessBlock"],
            [s3Types.policy[0], "@pulumi/aws/s3/bucketPolicy", "BucketPolicy"],
            [s3Types.acl[0], "@pulumi/aws/s3/bucketAcl", "BucketAcl"],
            [cloudflareTypes.dnsRecord[0], "@pulumi/cloudflare/dnsRecord", "DnsRecord"],
            [cloudflareTypes.dnsRecord[1], "@pulumi/cloudflare/record", "Record"],
            [githubTypes.repositoryEnvironment, "@pulumi/github/repositoryEnvironment", "RepositoryEnvironment"],
            [githubTypes.branchProtection, "@pulumi/github/branchProtection", "BranchProtection"],
            [githubTypes.branchProtectionV3, "@pulumi/github/branchProtectionV3", "BranchProtectionV3"],
            [githubTypes.repositoryRuleset, "@pulumi/github/repositoryRuleset", "RepositoryRuleset"],
            [otherTypes.randomPassword, "@pulumi/random/randomPassword", "RandomPassword"],
            [otherTypes.postgresRole, "@pulumi/postgresql/role", "Role"],
            [commandTypes[0], "@pulumi/command/local/command", "Command"],
            [commandTypes[1], "@pulumi/command/remote/command", "Command"],
        ];
        for (const [tok, module, cls] of expected) assert.equal(tok, token(module, cls), module);
    });

    it("match our components' type tokens", () => {
        const source = (file: string) => fs.readFileSync(path.join(__dirname, "..", "..", "components", file), "utf8");
        assert.ok(source("OdooEnvironment.ts").includes(`"${componentTypes.odooEnvironment}"`));
        assert.ok(source("NeutralizedDatabase.ts").includes(`"${componentTypes.neutralizedDatabase}"`));
        assert.ok(source("SnapshotBucket.ts").includes(`"${componentTypes.snapshotBucket}"`));
    });
});
