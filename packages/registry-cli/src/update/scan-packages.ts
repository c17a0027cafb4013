import { availableParallelism } from "node:os";
import { readdir } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { mapConcurrent } from "@baiengine/cli-kit/system";
import { type Reporter, safeParsePackageFilename } from "@baiengine/schema";
import type { PackageCheck, PackageVerifier } from "../verifier-port.js";

/** One `{id}-{v}-*.baiengine` file found in the packages folder, with the verifier's one-pass report. */
export interface ScannedPackage {
  path: string;
  /** Path relative to the packages folder (artifact downloads put each file in its own subfolder). */
  relativePath: string;
  filename: string;
  check: PackageCheck;
}

export interface ScanResult {
  packages: ScannedPackage[];
  /** Files that start like this version's packages but whose names do not parse. */
  badNames: { relativePath: string; reason: string }[];
}

/** Folders below the packages folder that are searched: GitHub's download-artifact makes one per artifact. */
const MAX_DEPTH = 2;

/** Every `.baiengine` in `dir` and its subfolders (two levels), sorted. */
export async function listFiles(dir: string, depth = 0): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(".baiengine")) files.push(path);
    else if (entry.isDirectory() && depth < MAX_DEPTH) files.push(...(await listFiles(path, depth + 1)));
  }
  return files;
}

/**
 * Finds this engine version's packages in `dir` and verifies each (sha256 and size come from the
 * verifier's single streaming pass: nothing is read twice), several at once, bounded by the cores.
 */
export async function scanPackages(
  dir: string,
  engineId: string,
  version: string,
  verifier: PackageVerifier,
  options: { concurrency?: number; reporter?: Reporter; signal?: AbortSignal } = {},
): Promise<ScanResult> {
  const prefix = `${engineId}-${version}-`;
  const candidates = (await listFiles(dir)).filter((p) => basename(p).startsWith(prefix));
  const badNames: ScanResult["badNames"] = [];
  const matching: string[] = [];
  for (const path of candidates) {
    const filename = basename(path);
    const parsed = safeParsePackageFilename(filename);
    if (!parsed.ok) badNames.push({ relativePath: relative(dir, path), reason: parsed.error.message });
    // `llama-cpp-b1-rc1-...` starts with `llama-cpp-b1-` but is version b1-rc1: not ours.
    else if (parsed.value.engineId === engineId && parsed.value.version === version) matching.push(path);
  }
  const concurrency = options.concurrency ?? availableParallelism();
  let done = 0;
  const packages = await mapConcurrent(matching, concurrency, async (path) => {
    const filename = basename(path);
    const check = await verifier.verify(path, { expectedFilename: filename, ...(options.signal ? { signal: options.signal } : {}) });
    options.reporter?.progress?.("verify", ++done, matching.length, filename);
    return { path, relativePath: relative(dir, path), filename, check };
  });
  return { packages, badNames };
}
