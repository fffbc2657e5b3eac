/**
 * `pulumi policy publish policy/odoo-platform` packs the pack's folder (npm pack) and the service
 * installs it elsewhere: the pack must need nothing outside its folder. Here the folder is packed
 * alone, unpacked into a temporary directory, its own dependencies installed there, compiled with
 * its own TypeScript, and served by its own copy of the SDK's policy-pack runner.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policyPacks } from "../../policy/registry";
import { packDir, startPolicyPack } from "../support/crossguard";

const npm = (args: string[], cwd: string) =>
    execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });

/** Relative imports of the pack's sources that leave its folder. Pure. */
export function importsOutside(dir: string): string[] {
    const out: string[] = [];
    const visit = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
            if (entry.name === "node_modules") continue;
            const file = path.join(rel, entry.name);
            if (entry.isDirectory()) visit(file);
            else if (file.endsWith(".ts")) {
                const text = fs.readFileSync(path.join(dir, file), "utf8");
                for (const m of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"|require\("(\.{1,2}\/[^"]+)"\)/g)) {
                    const target = path.resolve(path.dirname(path.join(dir, file)), m[1] ?? m[2]);
                    if (!target.startsWith(dir + path.sep)) out.push(`${file}: ${m[1] ?? m[2]}`);
                }
                if (/readFileSync|existsSync|readdirSync/.test(text)) out.push(`${file}: reads files`);
            }
        }
    };
    visit("");
    return out;
}

describe("the policy pack, published alone", function () {
    this.timeout(600_000);
    let unpacked: string;

    before(() => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-pack-"));
        const copy = path.join(work, "odoo-platform");
        fs.cpSync(packDir, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
        const tarball = npm(["pack", "--silent", "--pack-destination", work], copy).trim().split("\n").pop()!;
        execFileSync("tar", ["xzf", path.join(work, tarball), "-C", work]);
        unpacked = path.join(work, "package");
        npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], unpacked);
    });

    it("imports nothing outside its folder and reads no file", () => {
        assert.deepEqual(importsOutside(packDir), []);
        assert.deepEqual(importsOutside(unpacked), []);
        assert.match(importsOutside.toString(), /readFileSync/, "the check looks for file reads");
    });

    it("the unpacked pack compiles with its own TypeScript and type definitions", () => {
        execFileSync(process.execPath, [path.join(unpacked, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", unpacked], { encoding: "utf8" });
    });

    it("its own SDK serves every policy", async () => {
        const pack = await startPolicyPack(unpacked, { runner: path.join(unpacked, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack") });
        try {
            const info = await pack.info();
            assert.equal(info.name, "odoo-platform");
            assert.deepEqual(
                info.policies.map((p) => p.name),
                policyPacks.flatMap((g) => g.policies.map((p) => p.name)),
            );
        } finally {
            pack.stop();
        }
    });
});
