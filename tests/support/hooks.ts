// Mocha root hooks: shared fixtures that live for the whole test process.
import { stopTestPostgres } from "./postgres";

export const mochaHooks = {
    async afterAll(): Promise<void> {
        await stopTestPostgres();
    },
};
