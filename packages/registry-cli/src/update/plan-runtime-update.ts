import { utcDate } from "./merge-version.js";
import { type Registry, type RuntimeEntry, type RuntimePackageEntry, safeParseRegistry } from "@baiengine/schema";
import { canonicalRegistryText } from "../index-file/canonical-json.js";
import { utcTimestamp } from "../index-file/modify-index.js";
import { compareEngineVersions } from "../version/compare-versions.js";
import { describeFinding, errorFindings } from "@baiengine/verifier";
import type { ScanResult } from "./scan-packages.js";

export interface RuntimeUpdateOptions {
  runtimeId: string;
  /** The toolkit's version (`13.0.88`). */
  version: string;
  allowDowngrade?: boolean;
  name?: string;
  description?: string;
}

export interface RuntimeUpdateChanges {
  runtimeId: string;
  newRuntime: boolean;
  version: { from: string | null; to: string };
  added: string[];
  replaced: string[];
  removed: string[];
  unchanged: string[];
  changed: boolean;
}

export type RuntimeUpdatePlan =
  | { ok: true; registry: Registry; changes: RuntimeUpdateChanges }
  | { ok: false; refusal: { reason: string; hint: string; details: string[] } };

const refuse = (reason: string, hint: string, details: string[] = []): RuntimeUpdatePlan => ({ ok: false, refusal: { reason, hint, details } });
const platform = (p: { os: string; arch: string }) => `${p.os}-${p.arch}`;

/** The verified packs as index entries, or why they cannot be listed (failed verification, two for one platform). */
function runtimeEntries(scan: ScanResult): { entries: RuntimePackageEntry[] } | { refusal: RuntimeUpdatePlan } {
  const failed = scan.packages.filter((p) => !p.check.ok || !p.check.runtimeManifest);
  if (failed.length > 0) {
    const details = failed.flatMap((p) => {
      const errors = errorFindings(p.check.findings).map((f) => `${p.relativePath}: ${describeFinding(f)}`);
      return errors.length > 0 ? errors : [`${p.relativePath}: no runtime manifest`];
    });
    return { refusal: refuse(`${failed.length} runtime pack(s) failed verification`, "fix or rebuild those packs (run verify-engine on each for the full report)", details) };
  }
  const entries: RuntimePackageEntry[] = [];
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const p of scan.packages) {
    const m = p.check.runtimeManifest!;
    const first = seen.get(platform(m));
    if (first !== undefined) duplicates.push(`${platform(m)}: ${first} and ${p.relativePath}`);
    else seen.set(platform(m), p.relativePath);
    entries.push({ os: m.os, arch: m.arch, filename: p.filename, size: p.check.size, sha256: p.check.sha256 });
  }
  if (duplicates.length > 0) return { refusal: refuse("two files for one platform", "keep one file per platform in the packages folder", duplicates) };
  return { entries: entries.sort((a, b) => (a.filename < b.filename ? -1 : 1)) };
}

/**
 * Decides what `update --runtime` does, as data (pure): the registry with `runtimes[]` holding this
 * version's packs (fields a newer tool added to an entry are kept), what changed, or why it refuses —
 * including an index the schema would refuse (an engine package that needs this runtime for a platform
 * it no longer has).
 */
export function planRuntimeUpdate(registry: Registry, scan: ScanResult, options: RuntimeUpdateOptions, context: { metadata: { name: string; description: string } | null; now: Date }): RuntimeUpdatePlan {
  const { runtimeId, version } = options;
  if (scan.badNames.length > 0) return refuse("runtime pack file names do not parse", "rename the files to {runtimeId}-{version}-{os}-{arch}.bairuntime", scan.badNames.map((b) => `${b.relativePath}: ${b.reason}`));
  if (scan.packages.length === 0) return refuse(`no ${runtimeId}-${version}-*.bairuntime file in the packages folder`, "check --runtime, --version and --packages-dir");
  const listed = runtimeEntries(scan);
  if ("refusal" in listed) return listed.refusal;

  const runtimes = [...(registry.runtimes ?? [])];
  const index = runtimes.findIndex((r) => r.id === runtimeId);
  const current = index >= 0 ? runtimes[index]! : null;
  if (current) {
    const order = compareEngineVersions(version, current.latestVersion);
    if ((order === null || order < 0) && !options.allowDowngrade) return refuse(`version ${version} is not above the current ${current.latestVersion}`, "pass --allow-downgrade if this is intended");
  }
  const name = options.name ?? current?.name ?? context.metadata?.name;
  if (name === undefined) return refuse(`runtime ${runtimeId} is new and has no runtime profile`, "pass --name (and --description) for a new runtime");
  const old = new Map((current?.packages ?? []).map((p) => [platform(p), p]));
  const packages = listed.entries.map((e) => {
    const before = old.get(platform(e));
    return before && before.filename === e.filename ? { ...before, ...e } : e;
  });
  // Dated when a version is published, as an engine's is; a re-publish of the same version keeps its date.
  const releaseDate = current?.latestVersion === version ? current.releaseDate : utcDate(context.now);
  const runtime: RuntimeEntry = { ...(current ?? {}), id: runtimeId, name, description: options.description ?? current?.description ?? context.metadata?.description ?? "", latestVersion: version, ...(releaseDate !== undefined ? { releaseDate } : {}), packages };
  if (index >= 0) runtimes[index] = runtime;
  else runtimes.push(runtime);

  const candidate: Registry = { ...registry, runtimes };
  const valid = safeParseRegistry(candidate);
  if (!valid.ok) return refuse("the index would be invalid after this update", "publish runtime packs for every platform whose engine packages need this runtime", valid.issues);
  const changed = canonicalRegistryText(candidate) !== canonicalRegistryText(registry);
  const same = (e: RuntimePackageEntry) => old.get(platform(e))?.sha256 === e.sha256 && old.get(platform(e))?.filename === e.filename;
  return {
    ok: true,
    registry: changed ? { ...candidate, lastUpdated: utcTimestamp(context.now) } : registry,
    changes: {
      runtimeId,
      newRuntime: current === null,
      version: { from: current?.latestVersion ?? null, to: version },
      added: packages.filter((e) => !old.has(platform(e))).map((e) => e.filename),
      replaced: packages.filter((e) => old.has(platform(e)) && !same(e)).map((e) => e.filename),
      removed: [...old.values()].filter((p) => !packages.some((e) => platform(e) === platform(p))).map((p) => p.filename),
      unchanged: packages.filter(same).map((e) => e.filename),
      changed,
    },
  };
}
