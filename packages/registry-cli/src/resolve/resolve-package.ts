import { DEFAULT_CHANNEL, type EngineEntry, type PackageEntry, type Registry, packageUrl, runtimePackageUrl, type YankedEntry } from "@baiengine/schema";
import { InstallRefusedError, NoPackageFitsError } from "../errors.js";
import { PRERELEASE_CHANNEL, type PublishedVersion, publishedVersions } from "../history/engine-history.js";
import { type Choice, choosePackage, choosePackageFor, type PlatformRequest } from "./choose-package.js";
import type { HostFacts } from "./host-facts.js";

export interface Resolution {
  engineId: string;
  version: string;
  /** The version's channel: `stable`, `prerelease`, or another channel of the index's `versions[]`. */
  channel: string;
  entry: PackageEntry;
  url: string;
  reasons: string[];
  /** Set when the version was yanked and was taken because it was asked for by exact version. */
  yanked?: YankedEntry;
  /** The runtime pack the package needs (the index's `runtimes[]`, same platform), which install puts in first. */
  runtime?: { id: string; version: string; filename: string; url: string; size: number; sha256: string; installedSize?: number };
}

export interface ResolveOptions {
  /** Same as `channel: "prerelease"` (the engine's `prerelease` block and `versions[]` of that channel). */
  prerelease?: boolean;
  /** The channel to take the newest usable version of (default `stable`). */
  channel?: string;
  /** Exactly this version, from any channel, yanked or not. */
  version?: string;
  /** A mirror (http(s) or file://) instead of the index's `baseUrl`. */
  baseUrl?: string;
}

type Target = { request: PlatformRequest } | { host: HostFacts };

/**
 * The package of an engine for a platform (explicit request) or a host (detected facts), and its
 * download URL `{baseUrl}/{tag}/{filename}`. Without `version`: the newest version of the channel
 * (the index's history, `versions[]`, plus the design's `latestVersion`/`prerelease`) that is not
 * yanked and has a package that fits; each newer version passed over is one reason line (yanked, or
 * no package for this platform). With `version`: that version, even yanked (then `yanked` is set).
 * Throws InstallRefusedError (NoPackageFitsError when versions exist but no package fits).
 */
export function resolvePackage(registry: Registry, engineId: string, target: Target, options: ResolveOptions = {}): Resolution {
  const engine = registry.engines.find((e) => e.id === engineId);
  if (!engine) {
    throw new InstallRefusedError(`engine ${engineId} is not in the registry`, `known engines: ${registry.engines.map((e) => e.id).join(", ") || "none"}`);
  }
  const hostNotes = "host" in target ? target.host.notes.map((n) => `host: ${n}`) : [];
  const picked = options.version !== undefined ? exactVersion(engine, options.version, target) : newestUsable(engine, channelOf(options), target);
  const reasons = [...hostNotes, ...picked.reasons];
  const { version, choice } = picked;
  if (!choice.chosen) {
    // Asked for a platform explicitly: the fix is another one of those listed, not the same flags again.
    const hint = "request" in target ? "ask for one of the platforms the index has (the line lists them)" : "pass --os, --arch and --accel to pick one explicitly";
    throw new NoPackageFitsError(`no package of ${engineId} ${version.version} fits: ${reasons.join("; ")}`, hint, reasons);
  }
  const base = { baseUrl: options.baseUrl ?? registry.baseUrl };
  const runtime = indexedRuntime(registry, choice.chosen, base);
  return {
    engineId,
    version: version.version,
    channel: version.channel,
    entry: choice.chosen,
    url: packageUrl(base, engineId, choice.chosen),
    reasons,
    ...(version.yanked ? { yanked: version.yanked } : {}),
    ...(runtime ? { runtime } : {}),
  };
}

/** A yanked version taken because it was asked for by exact version, as a warning line (none otherwise). */
export function yankedWarnings(r: Pick<Resolution, "engineId" | "version" | "yanked">): string[] {
  return r.yanked ? [`${r.engineId} ${r.version} is yanked (${r.yanked.reason}); installing it because it was asked for by exact version`] : [];
}

const channelOf = (options: ResolveOptions) => (options.prerelease ? PRERELEASE_CHANNEL : (options.channel ?? DEFAULT_CHANNEL));

function choose(packages: PackageEntry[], target: Target): Choice {
  return "request" in target ? choosePackageFor(packages, target.request) : choosePackage(packages, target.host);
}

interface Picked {
  version: PublishedVersion;
  choice: Choice;
  reasons: string[];
}

function exactVersion(engine: EngineEntry, version: string, target: Target): Picked {
  const found = publishedVersions(engine).find((v) => v.version === version);
  if (!found) {
    const listed = publishedVersions(engine).map((v) => v.version);
    throw new InstallRefusedError(`engine ${engine.id} has no version ${version} in the index`, `published versions: ${listed.join(", ") || "none"}`);
  }
  const choice = choose(found.packages, target);
  const warning = found.yanked ? [`${version}: yanked (${found.yanked.reason}); taken because it was asked for by exact version`] : [];
  return { version: found, choice, reasons: [...warning, ...choice.reasons] };
}

function newestUsable(engine: EngineEntry, channel: string, target: Target): Picked {
  const candidates = publishedVersions(engine).filter((v) => v.channel === channel);
  if (candidates.length === 0) {
    const hint = channel === PRERELEASE_CHANNEL ? "drop --prerelease to use the stable version" : `channels in the index: ${[...new Set(publishedVersions(engine).map((v) => v.channel))].join(", ")}`;
    throw new InstallRefusedError(channel === PRERELEASE_CHANNEL ? `engine ${engine.id} has no pre-release` : `engine ${engine.id} has no ${channel} version`, hint);
  }
  const passed: string[] = [];
  let newestFailed: { version: PublishedVersion; choice: Choice; at: number } | null = null;
  for (const v of candidates) {
    if (v.yanked) {
      passed.push(`${v.version}: skipped, yanked (${v.yanked.reason})`);
      continue;
    }
    const choice = choose(v.packages, target);
    if (choice.chosen) return { version: v, choice, reasons: [...passed, ...choice.reasons] };
    newestFailed ??= { version: v, choice, at: passed.length };
    passed.push(`${v.version}: skipped, no package fits (${choice.reasons.join("; ")})`);
  }
  if (newestFailed === null) return { version: candidates[0]!, choice: { chosen: null, reasons: [] }, reasons: [...passed, `every ${channel} version is yanked`] };
  // Nothing fits: the newest unyanked version's own lines, one line for each other version passed over.
  const { version, choice, at } = newestFailed;
  return { version, choice, reasons: [...passed.slice(0, at), ...choice.reasons, ...passed.slice(at + 1)] };
}

/** The index's pack of the runtime a package entry names, for the entry's platform; null when it names none or the index lacks it. */
function indexedRuntime(registry: Registry, entry: PackageEntry, base: { baseUrl: string }): Resolution["runtime"] | null {
  if (entry.runtime === undefined) return null;
  const runtime = (registry.runtimes ?? []).find((r) => r.id === entry.runtime);
  const pack = runtime?.packages.find((p) => p.os === entry.os && p.arch === entry.arch);
  if (!runtime || !pack) return null;
  const installedSize = (pack as { installedSize?: unknown }).installedSize;
  return { id: runtime.id, version: runtime.latestVersion, filename: pack.filename, url: runtimePackageUrl(base, runtime.id, pack), size: pack.size, sha256: pack.sha256, ...(typeof installedSize === "number" ? { installedSize } : {}) };
}
