import { DEFAULT_CHANNEL, type EngineEntry, type PackageEntry, type VersionEntry, type YankedEntry } from "@baiengine/schema";
import { compareEngineVersions } from "../version/compare-versions.js";

/**
 * An engine's published versions as one list, whatever wrote the index: `versions[]` (the history,
 * an extension) plus the design's `latestVersion`/`packages` and the `prerelease` block. Those two
 * places are what apps that know no history read, so for their versions their packages are taken
 * (a tool that does not know `versions[]` may have replaced them without recording history). Pure.
 */
export interface PublishedVersion {
  version: string;
  /** `stable` when the entry names none. */
  channel: string;
  releaseDate?: string;
  packages: PackageEntry[];
  yanked?: YankedEntry;
}

const PRERELEASE_CHANNEL = "prerelease";

/** Newest first: by version order; versions of different schemes keep publishing order (later first). */
export function publishedVersions(engine: EngineEntry): PublishedVersion[] {
  const listed = (engine.versions ?? []).map(fromEntry);
  const byVersion = new Map(listed.map((v) => [v.version, v]));
  const design: PublishedVersion[] = [];
  if (engine.packages.length > 0) design.push({ version: engine.latestVersion, channel: DEFAULT_CHANNEL, ...dated(engine.releaseDate), packages: engine.packages });
  if (engine.prerelease) design.push({ version: engine.prerelease.version, channel: PRERELEASE_CHANNEL, ...dated(engine.prerelease.releaseDate), packages: engine.prerelease.packages });
  for (const d of design) {
    const known = byVersion.get(d.version);
    if (known) known.packages = d.packages;
    else listed.push(d);
  }
  return newestFirst(listed);
}

/** Newest first by `compareEngineVersions`; incomparable pairs keep their order reversed (later published first). */
export function newestFirst<T extends { version: string }>(list: T[]): T[] {
  return list
    .map((v, k) => ({ v, k }))
    .sort((a, b) => {
      const order = compareEngineVersions(b.v.version, a.v.version);
      return order === null || order === 0 ? b.k - a.k : order;
    })
    .map(({ v }) => v);
}

function fromEntry(v: VersionEntry): PublishedVersion {
  return { version: v.version, channel: v.channel ?? DEFAULT_CHANNEL, ...dated(v.releaseDate), packages: v.packages, ...(v.yanked ? { yanked: v.yanked } : {}) };
}

const dated = (releaseDate: string | undefined) => (releaseDate === undefined ? {} : { releaseDate });

/** A version as `update` records it. */
export interface RecordedVersion {
  version: string;
  channel: string;
  releaseDate: string | null;
  minAppVersion?: string | undefined;
  packages: PackageEntry[];
}

/**
 * The engine with `v` in its history: its entry's packages (and release date) replaced when that
 * version is listed, appended otherwise, so nothing published is ever dropped. An index without
 * `versions[]` gets one, seeded with what its design places held (the latest stable version and the
 * pre-release), so the history starts complete. A yanked version re-published stays yanked. Pure.
 */
export function recordVersion(engine: EngineEntry, before: EngineEntry | null, v: RecordedVersion): EngineEntry {
  const versions = [...(engine.versions ?? seedVersions(before))];
  const at = versions.findIndex((e) => e.version === v.version);
  const entry: VersionEntry = {
    ...(at >= 0 ? versions[at] : {}),
    version: v.version,
    ...(v.channel === DEFAULT_CHANNEL ? {} : { channel: v.channel }),
    ...(v.releaseDate !== null ? { releaseDate: v.releaseDate } : {}),
    ...(v.minAppVersion !== undefined ? { minAppVersion: v.minAppVersion } : {}),
    packages: v.packages,
  };
  if (v.channel === DEFAULT_CHANNEL) delete entry.channel;
  if (at >= 0) versions[at] = entry;
  else versions.push(entry);
  return { ...engine, versions };
}

/** The history an index that had none implies: its latest stable version and its pre-release. */
export function seedVersions(engine: EngineEntry | null): VersionEntry[] {
  if (engine === null) return [];
  const seeded: VersionEntry[] = [];
  if (engine.packages.length > 0) {
    seeded.push({ version: engine.latestVersion, ...dated(engine.releaseDate), ...(engine.minAppVersion ? { minAppVersion: engine.minAppVersion } : {}), packages: engine.packages });
  }
  const pre = engine.prerelease;
  if (pre && pre.packages.length > 0) seeded.push({ version: pre.version, channel: PRERELEASE_CHANNEL, ...dated(pre.releaseDate), packages: pre.packages });
  return seeded;
}

export { PRERELEASE_CHANNEL };

/**
 * Whether a write of `version` to `channel` goes into `versions[]`: always once the engine has a
 * history, and whenever it would otherwise replace a published version or has no design place (a
 * channel other than stable and prerelease). An engine with one version and no history keeps the
 * design's shape.
 */
export function keepsHistory(current: EngineEntry | null, channel: string, version: string): boolean {
  if (current === null) return channel !== DEFAULT_CHANNEL && channel !== PRERELEASE_CHANNEL;
  if (current.versions !== undefined) return true;
  if (channel === DEFAULT_CHANNEL) return current.packages.length > 0 && current.latestVersion !== version;
  if (channel === PRERELEASE_CHANNEL) return current.prerelease !== undefined && current.prerelease.packages.length > 0 && current.prerelease.version !== version;
  return true;
}
