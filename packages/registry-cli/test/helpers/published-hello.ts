import { copyFile, mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { expect } from "vitest";
import { tempDir } from "@baiengine/test-kit";
import { emptyRegistry, writeJson } from "./registry-fixtures.js";
import { runCli } from "./run-cli.js";

/**
 * Publishes the packer's hello package with the real CLI (`update` into a new engines.json) and lays
 * out a mirror folder `{tag}/{filename}` for a loopback server or a file:// base URL.
 */
export async function publishHello(packed: { file: string; version: string }): Promise<{ registry: string; mirror: string }> {
  const work = await tempDir();
  const filename = basename(packed.file);
  const packages = join(work, "packages");
  await mkdir(packages);
  await copyFile(packed.file, join(packages, filename));
  const registry = join(work, "engines.json");
  await writeJson(registry, emptyRegistry());
  const update = await runCli(["update", "--registry", registry, "--engine", "hello", "--version", packed.version, "--packages-dir", packages]);
  expect(update.code, update.stderr).toBe(0);
  const mirror = join(work, "mirror");
  await mkdir(join(mirror, `hello-v${packed.version}`), { recursive: true });
  await copyFile(packed.file, join(mirror, `hello-v${packed.version}`, filename));
  return { registry, mirror };
}
