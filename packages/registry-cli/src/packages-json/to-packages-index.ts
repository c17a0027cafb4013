import {
  DEFAULT_CHANNEL,
  acceleratorToken,
  type Arch,
  archToken,
  type EngineEntry,
  NODE_OS_VALUES,
  type Os,
  osToken,
  type Registry,
  type RuntimeEntry,
} from "@baiengine/schema";
import { publishedVersions } from "../history/engine-history.js";

/**
 * engines.json → the app's live packages.json (github.com/lablup/backend.ai-go-engine-registry):
 * platforms spelled as Node does, one `latest` per engine, the accelerator as its file-name token,
 * variants in file names only (as they already are), `supportedFormats` from `modelFormats`,
 * `platforms` derived from the packages. File names are copied, never re-spelled: they name assets
 * already uploaded. Pre-releases are not exported (the live index has one version per engine). Pure.
 */
export interface PackagesJsonExport {
  /** The packages.json value, keys in the live file's order. */
  index: Record<string, unknown>;
  /** What had to be filled in, one line each (e.g. an engine without `releaseDate`). */
  notes: string[];
}

const nodeOs = (os: Os) => osToken(os, "node");
const nodeArch = (arch: Arch) => archToken(arch, "node");

function platformsOf(packages: readonly { os: Os }[]): string[] {
  const present = new Set(packages.map((p) => nodeOs(p.os)));
  return NODE_OS_VALUES.filter((os) => present.has(os));
}

export function toPackagesIndex(registry: Registry): PackagesJsonExport {
  const notes: string[] = [];
  // An entry published before releaseDate existed gets the index's own date: stable across exports of one file.
  const fallbackDate = registry.lastUpdated.slice(0, 10);
  const dateOf = (what: string, date: string | undefined) => {
    if (date !== undefined) return date;
    notes.push(`${what} has no releaseDate; exported lastUpdated's date ${fallbackDate}`);
    return fallbackDate;
  };
  const engines = registry.engines.map((engine) => {
    const shown = exportedVersion(engine, notes);
    return exportEngine(shown, dateOf(`engine ${engine.id}`, shown.releaseDate), notes);
  });
  const index: Record<string, unknown> = { schemaVersion: 1, lastUpdated: registry.lastUpdated, baseUrl: registry.baseUrl, engines };
  if (registry.runtimes) index["runtimes"] = registry.runtimes.map((runtime) => exportRuntime(runtime, dateOf(`runtime ${runtime.id}`, runtime.releaseDate)));
  return { index, notes };
}

/**
 * The version the live index gets as `latest`: `latestVersion`, unless it is yanked; then the newest
 * stable version that is not (with a note), so apps that read only `latest` stop installing it.
 * Only one version is exported: the live shape has no history.
 */
function exportedVersion(engine: EngineEntry, notes: string[]): EngineEntry {
  const stable = publishedVersions(engine).filter((v) => v.channel === DEFAULT_CHANNEL);
  const latest = stable.find((v) => v.version === engine.latestVersion);
  if (!latest?.yanked) return engine;
  const usable = stable.find((v) => !v.yanked && v.packages.length > 0);
  if (!usable) {
    notes.push(`engine ${engine.id}: latestVersion ${engine.latestVersion} is yanked and no older stable version is not; exported it anyway`);
    return engine;
  }
  notes.push(`engine ${engine.id}: latestVersion ${engine.latestVersion} is yanked (${latest.yanked.reason}); exported ${usable.version} as latest`);
  const entry = (engine.versions ?? []).find((v) => v.version === usable.version);
  const { minAppVersion: _dropped, releaseDate: _date, ...rest } = engine;
  return {
    ...rest,
    latestVersion: usable.version,
    ...(usable.releaseDate !== undefined ? { releaseDate: usable.releaseDate } : {}),
    ...(entry?.minAppVersion !== undefined ? { minAppVersion: entry.minAppVersion } : {}),
    packages: usable.packages,
  };
}

function exportEngine(engine: EngineEntry, releaseDate: string, notes: string[]): Record<string, unknown> {
  if (engine.minAppVersion === undefined) notes.push(`engine ${engine.id} has no minAppVersion; exported without one`);
  return {
    id: engine.id,
    name: engine.name,
    description: engine.description,
    supportedFormats: engine.modelFormats,
    platforms: platformsOf(engine.packages),
    latest: {
      version: engine.latestVersion,
      releaseDate,
      ...(engine.minAppVersion !== undefined ? { minAppVersion: engine.minAppVersion } : {}),
      packages: engine.packages.map((p) => ({
        os: nodeOs(p.os),
        arch: nodeArch(p.arch),
        filename: p.filename,
        size: p.size,
        sha256: p.sha256,
        accelerator: acceleratorToken(p.accelerator, p.acceleratorVersion),
      })),
    },
  };
}

function exportRuntime(runtime: RuntimeEntry, releaseDate: string): Record<string, unknown> {
  return {
    id: runtime.id,
    name: runtime.name,
    description: runtime.description,
    ...(runtime.category !== undefined ? { category: runtime.category } : {}),
    platforms: platformsOf(runtime.packages),
    latest: {
      version: runtime.latestVersion,
      releaseDate,
      packages: runtime.packages.map((p) => ({ os: nodeOs(p.os), arch: nodeArch(p.arch), filename: p.filename, size: p.size, sha256: p.sha256 })),
    },
  };
}
