// Mocha root hooks: shared fixtures that live for the whole test process.
import type { Context } from "mocha";
import { stopTestPostgres } from "./postgres";

export const mochaHooks = {
    async afterAll(this: Context): Promise<void> {
        // Removing the server's data directory (a gigabyte after the whole suite) can take more than
        // the default 60 s on a loaded machine; a timeout here fails the run after every test passed.
        this.timeout(300_000);
        // The policy pack one test file started for all (tests/support/crossguard.ts), if one did.
        const crossguard = require.cache[require.resolve("./crossguard")]?.exports as typeof import("./crossguard") | undefined;
        await crossguard?.stopSharedPolicyPack();
        await stopTestPostgres();
    },
};
