import { basename, join } from "node:path";
import { type Manifest, type Reporter, runtimeVersionSatisfies } from "@baiengine/schema";
import { checkLibraryFolder, lackingRuntimeLibraries, runtimeLabel } from "@baiengine/verifier";
import { InstallRefusedError, RuntimeNotInstalledError } from "../errors.js";
import type { InstallPlan } from "./install-plan.js";
import { linkRuntime, type RuntimeLinks } from "./link-runtime.js";
import { takeInstallLock } from "./install-lock.js";
import { runtimeLockPath } from "./runtime-plan.js";
import { findInstalledRuntime, type InstalledRuntime } from "./runtime-store.js";

/** The runtime an installed engine uses: which one, where it is stored, and how it was linked in. */
export interface AttachedRuntime {
  id: string;
  version: string;
  /** The runtime store folder, `<engines-dir>/runtimes/<id>/<version>/<os>-<arch>`. */
  dir: string;
  links: RuntimeLinks;
}

/**
 * Finds the installed runtime an extracted package's manifest needs (`runtime: {id, minVersion}`) and
 * links its libraries into the package; null for a package that needs none. Throws
 * InstallRefusedError when no installed version of that runtime serves it (naming what the index
 * offered, if anything), so the engine is never activated without its runtime.
 */
export async function attachRuntime(packageDir: string, m: Manifest, plan: InstallPlan, reporter?: Reporter): Promise<AttachedRuntime | null> {
  if (!m.runtime) return null;
  const need = m.runtime;
  const { found: installed, damaged } = await findInstalledRuntime(plan.enginesDir, need, { os: m.os, arch: m.arch });
  if (!installed) {
    if (damaged.length > 0) {
      throw new InstallRefusedError(
        `${plan.filename} needs runtime ${need.id} ${need.minVersion} or newer for ${m.os}-${m.arch}, whose installed copy is damaged: ${damaged.join("; ")}`,
        `nothing was installed; install the runtime again (install --runtime ${need.id}, or its .bairuntime file: a damaged copy is replaced), then this package`,
      );
    }
    const planned = plan.runtime;
    const offered =
      planned && planned.runtimeId === need.id && !runtimeVersionSatisfies(planned.version, need.minVersion)
        ? `; the index offers ${planned.version}, older than it needs`
        : planned && planned.runtimeId !== need.id
          ? `; the index names ${planned.runtimeId} for it instead`
          : "";
    throw new RuntimeNotInstalledError(
      `${plan.filename} needs runtime ${need.id} ${need.minVersion} or newer for ${m.os}-${m.arch}, which is not installed in ${join(plan.enginesDir, "runtimes")}${offered}`,
      `nothing was installed; install the engine from an index that lists its runtime (install --engine), or the runtime pack first: install ${need.id}-<version>-${m.os}-${m.arch}.bairuntime`,
      need.id,
      need.minVersion,
    );
  }
  await refuseUncovered(packageDir, m, installed, plan);
  reporter?.step?.("link runtime", `${need.id} ${installed.manifest.version}`);
  const links = await linkLocked(installed, packageDir, m, plan, reporter);
  for (const path of links.kept) reporter?.log?.("warn", `${plan.filename} carries ${path} itself; its own copy is kept instead of ${need.id}'s`);
  return { id: need.id, version: installed.manifest.version, dir: installed.dir, links };
}

/**
 * Refuses a runtime that lacks a library of it the package's binaries link (a pack made from a
 * toolkit without cuBLAS, or `--from` another engine): the engine would list no GPU on a machine
 * with only the driver. The links are read from the extracted package's binaries.
 */
async function refuseUncovered(packageDir: string, m: Manifest, installed: InstalledRuntime, plan: InstallPlan): Promise<void> {
  const { runtimeLinks } = await checkLibraryFolder(packageDir, { os: m.os, arch: m.arch }, { serverBinary: m.serverBinary });
  const lacking = lackingRuntimeLibraries(m, runtimeLinks, installed.manifest);
  if (lacking.length > 0) {
    const what = lacking.map((l) => `${l.name} (linked by ${l.by.join(", ")})`).join(", ");
    throw new InstallRefusedError(
      `${plan.filename} links ${what}, which the installed ${runtimeLabel(installed.manifest)} does not provide`,
      `nothing was installed; install a ${m.runtime!.id} pack that provides it (install its .bairuntime with --force), packed from the toolkit the engine was built with`,
    );
  }
}

/**
 * Links under the store's install lock, so a `--force` reinstall or a repair of that runtime
 * cannot swap the folder out mid-way; the store is checked again once the lock is held.
 */
async function linkLocked(installed: InstalledRuntime, packageDir: string, m: Manifest, plan: InstallPlan, reporter?: Reporter): Promise<RuntimeLinks> {
  const r = installed.manifest;
  const lock = runtimeLockPath(plan.enginesDir, r);
  const release = await takeInstallLock({ lock, filename: basename(lock) }, reporter);
  try {
    const again = await findInstalledRuntime(plan.enginesDir, { id: r.runtimeId, minVersion: r.version }, { os: r.os, arch: r.arch });
    if (again.found?.dir !== installed.dir) {
      throw new InstallRefusedError(`runtime ${r.runtimeId} ${r.version} for ${r.os}-${r.arch} changed while ${plan.filename} was being installed`, "nothing was installed; run the install again");
    }
    return await linkRuntime(again.found, packageDir, m);
  } finally {
    await release();
  }
}
