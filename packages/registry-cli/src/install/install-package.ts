import { pathToFileURL } from "node:url";
import { makeFolders } from "@baiengine/cli-kit/system";
import { type Activation, activateInstalled, activeNote } from "../installed/activate.js";
import { readActiveRecord } from "../installed/active-record-file.js";
import { osArchOfFolder } from "../installed/platform-folder.js";
import { checkDiskSpace, installNeeds } from "./disk-space.js";
import type { Registry } from "@baiengine/schema";
import type { Resolution } from "../resolve/resolve-package.js";
import type { AttachedRuntime } from "./attach-runtime.js";
import type { DeviceCheck } from "./device-check.js";
import { checkRequirements, type EngineFacts, engineFolderState, engineRoute, hostOnce } from "./engine-route.js";
import { type InstallPlan, planFileInstall, planResolvedInstall } from "./install-plan.js";
import { applyRuntimeInstall, type RuntimeInstallResult } from "./install-runtime.js";
import { type DownloadTuning, type InstallDeps, type InstalledFacts, resultBase } from "./install-target.js";
import { runInstall } from "./pipeline.js";

export type { DownloadTuning, InstallDeps };

export interface InstallResult extends InstalledFacts {
  engineId: string;
  version: string;
  /** Requirements the host does not meet, installed anyway because of --force. */
  forcedRequirements?: string[];
  /** The device probe's finding (the device of the package's kind it listed), or why it did not run. */
  devices?: DeviceCheck;
  /** The runtime pack the package needs: where it is installed and how its libraries reached the engine. */
  runtime?: AttachedRuntime & { install?: RuntimeInstallResult };
  /** Whether it became the active version (absent when it was already installed: nothing changed). */
  activation?: Activation;
}

/**
 * Carries out an install plan. Unless the platform is installed already: refuses a package whose
 * index entry names requirements this host does not meet, then installs the runtime pack the index
 * says it needs (its own all-or-nothing install, shared by every engine that needs it). Then the
 * install pipeline (runInstall) along the engine route: lock, recovery, one-pass download and
 * verified extraction, the manifest's names and requirements, runtime linking, the device probe,
 * the rename into place. Throws InstallRefusedError or DownloadError (exit 1); the engine is not
 * installed then.
 */
export async function applyInstall(plan: InstallPlan, deps: InstallDeps, tuning: DownloadTuning = {}): Promise<InstallResult> {
  const base = { engineId: plan.engineId, version: plan.version, ...resultBase(plan) };
  const host = hostOnce(plan, deps);
  const facts: EngineFacts = { forced: [], runtime: null };
  let runtimeInstall: RuntimeInstallResult | undefined;
  if (plan.force || (await engineFolderState(plan.dest, plan)).kind !== "whole") {
    // Before any byte is fetched; a runtime that fails leaves the engine uninstalled.
    if (plan.source.kind === "download") facts.forced.push(...(await checkRequirements(plan, plan.source.requirements, "the index", host, deps)));
    // The folder first: one that cannot be made is that error, not "0 bytes free".
    await makeFolders(plan.enginesDir);
    // The record this install would update must be readable: refused now, not after the download.
    await readActiveRecord(plan.enginesDir);
    await checkDiskSpace(plan.enginesDir, await installNeeds(plan));
    if (plan.runtime) {
      const runtime = plan.runtime;
      runtimeInstall = await keepingActive(plan, deps, () => applyRuntimeInstall(runtime, deps, tuning));
      facts.reinstallRuntime = () => applyRuntimeInstall(runtime, deps, tuning);
    }
  }
  const outcome = await keepingActive(plan, deps, () => runInstall(plan, engineRoute(plan, deps, host, facts), deps, tuning));
  if (outcome.alreadyInstalled) return { ...base, alreadyInstalled: true };
  const { extracted } = outcome;
  const result: InstallResult = { ...base, sha256: extracted.sha256, size: extracted.size, files: extracted.files.length, alreadyInstalled: false, ...(facts.devices ? { devices: facts.devices } : {}) };
  if (facts.runtime) result.runtime = { ...facts.runtime, ...(runtimeInstall ? { install: runtimeInstall } : {}) };
  if (facts.forced.length > 0) result.forcedRequirements = [...new Set(facts.forced)];
  // Only now, with every check and the device probe passed and the folder in place: the active record.
  result.activation = await activateInstalled(plan.enginesDir, { engineId: plan.engineId, version: plan.version, platform: plan.platform, osArch: osArchOf(plan) }, deps.reporter);
  return result;
}

const osArchOf = (plan: InstallPlan) => osArchOfFolder(plan.platform);

/** Runs a step of the install; when it fails, a warning says which version stays active (the record is not touched). */
async function keepingActive<T>(plan: InstallPlan, deps: InstallDeps, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const note = await activeNote(plan.enginesDir, plan.engineId, osArchOf(plan));
    if (note !== null) deps.reporter?.log?.("warn", `${plan.engineId} ${plan.version} was not installed; ${note}`);
    throw error;
  }
}

/** Installs a local package file (plan + apply). */
export function installFile(file: string, enginesDir: string, deps: InstallDeps, options: { force?: boolean } = {}): Promise<InstallResult> {
  return applyInstall(planFileInstall(file, enginesDir, options), deps);
}

/** Installs a resolved registry package (plan + apply): downloaded, verified and extracted in one pass. */
export function installResolved(resolution: Resolution, enginesDir: string, deps: InstallDeps, options: { force?: boolean } & DownloadTuning = {}): Promise<InstallResult> {
  const { force, ...tuning } = options;
  return applyInstall(planResolvedInstall(resolution, enginesDir, force ? { force } : {}), deps, tuning);
}

/** A registry whose baseUrl points at a local folder of `{tag}/{filename}` (offline mirrors, tests). */
export function fileBaseUrl(folder: string): string {
  return pathToFileURL(folder).href.replace(/\/$/, "");
}

export type { Registry };
