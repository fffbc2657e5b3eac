/**
 * A Compose file (docker-compose.yml, compose.yaml, a devcontainer's override), read with `yaml`
 * keeping line numbers: per service its image, build, command, environment, env files and volumes
 * (short `SRC:DST[:MODE]` and long `{type, source, target}` syntax). Bind sources are resolved to
 * paths relative to the repository (Compose resolves them against the file's own directory).
 */
import * as path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument, YAMLMap } from "yaml";
import { UnreadableInputError } from "../findings";

export interface ComposeVolume {
    /** Repository-relative host directory of a bind mount; undefined for a named volume. */
    hostPath?: string;
    /** Named volume, when not a bind. */
    volume?: string;
    target: string;
    line: number;
    file: string;
}

export interface ComposeService {
    name: string;
    file: string;
    line: number;
    image?: { value: string; line: number };
    build?: { context: string; dockerfile: string; line: number };
    command?: { args: string[]; line: number; file: string };
    entrypoint?: { args: string[]; line: number; file: string };
    environment: Record<string, { value: string; line: number; file: string }>;
    envFiles: { path: string; line: number }[];
    volumes: ComposeVolume[];
}

export interface ComposeFile {
    file: string;
    services: Record<string, ComposeService>;
}

/** POSIX-shell word splitting, as Compose applies to a string `command:`. */
export function shellSplit(text: string): string[] {
    const out: string[] = [];
    let word = "";
    let inWord = false;
    let quote: string | undefined;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quote) {
            if (c === quote) quote = undefined;
            else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
            else word += c;
        } else if (c === "'" || c === '"') {
            quote = c;
            inWord = true;
        } else if (c === "\\" && i + 1 < text.length) {
            word += text[++i];
            inWord = true;
        } else if (/\s/.test(c)) {
            if (inWord) out.push(word);
            word = "";
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord) out.push(word);
    return out;
}

export function parseCompose(text: string, file: string): ComposeFile {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, merge: true });
    if (doc.errors.length) {
        const e = doc.errors[0];
        throw new UnreadableInputError(file, e.linePos?.[0].line ?? 1, `not YAML: ${e.message.split("\n")[0]}`);
    }
    const lineOf = (node: unknown): number => {
        const range = (node as Node | undefined)?.range;
        return range ? lineCounter.linePos(range[0]).line : 1;
    };
    const dir = path.posix.dirname(file);
    const resolveHost = (p: string): string => path.posix.normalize(path.posix.join(dir, p)).replace(/\/+$/, "") || ".";
    const services: Record<string, ComposeService> = {};
    const root = doc.contents;
    if (!isMap(root)) return { file, services };
    const servicesNode = root.get("services", true);
    if (!isMap(servicesNode)) return { file, services };
    const words = (node: unknown): string[] | undefined => {
        if (isScalar(node) && node.value !== null) return shellSplit(String(node.value));
        if (isSeq(node)) return node.items.map((i) => String(isScalar(i) ? i.value : i));
        return undefined;
    };
    for (const pair of servicesNode.items) {
        const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const s = pair.value;
        if (!isMap(s)) continue;
        const svc = s as YAMLMap;
        const service: ComposeService = { name, file, line: lineOf(pair.key), environment: {}, envFiles: [], volumes: [] };
        const image: unknown = svc.get("image", true);
        if (isScalar(image)) service.image = { value: String(image.value), line: lineOf(image) };
        const build: unknown = svc.get("build", true);
        if (isScalar(build)) service.build = { context: resolveHost(String(build.value)), dockerfile: "Dockerfile", line: lineOf(build) };
        else if (isMap(build)) {
            const context = resolveHost(String(build.get("context") ?? "."));
            const dockerfile = String(build.get("dockerfile") ?? "Dockerfile");
            service.build = { context, dockerfile, line: lineOf(build) };
        }
        for (const key of ["command", "entrypoint"] as const) {
            const node = svc.get(key, true);
            const args = words(node);
            if (args) service[key] = { args, line: lineOf(node), file };
        }
        const env: unknown = svc.get("environment", true);
        if (isSeq(env)) {
            for (const item of env.items) {
                const text = String(isScalar(item) ? item.value : "");
                const eq = text.indexOf("=");
                service.environment[eq < 0 ? text : text.slice(0, eq)] = { value: eq < 0 ? "" : text.slice(eq + 1), line: lineOf(item), file };
            }
        } else if (isMap(env)) {
            for (const item of env.items) {
                const value = isScalar(item.value) ? item.value.value : item.value;
                service.environment[String((item.key as { value?: unknown }).value ?? item.key)] = {
                    value: value === null || value === undefined ? "" : String(value),
                    line: lineOf(item.key),
                    file,
                };
            }
        }
        const envFile: unknown = svc.get("env_file", true);
        const envFiles = isScalar(envFile) ? [envFile] : isSeq(envFile) ? envFile.items : [];
        for (const f of envFiles) {
            const p = isScalar(f) ? f.value : isMap(f) ? f.get("path") : undefined;
            if (p) service.envFiles.push({ path: resolveHost(String(p)), line: lineOf(f) });
        }
        const volumes: unknown = svc.get("volumes", true);
        if (isSeq(volumes)) {
            for (const v of volumes.items) {
                const line = lineOf(v);
                if (isScalar(v)) {
                    const parts = String(v.value).split(":");
                    if (parts.length < 2) {
                        service.volumes.push({ volume: undefined, target: parts[0], line, file });
                        continue;
                    }
                    const [source, target] = parts;
                    const bind = source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
                    service.volumes.push(bind ? { hostPath: resolveHost(source), target, line, file } : { volume: source, target, line, file });
                } else if (isMap(v)) {
                    const type = String(v.get("type") ?? "volume");
                    const source = v.get("source");
                    const target = String(v.get("target") ?? "");
                    if (type === "bind" && source !== undefined) service.volumes.push({ hostPath: resolveHost(String(source)), target, line, file });
                    else service.volumes.push({ volume: source === undefined ? undefined : String(source), target, line, file });
                }
            }
        }
        services[name] = service;
    }
    return { file, services };
}

/**
 * Compose's merge of several files for one project (`-f a -f b`, a devcontainer's
 * dockerComposeFile list): later files override image, build, command and entrypoint, add to the
 * environment, and replace a volume mounted at the same target.
 */
export function mergeCompose(files: ComposeFile[]): Record<string, ComposeService> {
    const merged: Record<string, ComposeService> = {};
    for (const f of files) {
        for (const [name, s] of Object.entries(f.services)) {
            const base = merged[name];
            if (!base) {
                merged[name] = { ...s, environment: { ...s.environment }, envFiles: [...s.envFiles], volumes: [...s.volumes] };
                continue;
            }
            merged[name] = {
                ...base,
                image: s.image ?? base.image,
                build: s.build ?? base.build,
                command: s.command ?? base.command,
                entrypoint: s.entrypoint ?? base.entrypoint,
                environment: { ...base.environment, ...s.environment },
                envFiles: [...base.envFiles, ...s.envFiles],
                volumes: [...base.volumes.filter((v) => !s.volumes.some((n) => n.target.replace(/\/+$/, "") === v.target.replace(/\/+$/, ""))), ...s.volumes],
            };
        }
    }
    return merged;
}
