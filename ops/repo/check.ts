/**
 * `repo check`: the Phase 0 guards over an Odoo repository's own files. Every place that runs Odoo
 * — each Compose service, the devcontainer (its Compose files merged as Compose merges them), each
 * Dockerfile, each odoo.conf — is read as a *surface*: the addons path Odoo gets there (command
 * line, then the config file, then the image's default) and what is mounted or copied into the
 * container. Then, per surface and per file:
 *
 *   addons-path-mismatch      the addons path differs from the stack's (odoo-platform:addonsPath)
 *   addons-path-unmounted     an entry nothing mounts or copies into the container
 *   addons-path-not-modules   an entry that holds repositories or folders, not modules (Odoo does not recurse)
 *   addons-path-incomplete    modules mounted into the container whose directory is not on the path
 *   stack-addons-path         the stack's addons path does not load the repository's modules
 *   image-version             a base image, compose image or stack image of another Odoo series
 *   staging-crons / staging-smtp / staging-stage   staging conf and env not neutralized
 *   production-settings       production's conf missing what production needs
 *   committed-credential      a password or key written in a committed file
 *   third-party-unfetched     a git-ignored folder of modules no build fetches
 *   module-dependency         an own module whose dependency is nowhere (excluded from installs)
 *   plus the manifest findings of discovery and the repos file's.
 *
 * Every finding names file, line and fix. Unreadable input (YAML, JSON, a conf configparser
 * refuses) throws UnreadableInputError: `repo check` exits 2 on it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ignore from "ignore";
import { credentialInValue, isCredentialName, isReferenceOrEmpty } from "../../config/credentials";
import type { Settings } from "../../config/schema";
import type { Stage } from "../../config/stage";
import { finding, Finding, sortFindings } from "./findings";
import { findRuntimeFiles, RuntimeFiles, stageOfPath } from "./files";
import { ComposeFile, ComposeService, mergeCompose, parseCompose } from "./read/compose";
import { parseDevcontainer } from "./read/devcontainer";
import { DockerfileFacts, parseDockerfile } from "./read/dockerfile";
import { EnvFile, parseEnvFile } from "./read/envFile";
import { confBool, confOption, OdooConfFile, parseOdooConf } from "./read/odooConf";
import { OdooRepository, readRepository, selectableModules } from "./repository";
import { ModuleSelection, ModuleSelectionError, selectModules } from "./select";

/** One stack configuration, as the check needs it. */
export interface StackView {
    stack: string;
    stage: Stage;
    /** The stack file, relative to where the check reports (e.g. `Pulumi.staging.yaml`). */
    file: string;
    settings: Settings;
    /** 1-based line of a key in the stack file (1 when not written there). */
    keyLine: (key: string) => number;
}

/** Where Odoo runs and what it sees. */
export interface Surface {
    /** For messages: `docker-compose.yml service odoo`, `devcontainer .devcontainer/devcontainer.json`, `image docker/Dockerfile.prod`. */
    name: string;
    stage: Stage;
    addonsPath?: { entries: string[]; file: string; line: number; from: string };
    /** Container path → repository directory (undefined: content built in the image, unknown here). */
    provides: { target: string; source?: string; file: string; line: number }[];
    conf?: OdooConfFile;
    environment: Record<string, { value: string; line: number; file: string }>;
}

export interface RepoCheckResult {
    findings: Finding[];
    repository: OdooRepository;
    surfaces: Surface[];
    files: RuntimeFiles;
    /** The PR stack's selection (what a PR environment installs), when a PR or dev stack is given. */
    selection?: ModuleSelection;
}

/** Odoo's official image: its odoo.conf lists /mnt/extra-addons and its Dockerfile declares the volume. */
export const officialImageAddonsPath = ["/mnt/extra-addons"];
const defaultConfPath = "/etc/odoo/odoo.conf";
const mailCatcherImage = /(mailpit|mailhog|maildev|smtp4dev|mailcatcher|greenmail)/i;

const norm = (p: string): string => p.trim().replace(/\/+$/, "") || "/";
const splitPath = (value: string): string[] =>
    value
        .split(",")
        .map(norm)
        .filter((p) => p !== "/" && p !== "");
const under = (p: string, dir: string): boolean => dir === "." || p === dir || p.startsWith(`${dir}/`);
/** `base` + the part of `p` below `dir` (`/mnt/oca` + `addons/oca/queue` below `addons/oca` → `/mnt/oca/queue`). */
const rebase = (base: string, dir: string, p: string): string => {
    const rest = dir === "." ? p : p.slice(dir.length).replace(/^\/+/, "");
    return rest ? `${norm(base)}/${rest}`.replace(/\/{2,}/g, "/") : norm(base);
};

/** The Odoo series an image reference names (`odoo:17.0`, `odoo:17`, `…/odoo:18.0-20250101`), if any. */
export function imageSeries(reference: string): string | undefined {
    const noDigest = reference.split("@")[0];
    const slash = noDigest.lastIndexOf("/");
    const colon = noDigest.indexOf(":", slash + 1);
    if (colon < 0) return undefined;
    const m = /^(\d{1,2})(?:\.0)?(?:$|[-.+_])/.exec(noDigest.slice(colon + 1));
    return m ? `${m[1]}.0` : undefined;
}

function cliAddonsPath(args: string[]): string | undefined {
    let found: string | undefined;
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--addons-path" && i + 1 < args.length) found = args[i + 1];
        else if (args[i].startsWith("--addons-path=")) found = args[i].slice("--addons-path=".length);
    }
    return found;
}

function cliConfPath(args: string[]): string | undefined {
    let found: string | undefined;
    for (let i = 0; i < args.length; i++) {
        if ((args[i] === "-c" || args[i] === "--config") && i + 1 < args.length) found = args[i + 1];
        else if (args[i].startsWith("--config=")) found = args[i].slice("--config=".length);
    }
    return found;
}

/** Maps a container path through the surface's mounts/copies to a repository path (longest target wins). */
function toRepo(surface: Surface, containerPath: string): { source?: string; mount: Surface["provides"][number] } | undefined {
    const p = norm(containerPath);
    const hits = surface.provides.filter((m) => under(p, norm(m.target))).sort((a, b) => norm(b.target).length - norm(a.target).length);
    const mount = hits[0];
    if (!mount) return undefined;
    if (mount.source === undefined) return { mount };
    const rest = p.slice(norm(mount.target).length).replace(/^\//, "");
    return { source: path.posix.normalize(rest ? `${mount.source}/${rest}` : mount.source), mount };
}

export interface CheckInput {
    repoDir: string;
    stacks: StackView[];
}

export function checkRepository(input: CheckInput): RepoCheckResult {
    const { repoDir, stacks } = input;
    const findings: Finding[] = [];
    const reference = stacks.find((s) => s.stage === "production") ?? stacks[0];
    if (!reference) throw new Error("repo check needs at least one stack configuration (Pulumi.<stack>.yaml)");
    const rs = reference.settings;
    const series = rs.odooVersion;
    const repository = readRepository(repoDir, {
        addonsRoots: rs.addonsRoots,
        thirdPartyAddonsRoots: rs.thirdPartyAddonsRoots,
        maxDepth: rs.addonsMaxDepth,
        series,
        reposFile: rs.reposFile,
    });
    findings.push(...repository.findings);
    for (const glob of repository.discovery.missingRoots) {
        findings.push(
            finding(
                "addons-root-missing",
                reference.file,
                reference.keyLine("addonsRoots"),
                `addons root ${glob} matches no directory of the repository`,
                `fix odoo-platform:addonsRoots (repository-relative directories or globs such as addons/*)`,
            ),
        );
    }
    const exists = (rel: string) => fs.existsSync(path.join(repoDir, rel));
    const read = (rel: string) => fs.readFileSync(path.join(repoDir, rel), "utf8");
    const moduleDirs = repository.modules.map((m) => m.path);
    const files = findRuntimeFiles(repoDir, [...moduleDirs, ...repository.sources.map((s) => s.dir)]);

    const dockerfiles = new Map<string, DockerfileFacts>();
    const dockerfile = (rel: string): DockerfileFacts | undefined => {
        if (!dockerfiles.has(rel) && exists(rel)) dockerfiles.set(rel, parseDockerfile(read(rel), rel));
        return dockerfiles.get(rel);
    };
    for (const f of files.dockerfiles) dockerfile(f);
    const confs = new Map<string, OdooConfFile>();
    const conf = (rel: string): OdooConfFile | undefined => {
        if (!confs.has(rel) && exists(rel) && fs.statSync(path.join(repoDir, rel)).isFile()) confs.set(rel, parseOdooConf(read(rel), rel));
        return confs.get(rel);
    };
    for (const f of files.confs) conf(f);
    const envFiles = new Map<string, EnvFile>();
    for (const f of files.envFiles) envFiles.set(f, parseEnvFile(read(f), f));
    const composeFiles = new Map<string, ComposeFile>();
    for (const f of files.compose) composeFiles.set(f, parseCompose(read(f), f));
    const mailCatchers = new Set<string>(["mailpit"]);
    for (const c of composeFiles.values())
        for (const s of Object.values(c.services)) if (s.image && mailCatcherImage.test(s.image.value)) mailCatchers.add(s.name);

    // --- Surfaces.
    const surfaces: Surface[] = [];
    const imageProvides = (facts: DockerfileFacts, context: string): Surface["provides"] =>
        facts.copies.flatMap((c) =>
            c.sources.map((src) => {
                const dest =
                    c.destination.endsWith("/") || c.sources.length > 1 ? `${norm(c.destination)}/${path.posix.basename(norm(src))}` : norm(c.destination);
                // `COPY addons/ /mnt/extra-addons/` copies the folder's content, not the folder.
                const target = src.endsWith("/") || src === "." ? norm(c.destination) : dest;
                return { target, source: c.from ? undefined : path.posix.normalize(path.posix.join(context, norm(src))), file: facts.file, line: c.line };
            }),
        );
    const fromOfficialOdoo = (ref: string | undefined) => !!ref && /(^|\/)odoo(:|@|$)/.test(ref);
    const surfaceFromService = (name: string, service: ComposeService, stage: Stage): Surface | undefined => {
        const facts = service.build ? dockerfile(path.posix.normalize(path.posix.join(service.build.context, service.build.dockerfile))) : undefined;
        const base = facts?.baseImage?.reference ?? service.image?.value;
        const args = [...(service.entrypoint?.args ?? facts?.command?.args ?? []), ...(service.command?.args ?? [])];
        const runsOdoo = fromOfficialOdoo(base) || /odoo/i.test(service.image?.value ?? "") || args.some((a) => /(^|\/)odoo(-bin)?$/.test(a));
        if (!runsOdoo) return undefined;
        const surface: Surface = { name, stage, provides: [], environment: { ...service.environment } };
        if (facts && service.build) surface.provides.push(...imageProvides(facts, service.build.context));
        for (const v of service.volumes) surface.provides.push({ target: norm(v.target), source: v.hostPath, file: v.file, line: v.line });
        for (const e of service.envFiles) {
            const env = envFiles.get(e.path) ?? (exists(e.path) ? parseEnvFile(read(e.path), e.path) : undefined);
            if (env) for (const [k, v] of Object.entries(env.vars)) surface.environment[k] ??= { ...v, file: env.file };
        }
        const confPath = cliConfPath(args) ?? surface.environment.ODOO_RC?.value ?? facts?.env.ODOO_RC?.value ?? defaultConfPath;
        const confSource = toRepo(surface, confPath)?.source;
        if (confSource) surface.conf = conf(confSource);
        const fromCli = cliAddonsPath(args);
        const commandLine = service.command?.line ?? service.entrypoint?.line ?? facts?.command?.line ?? service.line;
        const commandFile = service.command?.file ?? service.entrypoint?.file ?? (facts?.command ? facts.file : service.file);
        if (fromCli !== undefined) surface.addonsPath = { entries: splitPath(fromCli), file: commandFile, line: commandLine, from: "--addons-path" };
        else if (surface.conf && confOption(surface.conf, "addons_path")) {
            const o = confOption(surface.conf, "addons_path")!;
            surface.addonsPath = { entries: splitPath(o.value), file: surface.conf.file, line: o.line, from: `addons_path of ${surface.conf.file}` };
        } else if (fromOfficialOdoo(base)) {
            surface.addonsPath = {
                entries: officialImageAddonsPath,
                file: service.file,
                line: service.image?.line ?? service.build?.line ?? service.line,
                from: "the official image's default",
            };
        }
        return surface;
    };

    const devcontainerCompose = new Set<string>();
    for (const f of files.devcontainers) {
        const dc = parseDevcontainer(read(f), f);
        const parts: ComposeFile[] = [];
        for (const c of dc.composeFiles) {
            devcontainerCompose.add(c.path);
            if (!exists(c.path)) {
                findings.push(
                    finding(
                        "devcontainer-compose",
                        f,
                        c.line,
                        `names the Compose file ${c.path}, which does not exist`,
                        "fix dockerComposeFile (paths are relative to the devcontainer.json folder)",
                    ),
                );
                continue;
            }
            parts.push(composeFiles.get(c.path) ?? parseCompose(read(c.path), c.path));
        }
        if (!dc.service) continue;
        const merged = mergeCompose(parts)[dc.service.name];
        if (!merged) {
            findings.push(
                finding(
                    "devcontainer-compose",
                    f,
                    dc.service.line,
                    `attaches to service ${dc.service.name}, which none of its Compose files defines`,
                    "fix service (or dockerComposeFile)",
                ),
            );
            continue;
        }
        const s = surfaceFromService(`devcontainer ${f} (service ${dc.service.name} of ${dc.composeFiles.map((c) => c.path).join(" + ")})`, merged, "dev");
        if (s) surfaces.push(s);
    }
    // Compose files used on their own (docker-compose.override.yml merges into docker-compose.yml, as Compose does).
    const standalone = files.compose.filter((f) => !(devcontainerCompose.has(f) && f.startsWith(".devcontainer/")) && !/override/.test(path.posix.basename(f)));
    for (const f of standalone) {
        const override = files.compose.find((o) => path.posix.dirname(o) === path.posix.dirname(f) && /override/.test(path.posix.basename(o)));
        const merged = mergeCompose([composeFiles.get(f)!, ...(override ? [composeFiles.get(override)!] : [])]);
        for (const [name, service] of Object.entries(merged)) {
            const s = surfaceFromService(`${f} service ${name}`, service, stageOfPath(f) ?? "dev");
            if (s) surfaces.push(s);
        }
    }
    // Dockerfiles whose image runs on its own (not built by a Compose service above): staging/production images.
    const builtByCompose = new Set<string>();
    for (const c of composeFiles.values())
        for (const s of Object.values(c.services)) if (s.build) builtByCompose.add(path.posix.normalize(path.posix.join(s.build.context, s.build.dockerfile)));
    for (const f of files.dockerfiles) {
        const facts = dockerfile(f)!;
        if (!fromOfficialOdoo(facts.baseImage?.reference) && !facts.baseImage?.reference.includes("odoo")) continue;
        if (builtByCompose.has(f) && f !== rs.odooDockerfile) continue;
        const surface: Surface = { name: `image ${f}`, stage: stageOfPath(f) ?? "production", provides: imageProvides(facts, "."), environment: {} };
        for (const [k, v] of Object.entries(facts.env)) surface.environment[k] = { ...v, file: f };
        const confPath = cliConfPath(facts.command?.args ?? []) ?? facts.env.ODOO_RC?.value ?? defaultConfPath;
        const confSource = toRepo(surface, confPath)?.source;
        if (confSource) surface.conf = conf(confSource);
        const fromCli = cliAddonsPath(facts.command?.args ?? []);
        if (fromCli !== undefined) surface.addonsPath = { entries: splitPath(fromCli), file: f, line: facts.command!.line, from: "--addons-path" };
        else if (surface.conf && confOption(surface.conf, "addons_path")) {
            const o = confOption(surface.conf, "addons_path")!;
            surface.addonsPath = { entries: splitPath(o.value), file: surface.conf.file, line: o.line, from: `addons_path of ${surface.conf.file}` };
        } else if (f !== rs.odooDockerfile) {
            surface.addonsPath = { entries: officialImageAddonsPath, file: f, line: facts.baseImage?.line ?? 1, from: "the official image's default" };
        }
        surfaces.push(surface);
    }

    // --- The stack's addons path against the repository's modules, through the stack's image.
    const stackImage = dockerfile(rs.odooDockerfile);
    const stackSurface: Surface = {
        name: `the stack image (${rs.odooDockerfile})`,
        stage: reference.stage,
        provides: stackImage ? imageProvides(stackImage, ".") : [],
        environment: {},
    };
    const expected: string[] = [];
    for (const dir of repository.addonsPath) {
        const copied = stackSurface.provides
            .filter((p) => p.source !== undefined && under(dir, p.source))
            .sort((a, b) => b.source!.length - a.source!.length)[0];
        if (copied) expected.push(rebase(copied.target, copied.source!, dir));
    }
    const reported = new Set<string>();
    for (const stack of [reference, ...stacks.filter((s) => s !== reference)]) {
        const have = stack.settings.addonsPath.map(norm);
        const missing = expected.filter((e) => !have.includes(e));
        if (reported.has(have.join(","))) continue;
        reported.add(have.join(","));
        if (stackImage && missing.length) {
            findings.push(
                finding(
                    "stack-addons-path",
                    stack.file,
                    stack.keyLine("addonsPath"),
                    `odoo-platform:addonsPath [${have.join(", ")}] does not load ${missing.join(", ")}, where ${rs.odooDockerfile} copies modules of the repository`,
                    `set odoo-platform:addonsPath to [${expected.join(", ")}]`,
                ),
            );
        }
    }

    // --- Per surface: consistency with the stack, mounts, module directories.
    const stackFor = (stage: Stage) =>
        stacks.find((s) => s.stage === stage) ?? (stage === "pr" ? stacks.find((s) => s.stage === "dev") : undefined) ?? reference;
    const reposOnPath = new Set<string>();
    for (const s of surfaces) {
        if (!s.addonsPath) continue;
        const stack = stackFor(s.stage);
        const contract = stack.settings.addonsPath.map(norm);
        const entries = s.addonsPath.entries;
        const differs = entries.length !== contract.length || entries.some((e) => !contract.includes(e));
        if (differs) {
            findings.push(
                finding(
                    "addons-path-mismatch",
                    s.addonsPath.file,
                    s.addonsPath.line,
                    `${s.name}: the addons path (${s.addonsPath.from}) is ${entries.join(",") || "(empty)"}, but ${stack.file} odoo-platform:addonsPath is ${contract.join(",")}`,
                    `use the same addons path everywhere: ${contract.join(",")} (the runtime contract)`,
                ),
            );
        }
        for (const entry of entries) {
            const mapped = toRepo(s, entry);
            if (!mapped) {
                findings.push(
                    finding(
                        "addons-path-unmounted",
                        s.addonsPath.file,
                        s.addonsPath.line,
                        `${s.name}: addons path entry ${entry} is never mounted or copied into the container (Odoo refuses a missing directory)`,
                        `mount or COPY the modules to ${entry}, or remove it from the addons path`,
                    ),
                );
                continue;
            }
            if (mapped.source === undefined) continue;
            const src = mapped.source;
            const holdsModules = repository.addonsPath.includes(src);
            if (holdsModules) {
                reposOnPath.add(src);
                continue;
            }
            const below = repository.addonsPath.filter((d) => under(d, src) && d !== src);
            if (below.length) {
                findings.push(
                    finding(
                        "addons-path-not-modules",
                        s.addonsPath.file,
                        s.addonsPath.line,
                        `${s.name}: ${entry} (${src} of the repository) holds folders of modules, not modules: Odoo does not recurse into it, so ${below.length} folder${below.length === 1 ? "" : "s"} of modules never load${s.addonsPath.from === "--addons-path" ? " (and --addons-path refuses it: not a valid addons directory)" : ""}`,
                        `list each folder instead: ${below.map((d) => rebase(entry, src, d)).join(",")}`,
                    ),
                );
            } else if (!exists(src)) {
                const pending = repository.sources.find((x) => under(src, x.dir) && !x.present);
                findings.push(
                    finding(
                        "addons-path-unmounted",
                        mapped.mount.file,
                        mapped.mount.line,
                        `${s.name}: ${entry} is mounted from ${src}, which does not exist in the repository${pending ? ` (${pending.label} is not fetched)` : ""}`,
                        `fix the mount source, or fetch it before the container starts`,
                    ),
                );
            }
        }
        // Modules mounted into the container whose directory is not on its path never load.
        for (const dir of repository.addonsPath) {
            const mount = s.provides.find((p) => p.source !== undefined && under(dir, p.source));
            if (!mount) continue;
            const containerDir = rebase(mount.target, mount.source!, dir);
            if (entries.includes(containerDir) || entries.some((e) => toRepo(s, e)?.source === dir)) continue;
            const names = repository.modules.filter((m) => m.addonsDir === dir).map((m) => m.name);
            if (!names.length) continue;
            findings.push(
                finding(
                    "addons-path-incomplete",
                    mount.file,
                    mount.line,
                    `${s.name}: ${dir} (${names.length} module${names.length === 1 ? "" : "s"}: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}) is put in the container at ${containerDir} here, but the addons path (${s.addonsPath.file}:${s.addonsPath.line}) does not list it: those modules never load`,
                    `add ${containerDir} to the addons path, or put the modules where the addons path expects them`,
                ),
            );
        }
    }

    // --- Conf files whose addons_path is not the one Odoo uses (the command line overrides it), or
    // --- that no surface of the repository uses: they must still agree with the stack.
    for (const c of confs.values()) {
        const o = confOption(c, "addons_path");
        if (!o) continue;
        const users = surfaces.filter((s) => s.conf === c);
        if (users.length && users.every((s) => s.addonsPath?.file === c.file)) continue;
        const entries = splitPath(o.value);
        const stack = stackFor(stageOfPath(c.file) ?? "dev");
        const contract = stack.settings.addonsPath.map(norm);
        if (entries.length !== contract.length || entries.some((e) => !contract.includes(e))) {
            const overridden = users.find((s) => s.addonsPath && s.addonsPath.file !== c.file);
            findings.push(
                finding(
                    "addons-path-mismatch",
                    c.file,
                    o.line,
                    `addons_path is ${entries.join(",")}, but ${stack.file} odoo-platform:addonsPath is ${contract.join(",")}${overridden ? ` (${overridden.name} overrides it on the command line: the two disagree)` : ""}`,
                    `use the same addons path everywhere: ${contract.join(",")} (the runtime contract)`,
                ),
            );
        }
        for (const user of users) {
            for (const entry of entries) {
                if (toRepo(user, entry)) continue;
                findings.push(
                    finding(
                        "addons-path-unmounted",
                        c.file,
                        o.line,
                        `${user.name} reads this file: addons path entry ${entry} is never mounted or copied into that container`,
                        `mount or COPY the modules to ${entry}, or remove it from addons_path`,
                    ),
                );
            }
        }
    }

    // --- Odoo series of every image.
    const seriesFinding = (file: string, line: number, what: string, reference: string) => {
        const found = imageSeries(reference);
        if (found && found !== series) {
            findings.push(
                finding(
                    "image-version",
                    file,
                    line,
                    `${what} ${reference} is Odoo ${found}, but odoo-platform:odooVersion is ${series}`,
                    `use an Odoo ${series} image (e.g. odoo:${series}), or change odooVersion`,
                ),
            );
        }
    };
    for (const facts of dockerfiles.values())
        if (facts.baseImage && (fromOfficialOdoo(facts.baseImage.reference) || /odoo/.test(facts.baseImage.reference)))
            seriesFinding(facts.file, facts.baseImage.line, "the base image", facts.baseImage.reference);
    for (const c of composeFiles.values())
        for (const s of Object.values(c.services))
            if (s.image && /odoo/.test(s.image.value)) seriesFinding(c.file, s.image.line, `service ${s.name}'s image`, s.image.value);
    for (const stack of stacks) {
        seriesFinding(stack.file, stack.keyLine("odooImage"), "odoo-platform:odooImage", stack.settings.odooImage);
        if (stack.settings.odooVersion !== series) {
            findings.push(
                finding(
                    "image-version",
                    stack.file,
                    stack.keyLine("odooVersion"),
                    `odooVersion ${stack.settings.odooVersion} differs from ${reference.file}'s ${series}: every stage runs the same series`,
                    `set odoo-platform:odooVersion to ${series}`,
                ),
            );
        }
    }
    for (const facts of dockerfiles.values()) {
        const label = facts.labels["org.odoo.series"] ?? facts.labels["odoo.version"];
        if (label && label.value !== series)
            findings.push(
                finding(
                    "image-version",
                    facts.file,
                    label.line,
                    `the image is labelled Odoo ${label.value}, but odoo-platform:odooVersion is ${series}`,
                    `build an Odoo ${series} image`,
                ),
            );
    }

    // --- Stage settings of conf and env files.
    const confStage = (c: OdooConfFile): Stage | undefined => stageOfPath(c.file);
    for (const c of confs.values()) {
        const stage = confStage(c);
        const options = c.sections.options ?? {};
        const optionsLine = c.sectionLines.options ?? 1;
        const opt = (name: string) => options[name];
        if (stage === "staging") {
            const cron = opt("max_cron_threads");
            if (!cron || Number(cron.value) !== 0) {
                findings.push(
                    finding(
                        "staging-crons",
                        c.file,
                        cron?.line ?? optionsLine,
                        `staging runs crons: max_cron_threads is ${cron ? cron.value : "not set (Odoo's default is 2)"}`,
                        "set max_cron_threads = 0 (staging is a copy of production: its crons would act on real integrations)",
                    ),
                );
            }
            const smtp = opt("smtp_server");
            if (!smtp || !mailCatchers.has(smtp.value)) {
                findings.push(
                    finding(
                        "staging-smtp",
                        c.file,
                        smtp?.line ?? optionsLine,
                        smtp
                            ? `staging sends mail through ${smtp.value}, which is not a mail catcher any Compose file of the repository defines (${[...mailCatchers].join(", ")})`
                            : "staging has no smtp_server: Odoo falls back to localhost:25",
                        `set smtp_server = mailpit (the mail catcher the stack runs) and smtp_port = 1025`,
                    ),
                );
            }
        }
        if (stage === "production") {
            const workers = opt("workers");
            if (!workers || !(Number(workers.value) > 0))
                findings.push(
                    finding(
                        "production-settings",
                        c.file,
                        workers?.line ?? optionsLine,
                        `production runs Odoo in threaded mode: workers is ${workers?.value ?? "not set (0)"}`,
                        "set workers to 2 or more (multi-processing: request limits, websocket on the gevent port)",
                    ),
                );
            const proxy = opt("proxy_mode");
            if (!proxy || confBool(proxy.value) !== true)
                findings.push(
                    finding(
                        "production-settings",
                        c.file,
                        proxy?.line ?? optionsLine,
                        `proxy_mode is ${proxy?.value ?? "not set"}: behind the router Odoo sees the wrong client address and scheme`,
                        "set proxy_mode = True",
                    ),
                );
            const listDb = opt("list_db");
            if (!listDb || confBool(listDb.value) !== false)
                findings.push(
                    finding(
                        "production-settings",
                        c.file,
                        listDb?.line ?? optionsLine,
                        `list_db is ${listDb?.value ?? "not set (True)"}: the database manager is reachable in production`,
                        "set list_db = False",
                    ),
                );
            const cron = opt("max_cron_threads");
            if (cron && Number(cron.value) === 0)
                findings.push(
                    finding(
                        "production-settings",
                        c.file,
                        cron.line,
                        "production runs no cron (max_cron_threads = 0)",
                        "set max_cron_threads = 1 or more (or run a cron container: odoo-platform:odooSplitRoles)",
                    ),
                );
            const smtp = opt("smtp_server");
            if (!smtp || smtp.value === "localhost" || mailCatchers.has(smtp.value))
                findings.push(
                    finding(
                        "production-settings",
                        c.file,
                        smtp?.line ?? optionsLine,
                        smtp ? `production sends mail to ${smtp.value}` : "production has no smtp_server (Odoo falls back to localhost:25)",
                        "set smtp_server to the real relay (odoo-platform:smtpHost)",
                    ),
                );
        }
        for (const [name, o] of Object.entries(options)) {
            if (!isCredentialName(name) || isReferenceOrEmpty(o.value)) continue;
            if (stage === "dev" || stage === undefined) continue;
            findings.push(
                finding(
                    "committed-credential",
                    c.file,
                    o.line,
                    `${name} is written in the repository (${stage} conf)`,
                    `remove it: the platform generates ${name === "admin_passwd" ? "the master password (or odoo-platform:odooAdminPassword, secret)" : "database and SMTP credentials from secret config"}`,
                ),
            );
        }
    }
    const envSources: { file: string; stage?: Stage; vars: Record<string, { value: string; line: number }> }[] = [
        ...[...envFiles.values()].map((e) => ({ file: e.file, stage: stageOfPath(e.file), vars: e.vars })),
    ];
    for (const c of composeFiles.values())
        for (const s of Object.values(c.services)) envSources.push({ file: c.file, stage: stageOfPath(c.file), vars: s.environment });
    const wantedStage: Partial<Record<Stage, string[]>> = { staging: ["staging"], production: ["production"] };
    for (const e of envSources) {
        const stageVar = e.vars.ODOO_STAGE;
        if (e.stage && wantedStage[e.stage] && stageVar && !wantedStage[e.stage]!.includes(stageVar.value)) {
            findings.push(
                finding(
                    e.stage === "staging" ? "staging-stage" : "production-settings",
                    e.file,
                    stageVar.line,
                    `ODOO_STAGE is ${stageVar.value} in a ${e.stage} file: modules that read it act as ${stageVar.value}`,
                    `set ODOO_STAGE=${e.stage} (the platform sets it from the stack name)`,
                ),
            );
        }
        for (const [name, v] of Object.entries(e.vars)) {
            if (isReferenceOrEmpty(v.value)) continue;
            const byValue = credentialInValue(v.value);
            if (!byValue && !(isCredentialName(name) && (e.stage === "staging" || e.stage === "production"))) continue;
            findings.push(
                finding(
                    "committed-credential",
                    e.file,
                    v.line,
                    `${name} ${byValue ? `holds ${byValue}` : "is a credential"} written in the repository`,
                    `remove it and set it as a secret: pulumi config set --secret odooSecretEnv '{"${name}": "…"}'`,
                ),
            );
        }
    }

    // --- Third-party code that no build fetches.
    for (const src of repository.sources.filter((x) => x.kind === "ignored")) {
        const where = ignoreRuleLine(repoDir, src.dir);
        findings.push(
            finding(
                "third-party-unfetched",
                where?.file ?? src.dir,
                where?.line ?? 1,
                `${src.dir} holds modules but is git-ignored and is neither a git submodule nor in ${rs.reposFile}: CI builds and images never have it`,
                `declare its repositories in ${rs.reposFile} (git-aggregator format; the image build fetches them) or add them as git submodules`,
            ),
        );
    }

    // --- What a PR environment would install: own modules with a missing dependency.
    const prStack = stacks.find((s) => s.stage === "pr") ?? stacks.find((s) => s.stage === "dev") ?? reference;
    let selection: ModuleSelection | undefined;
    try {
        selection = selectModules({
            modules: selectableModules(repository),
            series,
            install: prStack.settings.installModules,
            exclude: prStack.settings.excludeModules,
            missingDependencies: "exclude",
            pendingSources: repository.pendingSources,
        });
    } catch (err) {
        if (!(err instanceof ModuleSelectionError)) throw err;
    }
    for (const e of selection?.excluded ?? []) {
        if (!e.missing) continue;
        const module = repository.modules.find((m) => m.name === e.name);
        if (!module) continue;
        findings.push(
            finding(
                "module-dependency",
                module.manifestFile,
                module.keyLines.depends ?? 1,
                `${e.name} is excluded from every install: it ${e.reason}`,
                `add the missing module to the repository (or ${rs.reposFile}), or exclude ${e.name} explicitly (odoo-platform:excludeModules)`,
                prStack.settings.missingDependencies === "fail" ? "error" : "warning",
            ),
        );
    }
    return { findings: sortFindings(findings), repository, surfaces, files, selection };
}

/** The .gitignore file and line whose rule ignores `dir`. */
function ignoreRuleLine(repoDir: string, dir: string): { file: string; line: number } | undefined {
    const parts = dir.split("/");
    for (let i = 0; i < parts.length; i++) {
        const base = parts.slice(0, i).join("/");
        const file = base ? `${base}/.gitignore` : ".gitignore";
        if (!fs.existsSync(path.join(repoDir, file))) continue;
        const rest = parts.slice(i).join("/");
        const lines = fs.readFileSync(path.join(repoDir, file), "utf8").split("\n");
        for (let n = 0; n < lines.length; n++) {
            const rule = lines[n].trim();
            if (!rule || rule.startsWith("#")) continue;
            const m = ignore().add(rule);
            const sub = rest.split("/");
            for (let j = 1; j <= sub.length; j++) if (m.ignores(`${sub.slice(0, j).join("/")}/`)) return { file, line: n + 1 };
        }
    }
    return undefined;
}
