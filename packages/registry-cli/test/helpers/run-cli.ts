import { fileURLToPath } from "node:url";
import { type CliRun, type RunCliOptions, runCli as runScript } from "@baiengine/test-kit";

export const CLI = fileURLToPath(new URL("../../bin/engine-registry.js", import.meta.url));

export type { CliRun };

/** Runs the built CLI (bin shim → dist) as its own process, as users and CI do (test-kit's runner). */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  return runScript(CLI, args, options);
}
