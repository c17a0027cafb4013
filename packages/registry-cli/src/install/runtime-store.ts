import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Arch, compareDottedVersions, type Os, parseJsonDocument, type RuntimeManifest, runtimeVersionSatisfies, safeParseRuntimeManifest } from "@baiengine/schema";
import { runtimeStorePath } from "./runtime-plan.js";

/** A runtime pack installed in the engines folder. */
export interface InstalledRuntime {
  dir: string;
  manifest: RuntimeManifest;
}

/** Which runtime pack a store folder must hold: `platform` is `<os>-<arch>`. */
export interface StoreIdentity {
  runtimeId: string;
  version: string;
  platform: string;
}

/** An installed store folder: its manifest when whole, else one line saying what is damaged. */
export type StoreState = { ok: true; runtime: InstalledRuntime } | { ok: false; damage: string };

/**
 * Reads an installed runtime store folder and says whether engines can be linked from it: its
 * `manifest.json` is a valid runtime manifest naming that very runtime, version and platform, and
 * every library it `provides` is a non-empty file under its `libraryDir`. A folder a user or a
 * cleaner half-deleted (or emptied a library of) is damaged: the line names the first thing missing.
 */
export async function readRuntimeStore(dir: string, want: StoreIdentity): Promise<StoreState> {
  const bytes = await readFile(join(dir, "manifest.json")).catch(() => null);
  if (bytes === null) return { ok: false, damage: "its manifest.json is missing" };
  const m = parseJsonDocument(bytes, safeParseRuntimeManifest);
  if (!m.ok) return { ok: false, damage: `its manifest.json is not a valid runtime manifest (${m.issues[0]})` };
  const { runtimeId, version, os, arch, libraryDir, provides } = m.value;
  if (runtimeId !== want.runtimeId || version !== want.version || `${os}-${arch}` !== want.platform) {
    return { ok: false, damage: `its manifest.json names ${runtimeId} ${version} ${os}-${arch}` };
  }
  for (const name of provides) {
    const file = join(libraryDir, name);
    const size = await stat(join(dir, file)).then((s) => (s.isFile() ? s.size : -1), () => null);
    if (size === null) return { ok: false, damage: `${file} is missing` };
    if (size <= 0) return { ok: false, damage: `${file} is ${size === 0 ? "empty" : "not a file"}` };
  }
  return { ok: true, runtime: { dir, manifest: m.value } };
}

/**
 * The newest installed version of a runtime for a platform that serves `minVersion` (`found`), or
 * null; `damaged` lists the store folders of serving versions that were skipped because
 * readRuntimeStore found them damaged (one line each), so a refusal can say why.
 */
export async function findInstalledRuntime(
  enginesDir: string,
  need: { id: string; minVersion: string },
  platform: { os: Os; arch: Arch },
): Promise<{ found: InstalledRuntime | null; damaged: string[] }> {
  const versions = await readdir(join(enginesDir, "runtimes", need.id)).catch(() => [] as string[]);
  const found: InstalledRuntime[] = [];
  const damaged: string[] = [];
  for (const version of versions) {
    if (version.startsWith(".") || !runtimeVersionSatisfies(version, need.minVersion)) continue;
    const dir = runtimeStorePath(enginesDir, { runtimeId: need.id, version, ...platform });
    if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) continue;
    const state = await readRuntimeStore(dir, { runtimeId: need.id, version, platform: `${platform.os}-${platform.arch}` });
    if (state.ok) found.push(state.runtime);
    else damaged.push(`${dir}: ${state.damage}`);
  }
  found.sort((a, b) => compareDottedVersions(b.manifest.version, a.manifest.version));
  return { found: found[0] ?? null, damaged };
}
