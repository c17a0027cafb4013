import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { ActiveEntry, ActiveRecord, Reporter } from "@baiengine/schema";
import { compareEngineVersions } from "../version/compare-versions.js";
import { readActiveRecord, withEnginesLock, writeActiveRecord } from "./active-record-file.js";
import { switchedEntry, withActive } from "./manage-plan.js";
import { accelOfFolder, isCpuPlatform } from "./platform-folder.js";

/** A freshly installed engine platform (its checks and device probe passed, its folder renamed into place). */
export interface InstalledTarget {
  engineId: string;
  version: string;
  /** `<os>-<arch>-<accel>[-variant]`. */
  platform: string;
  /** `<os>-<arch>`. */
  osArch: string;
}

/** Whether an install becomes the active version, and why (one line for people). */
export interface Activation {
  activated: boolean;
  reason: string;
  /** What is active for that engine and `<os>-<arch>` afterwards. */
  active: { version: string; platform: string } | null;
}


/**
 * Decides whether an installed version becomes active. Pure. The first install of an engine on a
 * platform does; an update does unless the active version is pinned (`use`), is newer, or is a GPU
 * build and the new one a CPU build (a CPU package never replaces an active GPU one unless asked:
 * `use <engine>@<version> --accel cpu`). An active version whose folder is gone is replaced.
 */
export function planActivation(current: ActiveEntry | undefined, target: InstalledTarget, activeInstalled: boolean): Omit<Activation, "active"> {
  const { engineId, version, platform } = target;
  if (current === undefined) return { activated: true, reason: "first install: active" };
  if (current.version === version && current.platform === platform) return { activated: false, reason: "already the active version" };
  if (!activeInstalled) return { activated: true, reason: `active (the active ${current.version} ${current.platform} is no longer installed)` };
  if (current.pinned) return { activated: false, reason: `not activated: ${engineId} is pinned to ${current.version} (use ${engineId}@latest to follow updates, or use ${engineId}@${version})` };
  const order = compareEngineVersions(version, current.version);
  if (order === null || order < 0) return { activated: false, reason: `not activated: the active ${current.version} is ${order === null ? "of another version scheme" : "newer"} (use ${engineId}@${version} to switch)` };
  if (isCpuPlatform(platform) && !isCpuPlatform(current.platform)) {
    return { activated: false, reason: `not activated: a cpu package does not replace the active GPU one (${current.platform}); use ${engineId}@${version} --accel ${accelOfFolder(platform)} to switch` };
  }
  return { activated: true, reason: `active (was ${current.version} ${current.platform})` };
}

/**
 * After an install has put `target` in place: holding the engines folder's lock, reads the record,
 * decides (`planActivation`) and writes it. The install's own folder must still be there (a
 * concurrent `remove` may have taken it).
 */
export async function activateInstalled(enginesDir: string, target: InstalledTarget, reporter: Reporter = {}, now = new Date()): Promise<Activation> {
  return withEnginesLock(enginesDir, reporter, async () => {
    const loaded = await readActiveRecord(enginesDir);
    const current = loaded.record.engines[target.engineId]?.[target.osArch];
    const here = (version: string, platform: string) => stat(join(enginesDir, target.engineId, version, platform, "manifest.json")).then(() => true, () => false);
    if (!(await here(target.version, target.platform))) return { activated: false, reason: "not activated: the installed folder was removed meanwhile", active: current ? { version: current.version, platform: current.platform } : null };
    const activeInstalled = current !== undefined && (await here(current.version, current.platform));
    const decision = planActivation(current, target, activeInstalled);
    if (decision.activated) {
      const reason = current === undefined ? "first install" : "update";
      const record: ActiveRecord = withActive(loaded.record, target.engineId, target.osArch, switchedEntry(current, target, { pinned: false, reason, now }));
      await writeActiveRecord(loaded, record);
      return { ...decision, active: { version: target.version, platform: target.platform } };
    }
    return { ...decision, active: current ? { version: current.version, platform: current.platform } : null };
  });
}

/** What stays active when an install of `engineId` on `osArch` failed: one clause for the error's hint, or null when nothing is active. */
export async function activeNote(enginesDir: string, engineId: string, osArch: string): Promise<string | null> {
  const current = await readActiveRecord(enginesDir).then((l) => l.record.engines[engineId]?.[osArch], () => undefined);
  return current ? `${engineId} ${current.version} (${current.platform}) stays the active version` : null;
}
