/**
 * A throwaway S3 server (s3rver) on a free loopback port with one bucket, and an SDK client for it.
 */
import { S3Client } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../../testing/throwawayPostgres";

// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

export interface TestS3 {
    client: S3Client;
    bucket: string;
    endpoint: string;
    /** Where s3rver keeps the objects as files (tests damage them there). */
    directory: string;
    stop(): Promise<void>;
}

export async function startTestS3(bucket = "evidence-archive"): Promise<TestS3> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
    const port = await freePort();
    const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: [{ name: bucket }] });
    await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    return {
        client,
        bucket,
        endpoint,
        directory,
        async stop() {
            client.destroy();
            await server.close();
            fs.rmSync(directory, { recursive: true, force: true });
        },
    };
}
