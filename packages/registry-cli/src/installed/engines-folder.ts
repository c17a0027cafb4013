import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ACTIVE_RECORD_FILE, ENGINE_ID_PATTERN, type Manifest, parseJsonDocument, type RuntimeManifest, safeParseManifest, VERSION_PATTERN } from "@baiengine/schema";
import { lockPathFor, processGone } from "@baiengine/cli-kit/system";
import { platformFolderName } from "../install/engines-dir.js";
import { parseAsideFolder } from "../install/place-install.js";
import { readRuntimeStore } from "../install/runtime-store.js";
import { type FileFacts, linkedOutside, walkFiles } from "./file-usage.js";

/**
 * What an engines folder holds, read from disk each time (nothing is remembered elsewhere, so a
 * folder deleted by hand is simply gone): installed engine platforms, runtime stores, and everything
 * else that is not trusted (half-installed, moved aside, foreign), named with the reason.
 *
 * Layout: `<engines-dir>/<engineId>/<version>/<os>-<arch>-<accel>[-variant]/` (an extracted
 * package: `manifest.json`, the server, `libs/`), `runtimes/<runtimeId>/<version>/<os>-<arch>/`,
 * `active.json` (the active record) and `active.json.lock/` (its lock, left behind by a killed command
 * until the next one takes it over), `.downloads/` (partial downloads and locks), `.trash/`
 * (folders being removed), `incoming/` (offline installs), `registries/` (indexes read from a URL).
 */
export interface InstalledEngine {
  engineId: string;
  version: string;
  /** The platform folder's name, `<os>-<arch>-<accel>[-variant]`. */
  platform: string;
  /** `<os>-<arch>`: the key of the active record. */
  osArch: string;
  dir: string;
  manifest: Manifest;
  files: FileFacts[];
}

export interface InstalledStore {
  runtimeId: string;
  version: string;
  /** `<os>-<arch>`. */
  platform: string;
  dir: string;
  manifest: RuntimeManifest;
  files: FileFacts[];
}

/** A folder that is not a complete install: named, never used, never counted as installed. */
export interface StrayFolder {
  dir: string;
  reason: string;
  files: FileFacts[];
  /** Set for a folder in an engine's version folder that `remove` and `prune` may take: see EngineStray. */
  engine?: EngineStray;
  /** Set for a folder in a runtime's version folder that `prune` may take: see RuntimeStray. */
  runtime?: RuntimeStray;
}

/**
 * A stray inside `<engineId>/<version>/`: a platform folder that is not a whole install (`damaged`:
 * no valid manifest, its server missing), an install's temporary `.<platform>.installing-<pid>-*`,
 * or a copy a `--force` install moved aside (`.<platform>.replaced-*`).
 */
export interface EngineStray {
  engineId: string;
  version: string;
  /** The platform folder it is, or was being installed as. */
  platform: string;
  kind: "damaged" | "installing" | "replaced";
  /**
   * Why it must be left alone now, or null: an `installing` folder whose process (the pid in its
   * name) still runs on this host is an install in progress; a `replaced` copy whose platform folder
   * is not installed whole is the copy the next install of that platform puts back.
   */
  leave: string | null;
}

/**
 * A stray inside `runtimes/<runtimeId>/<version>/` that `prune` may take: a store folder that is not
 * whole (`damaged`, with `damage` saying what is missing) or a runtime install's temporary
 * `.<platform>.installing-<pid>-*`.
 */
export interface RuntimeStray {
  runtimeId: string;
  version: string;
  /** `<os>-<arch>`. */
  platform: string;
  kind: "damaged" | "installing";
  damage: string;
  /**
   * Why it must be left alone now, or null: an install in progress (its process runs on this host),
   * or a damaged store an installed engine still links (the next install that needs it repairs it).
   */
  leave: string | null;
}

export interface EnginesFolder {
  enginesDir: string;
  engines: InstalledEngine[];
  runtimes: InstalledStore[];
  strays: StrayFolder[];
}

/** Top-level names of the engines folder that are not engines. */
export const RESERVED_NAMES = new Set([".downloads", ".trash", "runtimes", "incoming", "registries", lockPathFor(ACTIVE_RECORD_FILE)]);

const subfolders = async (dir: string) =>
  (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name).sort();

/** What a dot-named folder beside an install is: a temporary one of an install, or one moved aside. */
function dotFolderReason(name: string): string {
  const aside = parseAsideFolder(name);
  if (aside?.kind === "installing") return "half-installed (an install in progress, or one that was interrupted: the next install of that platform removes it)";
  if (aside?.kind === "replaced") return "an installed copy moved aside by a --force install (put back or removed by the next install of that platform)";
  return "not an install (a hidden folder)";
}

/** Reads every installed engine platform, runtime store and stray folder. */
export async function scanEnginesFolder(enginesDir: string): Promise<EnginesFolder> {
  const result: EnginesFolder = { enginesDir, engines: [], runtimes: [], strays: [] };
  const stray = async (dir: string, reason: string) => result.strays.push({ dir, reason, files: await walkFiles(dir) });
  for (const id of await subfolders(enginesDir)) {
    if (RESERVED_NAMES.has(id)) continue;
    const idDir = join(enginesDir, id);
    if (!ENGINE_ID_PATTERN.test(id)) {
      await stray(idDir, id.startsWith(".") ? dotFolderReason(id) : "not an engine folder (the name is no engine id)");
      continue;
    }
    for (const version of await subfolders(idDir)) {
      const versionDir = join(idDir, version);
      if (!VERSION_PATTERN.test(version)) {
        await stray(versionDir, `not a version folder of ${id}`);
        continue;
      }
      const names = await subfolders(versionDir);
      const whole = new Set<string>();
      for (const platform of names.filter((n) => !n.startsWith("."))) {
        const dir = join(versionDir, platform);
        const checked = await checkEngineFolder(dir, id, version, platform);
        if ("reason" in checked) {
          result.strays.push({ dir, reason: checked.reason, files: await walkFiles(dir), engine: { engineId: id, version, platform, kind: "damaged", leave: null } });
          continue;
        }
        whole.add(platform);
        result.engines.push({ engineId: id, version, platform, osArch: `${checked.manifest.os}-${checked.manifest.arch}`, dir, manifest: checked.manifest, files: await walkFiles(dir) });
      }
      for (const name of names.filter((n) => n.startsWith("."))) {
        const dir = join(versionDir, name);
        const engine = asideOf(name, id, version, whole);
        result.strays.push({ dir, reason: dotFolderReason(name), files: await walkFiles(dir), ...(engine ? { engine } : {}) });
      }
    }
  }
  result.runtimes = await scanRuntimeStores(enginesDir, result.strays);
  return result;
}

/** What a dot-named folder in a version folder is (an install's temporary folder, a copy moved aside), or null for any other hidden folder. */
function asideOf(name: string, engineId: string, version: string, whole: ReadonlySet<string>): EngineStray | null {
  const aside = parseAsideFolder(name);
  if (aside === null) return null;
  const { platform, kind } = aside;
  if (aside.kind === "installing") {
    // The pid in the name is the installing process (installingPath); while it runs, its folder is being written.
    const leave = processGone(aside.pid) ? null : `an install in progress (process ${aside.pid} is running)`;
    return { engineId, version, platform, kind, leave };
  }
  return { engineId, version, platform, kind, leave: whole.has(platform) ? null : `the only copy of ${platform}: the next install of that platform puts it back` };
}

/** An installed platform folder counts only with a valid manifest naming that engine, version and platform, and its server there. */
export async function checkEngineFolder(dir: string, id: string, version: string, platform: string): Promise<{ manifest: Manifest } | { reason: string }> {
  const bytes = await readFile(join(dir, "manifest.json")).catch(() => null);
  if (bytes === null) return { reason: "no manifest.json (not an installed package)" };
  const parsed = parseJsonDocument(bytes, safeParseManifest);
  if (!parsed.ok) return { reason: `its manifest.json is invalid (${parsed.issues[0]})` };
  const m = parsed.value;
  if (m.engineId !== id || m.version !== version || platformFolderName(m) !== platform) {
    return { reason: `its manifest.json names ${m.engineId} ${m.version} ${platformFolderName(m)}, not the folder's ${id} ${version} ${platform}` };
  }
  const server = await stat(join(dir, m.serverBinary)).catch(() => null);
  if (!server?.isFile()) return { reason: `its server ${m.serverBinary} is missing` };
  return { manifest: m };
}

async function scanRuntimeStores(enginesDir: string, strays: StrayFolder[]): Promise<InstalledStore[]> {
  const stores: InstalledStore[] = [];
  const root = join(enginesDir, "runtimes");
  for (const runtimeId of await subfolders(root)) {
    for (const version of await subfolders(join(root, runtimeId))) {
      for (const platform of await subfolders(join(root, runtimeId, version))) {
        const dir = join(root, runtimeId, version, platform);
        const state = platform.startsWith(".") ? { ok: false as const, damage: dotFolderReason(platform) } : await readRuntimeStore(dir, { runtimeId, version, platform });
        const files = await walkFiles(dir);
        if (state.ok) stores.push({ runtimeId, version, platform, dir, manifest: state.runtime.manifest, files });
        else {
          const runtime = runtimeStrayOf(platform, { runtimeId, version, damage: state.damage }, files);
          strays.push({ dir, reason: `runtime store: ${state.damage}`, files, ...(runtime ? { runtime } : {}) });
        }
      }
    }
  }
  return stores;
}

/** What a runtime store folder that is not whole is, for `prune`; null for a hidden folder no install made. */
function runtimeStrayOf(name: string, of: Pick<RuntimeStray, "runtimeId" | "version" | "damage">, files: readonly FileFacts[]): RuntimeStray | null {
  if (!name.startsWith(".")) {
    const leave = linkedOutside(files) ? "an installed engine still links it: the next install that needs it repairs it" : null;
    return { ...of, platform: name, kind: "damaged", leave };
  }
  const aside = parseAsideFolder(name);
  if (aside?.kind !== "installing") return null;
  return { ...of, platform: aside.platform, kind: "installing", leave: processGone(aside.pid) ? null : `an install in progress (process ${aside.pid} is running)` };
}
