/**
 * Real Prometheus tooling for the tests: promtool (Debian's `prometheus` package) and the Debian
 * exporters, run on this machine and scraped to list the metric names they really expose.
 * .ci/run installs the packages when they are missing.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../../testing/throwawayPostgres";

export function requireBinary(name: string, debianPackage: string): string {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (!found) throw new Error(`${name} is not installed: apt-get install -y ${debianPackage} (.ci/run does this)`);
    return found;
}

export interface PromtoolResult {
    status: number;
    output: string;
}

/** Runs promtool with files written into a temporary directory; returns exit status and output. */
export function promtool(args: (dir: string) => string[], files: Record<string, string>): PromtoolResult {
    const bin = requireBinary("promtool", "prometheus");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
    try {
        for (const [name, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            fs.writeFileSync(path.join(dir, name), content);
        }
        const run = spawnSync(bin, args(dir), { cwd: dir, encoding: "utf8", timeout: 60_000 });
        return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Metric names in a Prometheus text exposition. */
export function metricNamesOf(exposition: string): Set<string> {
    const names = new Set<string>();
    for (const line of exposition.split("\n")) {
        if (!line || line.startsWith("#")) continue;
        names.add(line.split(/[{\s]/, 1)[0]);
    }
    return names;
}

/**
 * Starts an exporter on a free loopback port, scrapes /metrics once it answers, stops it and returns
 * the metric names.
 */
export async function scrapeExporter(
    binary: string,
    debianPackage: string,
    args: (listen: string) => string[],
    env: Record<string, string> = {},
): Promise<Set<string>> {
    const bin = requireBinary(binary, debianPackage);
    const port = await freePort();
    const listen = `127.0.0.1:${port}`;
    const child = spawn(bin, args(listen), { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    try {
        const deadline = Date.now() + 15_000;
        for (;;) {
            try {
                const res = await fetch(`http://${listen}/metrics`);
                if (res.ok) return metricNamesOf(await res.text());
            } catch {
                // not listening yet
            }
            if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${binary} did not serve /metrics: ${stderr.slice(-2000)}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    } finally {
        child.kill("SIGTERM");
    }
}
