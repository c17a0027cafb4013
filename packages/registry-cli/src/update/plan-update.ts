import { type EngineEntry, type PackageEntry, type Registry, platformKey } from "@baiengine/schema";
import { canonicalRegistryText } from "../index-file/canonical-json.js";
import { utcTimestamp } from "../index-file/modify-index.js";
import { compareVersions } from "../version/compare-versions.js";
import { describeFinding, errorFindings } from "@baiengine/verifier";
import type { EngineMetadata } from "./engine-metadata.js";
import type { ScanResult } from "./scan-packages.js";

export interface UpdateOptions {
  engineId: string;
  version: string;
  /** Publish into `engines[].prerelease` instead of `latestVersion`/`packages` (see README). */
  prerelease?: boolean;
  allowDowngrade?: boolean;
  name?: string;
  description?: string;
}

export interface UpdateChanges {
  engineId: string;
  channel: "stable" | "prerelease";
  newEngine: boolean;
  version: { from: string | null; to: string };
  added: string[];
  replaced: string[];
  removed: string[];
  unchanged: string[];
  /** A stable version at or above the pre-release clears it. */
  clearedPrerelease: string | null;
  /** Whether the index content changes at all (when not, the file and `lastUpdated` stay). */
  changed: boolean;
}

export interface UpdateRefusal {
  reason: string;
  hint: string;
  details: string[];
}

export type UpdatePlan = { ok: true; registry: Registry; changes: UpdateChanges } | { ok: false; refusal: UpdateRefusal };

const refuse = (reason: string, hint: string, details: string[] = []): UpdatePlan => ({ ok: false, refusal: { reason, hint, details } });

const byFilename = (a: PackageEntry, b: PackageEntry) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0);

/**
 * Decides what `update` does, as data: the new registry and what changed, or why it refuses. Pure:
 * `scan` carries the verifier's reports, `metadata` the engine profile, `now` the clock.
 */
export function planUpdate(
  registry: Registry,
  scan: ScanResult,
  options: UpdateOptions,
  context: { metadata: EngineMetadata | null; now: Date },
): UpdatePlan {
  const { engineId, version } = options;
  const channel = options.prerelease ? "prerelease" : "stable";

  if (scan.badNames.length > 0) {
    return refuse("package file names do not parse", "rename the files to {engine}-{version}-{os}-{arch}-{accelerator}.baiengine", scan.badNames.map((b) => `${b.relativePath}: ${b.reason}`));
  }
  if (scan.packages.length === 0) {
    return refuse(`no ${engineId}-${version}-*.baiengine file in the packages folder`, "check --engine, --version and --packages-dir");
  }
  const failed = scan.packages.filter((p) => !p.check.ok || p.check.manifest === null);
  if (failed.length > 0) {
    return refuse(
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
    };
    const key = platformKey(entry);
    const first = seen.get(key);
    if (first !== undefined) duplicates.push(`${key}: ${first} and ${p.relativePath}`);
    else seen.set(key, p.relativePath);
    entries.push(entry);
  }
  if (duplicates.length > 0) {
    return refuse("two files for one platform", "keep one file per platform in the packages folder", duplicates);
  }

  const index = registry.engines.findIndex((e) => e.id === engineId);
  const current = index >= 0 ? registry.engines[index]! : null;

  if (current === null && channel === "prerelease") {
    return refuse(`engine ${engineId} has no stable version yet; a pre-release needs one`, "publish a stable version first (without --prerelease)");
  }

  // Version order: a stable release never goes below the current one; a pre-release never below the
  // stable one nor below an earlier pre-release.
  const floors = current === null ? [] : channel === "stable" ? [current.latestVersion] : [current.latestVersion, current.prerelease?.version].filter((v): v is string => v !== undefined);
  for (const floor of floors) {
    const order = compareVersions(version, floor);
    const isDowngrade = order === null || order < 0 || (channel === "prerelease" && floor === current?.latestVersion && order === 0);
    if (isDowngrade && !options.allowDowngrade) {
      return refuse(
        order === null ? `cannot order version ${version} against the current ${floor} (different version schemes)` : `version ${version} is not above the current ${floor}`,
        "pass --allow-downgrade if this is intended",
      );
    }
  }

  // Compared by platform: a new build of linux-x86_64-cpu "replaces" the old one, even across versions.
  const oldAll = current === null ? [] : channel === "stable" ? current.packages : (current.prerelease?.packages ?? []);
  const oldByKey = new Map(oldAll.map((p) => [platformKey(p), p]));
  const newKeys = new Set(entries.map((e) => platformKey(e)));
  // Re-publishing the same file keeps fields a newer tool added to its entry.
  const merged = entries
    .map((e) => {
      const old = oldByKey.get(platformKey(e));
      return old && old.filename === e.filename ? { ...old, ...e } : e;
    })
    .sort(byFilename);

  const added: string[] = [];
  const replaced: string[] = [];
  const unchanged: string[] = [];
  for (const e of merged) {
    const old = oldByKey.get(platformKey(e));
    if (!old) added.push(e.filename);
    else if (old.filename === e.filename && old.sha256 === e.sha256 && old.size === e.size) unchanged.push(e.filename);
    else replaced.push(e.filename);
  }
  const removed = oldAll.filter((p) => !newKeys.has(platformKey(p))).map((p) => p.filename);

  let engine: EngineEntry;
  let clearedPrerelease: string | null = null;
  if (current === null) {
    const name = options.name ?? context.metadata?.name;
    const modelFormats = context.metadata?.modelFormats ?? [...new Set(scan.packages.flatMap((p) => p.check.manifest!.modelFormats))];
    if (name === undefined) {
      return refuse(`engine ${engineId} is new and has no engine profile`, "pass --name (and --description) for a new engine");
    }
    engine = { id: engineId, name, description: options.description ?? context.metadata?.description ?? "", latestVersion: version, modelFormats, packages: merged };
  } else {
    engine = { ...current };
    if (options.name !== undefined) engine.name = options.name;
    if (options.description !== undefined) engine.description = options.description;
    if (channel === "stable") {
      engine.latestVersion = version;
      engine.packages = merged;
      const pre = current.prerelease;
      if (pre) {
        const order = compareVersions(version, pre.version);
        if (order !== null && order >= 0) {
          clearedPrerelease = pre.version;
          delete engine.prerelease;
        }
      }
    } else {
      const keep = current.prerelease?.version === version ? current.prerelease : {};
      engine.prerelease = { ...keep, version, packages: merged };
    }
  }

  const engines = [...registry.engines];
  if (index >= 0) engines[index] = engine;
  else engines.push(engine);
  const candidate: Registry = { ...registry, engines };
  const changed = canonicalRegistryText(candidate) !== canonicalRegistryText(registry);
  const next: Registry = changed ? { ...candidate, lastUpdated: utcTimestamp(context.now) } : registry;

  const from = current === null ? null : channel === "stable" ? current.latestVersion : (current.prerelease?.version ?? null);
  return {
    ok: true,
    registry: next,
    changes: { engineId, channel, newEngine: current === null, version: { from, to: version }, added, replaced, removed, unchanged, clearedPrerelease, changed },
  };
}
