import { type ActiveEntry, type ActiveRecord, DEFAULT_PRUNE_KEEP } from "@baiengine/schema";
import { ActiveVersionError, EngineNotInstalledError, VersionNotInstalledError } from "../errors.js";
import { newestFirst } from "../history/engine-history.js";
import type { EngineStray, EnginesFolder, InstalledEngine, InstalledStore, RuntimeStray, StrayFolder } from "./engines-folder.js";
import { bytesFreed, folderBytes } from "./file-usage.js";
import { accelOfFolder } from "./platform-folder.js";
import { runtimeLinkOf, storeInodes, storesInUse } from "./runtime-links.js";

/**
 * Pure plans of `use`, `rollback`, `remove` and `prune` over what is on disk (`scanEnginesFolder`)
 * and the active record: which folders go, which runtime stores go with them (those no kept engine
 * links any more), the bytes that frees (counted by hard links: a file's data is freed only with its
 * last link), and the record afterwards. `--dry-run` prints them; `applyManagePlan` carries them out.
 */
export interface Removal {
  /** `stray`: a damaged platform folder or a leftover of an interrupted install (`reason` says which). */
  kind: "engine" | "runtime" | "stray";
  /** Engine or runtime id. */
  id: string;
  version: string;
  /** Platform folder (`linux-x86_64-cpu`) or, for a runtime, `<os>-<arch>`. */
  platform: string;
  dir: string;
  /** Bytes of the folder's files (each file once). */
  bytes: number;
  /** For a stray or a damaged runtime store: what it is (`damaged: its server ... is missing`). */
  reason?: string;
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

type EngineStrayFolder = StrayFolder & { engine: EngineStray };
type RuntimeStrayFolder = StrayFolder & { runtime: RuntimeStray };

/** Strays of engine versions `remove` and `prune` take (damaged platform folders, leftovers of interrupted installs), and the notes on those left alone. */
function straysFor(folder: EnginesFolder, match: (s: EngineStray) => boolean): { strays: EngineStrayFolder[]; notes: string[] } {
  const all = folder.strays.filter((s): s is EngineStrayFolder => s.engine !== undefined && match(s.engine));
  return { strays: all.filter((s) => s.engine.leave === null), notes: all.filter((s) => s.engine.leave !== null).map((s) => `left ${s.dir}: ${s.engine.leave}`) };
}

/** Runtime strays `prune` takes (damaged stores no engine links, leftovers of dead runtime installs), and the notes on those left alone. */
function runtimeStraysOf(folder: EnginesFolder): { strays: RuntimeStrayFolder[]; notes: string[] } {
  const all = folder.strays.filter((s): s is RuntimeStrayFolder => s.runtime !== undefined);
  return { strays: all.filter((s) => s.runtime.leave === null), notes: all.filter((s) => s.runtime.leave !== null).map((s) => `left ${s.dir}: ${s.runtime.leave}`) };
}

/**
 * `remove <engine>@<version>`: that version's platform folders (`accel`: one), the damaged ones and
 * leftovers of interrupted installs of it too, and the runtime stores no kept engine links any more.
 * Throws EngineNotInstalledError, VersionNotInstalledError, or ActiveVersionError (the active
 * version without `force`).
 */
export function planRemove(folder: EnginesFolder, record: ActiveRecord, req: RemoveRequest, now: Date): ManagePlan {
  const matches = (x: { engineId: string; version: string; platform: string }) => x.engineId === req.engineId && x.version === req.version && (req.accel === undefined || accelOfFolder(x.platform) === req.accel);
  const targets = folder.engines.filter(matches);
  const { strays, notes } = straysFor(folder, matches);
  if (targets.length === 0 && strays.length === 0) {
    const have = [...new Set(folder.engines.filter((e) => e.engineId === req.engineId).map((e) => e.version))];
    if (have.length === 0) throw new EngineNotInstalledError(req.engineId, folder.enginesDir, null);
    throw new VersionNotInstalledError(req.engineId, req.version, req.accel ?? null, null, have, "`engine-registry installed` lists what is installed");
  }
  const active = targets.find((e) => isActive(record, e));
  if (active && !req.force) throw new ActiveVersionError(active.engineId, active.version, active.platform, active.osArch);
  return { ...planRemovals(folder, record, targets, strays, now), notes };
}

/**
 * `prune [--keep N]`: per engine and platform folder, all but the active (the pinned one is the
 * active one) and the N newest other versions; damaged platform folders and leftovers of interrupted
 * installs (never one in progress) go too, and without `engineId` the damaged runtime stores no
 * installed engine links. `save` records N as prune's default (`keep` in the record). Throws
 * EngineNotInstalledError for an `engineId` with nothing installed.
 */
export function planPrune(folder: EnginesFolder, record: ActiveRecord, options: { keep?: number; engineId?: string; save?: boolean }, now: Date): ManagePlan {
  const keep = options.keep ?? record.keep ?? DEFAULT_PRUNE_KEEP;
  const ofEngine = (x: { engineId: string }) => options.engineId === undefined || x.engineId === options.engineId;
  const { strays, notes } = straysFor(folder, ofEngine);
  if (options.engineId !== undefined && !folder.engines.some(ofEngine) && strays.length === 0 && notes.length === 0) throw new EngineNotInstalledError(options.engineId, folder.enginesDir, null);
  const groups = new Map<string, InstalledEngine[]>();
  for (const e of folder.engines.filter(ofEngine)) {
    const key = `${e.engineId}\n${e.platform}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const targets: InstalledEngine[] = [];
  for (const group of groups.values()) {
    const others = newestFirst(group).filter((e) => !isActive(record, e));
    targets.push(...others.slice(keep));
  }
  const runtime = options.engineId === undefined ? runtimeStraysOf(folder) : { strays: [], notes: [] };
  const saved = options.save && record.keep !== keep ? { ...record, keep } : record;
  const plan = planRemovals(folder, saved, targets, strays, now, runtime.strays);
  const allNotes = [...notes, ...runtime.notes];
  if (saved === record) return { ...plan, notes: allNotes };
  return { ...plan, record: plan.record ?? saved, lines: [...plan.lines, `prune's default --keep: ${record.keep ?? `${DEFAULT_PRUNE_KEEP} (built in)`} -> ${keep}, saved in the active record`], notes: allNotes };
}

const STRAY_REASONS: Record<EngineStray["kind"], string> = {
  damaged: "damaged",
  installing: "left half-installed by an interrupted install",
  replaced: "a copy an interrupted --force install moved aside",
};

/** The removal of `targets`, `strays` and `runtimeStrays`, the stores left unlinked, the bytes freed, and the record with a removed active version replaced. */
function planRemovals(folder: EnginesFolder, record: ActiveRecord, targets: InstalledEngine[], strays: EngineStrayFolder[], now: Date, runtimeStrays: RuntimeStrayFolder[] = []): ManagePlan {
  const removedDirs = new Set([...targets, ...strays].map((e) => e.dir));
  const inodes = storeInodes(folder.runtimes);
  const linkedStores = new Set([...targets, ...strays].flatMap((e) => runtimeLinkOf(e, folder.runtimes, inodes)?.stores ?? []));
  const inUse = storesInUse(folder, removedDirs);
  const stores = folder.runtimes.filter((s) => linkedStores.has(s.dir) && !inUse.has(s.dir));
  const removals: Removal[] = [
    ...newestFirst(targets).map((e) => ({ kind: "engine" as const, id: e.engineId, version: e.version, platform: e.platform, dir: e.dir, bytes: folderBytes(e.files) })),
    ...strays.map((s) => ({ kind: "stray" as const, id: s.engine.engineId, version: s.engine.version, platform: s.engine.platform, dir: s.dir, bytes: folderBytes(s.files), reason: s.engine.kind === "damaged" ? `damaged: ${s.reason}` : STRAY_REASONS[s.engine.kind] })),
    ...stores.map((s: InstalledStore) => ({ kind: "runtime" as const, id: s.runtimeId, version: s.version, platform: s.platform, dir: s.dir, bytes: folderBytes(s.files) })),
    ...runtimeStrays.map(({ runtime: r, dir, files }) => ({ kind: "runtime" as const, id: r.runtimeId, version: r.version, platform: r.platform, dir, bytes: folderBytes(files), reason: r.kind === "damaged" ? `damaged: ${r.damage}` : STRAY_REASONS[r.kind] })),
  ];
  const freed = bytesFreed([...targets, ...strays, ...stores, ...runtimeStrays].flatMap((x) => x.files));
  const kept = folder.runtimes.filter((s) => linkedStores.has(s.dir) && inUse.has(s.dir));
  const lines = [
    ...removals.map((r) => `remove ${r.kind === "runtime" ? "runtime " : ""}${r.id} ${r.version} ${r.platform} (${r.reason ? `${r.reason}; ` : ""}${r.bytes} bytes): ${r.dir}`),
    ...kept.map((s) => `keep runtime ${s.runtimeId} ${s.version} ${s.platform}: still linked by an installed engine`),
  ];
  const removedActive = [
    ...targets.filter((t) => isActive(record, t)),
    ...strays.flatMap((s) => Object.entries(record.engines[s.engine.engineId] ?? {}).filter(([, a]) => a.version === s.engine.version && a.platform === s.engine.platform).map(([osArch]) => ({ ...s.engine, osArch }))),
  ];
  let next = record;
  for (const e of removedActive) {
    const back = nextActive(folder, next, e, removedDirs, now);
    next = withActive(next, e.engineId, e.osArch, back?.entry ?? null);
    lines.push(back ? `${e.engineId} on ${e.osArch}: ${e.version} ${e.platform} -> ${back.entry.version} ${back.entry.platform} (the removed version was active)` : `${e.engineId} on ${e.osArch}: no version left to activate`);
  }
  return { removals, bytesFreed: freed, record: next === record ? null : next, lines };
}

/** What becomes active when the active `removed` goes: the most recent previous one still installed, else the newest installed; null when none is left. */
function nextActive(folder: EnginesFolder, record: ActiveRecord, removed: { engineId: string; osArch: string }, removedDirs: ReadonlySet<string>, now: Date): { entry: ActiveEntry } | null {
  const remaining = installedOf(folder, removed.engineId, removed.osArch).filter((x) => !removedDirs.has(x.dir));
  const current = activeEntry(record, removed.engineId, removed.osArch)!;
  const names = new Set(remaining.map((x) => `${x.version}/${x.platform}`));
  const back = current.previous.find((p) => names.has(`${p.version}/${p.platform}`)) ?? remaining[0];
  if (!back) return null;
  const previous = current.previous.filter((p) => names.has(`${p.version}/${p.platform}`));
  const entry = switchedEntry({ ...current, previous }, back, { pinned: current.pinned, reason: "remove", now });
  return { entry: { ...entry, previous: previous.filter((p) => !(p.version === back.version && p.platform === back.platform)) } };
}
