import type { EngineEntry, PackageEntry, Registry } from "@baiengine/schema";
import { platformKey } from "@baiengine/schema";
import { canonicalRegistryText } from "../index-file/canonical-json.js";
import { utcTimestamp } from "../index-file/modify-index.js";
import { preReleaseOrderHint } from "../version/order-hint.js";
import { compareEngineVersions } from "../version/compare-versions.js";

/** Rules `update` and `migrate` share when a version's packages go into the index. All pure. */
export interface UpdateRefusal {
  reason: string;
  hint: string;
  details: string[];
}

export interface PackageDiff<P extends { filename: string }> {
  /** The new package list, sorted by file name. */
  merged: P[];
  added: string[];
  replaced: string[];
  removed: string[];
  unchanged: string[];
}

const byFilename = (a: { filename: string }, b: { filename: string }) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0);

/**
 * Compares old and new packages by platform (`key`): a new build of linux-x86_64-cpu "replaces" the
 * old one, even across versions. Re-publishing the same file keeps fields a newer tool added to its entry.
 */
export function mergePackages<P extends { filename: string; size: number; sha256: string }>(oldAll: P[], entries: P[], key: (p: P) => string): PackageDiff<P> {
  const oldByKey = new Map(oldAll.map((p) => [key(p), p]));
  const newKeys = new Set(entries.map(key));
  const merged = entries.map((e) => {
    const old = oldByKey.get(key(e));
    return old && old.filename === e.filename ? { ...old, ...e } : e;
  });
  merged.sort(byFilename);
  const diff: PackageDiff<P> = { merged, added: [], replaced: [], removed: [], unchanged: [] };
  for (const e of merged) {
    const old = oldByKey.get(key(e));
    if (!old) diff.added.push(e.filename);
    else if (old.filename === e.filename && old.sha256 === e.sha256 && old.size === e.size) diff.unchanged.push(e.filename);
    else diff.replaced.push(e.filename);
  }
  diff.removed = oldAll.filter((p) => !newKeys.has(key(p))).map((p) => p.filename);
  return diff;
}

export const mergeEnginePackages = (oldAll: PackageEntry[], entries: PackageEntry[]) => mergePackages(oldAll, entries, platformKey);

/**
 * Version order: a stable release never goes below the current one; a pre-release never below the
 * stable one nor below an earlier pre-release. Returns why not, or null when the order is fine.
 */
export function checkVersionOrder(
  current: Pick<EngineEntry, "latestVersion" | "prerelease"> | null,
  version: string,
  channel: "stable" | "prerelease",
  allowDowngrade: boolean,
): UpdateRefusal | null {
  if (current === null || allowDowngrade) return null;
  const floors = channel === "stable" ? [current.latestVersion] : [current.latestVersion, current.prerelease?.version].filter((v): v is string => v !== undefined);
  for (const floor of floors) {
    const order = compareEngineVersions(version, floor);
    const isDowngrade = order === null || order < 0 || (channel === "prerelease" && floor === current.latestVersion && order === 0);
    if (isDowngrade) {
      const why = order === null ? null : preReleaseOrderHint(version, floor);
      return {
        reason: order === null ? `cannot order version ${version} against the current ${floor} (different version schemes)` : `version ${version} is not above the current ${floor}${why ? `: ${why}` : ""}`,
        hint: why ? "rename the version as suggested (or pass --allow-downgrade if a lower version is intended)" : "pass --allow-downgrade if this is intended",
        details: [],
      };
    }
  }
  return null;
}

/** `2026-04-26` from a Date (UTC), the form of `releaseDate`. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Whether this write publishes a version: a new version, or the first real files of a version that
 * had none (planned packages only). Only then do `releaseDate` and `minAppVersion` change; a rewrite
 * of what is published keeps them, so a regeneration can never move a release date.
 */
export function publishesVersion(previous: { version: string; packages: readonly unknown[] } | null, version: string): boolean {
  return previous === null || previous.version !== version || previous.packages.length === 0;
}

/** Highest of semver-ish versions (`0.8.0`, `0.11.0` → `0.11.0`); undefined for none. */
export function highestVersion(versions: readonly string[]): string | undefined {
  return versions.reduce<string | undefined>((best, v) => (best === undefined || (compareEngineVersions(v, best) ?? 0) > 0 ? v : best), undefined);
}

/**
 * The registry with `engine` at `index` (or appended at -1); `lastUpdated` moves only when the
 * content changed, so a no-op leaves the file byte for byte.
 */
export function withEngine(registry: Registry, index: number, engine: EngineEntry, now: Date): { registry: Registry; changed: boolean } {
  const engines = [...registry.engines];
  if (index >= 0) engines[index] = engine;
  else engines.push(engine);
  return withContent(registry, { ...registry, engines }, now);
}

export function withContent(before: Registry, candidate: Registry, now: Date): { registry: Registry; changed: boolean } {
  const changed = canonicalRegistryText(candidate) !== canonicalRegistryText(before);
  return { registry: changed ? { ...candidate, lastUpdated: utcTimestamp(now) } : before, changed };
}
