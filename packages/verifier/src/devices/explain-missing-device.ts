import { existsSync, readdirSync } from "node:fs";
import { join, posix } from "node:path";
import type { Accelerator, Os } from "@baiengine/schema";
import { readBinaryFile } from "../binary/read-binary.js";
import { loadLibraryPolicy, policyMatcher } from "../libraries/policy.js";
import { DEVICE_KIND } from "./host-devices.js";
import { type DeviceProbeRun, describeProbeFailure } from "./run-device-probe.js";

/** Package files (relative, posix) directly in `dir` and in its `libs/`: where the package's loaders look. */
function loaderFolders(packageDir: string): string[] {
  const names: string[] = [];
  for (const sub of ["", "libs"]) {
    const dir = join(packageDir, sub);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isFile()) names.push(posix.join(sub, entry.name));
  }
  return names;
}

/**
 * One line saying why a device listing showed no device of the package's kind: the GPU runtime
 * library a binary of the package links that the package does not carry (the usual cause: the
 * CUDA runtime is neither bundled nor installed), else the missing device itself.
 */
export async function explainMissingDevice(packageDir: string, os: Os, accelerator: Accelerator, run: DeviceProbeRun): Promise<string> {
  const kind = DEVICE_KIND[accelerator] ?? accelerator;
  // A server that never ran (or never finished) says nothing about devices or libraries.
  if (run.failure !== null) return `${run.command} ${describeProbeFailure(run.failure)}`;
  const head = run.devices === null ? `${run.command} printed no device list (exit code ${run.exitCode ?? "none"})` : `${run.command} lists no ${kind} device`;
  const policy = loadLibraryPolicy(os);
  const classOf = policyMatcher(policy);
  const fold = (s: string) => (policy.caseInsensitive ? s.toLowerCase() : s);
  const files = loaderFolders(packageDir);
  const carried = new Set(files.map((f) => fold(posix.basename(f))));
  const missing: string[] = [];
  for (const file of files) {
    const info = await readBinaryFile(join(packageDir, file)).catch(() => null);
    for (const name of info?.needed ?? []) {
      if (classOf(name) === "runtime" && !carried.has(fold(name))) missing.push(`${posix.basename(file)} needs ${name}`);
    }
  }
  if (missing.length > 0) return `${head}: ${missing.join(", ")}, which the package does not carry and this system does not provide`;
  return `${head}: this machine shows no ${kind} device to the engine (is its driver installed?)`;
}
