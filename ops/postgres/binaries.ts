/**
 * Where PostgreSQL's programs live: $PG_BIN, Debian's /usr/lib/postgresql/<major>/bin (newest
 * first), then the directories `pg_config --bindir` and the PATH's `pg_dump` name. Callers pick the
 * first candidate holding the programs they need (the throwaway server needs initdb; the snapshot
 * tools only the clients).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export function postgresBinDirCandidates(): string[] {
    const candidates: string[] = [];
    if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
    const debianRoot = "/usr/lib/postgresql";
    if (fs.existsSync(debianRoot)) {
        const versions = fs
            .readdirSync(debianRoot)
            .filter((v) => /^\d+$/.test(v))
            .sort((a, b) => Number(b) - Number(a));
        candidates.push(...versions.map((v) => path.join(debianRoot, v, "bin")));
    }
    const pgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
    if (pgConfig.status === 0 && pgConfig.stdout.trim()) candidates.push(pgConfig.stdout.trim());
    const onPath = spawnSync("sh", ["-c", "command -v pg_dump"], { encoding: "utf8" });
    if (onPath.status === 0 && onPath.stdout.trim()) candidates.push(path.dirname(onPath.stdout.trim()));
    return [...new Set(candidates)];
}

/** The first candidate directory holding every one of `programs`, or undefined. */
export function findBinDirWith(programs: readonly string[]): string | undefined {
    return postgresBinDirCandidates().find((dir) => programs.every((p) => fs.existsSync(path.join(dir, p))));
}
