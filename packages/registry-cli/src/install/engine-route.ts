import { exists } from "@baiengine/cli-kit/system";
import type { Manifest } from "@baiengine/schema";
import { InstallRefusedError, RuntimeNotInstalledError } from "../errors.js";
import { checkEngineFolder } from "../installed/engines-folder.js";
import { detectHostFacts, type HostFacts } from "../resolve/host-facts.js";
import { type PackageRequirements, unmetRequirements } from "../resolve/requirements-check.js";
import type { ExtractedPackage } from "../verifier-port.js";
import { type AttachedRuntime, attachRuntime } from "./attach-runtime.js";
import { checkDevices, type DeviceCheck } from "./device-check.js";
import type { InstallPlan } from "./install-plan.js";
import type { InstallDeps } from "./install-target.js";
import type { InstallRoute, InstalledState } from "./pipeline.js";

/** What an engine install's checks found, filled in as they run. */
export interface EngineFacts {
  /**
   * Installs the runtime pack the index names for this package again: set for an index install,
   * for a runtime removed between its install and the linking (a `remove` of its last other engine).
   */
  reinstallRuntime?: () => Promise<unknown>;
  /** Requirements the host does not meet, installed anyway because of --force. */
  forced: string[];
  runtime: AttachedRuntime | null;
  devices?: DeviceCheck;
}

/** This machine's facts, detected at most once per install: the plan's (from resolve) or the caller's when given. */
export function hostOnce(plan: InstallPlan, deps: InstallDeps): () => Promise<HostFacts> {
  let host: Promise<HostFacts> | undefined = plan.host ? Promise.resolve(plan.host) : deps.host ? Promise.resolve(deps.host) : undefined;
  return () => (host ??= detectHostFacts());
}

/**
 * The route of an engine package: installed when its folder holds a whole install (a damaged one is replaced); checks, in order: the manifest's
 * names, its requirements, the runtime it needs linked in, and the device probe (a GPU package is
 * placed only when its server lists a device of its kind).
 */
export function engineRoute(plan: InstallPlan, deps: InstallDeps, host: () => Promise<HostFacts>, facts: EngineFacts): InstallRoute<ExtractedPackage> {
  return {
    extract: (source, dest, options) => deps.verifier.extract(source, dest, options),
    installed: (target) => engineFolderState(target.dest, plan),
    parentLevels: 2,
    checks: [
      async ({ manifest }) => checkManifestNames(plan, manifest),
      async ({ manifest }) => {
        facts.forced.push(...(await checkRequirements(plan, manifest.requirements, "its manifest", host, deps)));
      },
      async ({ manifest }, packageDir) => {
        facts.runtime = await attachRuntime(packageDir, manifest, plan, deps.reporter).catch(async (error: unknown) => {
          if (!(error instanceof RuntimeNotInstalledError) || !facts.reinstallRuntime) throw error;
          deps.reporter?.log?.("warn", `${error.runtimeId} was removed while ${plan.filename} was being installed; installing it again`);
          await facts.reinstallRuntime();
          return attachRuntime(packageDir, manifest, plan, deps.reporter);
        });
      },
      async ({ manifest }, packageDir) => {
        deps.reporter?.step?.("device probe", plan.filename);
        facts.devices = await checkDevices(packageDir, manifest);
      },
    ],
  };
}

/**
 * An engine platform folder: absent, whole (a valid manifest naming this engine, version and
 * platform, and its server there), or damaged (anything else: deleted by hand, a foreign folder).
 */
export async function engineFolderState(dest: string, plan: InstallPlan): Promise<InstalledState> {
  if (!(await exists(dest))) return { kind: "absent" };
  const checked = await checkEngineFolder(dest, plan.engineId, plan.version, plan.platform);
  return "reason" in checked ? { kind: "damaged", damage: checked.reason } : { kind: "whole" };
}

/**
 * Refuses a package whose requirements this host does not meet (one line naming each requirement and
 * the host's value), unless the plan is forced; then returns them. Only for packages of this host's
 * os/arch: a package installed for another machine is not judged by this one.
 */
export async function checkRequirements(plan: InstallPlan, req: PackageRequirements | undefined, from: "the index" | "its manifest", host: () => Promise<HostFacts>, deps: InstallDeps): Promise<string[]> {
  if (!req || Object.keys(req).length === 0) return [];
  const facts = await host();
  const [os, arch] = plan.platform.split("-");
  if (facts.os !== os || facts.arch !== arch) return [];
  const unmet = unmetRequirements(req, facts.os, facts).map((u) => u.message);
  if (unmet.length === 0) return [];
  if (!plan.force) {
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
