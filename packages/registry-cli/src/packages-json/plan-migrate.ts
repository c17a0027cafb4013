import {
  DEFAULT_CHANNEL,
  type EngineEntry,
  type PackageEntry,
  type PackagesIndex,
  platformKey,
  type Registry,
  type RuntimeEntry,
  type RuntimePackageEntry,
  safeParseRegistry,
} from "@baiengine/schema";
import { checkVersionOrder, mergePackages, type PackageDiff, type UpdateRefusal, withContent } from "../update/merge-version.js";
import { compareEngineVersions } from "../version/compare-versions.js";
import { keepsHistory, recordVersion } from "../history/engine-history.js";
import { engineFromLive, runtimeFromLive } from "./from-packages-index.js";

export interface MigrateOptions {
  /** Accept a packages.json whose version of an engine or runtime is below the index's. */
  allowDowngrade?: boolean;
}

/** What `migrate` does to one engine or runtime of the index. */
export interface MigrateItemChange extends Omit<PackageDiff<{ filename: string }>, "merged"> {
  kind: "engine" | "runtime";
  id: string;
  version: { from: string | null; to: string };
  releaseDate: string | null;
  clearedPrerelease: string | null;
}

export interface MigrateChanges {
  /** The index did not exist: it is created from packages.json alone. */
  newIndex: boolean;
  items: MigrateItemChange[];
  changed: boolean;
}

export type MigratePlan = { ok: true; registry: Registry; changes: MigrateChanges } | { ok: false; refusal: UpdateRefusal };

/**
 * Decides what `migrate` does: each engine and runtime of packages.json goes into the index the way
 * `update` publishes a version. A version below the index's is refused (all or nothing) unless
 * `allowDowngrade`, so replaying an old packages.json cannot roll the index back; the same version
 * merges by platform; `releaseDate` is packages.json's for a new version and the index's otherwise.
 * File names are kept: they are the keys of uploaded assets. Pure.
 */
export function planMigrate(target: Registry | null, source: PackagesIndex, options: MigrateOptions, now: Date): MigratePlan {
  if (target !== null && target.baseUrl !== source.baseUrl) {
    return refusal(`packages.json's baseUrl ${source.baseUrl} is not the index's ${target.baseUrl}`, "the listed files would not resolve; run set-base-url first if the files moved");
  }
  const before: Registry = target ?? { schemaVersion: 1, lastUpdated: source.lastUpdated, baseUrl: source.baseUrl, engines: [] };
  const engines = [...before.engines];
  const runtimes = [...(before.runtimes ?? [])];
  const items: MigrateItemChange[] = [];
  const downgrades: string[] = [];
  for (const live of source.engines) {
    const at = engines.findIndex((e) => e.id === live.id);
    const merged = mergeEngine(at >= 0 ? engines[at]! : null, engineFromLive(live), options, downgrades);
    if (at >= 0) engines[at] = merged.entry;
    else engines.push(merged.entry);
    items.push(merged.change);
  }
  for (const live of source.runtimes ?? []) {
    const at = runtimes.findIndex((r) => r.id === live.id);
    const merged = mergeRuntime(at >= 0 ? runtimes[at]! : null, runtimeFromLive(live), options, downgrades);
    if (at >= 0) runtimes[at] = merged.entry;
    else runtimes.push(merged.entry);
    items.push(merged.change);
  }
  if (downgrades.length > 0) return refusal("packages.json would lower versions the index has published", "pass --allow-downgrade if this is intended", downgrades);

  const candidate: Registry = { ...before, engines, ...(runtimes.length > 0 ? { runtimes } : {}) };
  const valid = safeParseRegistry(candidate);
  if (!valid.ok) return refusal("the migrated index would be invalid", "fix packages.json (or the index) at the listed fields", valid.issues);
  const { registry, changed } = target === null ? { registry: candidate, changed: true } : withContent(before, candidate, now);
  return { ok: true, registry, changes: { newIndex: target === null, items, changed } };
}

const refusal = (reason: string, hint: string, details: string[] = []): MigratePlan => ({ ok: false, refusal: { reason, hint, details } });

type Merged<E> = { entry: E; change: MigrateItemChange };

interface Versioned<P> {
  id: string;
  latestVersion: string;
  releaseDate?: string | undefined;
  packages: P[];
}

/** One engine or runtime: version order checked (refusals collected), packages merged by platform, releaseDate kept for the same version. */
function mergeItem<P extends { filename: string; size: number; sha256: string }, E extends Versioned<P>>(
  kind: MigrateItemChange["kind"],
  current: E | null,
  incoming: E,
  key: (p: P) => string,
  options: MigrateOptions,
  downgrades: string[],
): Merged<E> {
  const refused = checkVersionOrder(current, incoming.latestVersion, "stable", Boolean(options.allowDowngrade));
  if (refused) downgrades.push(`${kind} ${incoming.id}: ${refused.reason}`);
  const { merged, ...diff } = mergePackages(current?.packages ?? [], incoming.packages, key);
  const entry: E = { ...(current ?? {}), ...incoming, packages: merged };
  const sameVersion = current !== null && current.latestVersion === incoming.latestVersion && current.packages.length > 0;
  if (sameVersion && current.releaseDate !== undefined) entry.releaseDate = current.releaseDate;
  const change = { kind, id: incoming.id, version: { from: current?.latestVersion ?? null, to: incoming.latestVersion }, ...diff, releaseDate: entry.releaseDate ?? null, clearedPrerelease: null };
  return { entry, change };
}

/**
 * One engine: merged like `update` publishes a stable version, the version it replaces kept in
 * `versions[]`. A packages.json whose version is an older one the index's history already has (an
 * export taken while the latest was yanked) changes nothing: it is no downgrade.
 */
function mergeEngine(current: EngineEntry | null, incoming: EngineEntry, options: MigrateOptions, downgrades: string[]): Merged<EngineEntry> {
  if (current !== null && isOlderInHistory(current, incoming.latestVersion)) {
    const change = { kind: "engine" as const, id: current.id, version: { from: current.latestVersion, to: current.latestVersion }, added: [], replaced: [], removed: [], unchanged: current.packages.map((p) => p.filename), releaseDate: current.releaseDate ?? null, clearedPrerelease: null };
    return { entry: current, change };
  }
  const merged = mergeItem<PackageEntry, EngineEntry>("engine", current, incoming, platformKey, options, downgrades);
  if (keepsHistory(current, DEFAULT_CHANNEL, incoming.latestVersion)) {
    const { entry } = merged;
    merged.entry = recordVersion(entry, current, { version: entry.latestVersion, channel: DEFAULT_CHANNEL, releaseDate: entry.releaseDate ?? null, minAppVersion: entry.minAppVersion, packages: entry.packages });
  }
  const pre = current?.prerelease;
  if (pre && (compareEngineVersions(incoming.latestVersion, pre.version) ?? -1) >= 0) {
    delete merged.entry.prerelease;
    merged.change.clearedPrerelease = pre.version;
  }
  return merged;
}

function isOlderInHistory(current: EngineEntry, version: string): boolean {
  const order = compareEngineVersions(version, current.latestVersion);
  return order !== null && order < 0 && (current.versions ?? []).some((v) => v.version === version && (v.channel ?? DEFAULT_CHANNEL) === DEFAULT_CHANNEL);
}

function mergeRuntime(current: RuntimeEntry | null, incoming: RuntimeEntry, options: MigrateOptions, downgrades: string[]): Merged<RuntimeEntry> {
  return mergeItem<RuntimePackageEntry, RuntimeEntry>("runtime", current, incoming, (p) => `${p.os}-${p.arch}`, options, downgrades);
}
