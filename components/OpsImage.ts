/**
 * The operations CLI as an image (ops.Dockerfile: Node, PostgreSQL 15 client tools, this
 * repository's ops/ code), built on the stack's Docker host itself — the steps that move data run
 * there, next to the database, and the image never leaves the host. Tagged with a hash of what the
 * CLI is made of (ops/, bin/, the lockfile), not of the commit: a deploy that changes neither
 * leaves the image name, and so the refresh steps, untouched.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

export const opsDockerfile = "ops.Dockerfile";
/** What goes into the image's tag: the CLI's code and its locked dependencies. */
export const opsSources = ["ops", "bin", "package-lock.json"] as const;

/** sha256 of the files under `sources` (relative paths and contents, in a stable order). Pure given the files. */
export function sourcesHash(root: string, sources: readonly string[] = opsSources): string {
    const hash = createHash("sha256");
    const visit = (rel: string) => {
        const full = path.join(root, rel);
        const stat = fs.statSync(full);
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(full).sort()) if (entry !== "node_modules" && !entry.startsWith(".")) visit(path.join(rel, entry));
        } else {
            hash.update(`${rel.split(path.sep).join("/")}\0`)
                .update(fs.readFileSync(full))
                .update("\0");
        }
    };
    for (const source of sources) visit(source);
    return hash.digest("hex").slice(0, 16);
}

export interface OpsImageArgs {
    /** The repository root: the build context (ops.Dockerfile.dockerignore keeps it small). */
    projectDir: string;
}

export class OpsImage extends pulumi.ComponentResource {
    /** `odoo-platform/ops:<hash>`, once built on the host. */
    public readonly imageName: pulumi.Output<string>;

    constructor(name: string, args: OpsImageArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!fs.existsSync(path.join(args.projectDir ?? "", opsDockerfile)))
            throw new Error(`OpsImage: args.projectDir must hold ${opsDockerfile}, got "${args.projectDir}"`);
        super("odoo-platform:data:OpsImage", name, {}, opts);
        const image = new docker.Image(
            `${name}-image`,
            {
                imageName: `odoo-platform/ops:${sourcesHash(args.projectDir)}`,
                build: {
                    context: args.projectDir,
                    dockerfile: path.join(args.projectDir, opsDockerfile),
                    platform: "linux/amd64",
                    builderVersion: "BuilderBuildKit",
                },
                skipPush: true,
                buildOnPreview: false,
            },
            { parent: this },
        );
        this.imageName = image.imageName;
        this.registerOutputs({ imageName: this.imageName });
    }
}
