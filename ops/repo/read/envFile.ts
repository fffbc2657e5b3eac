/** A dotenv / compose `env_file` file: `KEY=VALUE` lines (optionally `export KEY=…`), with lines. */
export interface EnvFile {
    file: string;
    vars: Record<string, { value: string; line: number }>;
}

export function parseEnvFile(text: string, file: string): EnvFile {
    const vars: EnvFile["vars"] = {};
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (!line || line.startsWith("#")) return;
        const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
        if (!m) return;
        let value = m[2];
        if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
        else value = value.replace(/\s+#.*$/, "");
        vars[m[1]] = { value, line: i + 1 };
    });
    return { file, vars };
}
