import { type EngineEntry, type EntryRequirements, type Manifest, type PackageEntry, type PlaceholderPackage, platformKey, type Registry, runtimeVersionSatisfies, safeParseRegistry } from "@baiengine/schema";
import { describeFinding, errorFindings } from "@baiengine/verifier";
import { keepsHistory, PRERELEASE_CHANNEL, publishedVersions, recordVersion } from "../history/engine-history.js";
import { compareEngineVersions } from "../version/compare-versions.js";
import type { EngineMetadata } from "./engine-metadata.js";
import { checkVersionOrder, highestVersion, mergeEnginePackages, publishesVersion, type UpdateRefusal, utcDate, withEngine } from "./merge-version.js";
import type { ScanResult } from "./scan-packages.js";

export type { UpdateRefusal } from "./merge-version.js";

export interface UpdateOptions {
  engineId: string;
  version: string;
  /** Publish into `engines[].prerelease` instead of `latestVersion`/`packages` (see README). */
  prerelease?: boolean;
  /**
   * A release channel other than stable (`beta`, `nightly`): the version goes into `versions[]` only,
   * leaving `latestVersion`/`packages` (stable users) alone. `prerelease` is the same as `--prerelease`.
   */
  channel?: string;
  allowDowngrade?: boolean;
  name?: string;
  description?: string;
}

export interface UpdateChanges {
  engineId: string;
  /** `stable`, `prerelease`, or another channel of `versions[]`. */
  channel: string;
  newEngine: boolean;
  version: { from: string | null; to: string };
  added: string[];
  replaced: string[];
  removed: string[];
  unchanged: string[];
  /** Planned packages (placeholders) of this engine with no file in the folder: not published. */
  planned: string[];
  /** A stable version at or above the pre-release clears it. */
  clearedPrerelease: string | null;
  /** `releaseDate` after the update: today's when this publishes a version, otherwise the one it had. */
  releaseDate: string | null;
  /** Whether the index content changes at all (when not, the file and `lastUpdated` stay). */
  changed: boolean;
}

export type UpdatePlan = { ok: true; registry: Registry; changes: UpdateChanges } | { ok: false; refusal: UpdateRefusal };

export interface UpdateContext {
  metadata: EngineMetadata | null;
  now: Date;
  /** Planned packages the index was read with (left out of `registry`); only this engine's channel may have them. */
  placeholders?: PlaceholderPackage[];
}

/** The manifest's requirements an index entry carries (schema `EntryRequirements`), only those present; nothing when none. */
function entryRequirements(m: Manifest): { requirements?: EntryRequirements } {
  const r = m.requirements ?? {};
  const picked: EntryRequirements = {
    ...(r.glibc ? { glibc: r.glibc } : {}),
    ...(r.glibcxx ? { glibcxx: r.glibcxx } : {}),
    ...(r.macosMin ? { macosMin: r.macosMin } : {}),
    ...(r.cudaArchitectures && r.cudaArchitectures.length > 0 ? { cudaArchitectures: [...r.cudaArchitectures] } : {}),
  };
  return Object.keys(picked).length > 0 ? { requirements: picked } : {};
}

const refuse = (reason: string, hint: string, details: string[] = []): UpdatePlan => ({ ok: false, refusal: { reason, hint, details } });

/**
 * Decides what `update` does, as data: the new registry and what changed, or why it refuses. Pure:
 * `scan` carries the verifier's reports, `metadata` the engine profile, `now` the clock.
 */
export function planUpdate(registry: Registry, scan: ScanResult, options: UpdateOptions, context: UpdateContext): UpdatePlan {
  const { engineId, version } = options;
  const channel = options.prerelease ? PRERELEASE_CHANNEL : (options.channel ?? "stable");
  const entries = entriesOf(scan, engineId, version);
  if ("reason" in entries) return { ok: false, refusal: entries };
  const placeholders = context.placeholders ?? [];
  const foreign = placeholders.filter((p) => p.engineId !== engineId || p.channel !== channel);
  if (foreign.length > 0) {
    return refuse(`engines.json has planned packages (placeholders) outside ${engineId}'s ${channel} packages`, "publish those engines first, or remove their planned entries", foreign.map(describePlaceholder));
  }

  const index = registry.engines.findIndex((e) => e.id === engineId);
  const current = index >= 0 ? registry.engines[index]! : null;
  if (current === null && channel !== "stable") {
    return refuse(`engine ${engineId} has no stable version yet; a ${channel} version needs one`, `publish a stable version first (without --${channel === PRERELEASE_CHANNEL ? "prerelease" : "channel"})`);
  }
  const order = channel === "stable" || channel === PRERELEASE_CHANNEL ? checkVersionOrder(current, version, channel, Boolean(options.allowDowngrade)) : checkChannelOrder(current!, channel, version, Boolean(options.allowDowngrade));
  if (order) return { ok: false, refusal: order };

  const previous = previousOf(current, channel);
  const diff = mergeEnginePackages(previous?.packages ?? [], entries);
  const publishes = publishesVersion(previous, version);
  const releaseDate = publishes ? utcDate(context.now) : (previous?.releaseDate ?? null);
  const minAppVersion = highestVersion(scan.packages.map((p) => p.check.manifest!.minAppVersion));
  const next = nextEngine(current, { options, channel, packages: diff.merged, releaseDate, minAppVersion: publishes ? minAppVersion : undefined, scan, metadata: context.metadata });
  if ("reason" in next) return { ok: false, refusal: next };

  const newKeys = new Set(entries.map(platformKey));
  const planned = placeholders.filter((p) => !newKeys.has(p.platform)).map((p) => p.filename);
  const { registry: result, changed } = withEngine(registry, index, next.engine, context.now);
  // The schema's cross-field rules, runtime edges included: a package whose runtime the index lacks for its platform.
  const valid = safeParseRegistry(result);
  if (!valid.ok) return refuse("the index would be invalid after this update", "publish the runtime packs these packages need first (engine-registry update --runtime <id> --version <v>)", valid.issues);
  const older = runtimesTooOld(result, scan);
  if (older.length > 0) return refuse("the index's runtime is older than these packages need", "publish the runtime version they need first (engine-registry update --runtime <id> --version <v>)", older);
  const { merged: _merged, ...lists } = diff;
  return {
    ok: true,
    registry: result,
    changes: { engineId, channel, newEngine: current === null, version: { from: previous?.version ?? null, to: version }, ...lists, planned, clearedPrerelease: next.clearedPrerelease, releaseDate, changed },
  };
}

/** What this channel had before: its newest version (a channel of `versions[]`), the stable latest or the pre-release. */
function previousOf(current: EngineEntry | null, channel: string): { version: string; packages: PackageEntry[]; releaseDate?: string | undefined } | null {
  if (current === null) return null;
  if (channel === "stable") return { version: current.latestVersion, packages: current.packages, releaseDate: current.releaseDate };
  if (channel === PRERELEASE_CHANNEL) return current.prerelease ?? null;
  return publishedVersions(current).find((v) => v.channel === channel) ?? null;
}

/** A channel of `versions[]` never goes below its own newest version (nor to one of another scheme) unless allowed. */
function checkChannelOrder(current: EngineEntry, channel: string, version: string, allowDowngrade: boolean): UpdateRefusal | null {
  const taken = publishedVersions(current).find((v) => v.version === version);
  if (taken && taken.channel !== channel) return { reason: `version ${version} is already published in the ${taken.channel} channel`, hint: "publish it under that channel, or use a new version", details: [] };
  const newest = previousOf(current, channel);
  if (newest === null || allowDowngrade || newest.version === version) return null;
  const order = compareEngineVersions(version, newest.version);
  if (order !== null && order > 0) return null;
  return {
    reason: order === null ? `cannot order version ${version} against the ${channel} channel's ${newest.version} (different version schemes)` : `version ${version} is not above the ${channel} channel's ${newest.version}`,
    hint: "pass --allow-downgrade if this is intended",
    details: [],
  };
}

/**
 * Packages whose manifest needs a newer runtime (`runtime.minVersion`) than the index's
 * `latestVersion` of it, one line each: the index entry carries only the runtime's id, so an install
 * would fetch the old runtime and then refuse the engine.
 */
function runtimesTooOld(registry: Registry, scan: ScanResult): string[] {
  const latest = new Map((registry.runtimes ?? []).map((r) => [r.id, r.latestVersion]));
  return scan.packages.flatMap((p) => {
    const need = p.check.manifest?.runtime;
    const have = need ? latest.get(need.id) : undefined;
    if (!need || have === undefined || runtimeVersionSatisfies(have, need.minVersion)) return [];
    return [`${p.relativePath}: needs runtime ${need.id} ${need.minVersion} or newer; the index's latest is ${have}`];
  });
}

export function describePlaceholder(p: PlaceholderPackage): string {
  return `${p.where}: ${p.filename}: planned, not published (${p.fields})`;
}

/** The scan's packages as index entries, or why they cannot be published. */
function entriesOf(scan: ScanResult, engineId: string, version: string): PackageEntry[] | UpdateRefusal {
  const no = (reason: string, hint: string, details: string[] = []): UpdateRefusal => ({ reason, hint, details });
  if (scan.badNames.length > 0) {
    return no("package file names do not parse", "rename the files to {engine}-{version}-{os}-{arch}-{accelerator}.baiengine", scan.badNames.map((b) => `${b.relativePath}: ${b.reason}`));
  }
  if (scan.packages.length === 0) return no(`no ${engineId}-${version}-*.baiengine file in the packages folder`, "check --engine, --version and --packages-dir");
  const failed = scan.packages.filter((p) => !p.check.ok || p.check.manifest === null);
  if (failed.length > 0) {
    return no(
      `${failed.length} package(s) failed verification`,
      "fix or rebuild those packages (run verify-engine on each for the full report)",
      failed.flatMap((p) => errorFindings(p.check.findings).map((f) => `${p.relativePath}: ${describeFinding(f)}`)).concat(
        failed.filter((p) => errorFindings(p.check.findings).length === 0).map((p) => `${p.relativePath}: no manifest`),
      ),
    );
  }
  const entries: PackageEntry[] = [];
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const p of scan.packages) {
    const m = p.check.manifest!;
    const entry: PackageEntry = {
      os: m.os,
      arch: m.arch,
      accelerator: m.accelerator,
      acceleratorVersion: m.acceleratorVersion,
      ...(m.variant !== undefined ? { variant: m.variant } : {}),
      filename: p.filename,
      size: p.check.size,
      sha256: p.check.sha256,
      ...(p.check.uncompressedSize ? { installedSize: p.check.uncompressedSize } : {}),
      ...entryRequirements(m),
      ...(m.runtime !== undefined ? { runtime: m.runtime.id } : {}),
    };
    const key = platformKey(entry);
    const first = seen.get(key);
    if (first !== undefined) duplicates.push(`${key}: ${first} and ${p.relativePath}`);
    else seen.set(key, p.relativePath);
    entries.push(entry);
  }
  return duplicates.length > 0 ? no("two files for one platform", "keep one file per platform in the packages folder", duplicates) : entries;
}

interface NextEngineInput {
  options: UpdateOptions;
  channel: string;
  packages: PackageEntry[];
  releaseDate: string | null;
  minAppVersion: string | undefined;
  scan: ScanResult;
  metadata: EngineMetadata | null;
}

/**
 * The engine entry after the update, with the version recorded in its history (`versions[]`: appended,
 * or that version's packages replaced); the design's places (`latestVersion`/`packages`,
 * `prerelease`) hold the newest of their channel as before.
 */
function nextEngine(current: EngineEntry | null, input: NextEngineInput): { engine: EngineEntry; clearedPrerelease: string | null } | UpdateRefusal {
  const next = placeVersion(current, input);
  if ("reason" in next) return next;
  if (!keepsHistory(current, input.channel, input.options.version)) return next;
  const recorded = { version: input.options.version, channel: input.channel, releaseDate: input.releaseDate, minAppVersion: input.minAppVersion, packages: input.packages };
  return { ...next, engine: recordVersion(next.engine, current, recorded) };
}

/** The engine entry's design places after the update; a stable version at or above the pre-release clears it. */
function placeVersion(current: EngineEntry | null, input: NextEngineInput): { engine: EngineEntry; clearedPrerelease: string | null } | UpdateRefusal {
  const { options, packages, metadata } = input;
  const dated = input.releaseDate === null ? {} : { releaseDate: input.releaseDate };
  if (current === null) {
    const name = options.name ?? metadata?.name;
    if (name === undefined) return { reason: `engine ${options.engineId} is new and has no engine profile`, hint: "pass --name (and --description) for a new engine", details: [] };
    const modelFormats = metadata?.modelFormats ?? [...new Set(input.scan.packages.flatMap((p) => p.check.manifest!.modelFormats))];
    const engine: EngineEntry = { id: options.engineId, name, description: options.description ?? metadata?.description ?? "", latestVersion: options.version, ...dated, modelFormats, packages };
    if (input.minAppVersion !== undefined) engine.minAppVersion = input.minAppVersion;
    return { engine, clearedPrerelease: null };
  }
  const engine: EngineEntry = { ...current };
  if (options.name !== undefined) engine.name = options.name;
  if (options.description !== undefined) engine.description = options.description;
  if (input.channel !== "stable" && input.channel !== PRERELEASE_CHANNEL) return { engine, clearedPrerelease: null };
  if (input.channel === PRERELEASE_CHANNEL) {
    const keep = current.prerelease?.version === options.version ? current.prerelease : {};
    engine.prerelease = { ...keep, version: options.version, ...dated, packages };
    return { engine, clearedPrerelease: null };
  }
  Object.assign(engine, { latestVersion: options.version, ...dated, packages });
  if (input.minAppVersion !== undefined) engine.minAppVersion = input.minAppVersion;
  const pre = current.prerelease;
  const order = pre ? compareEngineVersions(options.version, pre.version) : null;
  if (pre && order !== null && order >= 0) {
    delete engine.prerelease;
    return { engine, clearedPrerelease: pre.version };
  }
  return { engine, clearedPrerelease: null };
}
