import { resolve as resolvePath } from "node:path";
import { requireHostPlatform } from "@baiengine/cli-kit/system";
import { type Arch, type Os, RUNTIME_EXTENSION } from "@baiengine/schema";
import { engineAsk } from "../resolve/engine-ref.js";
import { type LoadedRegistry, type LoadRegistryOptions, loadRegistry } from "../index-source/load-registry.js";
import { type PackageAsk, platformTarget } from "../resolve/platform-request.js";
import { type Resolution, resolvePackage } from "../resolve/resolve-package.js";
import { type InstallPlan, planFileInstall, planResolvedInstall } from "./install-plan.js";
import { planIndexedRuntimeInstall, planRuntimeFileInstall, type RuntimeInstallPlan } from "./runtime-plan.js";

/** What `install` was asked for, planned: an engine package (with the runtime it needs) or a runtime pack alone. */
export type InstallRequest = ({ kind: "engine"; plan: InstallPlan; resolution?: Resolution } | { kind: "runtime"; plan: RuntimeInstallPlan }) & {
  /** One line per index entry skipped for a platform this version does not know. */
  skipped: string[];
};

/** Where an install's package comes from: a local file, an index's runtime, or an index's engine for a platform. */
export interface InstallAsk extends PackageAsk {
  file?: string;
  registry: string;
  engine?: string;
  runtime?: string;
  force?: boolean;
}

/**
 * Plans what `ask` names into `enginesDir`. Reads the index (not a local file; `index` says how:
 * path or URL, trust); changes nothing. With trust configured, each download of the plan is bound
 * to its signed length and sha256 (TrustRefusedError when not signed or different).
 */
export async function planInstallRequest(ask: InstallAsk, enginesDir: string, index?: LoadRegistryOptions): Promise<InstallRequest> {
  const force = Boolean(ask.force);
  if (ask.file !== undefined) {
    if (ask.file.endsWith(RUNTIME_EXTENSION)) return { kind: "runtime", plan: planRuntimeFileInstall(resolvePath(ask.file), enginesDir, { force }), skipped: [] };
    return { kind: "engine", plan: planFileInstall(resolvePath(ask.file), enginesDir, { force }), skipped: [] };
  }
  const loaded = await loadRegistry(index ?? { registry: ask.registry, enginesDir });
  const request = await planFromIndex(ask, loaded, enginesDir);
  if (!loaded.trusted) return request;
  const { bindToSignedTargets } = await import("../tuf-client/signed-plan.js");
  return request.kind === "engine" ? { ...request, plan: await bindToSignedTargets(request.plan, loaded.trusted) } : { ...request, plan: await bindToSignedTargets(request.plan, loaded.trusted) };
}

async function planFromIndex(ask: InstallAsk, index: LoadedRegistry, enginesDir: string): Promise<InstallRequest> {
  const force = Boolean(ask.force);
  const baseUrl = ask.baseUrl ? { baseUrl: String(ask.baseUrl) } : {};
  const skipped = index.skipped;
  if (ask.runtime !== undefined) {
    const asked = ask.os === undefined && ask.arch === undefined ? null : await platformTarget({ ...(ask.os !== undefined ? { os: ask.os } : {}), ...(ask.arch !== undefined ? { arch: ask.arch } : {}) });
    const platform: { os: Os; arch: Arch } =
      asked && "request" in asked ? { os: asked.request.os, arch: asked.request.arch } : requireHostPlatform("pass --os and --arch to install a runtime for another platform");
    return { kind: "runtime", plan: planIndexedRuntimeInstall(index.registry, ask.runtime, platform, enginesDir, { force, ...baseUrl }), skipped };
  }
  const target = await platformTarget(ask);
  // `--engine <id>@<version>` takes that version from the index's history.
  const { engineId, ...which } = engineAsk(ask);
  const resolution = resolvePackage(index.registry, engineId, target, { ...which, ...baseUrl });
  // The runtime the index names for the package comes with the resolution (the manifest's own edge is checked after extraction).
  return { kind: "engine", plan: planResolvedInstall(resolution, enginesDir, { force, ...("host" in target ? { host: target.host } : {}) }), resolution, skipped };
}
