import { createHash } from "node:crypto";
import { type PackageEntry, parsePackageFilename, parseRuntimeFilename, type Registry, releaseTag, type RuntimePackageEntry } from "@baiengine/schema";
import { TargetFile } from "@tufjs/models";

/**
 * What `sign` lists in targets.json: the index files themselves (`engines.json`, and the app's
 * `packages.json` when published beside it) and every package and runtime pack the index lists,
 * under the path the app downloads it from below the base URL (`{tag}/{filename}`), with the index's
 * length and sha256 and, as TUF's `custom` field, what the file is. Pure.
 */

/** The target path of an engine package or runtime pack: `{tag}/{filename}` below the base URL. */
export function packageTargetPath(filename: string): string {
  if (filename.endsWith(".bairuntime")) {
    const r = parseRuntimeFilename(filename);
    return `${releaseTag(r.runtimeId, r.version)}/${filename}`;
  }
  const p = parsePackageFilename(filename);
  return `${releaseTag(p.engineId, p.version)}/${filename}`;
}

export function fileTarget(path: string, bytes: Buffer, custom: Record<string, string> = {}): TargetFile {
  const extra = Object.keys(custom).length > 0 ? { unrecognizedFields: { custom } } : {};
  return new TargetFile({ path, length: bytes.length, hashes: { sha256: createHash("sha256").update(bytes).digest("hex") }, ...extra });
}

function engineTarget(engineId: string, version: string, p: PackageEntry): TargetFile {
  const custom: Record<string, string> = { engine: engineId, version, os: p.os, arch: p.arch, accelerator: p.accelerator };
  if (p.acceleratorVersion !== null && p.acceleratorVersion !== undefined) custom["acceleratorVersion"] = String(p.acceleratorVersion);
  if (p.variant !== undefined) custom["variant"] = p.variant;
  if (p.runtime !== undefined) custom["runtime"] = p.runtime;
  return new TargetFile({ path: packageTargetPath(p.filename), length: p.size, hashes: { sha256: p.sha256 }, unrecognizedFields: { custom } });
}

function runtimeTarget(runtimeId: string, version: string, p: RuntimePackageEntry): TargetFile {
  const custom = { runtime: runtimeId, version, os: p.os, arch: p.arch };
  return new TargetFile({ path: packageTargetPath(p.filename), length: p.size, hashes: { sha256: p.sha256 }, unrecognizedFields: { custom } });
}

/** Every downloadable file of the index as a target (stable and pre-release packages, runtime packs). */
export function indexedTargets(registry: Registry): TargetFile[] {
  const targets: TargetFile[] = [];
  for (const engine of registry.engines) {
    for (const p of engine.packages) targets.push(engineTarget(engine.id, engine.latestVersion, p));
    for (const p of engine.prerelease?.packages ?? []) targets.push(engineTarget(engine.id, engine.prerelease!.version, p));
  }
  for (const runtime of registry.runtimes ?? []) {
    for (const p of runtime.packages) targets.push(runtimeTarget(runtime.id, runtime.latestVersion, p));
  }
  return targets;
}
