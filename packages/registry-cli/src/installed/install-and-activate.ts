import { stat } from "node:fs/promises";
import { makeFolders } from "@baiengine/cli-kit/system";
import { checkDiskSpace, packageNeeds, type SpaceNeed } from "../install/disk-space.js";
import { applyInstall, type DownloadTuning, type InstallDeps, type InstallResult } from "../install/install-package.js";
import type { InstallPlan } from "../install/install-plan.js";
import type { RuntimeInstallPlan } from "../install/runtime-plan.js";
import { readRuntimeStore } from "../install/runtime-store.js";
import { type Activation, activateInstalled, activeNote } from "./activate.js";

/** An install and what it did to the active record. */
export interface ManagedInstallResult extends InstallResult {
  /** Absent when the engine was already installed (nothing changes then). */
  activation?: Activation;
}

/** The index's sizes of what an install fetches, beyond the plan's own (which carries the download size only). */
export interface PlannedSizes {
  /** The package entry's `installedSize`, when the index has it. */
  installedSize?: number | undefined;
  /** The runtime pack entry's `installedSize`. */
  runtimeInstalledSize?: number | undefined;
}

/**
 * What an install plan needs on disk before anything is fetched: the runtime pack when its store is
 * not installed whole, then the package (download and extraction, or a local file's extraction).
 */
export async function installNeeds(plan: InstallPlan, sizes: PlannedSizes = {}): Promise<SpaceNeed[]> {
  const needs: SpaceNeed[] = [];
  if (plan.runtime && plan.runtime.source.kind === "download" && !(await storeWhole(plan.runtime))) {
    needs.push(...(await packageNeeds(plan.runtime.filename, { size: plan.runtime.source.size, installedSize: sizes.runtimeInstalledSize }, plan.runtime.part)));
  }
  if (plan.source.kind === "download") needs.push(...(await packageNeeds(plan.filename, { size: plan.source.size, installedSize: sizes.installedSize }, plan.part)));
  else needs.push({ what: `${plan.filename} extracted`, bytes: await stat(plan.source.path).then((s) => s.size, () => 0) });
  return needs;
}

const storeWhole = (plan: RuntimeInstallPlan) => readRuntimeStore(plan.dest, plan).then((s) => s.ok);

/**
 * Installs an engine the way the app manages them: refused in one line before any byte is fetched
 * when it would not fit in the engines folder's free space; then the install (checks, device probe,
 * rename into place: `applyInstall`); only then the activation (`activateInstalled`: the first
 * install of an engine becomes active, an update unless pinned, older, or a CPU build replacing an
 * active GPU one). A refused install leaves the active version as it was, and a warning through
 * the reporter says which one stays active.
 */
export async function installAndActivate(plan: InstallPlan, deps: InstallDeps, tuning: DownloadTuning = {}, sizes: PlannedSizes = {}): Promise<ManagedInstallResult> {
  const osArch = plan.platform.split("-").slice(0, 2).join("-");
  let result: InstallResult;
  try {
    if (plan.force || !(await stat(plan.dest).then(() => true, () => false))) {
      // The folder first: one that cannot be made is that error, not "0 bytes free".
      await makeFolders(plan.enginesDir);
      await checkDiskSpace(plan.enginesDir, await installNeeds(plan, sizes));
    }
    result = await applyInstall(plan, deps, tuning);
  } catch (error) {
    const note = await activeNote(plan.enginesDir, plan.engineId, osArch);
    if (note !== null) deps.reporter?.log?.("warn", `${plan.engineId} ${plan.version} was not installed; ${note}`);
    throw error;
  }
  if (result.alreadyInstalled) return result;
  const activation = await activateInstalled(plan.enginesDir, { engineId: plan.engineId, version: plan.version, platform: plan.platform, osArch }, deps.reporter);
  return { ...result, activation };
}
