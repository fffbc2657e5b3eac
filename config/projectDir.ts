/** The platform's own checkout (where Pulumi.yaml, the stack files and the policy pack are). */
import * as path from "node:path";

export const projectDir = path.resolve(__dirname, "..");
