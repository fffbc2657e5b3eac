/**
 * How long `odoo-platform --version` takes to start: the compiled bundle (dist/odoo-platform.js)
 * against the same CLI run from its TypeScript sources through tsx, and against a bare `node`
 * start, all measured in this run. Each child reports its own CPU time (user + system) at exit
 * through a preloaded hook, so the numbers exclude this process.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const projectDir = path.resolve(__dirname, "..");
const bin = path.join(projectDir, "bin", "odoo-platform.js");

export interface StartupSample {
    wallSeconds: number;
    cpuSeconds: number;
}

export interface StartupVariant {
    name: string;
    median: StartupSample;
    samples: StartupSample[];
}

export interface StartupBench {
    runs: number;
    variants: StartupVariant[];
    /** Median wall and CPU of the source run divided by the bundle's: how many times faster the bundle starts. */
    sourceOverBundle: { wall: number; cpu: number };
}

function sampleOnce(args: string[], env: NodeJS.ProcessEnv, hook: string, report: string): StartupSample {
    fs.rmSync(report, { force: true });
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--require", hook, ...args], {
        cwd: projectDir,
        encoding: "utf8",
        env: { ...process.env, ...env, STARTUP_BENCH_REPORT: report },
    });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    const usage = JSON.parse(fs.readFileSync(report, "utf8")) as { user: number; system: number };
    return { wallSeconds, cpuSeconds: (usage.user + usage.system) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchStartup(runs: number): StartupBench {
    if (!fs.existsSync(path.join(projectDir, "dist", "odoo-platform.js"))) throw new Error("dist/odoo-platform.js is missing: run `npm run build` first");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "startup-bench-"));
    try {
        const hook = path.join(dir, "cpu-at-exit.js");
        fs.writeFileSync(
            hook,
            `process.on("exit", () => require("node:fs").writeFileSync(process.env.STARTUP_BENCH_REPORT, JSON.stringify(process.cpuUsage())));\n`,
        );
        const report = path.join(dir, "usage.json");
        const variants: [string, string[], NodeJS.ProcessEnv][] = [
            ["node -e 0 (bare start)", ["-e", "0"], {}],
            ["odoo-platform --version (bundle)", [bin, "--version"], {}],
            ["odoo-platform --version (sources through tsx)", [bin, "--version"], { ODOO_PLATFORM_FROM_SOURCE: "1" }],
        ];
        const samples = new Map<string, StartupSample[]>(variants.map(([name]) => [name, []]));
        // Interleaved, so a change in the machine's load hits every variant alike.
        for (let i = 0; i < runs; i++) for (const [name, args, env] of variants) samples.get(name)!.push(sampleOnce(args, env, hook, report));
        const result: StartupVariant[] = variants.map(([name]) => {
            const s = samples.get(name)!;
            return { name, samples: s, median: { wallSeconds: median(s.map((x) => x.wallSeconds)), cpuSeconds: median(s.map((x) => x.cpuSeconds)) } };
        });
        const [, bundle, source] = result;
        return {
            runs,
            variants: result,
            sourceOverBundle: { wall: source.median.wallSeconds / bundle.median.wallSeconds, cpu: source.median.cpuSeconds / bundle.median.cpuSeconds },
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export function renderStartupBench(b: StartupBench): string {
    const rows = b.variants.map((v) => `  ${v.name.padEnd(48)} median ${v.median.wallSeconds.toFixed(3)} s wall, ${v.median.cpuSeconds.toFixed(3)} s CPU`);
    return [
        `CLI start, ${b.runs} runs each (interleaved)`,
        ...rows,
        `  sources / bundle: ${b.sourceOverBundle.wall.toFixed(1)}× wall, ${b.sourceOverBundle.cpu.toFixed(1)}× CPU`,
    ].join("\n");
}
