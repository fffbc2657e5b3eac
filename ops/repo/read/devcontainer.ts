/**
 * `.devcontainer/devcontainer.json` (JSON with comments and trailing commas, read with
 * jsonc-parser): the Compose files it names (relative to its own folder), the service it attaches
 * to, and the line of each, so findings point into the file a developer edits.
 */
import * as path from "node:path";
import { findNodeAtLocation, getNodeValue, Node, parseTree, ParseError, printParseErrorCode } from "jsonc-parser";
import { UnreadableInputError } from "../findings";

export interface Devcontainer {
    file: string;
    /** Repository-relative Compose files, in order. */
    composeFiles: { path: string; line: number }[];
    service?: { name: string; line: number };
    image?: string;
    dockerfile?: string;
}

export function parseDevcontainer(text: string, file: string): Devcontainer {
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
    if (errors.length || !tree) {
        const e = errors[0];
        throw new UnreadableInputError(file, e ? lineOf(e.offset) : 1, `not JSON with comments: ${e ? printParseErrorCode(e.error) : "empty"}`);
    }
    const dir = path.posix.dirname(file);
    const at = (...p: string[]): Node | undefined => findNodeAtLocation(tree, p);
    const result: Devcontainer = { file, composeFiles: [] };
    const compose = at("dockerComposeFile");
    const entries = compose?.type === "array" ? (compose.children ?? []) : compose ? [compose] : [];
    for (const e of entries) {
        if (e.type === "string")
            result.composeFiles.push({ path: path.posix.normalize(path.posix.join(dir, getNodeValue(e) as string)), line: lineOf(e.offset) });
    }
    const service = at("service");
    if (service?.type === "string") result.service = { name: getNodeValue(service) as string, line: lineOf(service.offset) };
    const image = at("image");
    if (image?.type === "string") result.image = getNodeValue(image) as string;
    const dockerfile = at("build", "dockerfile") ?? at("dockerFile");
    if (dockerfile?.type === "string") result.dockerfile = path.posix.normalize(path.posix.join(dir, getNodeValue(dockerfile) as string));
    return result;
}
