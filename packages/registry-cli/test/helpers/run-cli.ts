import { fileURLToPath } from "node:url";
import { type CliRun, type RunCliOptions, runCli as runScript } from "@baiengine/test-kit";

export const CLI = fileURLToPath(new URL("../../bin/engine-registry.js", import.meta.url));

export type { CliRun };

/** The proxy variables of the machine the tests run on, unset: tests talk to loopback servers, and set their own. */
const NO_PROXY_ENV = Object.fromEntries(["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"].map((k) => [k, ""]));

/** Runs the built CLI (bin shim → dist) as its own process, as users and CI do (test-kit's runner); the machine's proxy variables unset unless the test sets them. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  return runScript(CLI, args, { ...options, env: { ...NO_PROXY_ENV, ...options.env } });
}
