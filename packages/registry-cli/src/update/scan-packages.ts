import { availableParallelism } from "node:os";
import { readdir } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { mapConcurrent } from "@baiengine/cli-kit/system";
import { PACKAGE_EXTENSION, type Reporter, RUNTIME_EXTENSION, safeParsePackageFilename, safeParseRuntimeFilename } from "@baiengine/schema";
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

/** Every `.baiengine` (or `extension`) file in `dir` and its subfolders (two levels), sorted. */
export async function listFiles(dir: string, depth = 0, extension = PACKAGE_EXTENSION): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(extension)) files.push(path);
    else if (entry.isDirectory() && depth < MAX_DEPTH) files.push(...(await listFiles(path, depth + 1, extension)));
  }
  return files;
}

/** Which files a scan looks for: engine packages of an engine version, or runtime packs of a runtime version. */
export type ScanKind = { kind: "engine"; engineId: string } | { kind: "runtime"; runtimeId: string };

/** Whether `filename` is one of this version's files (a name that does not parse yields its reason). */
function matchName(target: ScanKind, version: string, filename: string): true | false | string {
  if (target.kind === "engine") {
    const parsed = safeParsePackageFilename(filename);
    // `llama-cpp-b1-rc1-...` starts with `llama-cpp-b1-` but is version b1-rc1: not ours.
    return parsed.ok ? parsed.value.engineId === target.engineId && parsed.value.version === version : parsed.error.message;
  }
  const parsed = safeParseRuntimeFilename(filename);
  return parsed.ok ? parsed.value.runtimeId === target.runtimeId && parsed.value.version === version : parsed.error.message;
}

/**
 * Finds this version's packages (or runtime packs) in `dir` and verifies each (sha256 and size come
 * from the verifier's single streaming pass: nothing is read twice), several at once, bounded by the cores.
 */
export async function scanPackages(
  dir: string,
  target: string | ScanKind,
  version: string,
  verifier: PackageVerifier,
  options: { concurrency?: number; reporter?: Reporter; signal?: AbortSignal } = {},
): Promise<ScanResult> {
  const kind: ScanKind = typeof target === "string" ? { kind: "engine", engineId: target } : target;
  const prefix = `${kind.kind === "engine" ? kind.engineId : kind.runtimeId}-${version}-`;
  const extension = kind.kind === "engine" ? PACKAGE_EXTENSION : RUNTIME_EXTENSION;
  const candidates = (await listFiles(dir, 0, extension)).filter((p) => basename(p).startsWith(prefix));
  const badNames: ScanResult["badNames"] = [];
  const matching: string[] = [];
  for (const path of candidates) {
    const match = matchName(kind, version, basename(path));
    if (typeof match === "string") badNames.push({ relativePath: relative(dir, path), reason: match });
    else if (match) matching.push(path);
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
