import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Arch, type Os, type RuntimeManifest, runtimeVersionSatisfies, safeParseRuntimeManifest } from "@baiengine/schema";
import { runtimeStorePath } from "./runtime-plan.js";

/** A runtime pack installed in the engines folder. */
export interface InstalledRuntime {
  dir: string;
  manifest: RuntimeManifest;
}

/** Numeric, part by part (`13.0.88` < `13.1.0`). */
function compareToolkitVersions(a: string, b: string): number {
  return runtimeVersionSatisfies(a, b) ? (runtimeVersionSatisfies(b, a) ? 0 : 1) : -1;
}

/**
 * The newest installed version of a runtime for a platform that serves `minVersion`, or null. Only
 * folders whose `manifest.json` is a valid runtime manifest naming that very runtime and platform
 * count, so a half-written or foreign folder is never linked from.
 */
export async function findInstalledRuntime(enginesDir: string, need: { id: string; minVersion: string }, platform: { os: Os; arch: Arch }): Promise<InstalledRuntime | null> {
  const versions = await readdir(join(enginesDir, "runtimes", need.id)).catch(() => [] as string[]);
  const found: InstalledRuntime[] = [];
  for (const version of versions) {
    if (version.startsWith(".") || !runtimeVersionSatisfies(version, need.minVersion)) continue;
    const dir = runtimeStorePath(enginesDir, { runtimeId: need.id, version, ...platform });
    const text = await readFile(join(dir, "manifest.json"), "utf8").catch(() => null);
    const parsed = text === null ? null : safeParseJson(text);
    if (parsed === null) continue;
    const m = safeParseRuntimeManifest(parsed);
    if (m.ok && m.value.runtimeId === need.id && m.value.version === version && m.value.os === platform.os && m.value.arch === platform.arch) {
      found.push({ dir, manifest: m.value });
    }
  }
  found.sort((a, b) => compareToolkitVersions(b.manifest.version, a.manifest.version));
  return found[0] ?? null;
}

function safeParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
