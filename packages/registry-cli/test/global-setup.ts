import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pack } from "@baiengine/packer";
import type { TestProject } from "vitest/node";

/**
 * Builds the packer's `hello` engine (CPU, this host) once: a real package made by the real packer,
 * so install/update tests run on what CI publishes. The build folder is cached between runs.
 */
export default async function setup(project: TestProject): Promise<void> {
  const cache = fileURLToPath(new URL("../node_modules/.cache/registry-cli-tests", import.meta.url));
  const result = await pack({ engine: "hello", accel: "cpu", out: join(cache, "out"), cacheDir: join(cache, "build") });
  project.provide("packedHello", { file: result.file, sha256: result.sha256, size: result.size, version: result.manifest.version });
}

declare module "vitest" {
  export interface ProvidedContext {
    packedHello: { file: string; sha256: string; size: number; version: string };
  }
}
