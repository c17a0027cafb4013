import { type ActiveEntry, type ActiveRecord, DEFAULT_PRUNE_KEEP } from "@baiengine/schema";
import { ActiveVersionError, EngineNotInstalledError, VersionNotInstalledError } from "../errors.js";
import { newestFirst } from "../history/engine-history.js";
import type { EnginesFolder, InstalledEngine, InstalledStore } from "./engines-folder.js";
import { bytesFreed, folderBytes } from "./file-usage.js";
import { accelPart } from "./platform-folder.js";
import { runtimeLinkOf, storeInodes, storesInUse } from "./runtime-links.js";

/**
 * Pure plans of `use`, `rollback`, `remove` and `prune` over what is on disk (`scanEnginesFolder`)
 * and the active record: which folders go, which runtime stores go with them (those no kept engine
 * links any more), the bytes that frees (counted by hard links: a file's data is freed only with its
 * last link), and the record afterwards. `--dry-run` prints them; `applyManagePlan` carries them out.
 */
export interface Removal {
  kind: "engine" | "runtime";
  /** Engine or runtime id. */
  id: string;
  version: string;
  /** Platform folder (`linux-x86_64-cpu`) or, for a runtime, `<os>-<arch>`. */
  platform: string;
  dir: string;
  /** Bytes of the folder's files (each file once). */
  bytes: number;
}

export interface ManagePlan {
  removals: Removal[];
  /** Bytes the removals give back to the file system (files whose every hard link goes). */
  bytesFreed: number;
  /** The active record afterwards; null when it does not change. */
  record: ActiveRecord | null;
  /** What changes, one line each, for people. */
  lines: string[];
  /** Why the plan is what it is (what was passed over, and why), one line each; changes nothing. */
  notes?: string[];
}

const MAX_PREVIOUS = 10;

export const activeEntry = (record: ActiveRecord, engineId: string, osArch: string): ActiveEntry | undefined => record.engines[engineId]?.[osArch];

export function isActive(record: ActiveRecord, e: Pick<InstalledEngine, "engineId" | "osArch" | "version" | "platform">): boolean {
  const a = activeEntry(record, e.engineId, e.osArch);
  return a !== undefined && a.version === e.version && a.platform === e.platform;
}

/** The record with `engineId` on `osArch` set to `entry` (or removed when null). Pure: the input is not changed. */
export function withActive(record: ActiveRecord, engineId: string, osArch: string, entry: ActiveEntry | null): ActiveRecord {
  const forEngine = { ...(record.engines[engineId] ?? {}) };
  if (entry === null) delete forEngine[osArch];
  else forEngine[osArch] = entry;
  const engines = { ...record.engines, [engineId]: forEngine };
  if (Object.keys(forEngine).length === 0) delete engines[engineId];
  return { ...record, engines };
}

/** The entry after switching to `to`: the one it replaces goes first into `previous`. */
export function switchedEntry(current: ActiveEntry | undefined, to: { version: string; platform: string }, how: { pinned: boolean; reason: string; now: Date }): ActiveEntry {
  const previous = current === undefined ? [] : [{ version: current.version, platform: current.platform }, ...current.previous];
  const kept = previous.filter((p, k) => !(p.version === to.version && p.platform === to.platform) && previous.findIndex((q) => q.version === p.version && q.platform === p.platform) === k);
  return { version: to.version, platform: to.platform, pinned: how.pinned, previous: kept.slice(0, MAX_PREVIOUS), since: how.now.toISOString().replace(/\.\d{3}Z$/, "Z"), reason: how.reason };
}

const accelOf = (e: Pick<InstalledEngine, "platform" | "osArch">) => accelPart(e.platform, e.osArch);

/** Installed platforms of one engine on one `<os>-<arch>`, newest version first. */
export function installedOf(folder: EnginesFolder, engineId: string, osArch: string): InstalledEngine[] {
  return newestFirst(folder.engines.filter((e) => e.engineId === engineId && e.osArch === osArch));
}

export interface RemoveRequest {
  engineId: string;
  version: string;
  accel?: string;
  /** Remove the active version too (the previous one is activated). */
  force?: boolean;
}

/** `remove <engine>@<version>`: that version's platform folders, and the runtime stores no kept engine links any more. */
export function planRemove(folder: EnginesFolder, record: ActiveRecord, req: RemoveRequest, now: Date): ManagePlan {
  const targets = folder.engines.filter((e) => e.engineId === req.engineId && e.version === req.version && (req.accel === undefined || accelOf(e) === req.accel));
  if (targets.length === 0) {
    const have = [...new Set(folder.engines.filter((e) => e.engineId === req.engineId).map((e) => e.version))];
    if (have.length === 0) throw new EngineNotInstalledError(req.engineId, folder.enginesDir, null);
    throw new VersionNotInstalledError(req.engineId, req.version, req.accel ?? null, null, have, "`engine-registry installed` lists what is installed");
  }
  const active = targets.find((e) => isActive(record, e));
  if (active && !req.force) throw new ActiveVersionError(active.engineId, active.version, active.platform, active.osArch);
  return planRemovals(folder, record, targets, now);
}

/** `prune [--keep N]`: per engine and platform folder, all but the active, the pinned and the N newest other versions. */
export function planPrune(folder: EnginesFolder, record: ActiveRecord, options: { keep?: number; engineId?: string }, now: Date): ManagePlan {
  const keep = options.keep ?? record.keep ?? DEFAULT_PRUNE_KEEP;
  const groups = new Map<string, InstalledEngine[]>();
  for (const e of folder.engines) {
    if (options.engineId !== undefined && e.engineId !== options.engineId) continue;
    const key = `${e.engineId}\n${e.platform}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const targets: InstalledEngine[] = [];
  for (const group of groups.values()) {
    const others = newestFirst(group).filter((e) => !isActive(record, e));
    targets.push(...others.slice(keep));
  }
  return planRemovals(folder, record, targets, now);
}

/** The removal of `targets`, the stores left unlinked, the bytes freed, and the record with a removed active version replaced. */
function planRemovals(folder: EnginesFolder, record: ActiveRecord, targets: InstalledEngine[], now: Date): ManagePlan {
  const removedDirs = new Set(targets.map((e) => e.dir));
  const inodes = storeInodes(folder.runtimes);
  const linkedStores = new Set(targets.flatMap((e) => runtimeLinkOf(e, folder.runtimes, inodes)?.stores ?? []));
  const inUse = storesInUse(folder, removedDirs);
  const stores = folder.runtimes.filter((s) => linkedStores.has(s.dir) && !inUse.has(s.dir));
  const removals: Removal[] = [
    ...newestFirst(targets).map((e) => ({ kind: "engine" as const, id: e.engineId, version: e.version, platform: e.platform, dir: e.dir, bytes: folderBytes(e.files) })),
    ...stores.map((s: InstalledStore) => ({ kind: "runtime" as const, id: s.runtimeId, version: s.version, platform: s.platform, dir: s.dir, bytes: folderBytes(s.files) })),
  ];
  const freed = bytesFreed([...targets.flatMap((e) => e.files), ...stores.flatMap((s) => s.files)]);
  const kept = folder.runtimes.filter((s) => linkedStores.has(s.dir) && inUse.has(s.dir));
  const lines = [
    ...removals.map((r) => `remove ${r.kind === "runtime" ? "runtime " : ""}${r.id} ${r.version} ${r.platform} (${r.bytes} bytes): ${r.dir}`),
    ...kept.map((s) => `keep runtime ${s.runtimeId} ${s.version} ${s.platform}: still linked by an installed engine`),
  ];
  let next = record;
  for (const e of targets.filter((t) => isActive(record, t))) {
    const remaining = installedOf(folder, e.engineId, e.osArch).filter((x) => !removedDirs.has(x.dir));
    const current = activeEntry(next, e.engineId, e.osArch)!;
    const names = new Set(remaining.map((x) => `${x.version}/${x.platform}`));
    const back = current.previous.find((p) => names.has(`${p.version}/${p.platform}`)) ?? remaining[0];
    const previous = current.previous.filter((p) => names.has(`${p.version}/${p.platform}`));
    next = withActive(next, e.engineId, e.osArch, back ? { ...switchedEntry({ ...current, previous }, back, { pinned: current.pinned, reason: "remove", now }), previous: previous.filter((p) => !(p.version === back.version && p.platform === back.platform)) } : null);
    lines.push(back ? `${e.engineId} on ${e.osArch}: ${e.version} ${e.platform} -> ${back.version} ${back.platform} (the removed version was active)` : `${e.engineId} on ${e.osArch}: no version left to activate`);
  }
  return { removals, bytesFreed: freed, record: next === record ? null : next, lines };
}
