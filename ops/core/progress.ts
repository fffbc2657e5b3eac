/**
 * Progress of a long operation, on stderr (stdout stays clean for --json). Library code takes a
 * `Progress` and reports steps; whoever starts the operation (a command, a test) decides where the
 * lines go.
 */

export interface ProgressSink {
    stderr: (text: string) => void;
}

export interface Progress {
    step(label: string): void;
    update(done: number, total?: number): void;
    done(summary?: string): void;
}

const toStderr: ProgressSink = { stderr: (text) => process.stderr.write(text) };

export function progress(task: string, io: ProgressSink = toStderr, enabled = !process.env.ODOO_PLATFORM_QUIET): Progress {
    const started = Date.now();
    let current = task;
    let lastPrint = 0;
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
    return {
        step(label) {
            current = label;
            if (enabled) io.stderr(`[${elapsed()}] ${task}: ${label}\n`);
        },
        update(done, total) {
            const now = Date.now();
            if (!enabled || now - lastPrint < 1000) return;
            lastPrint = now;
            const pct = total ? ` (${Math.floor((done / total) * 100)}%)` : "";
            io.stderr(`[${elapsed()}] ${task}: ${current} ${done}${total ? `/${total}` : ""}${pct}\n`);
        },
        done(summary) {
            if (enabled) io.stderr(`[${elapsed()}] ${task}: done${summary ? ` — ${summary}` : ""}\n`);
        },
    };
}
