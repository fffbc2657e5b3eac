/** The files of a snapshot directory as text, for tests that look for values in them. */
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";

/** Every file of a snapshot directory as text, gzip members unpacked (pg_dump's .dat.gz, the sanitized COPY files). */
export function snapshotText(dir: string): string {
    const out: string[] = [];
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const bytes = fs.readFileSync(path.join(entry.parentPath, entry.name));
        out.push((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8"));
    }
    return out.join("\n");
}
