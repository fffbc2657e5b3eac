/** Progress of a long operation, as the library reports it (the CLI prints it on stderr). */
export interface Progress {
    step(label: string): void;
    update(done: number, total?: number): void;
    done(summary?: string): void;
}
