import { type ActiveEntry, type ActiveRecord, DEFAULT_CHANNEL } from "@baiengine/schema";
import { AcceleratorNotChosenError, EngineNotInstalledError, NoLatestVersionError, NothingToRollBackError, VersionNotInstalledError } from "../errors.js";
import type { PublishedVersion } from "../history/engine-history.js";
import type { EnginesFolder, InstalledEngine } from "./engines-folder.js";
import { activeEntry, installedOf, type ManagePlan, switchedEntry, withActive } from "./manage-plan.js";
import { accelOfFolder, isCpuPlatform } from "./platform-folder.js";

/**
 * Pure plans of `use` and `rollback`: which installed version and platform folder becomes active
 * for an engine on one `<os>-<arch>`, and the record afterwards. Nothing is removed.
 */
export interface UseRequest {
  engineId: string;
  /** A version, or `latest`: unpin and follow the newest installed version (`chooseLatest`). */
  version: string;
  /** The accelerator part of the platform folder (`cpu`, `cuda13`, `cpu-avx2`), when a version has several installed. */
  accel?: string;
  osArch: string;
  /**
   * For `@latest`: the engine's versions in the index (`--registry`). Installed folders record no
   * channel and no yank, so only the index can say an installed version was a beta or was yanked:
   * those are passed over. Versions the index does not list are not judged.
   */
  published?: readonly PublishedVersion[];
}

const accelOf = (e: InstalledEngine) => accelOfFolder(e.platform);
const named = (e: { version: string; platform: string }) => `${e.version} ${e.platform}`;
const versionsOf = (list: InstalledEngine[]) => [...new Set(list.map((e) => e.version))];

/**
 * `use <engine>@<version>`: activates and pins that installed version; `@latest` unpins and takes
 * the newest installed version `chooseLatest` allows. Throws EngineNotInstalledError,
 * VersionNotInstalledError, AcceleratorNotChosenError or NoLatestVersionError.
 */
export function planUse(folder: EnginesFolder, record: ActiveRecord, req: UseRequest, now: Date): ManagePlan {
  const current = activeEntry(record, req.engineId, req.osArch);
  const installed = installedOf(folder, req.engineId, req.osArch);
  if (installed.length === 0) throw new EngineNotInstalledError(req.engineId, folder.enginesDir, req.osArch);
  const latest = req.version === "latest";
  const { target, notes } = latest ? chooseLatest(installed, current, req) : { target: chooseVersion(installed, current, req), notes: [] as string[] };
  if (!latest && req.accel === undefined && current && isCpuPlatform(target.platform) && !isCpuPlatform(current.platform)) {
    notes.push(`${target.version} is installed as a cpu build only: it replaces the active GPU ${current.platform} because that version was asked for (rollback ${req.engineId} goes back)`);
  }
  const pinned = !latest;
  const entry = current && current.version === target.version && current.platform === target.platform ? { ...current, pinned } : switchedEntry(current, target, { pinned, reason: latest ? "use latest" : "use", now });
  const state = latest ? "following updates (unpinned)" : "pinned";
  return { removals: [], bytesFreed: 0, record: withActive(record, req.engineId, req.osArch, entry), lines: [`${req.engineId} on ${req.osArch}: ${current ? named(current) : "(none)"} -> ${named(target)}, ${state}`], notes };
}

function chooseVersion(installed: InstalledEngine[], current: ActiveEntry | undefined, req: UseRequest): InstalledEngine {
  const candidates = installed.filter((e) => e.version === req.version);
  if (candidates.length === 0) throw new VersionNotInstalledError(req.engineId, req.version, null, req.osArch, versionsOf(installed), `install it first: install --engine ${req.engineId}@${req.version}`);
  return pickPlatform(candidates, req.accel, current);
}

/** The platform folder of one version to activate: the asked accelerator, else the active one's, else the only one. */
function pickPlatform(candidates: InstalledEngine[], accel: string | undefined, current: ActiveEntry | undefined): InstalledEngine {
  const first = candidates[0]!;
  if (accel !== undefined) {
    const hit = candidates.find((e) => accelOf(e) === accel);
    if (!hit) throw new VersionNotInstalledError(first.engineId, first.version, accel, first.osArch, candidates.map(accelOf), "pass one of the installed accelerators with --accel");
    return hit;
  }
  const same = current ? candidates.find((e) => e.platform === current.platform) : undefined;
  if (same) return same;
  if (candidates.length === 1) return first;
  throw new AcceleratorNotChosenError(first.engineId, first.version, candidates.map(accelOf));
}

/** Why the index rules an installed version out of `@latest` (yanked, or not on the stable channel), or null. */
function indexVerdict(published: readonly PublishedVersion[], version: string): string | null {
  const v = published.find((p) => p.version === version);
  if (!v) return null;
  if (v.yanked) return `yanked in the index (${v.yanked.reason})`;
  return v.channel === DEFAULT_CHANNEL ? null : `on the index's ${v.channel} channel, not ${DEFAULT_CHANNEL}`;
}

/**
 * What `use <engine>@latest` activates: the newest installed version of the active one's platform
 * folder (same accelerator and variant; `--accel` names another), after the index's verdicts. Only
 * when that folder kind has no such version does another one take its place, by install
 * activation's rule: a CPU build never replaces an installed active GPU one (that takes
 * `use <engine>@<version> --accel cpu`); the notes say what was passed over and why.
 */
export function chooseLatest(installed: InstalledEngine[], current: ActiveEntry | undefined, req: UseRequest): { target: InstalledEngine; notes: string[] } {
  const notes: string[] = [];
  let pool = installed;
  if (req.accel !== undefined) {
    pool = pool.filter((e) => accelOf(e) === req.accel);
    if (pool.length === 0) throw new VersionNotInstalledError(req.engineId, "latest", req.accel, req.osArch, [...new Set(installed.map(accelOf))], "pass one of the installed accelerators with --accel");
  }
  if (req.published) {
    const published = req.published;
    for (const version of versionsOf(pool)) {
      const why = indexVerdict(published, version);
      if (why) notes.push(`passed over ${req.engineId} ${version}: ${why}`);
    }
    pool = pool.filter((e) => indexVerdict(published, e.version) === null);
  }
  const kind = req.accel === undefined ? current?.platform : undefined;
  const sameKind = kind === undefined ? pool : pool.filter((e) => e.platform === kind);
  if (sameKind.length > 0) {
    const target = pickPlatform(sameKind.filter((e) => e.version === sameKind[0]!.version), undefined, current);
    const newer = pool.find((e) => e.platform !== target.platform);
    if (newer && newer.version !== target.version && pool.indexOf(newer) < pool.indexOf(target)) {
      notes.push(`kept ${target.platform}: ${named(newer)} is newer but another platform folder (use ${req.engineId}@${newer.version} --accel ${accelOf(newer)} to switch)`);
    }
    return { target, notes };
  }
  const hint = `pick one: use ${req.engineId}@<version> (\`engine-registry installed\` lists them)`;
  if (current === undefined) throw new NoLatestVersionError(req.engineId, req.osArch, notes, hint);
  const active = current;
  const activeInstalled = installed.some((e) => e.version === active.version && e.platform === active.platform);
  let others = pool;
  if (activeInstalled && !isCpuPlatform(active.platform)) {
    for (const e of others.filter((x) => isCpuPlatform(x.platform))) notes.push(`passed over ${named(e)}: a cpu package does not replace the active GPU one (use ${req.engineId}@${e.version} --accel ${accelOf(e)} to switch)`);
    others = others.filter((x) => !isCpuPlatform(x.platform));
  }
  if (others.length === 0) throw new NoLatestVersionError(req.engineId, req.osArch, notes.length > 0 ? notes : [`nothing installed for ${active.platform}`], hint);
  const target = pickPlatform(others.filter((e) => e.version === others[0]!.version), undefined, current);
  notes.push(activeInstalled ? `no other version of ${active.platform} to follow: switching to ${target.platform}` : `the active ${named(active)} is no longer installed: ${target.platform} takes its place`);
  return { target, notes };
}

/** `rollback <engine>`: back to the most recent previously active version that is still installed (pinned, like `use`). Throws NothingToRollBackError. */
export function planRollback(folder: EnginesFolder, record: ActiveRecord, engineId: string, osArch: string, now: Date): ManagePlan {
  const current = activeEntry(record, engineId, osArch);
  if (!current) {
    if (!folder.engines.some((e) => e.engineId === engineId)) throw new EngineNotInstalledError(engineId, folder.enginesDir, osArch);
    throw new NothingToRollBackError(engineId, osArch, null);
  }
  const installed = new Set(installedOf(folder, engineId, osArch).map((e) => `${e.version}/${e.platform}`));
  const back = current.previous.find((p) => installed.has(`${p.version}/${p.platform}`));
  if (!back) throw new NothingToRollBackError(engineId, osArch, { version: current.version, platform: current.platform });
  const next = withActive(record, engineId, osArch, switchedEntry(current, back, { pinned: true, reason: "rollback", now }));
  return { removals: [], bytesFreed: 0, record: next, lines: [`${engineId} on ${osArch}: ${named(current)} -> ${named(back)} (rolled back, pinned; use ${engineId}@latest to follow updates again)`] };
}
