import { pathToFileURL } from "node:url";
import type { Manifest, Registry } from "@baiengine/schema";
import { InstallRefusedError } from "../errors.js";
import { detectHostFacts } from "../resolve/host-facts.js";
import { type PackageRequirements, unmetRequirements } from "../resolve/requirements-check.js";
import type { Resolution } from "../resolve/resolve-package.js";
import type { ExtractedPackage } from "../verifier-port.js";
import { checkDevices, type DeviceCheck } from "./device-check.js";
import { type InstallPlan, planFileInstall, planResolvedInstall } from "./install-plan.js";
import { applyRuntimeInstall, type RuntimeInstallResult } from "./install-runtime.js";
import { type DownloadTuning, exists, type ExtractFn, type InstallDeps, type InstalledFacts, installExtracted, resultBase, withInstallLock } from "./install-steps.js";
import { attachRuntime, type AttachedRuntime } from "./attach-runtime.js";
import { placeInstall, recoverInterrupted } from "./place-install.js";

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
}

/**
 * Carries out an install plan: takes the platform's install lock (a second install of the same
 * platform waits, saying so, then finds it installed), recovers what a killed install left, installs
 * the runtime pack the index says it needs (its own all-or-nothing install, shared by every engine
 * that needs it), downloads and extracts the package in one pass (or extracts a local file), checks
 * requirements, links the runtime in, runs the device probe, and renames the verified folder into
 * place (`placeInstall`: never no installed copy). Throws InstallRefusedError or DownloadError
 * (exit 1); the engine is not installed then.
 */
export async function applyInstall(plan: InstallPlan, deps: InstallDeps, tuning: DownloadTuning = {}): Promise<InstallResult> {
  return withInstallLock(plan, deps.reporter ?? {}, async () => {
    for (const line of await recoverInterrupted(plan.dest)) deps.reporter?.log?.("warn", line);
    const base = { engineId: plan.engineId, version: plan.version, ...resultBase(plan) };
    if (!plan.force && (await exists(plan.dest))) return { ...base, alreadyInstalled: true };
    const forced: string[] = [];
    if (plan.source.kind === "download") forced.push(...(await checkRequirements(plan, plan.source.requirements, plan.source.url, deps)));
    // The runtime first: a runtime that fails leaves the engine uninstalled.
    const runtimeInstall = plan.runtime ? await applyRuntimeInstall(plan.runtime, deps, tuning) : undefined;
    const extract: ExtractFn<ExtractedPackage> = (source, dest, options) => deps.verifier.extract(source, dest, options);
    return installExtracted(plan, deps, tuning, { extract, parentLevels: 2 }, async (extracted, packageDir) => {
      checkManifestNames(plan, extracted.manifest);
      forced.push(...(await checkRequirements(plan, extracted.manifest.requirements, extracted.manifest, deps)));
      const runtime = await attachRuntime(packageDir, extracted.manifest, plan, deps.reporter);
      // A GPU package is activated only when its server lists a device of its kind (refused otherwise).
      deps.reporter?.step?.("device probe", plan.filename);
      const devices = await checkDevices(packageDir, extracted.manifest);
      await placeInstall(packageDir, plan.dest, plan.force);
      const result: InstallResult = { ...base, sha256: extracted.sha256, size: extracted.size, files: extracted.files.length, alreadyInstalled: false, devices };
      if (runtime) result.runtime = { ...runtime, ...(runtimeInstall ? { install: runtimeInstall } : {}) };
      return forced.length > 0 ? { ...result, forcedRequirements: [...new Set(forced)] } : result;
    });
  });
}

/**
 * Refuses a package whose requirements this host does not meet (one line naming each requirement and
 * the host's value), unless the plan is forced; then returns them. Only for packages of this host's
 * os/arch: a package installed for another machine is not judged by this one.
 */
async function checkRequirements(plan: InstallPlan, req: PackageRequirements | undefined, target: string | Manifest, deps: InstallDeps): Promise<string[]> {
  if (!req || Object.keys(req).length === 0) return [];
  deps.host ??= await detectHostFacts();
  const host = deps.host;
  const [os, arch] = plan.platform.split("-");
  if (host.os !== os || host.arch !== arch) return [];
  const unmet = unmetRequirements(req, host.os, host).map((u) => u.message);
  if (unmet.length === 0) return [];
  if (!plan.force) {
    const from = typeof target === "string" ? "the index" : "its manifest";
    throw new InstallRefusedError(`${plan.filename} ${unmet.join("; ")} (from ${from})`, "install a package this host can run (`resolve` explains the choice), update the system, or pass --force to install it anyway");
  }
  for (const line of unmet) deps.reporter?.log?.("warn", `${plan.filename} ${line}; installing anyway (--force)`);
  return unmet;
}

function checkManifestNames(plan: InstallPlan, manifest: Manifest): void {
  // The verifier already compared the manifest with the file name; this guards the folder layout.
  if (manifest.engineId !== plan.engineId || manifest.version !== plan.version) {
    throw new InstallRefusedError(`${plan.filename}: its manifest names another engine or version than its file name`, "nothing was installed");
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
