import { DEFAULT_CHANNEL, platformKey, type Registry } from "@baiengine/schema";
import { publishedVersions } from "../history/engine-history.js";
import { compareEngineVersions } from "../version/compare-versions.js";
import { ActiveRecordUnreadableError } from "../errors.js";
import { emptyActiveRecord, readActiveRecord } from "./active-record-file.js";
import { scanEnginesFolder } from "./engines-folder.js";
import { folderBytes } from "./file-usage.js";
import { activeEntry, isActive } from "./manage-plan.js";
import { runtimeLinkOf, storeInodes } from "./runtime-links.js";

/** One installed engine platform, as `installed` shows it. */
export interface InstalledRow {
  engineId: string;
  version: string;
  platform: string;
  dir: string;
  /** Bytes of its files (runtime libraries hard-linked in count here and in the store: one copy on disk). */
  size: number;
  /** The runtime store it links (`how: copied`: no shared file, version unknown). */
  runtime: { id: string; version: string | null; how: "linked" | "copied" } | null;
  active: boolean;
  pinned: boolean;
  /** The newest stable, non-yanked version of the index with a package for this platform, when above this one. */
  newer: string | null;
  /** Why the index withdrew this version (`yank`), or null: not yanked, or no index given. */
  yanked: { reason: string; date: string | null } | null;
}

export interface InstalledReport {
  enginesDir: string;
  engines: InstalledRow[];
  runtimes: { id: string; version: string; platform: string; dir: string; size: number; linkedBy: number }[];
  /** Folders that are not complete installs (half-installed, moved aside, foreign), never used. */
  strays: { dir: string; reason: string }[];
  /** Active record entries whose folder is not installed (deleted by hand): the app has nothing to run there. */
  missing: { engineId: string; osArch: string; version: string; platform: string }[];
  /**
   * Why the active record could not be read (invalid, or written by a newer version: `code` is the
   * error's, ACTIVE_RECORD_INVALID or ACTIVE_RECORD_NEWER), or null. The list is then read from disk
   * alone: no version shows as active.
   */
  recordProblem: { file: string; code: string; message: string; hint: string } | null;
}

/** `installed`: what the engines folder holds, read from disk now, with the active record and (optionally) the index for newer versions. */
export async function listInstalled(enginesDir: string, options: { registry?: Registry } = {}): Promise<InstalledReport> {
  const folder = await scanEnginesFolder(enginesDir);
  const { record, recordProblem } = await readActiveRecord(enginesDir).then(
    (loaded) => ({ record: loaded.record, recordProblem: null }),
    (error: unknown) => {
      if (!(error instanceof ActiveRecordUnreadableError)) throw error;
      return { record: emptyActiveRecord(), recordProblem: { file: error.file, code: error.code, message: error.message, hint: error.hint ?? "" } };
    },
  );
  const inodes = storeInodes(folder.runtimes);
  const linkCount = new Map<string, number>();
  const engines = folder.engines.map((e): InstalledRow => {
    const link = runtimeLinkOf(e, folder.runtimes, inodes);
    for (const dir of link?.stores ?? []) linkCount.set(dir, (linkCount.get(dir) ?? 0) + 1);
    const active = isActive(record, e);
    return {
      engineId: e.engineId,
      version: e.version,
      platform: e.platform,
      dir: e.dir,
      size: folderBytes(e.files),
      runtime: link ? { id: link.runtimeId, version: link.version, how: link.how } : null,
      active,
      pinned: active && Boolean(activeEntry(record, e.engineId, e.osArch)?.pinned),
      ...inIndex(options.registry, e.engineId, e.platform, e.version),
    };
  });
  const installed = new Set(folder.engines.map((e) => `${e.engineId}/${e.osArch}/${e.version}/${e.platform}`));
  const missing = Object.entries(record.engines).flatMap(([engineId, byPlatform]) =>
    Object.entries(byPlatform)
      .filter(([osArch, a]) => !installed.has(`${engineId}/${osArch}/${a.version}/${a.platform}`))
      .map(([osArch, a]) => ({ engineId, osArch, version: a.version, platform: a.platform })),
  );
  return {
    enginesDir,
    engines,
    runtimes: folder.runtimes.map((s) => ({ id: s.runtimeId, version: s.version, platform: s.platform, dir: s.dir, size: folderBytes(s.files), linkedBy: linkCount.get(s.dir) ?? 0 })),
    strays: folder.strays.map((s) => ({ dir: s.dir, reason: s.reason })),
    missing,
    recordProblem,
  };
}

/** What the index says of an installed version: a newer stable, non-yanked version with a package for its platform, and whether it was yanked. */
function inIndex(registry: Registry | undefined, engineId: string, platform: string, version: string): Pick<InstalledRow, "newer" | "yanked"> {
  const engine = registry?.engines.find((e) => e.id === engineId);
  if (!engine) return { newer: null, yanked: null };
  const history = publishedVersions(engine);
  const best = history.find((v) => v.channel === DEFAULT_CHANNEL && !v.yanked && v.packages.some((p) => platformKey(p) === platform));
  const order = best ? compareEngineVersions(best.version, version) : null;
  const yanked = history.find((v) => v.version === version)?.yanked;
  return { newer: order !== null && order > 0 ? best!.version : null, yanked: yanked ? { reason: yanked.reason, date: yanked.date ?? null } : null };
}
