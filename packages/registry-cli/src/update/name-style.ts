import { readFile, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { exists, renameWithRetry } from "@baiengine/cli-kit/system";
import { formatPackageFilename, type NameStyle, parsePackageFilename, type Registry } from "@baiengine/schema";
import { UpdateRefusedError } from "../errors.js";
import { writeFileAtomic } from "../index-file/atomic-write.js";
import { readIndex } from "../index-file/read-index.js";
import { listedPackages } from "../validate/validate-index.js";
import { listFiles, type ScanResult } from "./scan-packages.js";

/**
 * File names in an index keep the spelling they were published with (`darwin-arm64` in an index
 * migrated from the app's packages.json, `macos-aarch64` in the design's). New packages follow the
 * index: its style is that of most of its published package file names, the design's when it has none.
 */
export function indexNameStyle(registry: Registry): NameStyle {
  let node = 0;
  let design = 0;
  for (const { entry } of listedPackages(registry)) {
    const style = safeStyle(entry.filename);
    if (style === "node") node++;
    else if (style === "design") design++;
  }
  return node > design ? "node" : "design";
}

function safeStyle(filename: string): NameStyle | null {
  try {
    return parsePackageFilename(filename).style;
  } catch {
    return null;
  }
}

export interface PackageRename {
  /** Path of the file in the packages folder. */
  from: string;
  to: string;
  filename: string;
}

/** The packages whose names are spelled in the other style, with their names in `style`. Pure. */
export function planRenames(files: readonly { path: string; filename: string }[], style: NameStyle): PackageRename[] {
  return files.flatMap((p) => {
    const name = parsePackageFilename(p.filename);
    if (name.style === style) return [];
    const filename = formatPackageFilename({ ...name, style });
    return [{ from: p.path, to: join(dirname(p.path), filename), filename }];
  });
}

/** The scan as it reads after the renames (for planning a dry run, or after applying them). */
export function renamedScan(scan: ScanResult, renames: PackageRename[]): ScanResult {
  const byPath = new Map(renames.map((r) => [r.from, r]));
  return {
    ...scan,
    packages: scan.packages.map((p) => {
      const r = byPath.get(p.path);
      return r ? { ...p, path: r.to, filename: r.filename, relativePath: join(dirname(p.relativePath), r.filename) } : p;
    }),
  };
}

/**
 * Renames the files (and their `.sha256` sidecars, rewritten to name the new file). Refuses before
 * renaming anything when a target name is taken. Each rename is atomic (same folder).
 */
export async function applyRenames(renames: PackageRename[]): Promise<void> {
  const taken = [];
  for (const r of renames) if (await exists(r.to)) taken.push(r.to);
  if (taken.length > 0) throw new UpdateRefusedError("the index's spelling of these packages is taken in the packages folder", "keep one file per platform", taken);
  for (const r of renames) {
    const sidecar = await readFile(`${r.from}.sha256`, "utf8").catch(() => null);
    if (sidecar !== null) await writeFileAtomic(`${r.to}.sha256`, `${sidecar.trim().split(/\s+/)[0]}  ${r.filename}\n`);
    await renameWithRetry(r.from, r.to);
    if (sidecar !== null) await unlink(`${r.from}.sha256`);
  }
}

/**
 * `name-packages`: gives an engine version's packages in `packagesDir` the spelling the index uses,
 * before they are uploaded (the release's asset names are what the index will point at). No verification.
 */
export async function namePackagesLikeIndex(options: { registryFile: string; packagesDir: string; engineId: string; version: string; dryRun?: boolean }): Promise<{ style: NameStyle; renames: PackageRename[] }> {
  const { registry } = await readIndex(options.registryFile, { allowPlaceholders: true });
  const files = (await listFiles(options.packagesDir)).flatMap((path) => {
    const filename = basename(path);
    const style = safeStyle(filename);
    if (style === null) return [];
    const name = parsePackageFilename(filename);
    return name.engineId === options.engineId && name.version === options.version ? [{ path, filename }] : [];
  });
  const style = indexNameStyle(registry);
  const renames = planRenames(files, style);
  if (!options.dryRun) await applyRenames(renames);
  return { style, renames };
}
