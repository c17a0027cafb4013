import { exists } from "@baiengine/cli-kit/system";
import type { RuntimeManifest } from "@baiengine/schema";
import { InstallRefusedError } from "../errors.js";
import type { ExtractedRuntime } from "../verifier-port.js";
import type { InstallDeps } from "./install-target.js";
import type { InstalledState, InstallRoute } from "./pipeline.js";
import type { RuntimeInstallPlan } from "./runtime-plan.js";
import { readRuntimeStore } from "./runtime-store.js";

/**
 * The route of a runtime pack: installed when its store folder is there and whole (a half-deleted
 * one is damaged: installed again, replacing it); one check, the manifest's names.
 */
export function runtimeRoute(plan: RuntimeInstallPlan, deps: InstallDeps): InstallRoute<ExtractedRuntime> {
  return {
    extract: (source, dest, options) => deps.verifier.extractRuntime(source, dest, options),
    installed: () => storeState(plan),
    parentLevels: 3,
    checks: [async ({ runtimeManifest }) => checkRuntimeNames(plan, runtimeManifest)],
  };
}

async function storeState(plan: RuntimeInstallPlan): Promise<InstalledState> {
  if (!(await exists(plan.dest))) return { kind: "absent" };
  const state = await readRuntimeStore(plan.dest, plan);
  return state.ok ? { kind: "whole" } : { kind: "damaged", damage: state.damage };
}

function checkRuntimeNames(plan: RuntimeInstallPlan, m: RuntimeManifest): void {
  // The verifier compared the manifest with the file name; this guards the store's layout.
  if (m.runtimeId !== plan.runtimeId || m.version !== plan.version || `${m.os}-${m.arch}` !== plan.platform) {
    throw new InstallRefusedError(`${plan.filename}: its manifest names another runtime, version or platform than its file name`, "nothing was installed");
  }
}
