/**
 * Runs the policy pack the way `pulumi preview --policy-pack policy/odoo-platform` does — the Pulumi
 * SDK's run-policy-pack entry point compiling the pack with ts-node and serving the CrossGuard gRPC
 * analyzer — and talks to it as the engine would (GetAnalyzerInfo, Configure, Analyze,
 * AnalyzeStack). Values a preview leaves unknown travel as the engine's unknown marker. No CLI, no
 * network: the server listens on 127.0.0.1 and is stopped by the test that started it.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import type { RecordedResource } from "../../plan/mockRuntime";
import { unwrapSecrets } from "../../plan/mockRuntime";

/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as { AnalyzerClient: new (address: string, credentials: unknown) => AnalyzerClient };
const pb = require("@pulumi/pulumi/proto/analyzer_pb") as Record<string, new () => Message>;
const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js") as { Struct: { fromJavaScript(v: unknown): unknown } };
const { Empty } = require("google-protobuf/google/protobuf/empty_pb.js") as { Empty: new () => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

type Message = Record<string, (...args: unknown[]) => unknown>;
type Call = (request: unknown, callback: (err: Error | null, response: Message) => void) => void;
interface AnalyzerClient {
    getAnalyzerInfo: Call;
    configure: Call;
    analyze: Call;
    analyzeStack: Call;
    close(): void;
}

export const projectDir = path.resolve(__dirname, "..", "..");
const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");

export interface Diagnostic {
    policy: string;
    enforcement: string;
    urn: string;
    /** The policy's own message (CrossGuard prefixes the policy description on its own line). */
    message: string;
}

export interface RunningPack {
    pack: string;
    info(): Promise<{ name: string; policies: { name: string; enforcement: string }[] }>;
    /** `--policy-pack-config`: per policy, an enforcement level or { enforcementLevel?, …properties }. */
    configure(config: Record<string, string | Record<string, unknown>>): Promise<void>;
    analyze(resource: RecordedResource, all: RecordedResource[]): Promise<Diagnostic[]>;
    analyzeStack(resources: RecordedResource[]): Promise<Diagnostic[]>;
    stop(): void;
}

const levels = ["advisory", "mandatory", "disabled", "remediate"];
const plain = (value: unknown) => JSON.parse(JSON.stringify(unwrapSecrets(value) ?? {}));
const invoke = (client: AnalyzerClient, method: keyof AnalyzerClient, request: unknown) =>
    new Promise<Message>((resolve, reject) => (client[method] as Call).call(client, request, (err, response) => (err ? reject(err) : resolve(response))));

function options(r: RecordedResource): Message {
    const opts = new pb.AnalyzerResourceOptions();
    opts.setParent(r.parentUrn ?? "");
    return opts;
}

function provider(r: RecordedResource, all: RecordedResource[]): Message | undefined {
    const urn = r.provider?.slice(0, r.provider.lastIndexOf("::"));
    const p = all.find((x) => x.urn === urn);
    if (!p) return undefined;
    const msg = new pb.AnalyzerProviderResource();
    msg.setType(p.type);
    msg.setUrn(p.urn);
    msg.setName(p.name);
    msg.setProperties(Struct.fromJavaScript(plain(p.inputs)));
    return msg;
}

function diagnostics(response: Message): Diagnostic[] {
    return (response.getDiagnosticsList() as Message[]).map((d) => ({
        policy: d.getPolicyname() as string,
        enforcement: levels[d.getEnforcementlevel() as number],
        urn: d.getUrn() as string,
        message: String(d.getMessage()).split("\n").slice(1).join("\n"),
    }));
}

export const packDir = path.join(projectDir, "policy", "odoo-platform");

/** How long a pack may take to serve: a timeout, not a speed target (a slow start is only waited for). */
export const packStartTimeoutMs = 600_000;

let shared: Promise<RunningPack> | undefined;
/**
 * The project's pack, started once for every test file that needs it (the root hook stops it): one
 * compile per run instead of one per file. Each test configures it before analyzing.
 */
export function sharedPolicyPack(): Promise<RunningPack> {
    if (!shared) {
        shared = startPolicyPack();
        shared.catch(() => (shared = undefined));
    }
    return shared;
}

export async function stopSharedPolicyPack(): Promise<void> {
    const running = shared;
    shared = undefined;
    if (running) (await running.catch(() => undefined))?.stop();
}

/**
 * Starts the pack in `dir` (default policy/odoo-platform) under an SDK's policy-pack runner (default
 * the project's; a copied pack brings its own); resolves once it serves.
 */
export function startPolicyPack(dir = packDir, opts: { runner?: string; timeoutMs?: number } = {}): Promise<RunningPack> {
    // ts-node compiling the pack is the slow part: seconds alone, past 120 s on a loaded CI machine.
    const timeoutMs = opts.timeoutMs ?? packStartTimeoutMs;
    const pack = path.basename(dir);
    const child: ChildProcess = spawn(process.execPath, [opts.runner ?? runPolicyPack, "127.0.0.1:0", "."], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    // A run that ends (mocha --exit) before a test stopped its pack leaves no server behind.
    const killOnExit = () => child.kill();
    process.once("exit", killOnExit);
    child.once("exit", () => process.removeListener("exit", killOnExit));
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill();
            reject(new Error(`policy pack ${pack} did not start within ${timeoutMs} ms: ${stderr}`));
        }, timeoutMs);
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`policy pack ${pack} exited with ${code} before serving: ${stderr}`));
        });
        child.stdout!.once("data", (data: Buffer) => {
            clearTimeout(timer);
            child.removeAllListeners("exit");
            const port = Number(String(data).trim().split("\n")[0]);
            const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            const info = async () => {
                const res = await invoke(client, "getAnalyzerInfo", new Empty());
                return {
                    name: res.getName() as string,
                    policies: (res.getPoliciesList() as Message[]).map((p) => ({
                        name: p.getName() as string,
                        enforcement: levels[p.getEnforcementlevel() as number],
                    })),
                };
            };
            resolve({
                pack,
                info,
                async configure(config) {
                    // As the CLI does: a policy configured without a level keeps the one the pack declares.
                    const declared = new Map((await info()).policies.map((p) => [p.name, p.enforcement]));
                    const req = new pb.ConfigureAnalyzerRequest();
                    const map = req.getPolicyconfigMap() as unknown as { set(k: string, v: unknown): void };
                    for (const [name, entry] of Object.entries(config)) {
                        const policyConfig = new pb.PolicyConfig();
                        const { enforcementLevel, ...properties } =
                            typeof entry === "string" ? { enforcementLevel: entry } : (entry as Record<string, unknown>);
                        policyConfig.setEnforcementlevel(
                            levels.indexOf(typeof enforcementLevel === "string" ? enforcementLevel : (declared.get(name) ?? "mandatory")),
                        );
                        policyConfig.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(properties))));
                        map.set(name, policyConfig);
                    }
                    await invoke(client, "configure", req);
                },
                async analyze(r, all) {
                    const req = new pb.AnalyzeRequest();
                    req.setType(r.type);
                    req.setUrn(r.urn);
                    req.setName(r.name);
                    req.setProperties(Struct.fromJavaScript(plain(r.inputs)));
                    req.setOptions(options(r));
                    const p = provider(r, all);
                    if (p) req.setProvider(p);
                    return diagnostics(await invoke(client, "analyze", req));
                },
                async analyzeStack(resources) {
                    const req = new pb.AnalyzeStackRequest();
                    req.setResourcesList(
                        resources.map((r) => {
                            const res = new pb.AnalyzerResource();
                            res.setType(r.type);
                            res.setUrn(r.urn);
                            res.setName(r.name);
                            res.setProperties(Struct.fromJavaScript(plain({ ...r.inputs, ...(r.outputs ?? {}) })));
                            res.setOptions(options(r));
                            res.setParent(r.parentUrn ?? "");
                            res.setDependenciesList(r.dependencies);
                            const deps = res.getPropertydependenciesMap() as unknown as { set(k: string, v: unknown): void };
                            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                                const d = new pb.AnalyzerPropertyDependencies();
                                d.setUrnsList(urns);
                                deps.set(k, d);
                            }
                            const p = provider(r, resources);
                            if (p) res.setProvider(p);
                            return res;
                        }),
                    );
                    return diagnostics(await invoke(client, "analyzeStack", req));
                },
                stop() {
                    client.close();
                    child.kill();
                },
            });
        });
    });
}
