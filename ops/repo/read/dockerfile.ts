/**
 * What a Dockerfile tells about an Odoo image, read with dockerfile-ast (the parser of the Docker
 * language server): the base image of the final stage (ARG defaults substituted), what COPY/ADD put
 * where (repository path → image path), labels, environment, and the command line. Lines are 1-based.
 */
import { DockerfileParser, Instruction, JSONInstruction } from "dockerfile-ast";

export interface DockerCopy {
    /** Repository-relative sources (without --from: copied from the build context). */
    sources: string[];
    destination: string;
    /** Another stage or image (`--from=`): not the build context. */
    from?: string;
    line: number;
}

export interface DockerfileFacts {
    file: string;
    /** Base image of the final stage, ARG defaults substituted; `line` of its FROM. */
    baseImage?: { reference: string; line: number };
    copies: DockerCopy[];
    labels: Record<string, { value: string; line: number }>;
    env: Record<string, { value: string; line: number }>;
    /** CMD / ENTRYPOINT arguments of the final stage, with the line. */
    command?: { args: string[]; line: number };
}

const argsOf = (i: Instruction): string[] => {
    const json = (i as JSONInstruction).getJSONStrings?.();
    if (json && json.length) return json.map((s) => s.getJSONValue());
    return i.getArguments().map((a) => a.getValue());
};

export function parseDockerfile(text: string, file: string): DockerfileFacts {
    const doc = DockerfileParser.parse(text);
    const args: Record<string, string> = {};
    const substitute = (value: string) =>
        value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}?/g, (whole, name, fallback) => args[name] ?? fallback ?? whole);
    const facts: DockerfileFacts = { file, copies: [], labels: {}, env: {} };
    let entrypoint: string[] = [];
    let cmd: string[] = [];
    for (const i of doc.getInstructions()) {
        const line = i.getRange().start.line + 1;
        const keyword = i.getKeyword();
        if (keyword === "ARG") {
            for (const a of i.getArguments()) {
                const [name, ...rest] = a.getValue().split("=");
                if (rest.length && !(name in args)) args[name] = rest.join("=").replace(/^"|"$/g, "");
            }
        } else if (keyword === "FROM") {
            const [image] = i.getArguments().map((a) => a.getValue());
            facts.baseImage = { reference: substitute(image ?? ""), line };
            // A new stage: what earlier stages copied is not in the final image.
            facts.copies = [];
            facts.labels = {};
            facts.env = {};
            facts.command = undefined;
            entrypoint = [];
            cmd = [];
        } else if (keyword === "COPY" || keyword === "ADD") {
            const flags = (i as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags();
            const from = flags.find((f) => f.getName() === "from")?.getValue() ?? undefined;
            const parts = argsOf(i)
                .filter((a) => !a.startsWith("--"))
                .map(substitute);
            if (parts.length < 2) continue;
            facts.copies.push({ sources: parts.slice(0, -1), destination: parts[parts.length - 1], from, line });
        } else if (keyword === "LABEL" || keyword === "ENV") {
            const props = (i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties();
            for (const p of props) (keyword === "LABEL" ? facts.labels : facts.env)[p.getName()] = { value: substitute(p.getValue() ?? ""), line };
        } else if (keyword === "CMD" || keyword === "ENTRYPOINT") {
            const list = argsOf(i).map(substitute);
            if (keyword === "ENTRYPOINT") entrypoint = list;
            else cmd = list;
            facts.command = { args: [...entrypoint, ...cmd], line };
        }
    }
    return facts;
}
