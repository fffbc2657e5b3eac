/**
 * The runtime contract (config/runtime-contract.yaml), validated. One checked-in file so that the
 * program's defaults, the policies and the docs all compare against the same declaration.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";

export const contractFile = path.join(__dirname, "runtime-contract.yaml");

const contractSchema = z.object({
    addonsPath: z
        .array(z.string().regex(/^\/[^,\s]*$/, "must be an absolute path inside the container, without commas or spaces"))
        .min(1, "must list at least one directory"),
});

export type RuntimeContract = z.output<typeof contractSchema>;

export function readRuntimeContract(file = contractFile): RuntimeContract {
    let doc: unknown;
    try {
        doc = parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new Error(`cannot read the runtime contract ${file}: ${(err as Error).message}`);
    }
    const parsed = contractSchema.safeParse(doc);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`runtime contract ${path.basename(file)}: ${issue.path.join(".") || "(document)"} ${issue.message}`);
    }
    return parsed.data;
}

export const runtimeContract: RuntimeContract = readRuntimeContract();
