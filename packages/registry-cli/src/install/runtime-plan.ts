import { basename, join } from "node:path";
import { type Arch, formatRuntimeFilename, type Os, parseRuntimeFilename, type Registry, type RuntimeName, runtimePackageUrl } from "@baiengine/schema";
import { InstallRefusedError } from "../errors.js";
import { describeTarget, type InstallSource, type InstallTarget, planTarget } from "./install-target.js";

/**
 * Runtime packs (`.bairuntime`) are installed once per runtime version and platform into
 * `<engines-dir>/runtimes/<runtimeId>/<version>/<os>-<arch>/` (the pack's `package/` folder), and
 * shared by every engine package that needs them through hard links (see link-runtime.ts).
 */
export interface RuntimeInstallPlan extends InstallTarget {
  runtimeId: string;
  version: string;
  /** `<os>-<arch>`. */
  platform: string;
}

/** `<engines-dir>/runtimes/<runtimeId>/<version>/<os>-<arch>`. */
export function runtimeStorePath(enginesDir: string, r: { runtimeId: string; version: string; os: Os; arch: Arch }): string {
  return join(enginesDir, "runtimes", r.runtimeId, r.version, `${r.os}-${r.arch}`);
}

/**
 * The lock of one runtime store folder, taken by its install and by every engine install while it
 * links from it: named in the design's spelling, so a pack named `…-win32-x64` and one named
 * `…-windows-x86_64` share it.
 */
export function runtimeLockPath(enginesDir: string, r: { runtimeId: string; version: string; os: Os; arch: Arch }): string {
  return join(enginesDir, ".downloads", formatRuntimeFilename({ runtimeId: r.runtimeId, version: r.version, os: r.os, arch: r.arch, style: "design" }));
}

function parseName(filename: string): RuntimeName {
  try {
    return parseRuntimeFilename(filename);
  } catch (error) {
    throw new InstallRefusedError(`${filename}: ${(error as Error).message}`, "runtime packs are named {runtimeId}-{version}-{os}-{arch}.bairuntime");
  }
}

/** Plans a runtime install from a source. Pure; throws InstallRefusedError for a file not named like a runtime pack. */
export function planRuntimeInstall(source: InstallSource, filename: string, enginesDir: string, options: { force?: boolean } = {}): RuntimeInstallPlan {
  const name = parseName(filename);
  const target = planTarget(source, filename, enginesDir, runtimeStorePath(enginesDir, name), options.force);
  return { ...target, lock: runtimeLockPath(enginesDir, name), runtimeId: name.runtimeId, version: name.version, platform: `${name.os}-${name.arch}` };
}

/** The plan for a local `.bairuntime` file. */
export function planRuntimeFileInstall(file: string, enginesDir: string, options: { force?: boolean } = {}): RuntimeInstallPlan {
  return planRuntimeInstall({ kind: "file", path: file }, basename(file), enginesDir, options);
}

/**
 * The plan for a runtime listed in the index's `runtimes[]`, for one platform: its latest version's
 * pack, downloaded from `{baseUrl}/{runtimeId}-v{version}/{filename}`. Throws InstallRefusedError
 * when the index lacks the runtime or its pack for that platform.
 */
export function planIndexedRuntimeInstall(
  registry: Registry,
  runtimeId: string,
  platform: { os: Os; arch: Arch },
  enginesDir: string,
  options: { force?: boolean; baseUrl?: string } = {},
): RuntimeInstallPlan {
  const runtime = (registry.runtimes ?? []).find((r) => r.id === runtimeId);
  if (!runtime) {
    const known = (registry.runtimes ?? []).map((r) => r.id).join(", ") || "none";
    throw new InstallRefusedError(`runtime ${runtimeId} is not in the registry's runtimes`, `runtimes in the index: ${known}`);
  }
  const entry = runtime.packages.find((p) => p.os === platform.os && p.arch === platform.arch);
  if (!entry) {
    const have = runtime.packages.map((p) => `${p.os}-${p.arch}`).join(", ") || "none";
    throw new InstallRefusedError(`runtime ${runtimeId} ${runtime.latestVersion} has no ${platform.os}-${platform.arch} pack in the index`, `its platforms: ${have}`);
  }
  const url = runtimePackageUrl({ baseUrl: options.baseUrl ?? registry.baseUrl }, runtimeId, entry);
  const source: InstallSource = { kind: "download", url, size: entry.size, sha256: entry.sha256 };
  return planRuntimeInstall(source, entry.filename, enginesDir, options.force ? { force: true } : {});
}

/** The plan as lines, for `--dry-run`. */
export function describeRuntimePlan(plan: RuntimeInstallPlan): string[] {
  return [`install runtime ${plan.runtimeId} ${plan.version} ${plan.platform}`, ...describeTarget(plan)];
}
