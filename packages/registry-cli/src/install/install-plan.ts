import { basename, join } from "node:path";
import { type PackageName, parsePackageFilename, withoutDuplicateSuffix } from "@baiengine/schema";
import { InstallRefusedError } from "../errors.js";
import type { Resolution } from "../resolve/resolve-package.js";
import type { HostFacts } from "../resolve/host-facts.js";
import { describeTarget, type InstallSource, type InstallTarget, planTarget } from "./install-target.js";
import { describeRuntimePlan, planRuntimeInstall, type RuntimeInstallPlan } from "./runtime-plan.js";

export type { InstallSource };

/** What an install will do, decided before anything is touched (printed by `install --dry-run`). */
export interface InstallPlan extends InstallTarget {
  engineId: string;
  version: string;
  /** `<os>-<arch>-<accelerator token>[-variant]`; `dest` is `<engines-dir>/<engineId>/<version>/<platform>`. */
  platform: string;
  /**
   * The runtime pack the index says the package needs, installed first (once, shared); null when the
   * index names none. The package's manifest has the last word: a runtime it needs that is neither
   * planned here nor installed refuses the install.
   */
  runtime: RuntimeInstallPlan | null;
  /** The local file's own name when a browser added a duplicate-download suffix (`name (1).baiengine`); `filename` is the package's. */
  savedAs?: string;
  /** This host's facts when resolve detected them (a plan for this host), so the install does not detect them again. */
  host?: HostFacts;
}

/** `<os>-<arch>-<accelerator token>[-variant]` from a package's name parts. */
export function platformFolder(n: PackageName): string {
  return [n.os, n.arch, n.acceleratorToken, n.variant].filter((x) => x !== undefined).join("-");
}

function parseName(filename: string): PackageName {
  try {
    return parsePackageFilename(filename);
  } catch (error) {
    throw new InstallRefusedError(`${filename}: ${(error as Error).message}`, "package files are named {engine}-{version}-{os}-{arch}-{accelerator}.baiengine");
  }
}

/** Plans an install from a source. Pure; throws InstallRefusedError for a file not named like a package. */
export function planInstall(source: InstallSource, filename: string, enginesDir: string, options: { force?: boolean; runtime?: RuntimeInstallPlan | null } = {}): InstallPlan {
  const name = parseName(filename);
  const platform = platformFolder(name);
  const target = planTarget(source, filename, enginesDir, join(enginesDir, name.engineId, name.version, platform), options.force);
  return { ...target, engineId: name.engineId, version: name.version, platform, runtime: options.runtime ?? null };
}

/** The plan for a local `.baiengine` file. */
export function planFileInstall(file: string, enginesDir: string, options: { force?: boolean } = {}): InstallPlan {
  const saved = basename(file);
  const name = withoutDuplicateSuffix(saved);
  const plan = planInstall({ kind: "file", path: file }, name ?? saved, enginesDir, options);
  return name === null ? plan : { ...plan, savedAs: saved };
}

/**
 * The plan for a resolved registry package, with the runtime pack the resolution found for it in the
 * index (looked up once, by resolve) and the host facts resolve detected, when it did.
 */
export function planResolvedInstall(resolution: Resolution, enginesDir: string, options: { force?: boolean; host?: HostFacts } = {}): InstallPlan {
  const e = resolution.entry;
  const sized = (n: number | undefined) => (n === undefined ? {} : { installedSize: n });
  const source: InstallSource = { kind: "download", url: resolution.url, size: e.size, sha256: e.sha256, ...(e.requirements ? { requirements: e.requirements } : {}), ...sized(e.installedSize) };
  const r = resolution.runtime;
  const runtime = r ? planRuntimeInstall({ kind: "download", url: r.url, size: r.size, sha256: r.sha256, ...sized(r.installedSize) }, r.filename, enginesDir) : null;
  const plan = planInstall(source, e.filename, enginesDir, { ...(options.force ? { force: true } : {}), runtime });
  return options.host ? { ...plan, host: options.host } : plan;
}

/** The plan as lines, for `--dry-run`. */
export function describeInstallPlan(plan: InstallPlan): string[] {
  return [
    `install ${plan.engineId} ${plan.version} ${plan.platform}`,
    ...(plan.savedAs ? [`named   ${plan.filename} (the file is saved as ${JSON.stringify(plan.savedAs)}, a browser's name for a second download)`] : []),
    ...describeTarget(plan),
    ...(plan.runtime ? ["needs   its runtime, installed first unless already there:", ...describeRuntimePlan(plan.runtime).map((l) => `  ${l}`)] : []),
  ];
}
