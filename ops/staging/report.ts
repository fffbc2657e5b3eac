/**
 * Per-step timing of a pipeline run: recorded by `StepClock`, printed as a table. Pure apart from
 * reading the clock.
 */
export interface StepTiming {
    step: string;
    seconds: number;
    rows?: number;
    rowsPerSecond?: number;
    detail?: string;
}

export class StepClock {
    readonly steps: StepTiming[] = [];
    private started = process.hrtime.bigint();
    private current?: { step: string; at: bigint };

    constructor(private readonly onStart?: (step: string) => void) {}

    /** Starts a step (ending the one running). */
    start(step: string): void {
        this.end();
        this.current = { step, at: process.hrtime.bigint() };
        this.onStart?.(step);
    }

    /** Ends the running step, optionally with the rows it moved and a note. */
    end(extra: { rows?: number; detail?: string } = {}): void {
        if (!this.current) return;
        const seconds = Number(process.hrtime.bigint() - this.current.at) / 1e9;
        this.steps.push(timing(this.current.step, seconds, extra));
        this.current = undefined;
    }

    /** Records a step measured elsewhere (a phase inside a library call). */
    record(step: string, seconds: number, extra: { rows?: number; detail?: string } = {}): void {
        this.steps.push(timing(step, seconds, extra));
    }

    total(): number {
        return Number(process.hrtime.bigint() - this.started) / 1e9;
    }
}

function timing(step: string, seconds: number, extra: { rows?: number; detail?: string }): StepTiming {
    const t: StepTiming = { step, seconds: round(seconds) };
    if (extra.rows !== undefined) {
        t.rows = extra.rows;
        t.rowsPerSecond = seconds > 0 ? Math.round(extra.rows / seconds) : undefined;
    }
    if (extra.detail) t.detail = extra.detail;
    return t;
}

export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

const thousands = (n: number) => n.toLocaleString("en-US");

/**
 * A fixed-width table: step, seconds, rows, rows/s, and — when `baseline` seconds are given —
 * the ratio to it on the total line.
 */
export function renderStepTable(steps: StepTiming[], total: number, opts: { baseline?: number; title?: string } = {}): string {
    const rows = steps.map((s) => [
        s.step,
        s.seconds.toFixed(2),
        s.rows !== undefined ? thousands(s.rows) : "",
        s.rowsPerSecond !== undefined ? thousands(s.rowsPerSecond) : "",
        s.detail ?? "",
    ]);
    const totalRow = [
        "total",
        total.toFixed(2),
        "",
        "",
        opts.baseline ? `${(total / opts.baseline).toFixed(2)}× the plain copy (${opts.baseline.toFixed(2)} s)` : "",
    ];
    const header = ["step", "seconds", "rows", "rows/s", ""];
    const all = [header, ...rows, totalRow];
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    const line = (r: string[]) =>
        r
            .map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
            .join("  ")
            .trimEnd();
    const rule = widths
        .map((w) => "-".repeat(w))
        .join("  ")
        .trimEnd();
    return [...(opts.title ? [opts.title] : []), line(header), rule, ...rows.map(line), rule, line(totalRow)].join("\n");
}
