import { type ActiveEntry, type ActiveRecord, DEFAULT_PRUNE_KEEP } from "@baiengine/schema";
import { InstallRefusedError } from "../errors.js";
import { newestFirst } from "../history/engine-history.js";
import type { EnginesFolder, InstalledEngine, InstalledStore } from "./engines-folder.js";
import { bytesFreed, folderBytes } from "./file-usage.js";
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

const accelOf = (e: Pick<InstalledEngine, "platform" | "osArch">) => e.platform.slice(e.osArch.length + 1);
const describe = (e: Pick<InstalledEngine, "engineId" | "version" | "platform">) => `${e.engineId} ${e.version} ${e.platform}`;

/** Installed platforms of one engine on one `<os>-<arch>`, newest version first. */
export function installedOf(folder: EnginesFolder, engineId: string, osArch: string): InstalledEngine[] {
  return newestFirst(folder.engines.filter((e) => e.engineId === engineId && e.osArch === osArch));
}

export interface UseRequest {
  engineId: string;
  /** A version, or `latest`: unpin and follow the newest installed version. */
  version: string;
  /** The accelerator part of the platform folder (`cpu`, `cuda13`), when a version has several installed. */
  accel?: string;
  osArch: string;
}

/** `use <engine>@<version>`: activates and pins that installed version; `@latest` unpins (and takes the newest installed). */
export function planUse(folder: EnginesFolder, record: ActiveRecord, req: UseRequest, now: Date): ManagePlan {
  const current = activeEntry(record, req.engineId, req.osArch);
  const installed = installedOf(folder, req.engineId, req.osArch);
  if (installed.length === 0) throw new InstallRefusedError(`${req.engineId} is not installed for ${req.osArch}`, `install it first: install --engine ${req.engineId}`);
  const latest = req.version === "latest";
  const candidates = latest ? installed.filter((e) => e.version === installed[0]!.version) : installed.filter((e) => e.version === req.version);
  if (candidates.length === 0) {
    throw new InstallRefusedError(`${req.engineId} ${req.version} is not installed for ${req.osArch} (installed: ${[...new Set(installed.map((e) => e.version))].join(", ")})`, `install it first: install --engine ${req.engineId}@${req.version}`);
  }
  const target = pickPlatform(candidates, req.accel, current);
  const entry = switchedEntry(current, target, { pinned: !latest, reason: latest ? "use latest" : "use", now });
  const next = withActive(record, req.engineId, req.osArch, current?.version === target.version && current.platform === target.platform ? { ...current, pinned: !latest } : entry);
  const state = latest ? "following updates (unpinned)" : "pinned";
  return { removals: [], bytesFreed: 0, record: next, lines: [`${req.engineId} on ${req.osArch}: ${current ? `${current.version} ${current.platform}` : "(none)"} -> ${target.version} ${target.platform}, ${state}`] };
}

/** The platform folder of a version to activate: the asked accelerator, else the active one's, else the only one. */
function pickPlatform(candidates: InstalledEngine[], accel: string | undefined, current: ActiveEntry | undefined): InstalledEngine {
  if (accel !== undefined) {
    const hit = candidates.find((e) => accelOf(e) === accel);
    if (!hit) throw new InstallRefusedError(`${candidates[0]!.engineId} ${candidates[0]!.version} is not installed for ${accel} (installed: ${candidates.map(accelOf).join(", ")})`, "pass one of the installed accelerators with --accel");
    return hit;
  }
  const same = current ? candidates.find((e) => accelOf(e) === current.platform.slice(candidates[0]!.osArch.length + 1)) : undefined;
  if (same) return same;
  if (candidates.length === 1) return candidates[0]!;
  throw new InstallRefusedError(`${candidates[0]!.engineId} ${candidates[0]!.version} is installed for several accelerators: ${candidates.map(accelOf).join(", ")}`, "pick one with --accel");
}

/** `rollback <engine>`: back to the most recent previously active version that is still installed (pinned, like `use`). */
export function planRollback(folder: EnginesFolder, record: ActiveRecord, engineId: string, osArch: string, now: Date): ManagePlan {
  const current = activeEntry(record, engineId, osArch);
  if (!current) throw new InstallRefusedError(`${engineId} has no active version on ${osArch}`, `install it, or pick one: use ${engineId}@<version>`);
  const installed = new Set(installedOf(folder, engineId, osArch).map((e) => `${e.version}/${e.platform}`));
  const back = current.previous.find((p) => installed.has(`${p.version}/${p.platform}`));
  if (!back) throw new InstallRefusedError(`${engineId} has no earlier active version still installed on ${osArch}`, `install one and pick it: use ${engineId}@<version>`);
  const next = withActive(record, engineId, osArch, switchedEntry(current, back, { pinned: true, reason: "rollback", now }));
  return { removals: [], bytesFreed: 0, record: next, lines: [`${engineId} on ${osArch}: ${current.version} ${current.platform} -> ${back.version} ${back.platform} (rolled back, pinned; use ${engineId}@latest to follow updates again)`] };
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
    throw new InstallRefusedError(`${req.engineId} ${req.version}${req.accel ? ` ${req.accel}` : ""} is not installed in ${folder.enginesDir}`, have.length > 0 ? `installed versions: ${have.join(", ")}` : `${req.engineId} has no installed version`);
  }
  const active = targets.filter((e) => isActive(record, e));
  if (active.length > 0 && !req.force) {
    throw new InstallRefusedError(`${describe(active[0]!)} is the active version`, `pick another first (use ${req.engineId}@<version>), or pass --force: the previously active version is then activated`);
  }
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
