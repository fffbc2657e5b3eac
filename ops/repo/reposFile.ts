/**
 * The git-aggregator repos file (`repos.yaml`, also Doodba's format): one entry per directory,
 * with `remotes` (name → URL), `merges` ("remote ref" strings or {remote, ref, depth} maps) and an
 * optional `target` ("[remote] branch"). Validated with git-aggregator's own rules
 * (git_aggregator/config.py `get_repos`), so a file this accepts is one `gitaggregate -c` accepts;
 * every problem names its line.
 *
 * Directories are relative to the repos file's directory: the image build runs `gitaggregate` there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, YAMLMap } from "yaml";
import { finding, Finding, UnreadableInputError } from "./findings";

export interface AggregatedRepository {
    /** Directory, relative to the Odoo repository (`addons/oca/server-tools`). */
    dir: string;
    /** As written in the repos file (`./server-tools`). */
    key: string;
    line: number;
    remotes: Record<string, string>;
    merges: { remote: string; ref: string }[];
    target: { remote?: string; branch: string };
}

export interface ReposFile {
    file: string;
    repositories: AggregatedRepository[];
    findings: Finding[];
}

/** Reads `file` (relative to repoDir); undefined when it does not exist. */
export function readReposFile(repoDir: string, file: string): ReposFile | undefined {
    const abs = path.join(repoDir, file);
    if (!fs.existsSync(abs)) return undefined;
    return parseReposFile(fs.readFileSync(abs, "utf8"), file);
}

export function parseReposFile(text: string, file: string): ReposFile {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, merge: true });
    if (doc.errors.length) {
        const e = doc.errors[0];
        throw new UnreadableInputError(file, e.linePos?.[0].line ?? 1, `not YAML: ${e.message.split("\n")[0]}`);
    }
    const lineOf = (node: unknown): number => {
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        return range ? lineCounter.linePos(range[0]).line : 1;
    };
    const findings: Finding[] = [];
    const repositories: AggregatedRepository[] = [];
    const base = path.posix.dirname(file.split(path.sep).join("/"));
    const root = doc.contents;
    if (root === null || root === undefined) return { file, repositories, findings };
    if (!isMap(root)) throw new UnreadableInputError(file, lineOf(root), "a repos file maps directories to repositories (git-aggregator format)");
    const bad = (node: unknown, message: string, fix: string) => findings.push(finding("repos-file", file, lineOf(node), message, fix));

    for (const pair of root.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const keyNode = pair.key;
        if (!isMap(pair.value)) {
            bad(keyNode, `${key}: expected remotes and merges under it`, "see git-aggregator's README for the format");
            continue;
        }
        const entry = pair.value as YAMLMap;
        const get = (name: string) => entry.get(name, true);
        const remotes: Record<string, string> = {};
        const remotesNode = get("remotes");
        if (!remotesNode) bad(keyNode, `${key}: remotes is not defined`, "add remotes: { <name>: <git URL> }");
        else if (!isMap(remotesNode) || remotesNode.items.length === 0)
            bad(remotesNode, `${key}: you should at least define one remote`, "add remotes: { <name>: <git URL> }");
        else
            for (const r of remotesNode.items) {
                const name = String((r.key as Scalar).value);
                const url = isScalar(r.value) ? r.value.value : undefined;
                if (!url) bad(r.key, `${key}: no url defined for remote ${name}`, `give remote ${name} a git URL`);
                else remotes[name] = String(url);
            }
        const merges: { remote: string; ref: string }[] = [];
        const mergesNode = get("merges");
        if (!mergesNode) bad(keyNode, `${key}: merges is not defined`, "add merges: [<remote> <branch or ref>]");
        else if (!isSeq(mergesNode) || mergesNode.items.length === 0)
            bad(mergesNode, `${key}: you should at least define one merge`, "add merges: [<remote> <branch or ref>]");
        else
            for (const m of mergesNode.items) {
                let merge: { remote: string; ref: string } | undefined;
                if (isScalar(m)) {
                    const parts = String(m.value).split(" ");
                    if (parts.length !== 2)
                        bad(m, `${key}: merge "${m.value}" must be formatted as "remote_name ref"`, "write one space between the remote and the ref");
                    else merge = { remote: parts[0], ref: parts[1] };
                } else if (isMap(m)) {
                    const remote = m.get("remote");
                    const ref = m.get("ref");
                    if (remote === undefined || ref === undefined)
                        bad(m, `${key}: merge lacks mandatory remote or ref keys`, "give each merge map remote: and ref:");
                    else merge = { remote: String(remote), ref: String(ref) };
                }
                if (merge && Object.keys(remotes).length && !(merge.remote in remotes))
                    bad(m, `${key}: merge remote ${merge.remote} not defined in remotes`, `add ${merge.remote} to remotes, or fix the name`);
                if (merge) merges.push(merge);
            }
        // git-aggregator reads the target as a string: `target: 16.0` would be the float 16.
        const targetNode = get("target");
        const parts =
            targetNode === undefined
                ? []
                : String(isScalar(targetNode) ? ((targetNode as Scalar).source ?? targetNode.value) : "")
                      .split(/\s+/)
                      .filter(Boolean);
        let target: { remote?: string; branch: string } = { branch: "_git_aggregated" };
        if (parts.length === 1) target = { branch: parts[0] };
        else if (parts.length === 2) {
            target = { remote: parts[0], branch: parts[1] };
            if (!(parts[0] in remotes))
                bad(targetNode, `${key}: target remote ${parts[0]} not defined in remotes`, `add ${parts[0]} to remotes, or fix the name`);
        } else if (parts.length > 2) bad(targetNode, `${key}: target must be formatted as "[remote_name] branch_name"`, "write at most a remote and a branch");
        const dir = path.posix.normalize(path.posix.join(base, key));
        if (dir.startsWith("..") || path.posix.isAbsolute(key)) {
            bad(
                keyNode,
                `${key}: the repository would be fetched outside the Odoo repository`,
                "use a directory relative to the repos file, inside the repository",
            );
            continue;
        }
        repositories.push({ dir, key, line: lineOf(keyNode), remotes, merges, target });
    }
    return { file, repositories, findings };
}
