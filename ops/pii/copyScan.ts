/**
 * The known-value scan over a COPY text stream in Node (`COPY … TO STDOUT`, PostgreSQL's text
 * format): a pass-through Transform that counts, per column, the rows whose value equals a
 * production value of a known-value set. Used where a copy is never loaded into a database
 * (`snapshot create --sanitize` writes COPY streams straight into the snapshot).
 */
import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { isKnownValue, KnownValueSet } from "./knownValues";

/** Decodes one field of COPY text format (`\N` is NULL; backslash escapes). Pure. */
export function decodeCopyField(field: string): string | null {
    if (field === "\\N") return null;
    if (!field.includes("\\")) return field;
    return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
        switch (e[0]) {
            case "b":
                return "\b";
            case "f":
                return "\f";
            case "n":
                return "\n";
            case "r":
                return "\r";
            case "t":
                return "\t";
            case "v":
                return "\v";
            case "x":
                return String.fromCharCode(parseInt(e.slice(1), 16));
            default:
                return /^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
        }
    });
}

/**
 * A value of a jsonb/json column as the known-value scan compares it (knownValueSql): an object's
 * values as jsonb_each_text gives them (strings, numbers and booleans as text; nested values as
 * JSON, which no known value can equal), a string itself, nothing else.
 */
export function jsonStrings(value: string): string[] {
    try {
        const parsed: unknown = JSON.parse(value);
        if (typeof parsed === "string") return [parsed];
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
            return Object.values(parsed).flatMap((v) => (v === null ? [] : typeof v === "object" ? [JSON.stringify(v)] : [String(v)]));
        }
        return [];
    } catch {
        return [value];
    }
}

export interface CopyScanColumn {
    name: string;
    /** `text` columns are compared as they are, `json` ones per string they hold; others are skipped. */
    kind: "text" | "json" | "skip";
}

export class KnownValueCopyScanner extends Transform {
    /** Rows with a hit, per column name. */
    readonly hits = new Map<string, number>();
    #rest = "";
    readonly #decoder = new StringDecoder("utf8");

    constructor(
        private readonly set: KnownValueSet,
        private readonly columns: readonly CopyScanColumn[],
    ) {
        super();
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
        const text = this.#rest + this.#decoder.write(chunk);
        const lines = text.split("\n");
        this.#rest = lines.pop() ?? "";
        for (const line of lines) this.#line(line);
        done(null, chunk);
    }

    override _flush(done: (err?: Error | null) => void): void {
        const last = this.#rest + this.#decoder.end();
        if (last) this.#line(last);
        done();
    }

    #line(line: string): void {
        if (line === "\\." || line === "") return;
        const fields = line.split("\t");
        for (const [i, c] of this.columns.entries()) {
            if (c.kind === "skip" || i >= fields.length) continue;
            const value = decodeCopyField(fields[i]);
            if (value === null) continue;
            const candidates = c.kind === "json" ? jsonStrings(value) : [value];
            if (candidates.some((v) => isKnownValue(this.set, v))) this.hits.set(c.name, (this.hits.get(c.name) ?? 0) + 1);
        }
    }
}
