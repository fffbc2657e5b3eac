/** Putting a backup's filestore back into the Docker volume of an environment (a promotion's revert). */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidInputError, OperationFailedError } from "../core/errors";
import { openVerifiedSnapshot } from "../snapshot/restore";

/** Puts the backup's filestore files back into the Docker volume (adding what the update removed, keeping newer files). */
export async function mergeFilestore(backup: string, volume: string, image: string): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(volume)) throw new InvalidInputError(`--filestore-volume "${volume}" is not a Docker volume name`);
    const snapshot = await openVerifiedSnapshot(backup);
    try {
        if (!snapshot.manifest.filestore) return;
        const tar = path.join(snapshot.dir, snapshot.manifest.filestore.path);
        await new Promise<void>((resolve, reject) => {
            const child = spawn("docker", ["run", "--rm", "-i", "--entrypoint", "tar", "-v", `${volume}:/data`, image, "-C", "/data", "-xf", "-"], {
                stdio: ["pipe", "inherit", "inherit"],
            });
            fs.createReadStream(tar).pipe(child.stdin);
            child.on("error", reject);
            child.on("close", (code) =>
                code === 0 ? resolve() : reject(new OperationFailedError(`restoring the filestore into volume ${volume} exited with code ${code}`)),
            );
        });
    } finally {
        snapshot.dispose();
    }
}
