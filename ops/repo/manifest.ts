/**
 * Reads an Odoo `__manifest__.py` without executing it. Odoo itself reads manifests with
 * `ast.literal_eval` (odoo/modules/module.py: `load_manifest` up to 18.0, `Manifest._from_path` in
 * 19.0), so a manifest is a Python literal: strings (adjacent ones concatenated), numbers,
 * True/False/None, lists, tuples, sets and dicts, plus unary minus. This module parses the file with
 * the Lezer Python grammar (@lezer/python) and evaluates exactly that subset; anything else (a name,
 * a call, an f-string, an operator) is refused, as Odoo refuses it, with the line and column.
 *
 * The manifests of a pull request are read by the job that deploys it: never executing them is
 * what makes that safe.
 */
import { parser } from "@lezer/python";
import type { SyntaxNode } from "@lezer/common";

export type LiteralValue = string | number | boolean | null | LiteralValue[] | { [key: string]: LiteralValue };
export type Manifest = { [key: string]: LiteralValue };

export interface ParsedManifest {
    manifest: Manifest;
    /** 1-based line of each top-level key, so findings can point at `'version'` or `'depends'`. */
    keyLines: Record<string, number>;
}

export class ManifestSyntaxError extends Error {
    constructor(
        readonly file: string,
        readonly line: number,
        readonly column: number,
        readonly reason: string,
    ) {
        super(`${file}:${line}:${column}: ${reason}`);
        this.name = "ManifestSyntaxError";
    }
}

/** Largest manifest read (Odoo's biggest are a few KiB; a huge file is not a manifest). */
export const maxManifestBytes = 256 * 1024;

const simpleEscapes: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

class Evaluator {
    private readonly lineStarts: number[] = [0];

    constructor(
        private readonly text: string,
        private readonly file: string,
    ) {
        for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
    }

    position(offset: number): { line: number; column: number } {
        let lo = 0;
        let hi = this.lineStarts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (this.lineStarts[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
    }

    fail(node: { from: number }, reason: string): never {
        const { line, column } = this.position(node.from);
        throw new ManifestSyntaxError(this.file, line, column, reason);
    }

    source(node: SyntaxNode): string {
        return this.text.slice(node.from, node.to);
    }

    /** The node's children, without punctuation and comments. */
    items(node: SyntaxNode): SyntaxNode[] {
        const out: SyntaxNode[] = [];
        for (let child = node.firstChild; child; child = child.nextSibling) {
            if (child.type.isError) this.fail(child, "syntax error");
            if (["(", ")", "[", "]", "{", "}", ",", ":", "Comment"].includes(child.name)) continue;
            out.push(child);
        }
        return out;
    }

    evaluate(node: SyntaxNode): LiteralValue {
        switch (node.name) {
            case "String":
                return this.string(node);
            case "ContinuedString":
                return this.items(node)
                    .map((part) => {
                        if (part.name !== "String") this.fail(part, `${this.describe(part)} cannot be part of a literal string`);
                        return this.string(part);
                    })
                    .join("");
            case "Number":
                return this.number(node, this.source(node));
            case "Boolean":
                return this.source(node) === "True";
            case "None":
                return null;
            case "UnaryExpression": {
                const [op, operand] = [node.firstChild!, node.lastChild!];
                const sign = this.source(op);
                if ((sign !== "-" && sign !== "+") || operand.name !== "Number") this.fail(node, "only + or - before a number is a literal");
                const value = this.number(operand, this.source(operand));
                return sign === "-" ? -value : value;
            }
            case "ParenthesizedExpression": {
                const inner = this.items(node);
                if (inner.length !== 1) this.fail(node, "syntax error");
                return this.evaluate(inner[0]);
            }
            case "ArrayExpression":
            case "TupleExpression":
            case "SetExpression":
                return this.items(node).map((item) => this.evaluate(item));
            case "DictionaryExpression":
                return this.dict(node).value;
            case "CallExpression":
                // `set()` is the one call literal_eval accepts (the empty set).
                if (this.source(node).replace(/\s+/g, "") === "set()") return [];
                return this.fail(node, "a function call is not a literal (Odoo reads manifests with ast.literal_eval)");
            case "FormatString":
                return this.fail(node, "an f-string is not a literal (Odoo reads manifests with ast.literal_eval)");
            default:
                return this.fail(
                    node,
                    `${this.describe(node)} is not a literal: a manifest holds only strings, numbers, True/False/None, lists, tuples, dicts and sets`,
                );
        }
    }

    describe(node: SyntaxNode): string {
        const text = this.source(node);
        return `\`${text.length > 30 ? `${text.slice(0, 30)}…` : text}\``;
    }

    dict(node: SyntaxNode): { value: Manifest; keyLines: Record<string, number> } {
        const value: Manifest = Object.create(null);
        const keyLines: Record<string, number> = Object.create(null);
        const parts = this.items(node);
        for (const part of parts) {
            if (part.name === "**" || part.name === "ComprehensionExpression" || part.name === "for")
                this.fail(part, "dict unpacking and comprehensions are not literals");
        }
        if (parts.length % 2 !== 0) this.fail(node, "syntax error in dict");
        for (let i = 0; i < parts.length; i += 2) {
            const key = this.evaluate(parts[i]);
            if (typeof key !== "string" && typeof key !== "number" && typeof key !== "boolean") this.fail(parts[i], "dict keys must be strings or numbers");
            const name = String(key);
            // Python keeps the last value of a repeated key.
            value[name] = this.evaluate(parts[i + 1]);
            keyLines[name] = this.position(parts[i].from).line;
        }
        return { value, keyLines };
    }

    number(node: { from: number }, raw: string): number {
        const text = raw.replace(/_/g, "");
        if (/[jJ]$/.test(text)) this.fail(node, "complex numbers are not supported in a manifest");
        let value: number;
        if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = parseInt(text.slice(2), 16);
        else if (/^0[oO][0-7]+$/.test(text)) value = parseInt(text.slice(2), 8);
        else if (/^0[bB][01]+$/.test(text)) value = parseInt(text.slice(2), 2);
        else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) value = Number(text);
        else return this.fail(node, `\`${raw}\` is not a number`);
        return value;
    }

    string(node: SyntaxNode): string {
        const raw = this.source(node);
        const match = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(raw);
        if (!match) this.fail(node, "unreadable string");
        const prefix = match[1].toLowerCase();
        if (prefix.includes("f")) this.fail(node, "an f-string is not a literal");
        const quote = match[2];
        if (!raw.endsWith(quote) || raw.length < match[0].length + quote.length) this.fail(node, "unterminated string");
        const body = raw.slice(match[0].length, raw.length - quote.length);
        if (prefix.includes("r")) return body;
        return this.unescape(body, node);
    }

    unescape(body: string, node: SyntaxNode): string {
        let out = "";
        for (let i = 0; i < body.length; i++) {
            const c = body[i];
            if (c !== "\\") {
                out += c;
                continue;
            }
            const next = body[++i];
            if (next === undefined) break;
            if (next === "\n") continue; // a backslash at the end of a line continues the string
            if (next === "\r") {
                if (body[i + 1] === "\n") i++;
                continue;
            }
            if (next in simpleEscapes) {
                out += simpleEscapes[next];
            } else if (/[0-7]/.test(next)) {
                const octal = /^[0-7]{1,3}/.exec(body.slice(i))![0];
                out += String.fromCodePoint(parseInt(octal, 8));
                i += octal.length - 1;
            } else if (next === "x" || next === "u" || next === "U") {
                const width = next === "x" ? 2 : next === "u" ? 4 : 8;
                const hex = body.slice(i + 1, i + 1 + width);
                if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail(node, `truncated \\${next} escape in a string`);
                out += String.fromCodePoint(parseInt(hex, 16));
                i += width;
            } else if (next === "N") {
                this.fail(node, "\\N{…} escapes are not supported in a manifest");
            } else {
                // Python keeps unknown escapes as they are (`\d` stays `\d`).
                out += `\\${next}`;
            }
        }
        return out;
    }
}

/**
 * Parses a manifest's text. Throws ManifestSyntaxError (file, line, column, reason) when the text
 * is not one Python dict literal.
 */
export function parseManifest(text: string, file = "__manifest__.py"): ParsedManifest {
    const evaluator = new Evaluator(text, file);
    if (Buffer.byteLength(text, "utf8") > maxManifestBytes) evaluator.fail({ from: 0 }, `larger than ${maxManifestBytes / 1024} KiB: not a manifest`);
    const tree = parser.parse(text);
    const statements: SyntaxNode[] = [];
    for (let child = tree.topNode.firstChild; child; child = child.nextSibling) {
        if (child.type.isError) evaluator.fail(child, "syntax error");
        if (child.name === "Comment") continue;
        statements.push(child);
    }
    const cursor = tree.cursor();
    do {
        if (cursor.type.isError) evaluator.fail({ from: cursor.from }, "syntax error");
    } while (cursor.next());
    if (statements.length !== 1 || statements[0].name !== "ExpressionStatement") {
        evaluator.fail(statements[1] ?? statements[0] ?? { from: 0 }, "a manifest is one dict literal and nothing else");
    }
    const expression = statements[0].firstChild!;
    if (expression.name !== "DictionaryExpression") evaluator.fail(expression, "a manifest is a dict literal ({ … })");
    const { value, keyLines } = evaluator.dict(expression);
    return { manifest: value, keyLines };
}
