import type { RuntimeManifest } from "@baiengine/schema";
import { InstallRefusedError } from "../errors.js";
import type { ExtractedRuntime } from "../verifier-port.js";
import { type DownloadTuning, exists, type ExtractFn, type InstallDeps, type InstalledFacts, installExtracted, resultBase, withInstallLock } from "./install-steps.js";
import { placeInstall, recoverInterrupted } from "./place-install.js";
import type { RuntimeInstallPlan } from "./runtime-plan.js";
import { readRuntimeStore } from "./runtime-store.js";

export interface RuntimeInstallResult extends InstalledFacts {
  runtimeId: string;
  version: string;
  /** `<os>-<arch>`. */
  platform: string;
  /** What was damaged in the installed copy this install replaced. */
  repaired?: string;
}

/**
 * Carries out a runtime install plan, all or nothing, like an engine install: the file's install lock
 * (a second installer waits, then finds it installed), recovery of a killed install, one-pass
 * download + verified extraction into a temporary folder, one rename into
 * `<engines-dir>/runtimes/<id>/<version>/<os>-<arch>/`. An installed folder found damaged
 * (readRuntimeStore: a library or the manifest deleted) is installed again, replacing it (`repaired`
 * says what was wrong), so one rerun of the install mends it. Throws InstallRefusedError or DownloadError
 * (exit 1); nothing is installed then.
 */
export async function applyRuntimeInstall(plan: RuntimeInstallPlan, deps: InstallDeps, tuning: DownloadTuning = {}): Promise<RuntimeInstallResult> {
  return withInstallLock(plan, deps.reporter ?? {}, async () => {
    for (const line of await recoverInterrupted(plan.dest)) deps.reporter?.log?.("warn", line);
    const base = { runtimeId: plan.runtimeId, version: plan.version, platform: plan.platform, ...resultBase(plan) };
    const damage = plan.force ? null : await installedDamage(plan);
    if (damage === "") return { ...base, alreadyInstalled: true };
    if (damage) deps.reporter?.log?.("warn", `${plan.dest} is damaged (${damage}); installing ${plan.filename} again`);
    const extract: ExtractFn<ExtractedRuntime> = (source, dest, options) => deps.verifier.extractRuntime(source, dest, options);
    return installExtracted(plan, deps, tuning, { extract, parentLevels: 3 }, async (extracted, packageDir) => {
      checkRuntimeNames(plan, extracted.runtimeManifest);
      // A damaged copy is replaced like a --force install: moved aside, never deleted before the new one is in.
      await placeInstall(packageDir, plan.dest, plan.force || Boolean(damage));
      const result = { ...base, sha256: extracted.sha256, size: extracted.size, files: extracted.files.length, alreadyInstalled: false };
      return damage ? { ...result, repaired: damage } : result;
    });
  });
}

/**
 * Whether the store folder is already installed and whole: "" when it is (nothing to do), null when
 * it is not there, else what is damaged (a half-deleted folder is installed again, not kept).
 */
async function installedDamage(plan: RuntimeInstallPlan): Promise<string | null> {
  if (!(await exists(plan.dest))) return null;
  const state = await readRuntimeStore(plan.dest, plan);
  return state.ok ? "" : state.damage;
}

function checkRuntimeNames(plan: RuntimeInstallPlan, m: RuntimeManifest): void {
  // The verifier compared the manifest with the file name; this guards the store's layout.
  if (m.runtimeId !== plan.runtimeId || m.version !== plan.version || `${m.os}-${m.arch}` !== plan.platform) {
    throw new InstallRefusedError(`${plan.filename}: its manifest names another runtime, version or platform than its file name`, "nothing was installed");
  }
}
