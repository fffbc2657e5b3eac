/**
 * Reads an odoo.conf the way Odoo does: Python's configparser.RawConfigParser (odoo/tools/config.py
 * `_load_file_options`), with line numbers. What matters and what generic INI readers get wrong:
 * `=` and `:` both separate a key from its value; keys are case-insensitive (lower-cased); `#` and
 * `;` start a comment only at the start of a line — an inline `; note` is part of the value; an
 * indented line continues the previous value; section names are taken literally (`[a.b]` is one
 * section); a repeated key in a section is an error (strict mode, Python's default).
 */
import { UnreadableInputError } from "../findings";

export interface ConfOption {
    value: string;
    line: number;
}

export interface OdooConfFile {
    file: string;
    /** Section → option (lower-cased) → value and line. */
    sections: Record<string, Record<string, ConfOption>>;
    /** Line of each section header. */
    sectionLines: Record<string, number>;
}

export function parseOdooConf(text: string, file: string): OdooConfFile {
    const sections: Record<string, Record<string, ConfOption>> = Object.create(null);
    const sectionLines: Record<string, number> = Object.create(null);
    let current: Record<string, ConfOption> | undefined;
    let last: { option: ConfOption; indent: number } | undefined;
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const raw = lines[i];
        const lineNo = i + 1;
        const stripped = raw.trim();
        const indent = raw.length - raw.trimStart().length;
        if (stripped.startsWith("#") || stripped.startsWith(";")) continue;
        if (stripped === "") {
            // An empty line inside a value is kept only if the value goes on (configparser drops trailing ones).
            if (last) last.option.value += "\n";
            continue;
        }
        if (last && indent > last.indent) {
            last.option.value = `${last.option.value}\n${stripped}`;
            continue;
        }
        if (last) last.option.value = last.option.value.replace(/\n+$/, "");
        last = undefined;
        const header = /^\[(.+)\]/.exec(stripped);
        if (header && indent === 0) {
            const name = header[1];
            if (name in sections) throw new UnreadableInputError(file, lineNo, `section [${name}] is repeated (Odoo's configparser refuses the file)`);
            sections[name] = Object.create(null);
            sectionLines[name] = lineNo;
            current = sections[name];
            continue;
        }
        if (!current) throw new UnreadableInputError(file, lineNo, "an option before any [section] header (Odoo reads [options])");
        const sep = stripped.search(/[=:]/);
        const key = stripped.slice(0, Math.max(sep, 0)).trim().toLowerCase();
        if (sep >= 0 && key === "") throw new UnreadableInputError(file, lineNo, "a line with no option name");
        if (sep < 0) throw new UnreadableInputError(file, lineNo, `"${stripped}" has no = or : (Odoo's configparser refuses the file)`);
        const value = stripped.slice(sep + 1).trim();
        if (key in current) throw new UnreadableInputError(file, lineNo, `option ${key} is set twice in this section (Odoo's configparser refuses the file)`);
        current[key] = { value, line: lineNo };
        last = { option: current[key], indent };
    }
    if (last) last.option.value = last.option.value.replace(/\n+$/, "");
    return { file, sections, sectionLines };
}

/** An [options] value, or undefined. */
export const confOption = (conf: OdooConfFile, name: string): ConfOption | undefined => conf.sections.options?.[name];

/** Odoo's reading of booleans in odoo.conf (configmanager._check_bool). */
export function confBool(value: string): boolean | undefined {
    const v = value.toLowerCase();
    if (["1", "yes", "true", "on"].includes(v)) return true;
    if (["0", "no", "false", "off"].includes(v)) return false;
    return undefined;
}
