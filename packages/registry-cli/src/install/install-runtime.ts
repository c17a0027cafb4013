import { type DownloadTuning, type InstallDeps, type InstalledFacts, resultBase } from "./install-target.js";
import { runInstall } from "./pipeline.js";
import type { RuntimeInstallPlan } from "./runtime-plan.js";
import { runtimeRoute } from "./runtime-route.js";

export interface RuntimeInstallResult extends InstalledFacts {
  runtimeId: string;
  version: string;
  /** `<os>-<arch>`. */
  platform: string;
  /** What was damaged in the installed copy this install replaced. */
  repaired?: string;
}

/**
 * Carries out a runtime install plan, all or nothing, through the install pipeline (runInstall) along
 * the runtime route: `<engines-dir>/runtimes/<id>/<version>/<os>-<arch>/`. An installed folder found
 * damaged (a library or the manifest deleted) is installed again, replacing it (`repaired` says what
 * was wrong), so one rerun of the install mends it. Throws InstallRefusedError or DownloadError
 * (exit 1); nothing is installed then.
 */
export async function applyRuntimeInstall(plan: RuntimeInstallPlan, deps: InstallDeps, tuning: DownloadTuning = {}): Promise<RuntimeInstallResult> {
  const base = { runtimeId: plan.runtimeId, version: plan.version, platform: plan.platform, ...resultBase(plan) };
  const outcome = await runInstall(plan, runtimeRoute(plan, deps), deps, tuning);
  if (outcome.alreadyInstalled) return { ...base, alreadyInstalled: true };
  const { extracted, replaced } = outcome;
  const result = { ...base, sha256: extracted.sha256, size: extracted.size, files: extracted.files.length, alreadyInstalled: false };
  return replaced ? { ...result, repaired: replaced } : result;
}
