import { randomBytes } from "node:crypto";
import { readdir, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { makeFolders, renameWithRetry } from "@baiengine/cli-kit/system";
import type { ActiveRecord, Reporter } from "@baiengine/schema";
import { FolderInUseError } from "../errors.js";
import { takeInstallLock } from "../install/install-lock.js";
import { removeEmptyParents } from "../install/pipeline.js";
import { runtimeLockPath } from "../install/runtime-plan.js";
import { emptyActiveRecord, readActiveRecord, withEnginesLock, writeActiveRecord } from "./active-record-file.js";
import { type EnginesFolder, scanEnginesFolder } from "./engines-folder.js";
import { linkedOutside, walkFiles } from "./file-usage.js";
import type { ManagePlan, Removal } from "./manage-plan.js";

export interface ManageResult extends ManagePlan {
  dryRun: boolean;
  /** Runtime stores planned for removal that are still linked (an install linked one meanwhile, or a removed engine still in use): kept. */
  keptRuntimes: string[];
  /** Folders moved to `.trash/` that could not be deleted yet (a file in use, as a running `.exe` on Windows): deleted by the next command. */
  leftInTrash: string[];
  /** Folders an earlier command left in `.trash/`, deleted now. */
  swept: string[];
}

/** Where removed folders wait to be deleted: inside the engines folder, so moving one there is a rename on one file system. */
export const trashPath = (enginesDir: string) => join(enginesDir, ".trash");

/**
 * Plans and carries out a management command holding the engines folder's lock: the folder and the
 * active record are read again under the lock and handed to `plan`; folders an earlier command left
 * in `.trash/` are deleted; then the new record is written (it never names a folder about to
 * go), and each folder is renamed into `.trash/` (one atomic step: a process killed at any moment
 * leaves each folder installed or in the trash, never half-deleted under its own name) and deleted.
 * A runtime store is removed only under its install lock, after checking again that no install
 * linked it meanwhile. `dryRun` plans only.
 */
export async function applyManage(
  enginesDir: string,
  plan: (folder: EnginesFolder, record: ActiveRecord) => ManagePlan,
  options: { dryRun?: boolean; reporter?: Reporter } = {},
): Promise<ManageResult> {
  const reporter = options.reporter ?? {};
  // A missing engines folder holds nothing: planned as empty (refusals name what is not installed), and
  // created only for a record to write (a saved setting).
  if (!(await stat(enginesDir).then((s) => s.isDirectory(), () => false))) {
    const planned = plan({ enginesDir, engines: [], runtimes: [], strays: [] }, emptyActiveRecord());
    if (planned.record === null || options.dryRun) return { ...planned, dryRun: Boolean(options.dryRun), keptRuntimes: [], leftInTrash: [], swept: [] };
  }
  return withEnginesLock(enginesDir, reporter, async () => {
    // Read and plan before anything changes: a record this command cannot read (invalid, or a newer
    // format) and a refused plan leave the folder as it was, `.trash/` included.
    const loaded = await readActiveRecord(enginesDir);
    const planned = plan(await scanEnginesFolder(enginesDir), loaded.record);
    const result: ManageResult = { ...planned, dryRun: Boolean(options.dryRun), keptRuntimes: [], leftInTrash: [], swept: [] };
    if (options.dryRun) return result;
    result.swept = (await emptyTrash(enginesDir)).deleted;
    if (planned.record) await writeActiveRecord(loaded, planned.record);
    for (const removal of planned.removals.filter((r) => r.kind !== "runtime")) await moveToTrash(enginesDir, removal, 2);
    // Engines are deleted before their runtime stores are looked at: a removed engine's hard links
    // must be gone for the store's link count to show it unused (one still running stays, and so does its store).
    await emptyTrash(enginesDir);
    for (const removal of planned.removals.filter((r) => r.kind === "runtime")) {
      if (!(await removeStore(enginesDir, removal, reporter))) result.keptRuntimes.push(removal.dir);
    }
    result.leftInTrash = (await emptyTrash(enginesDir)).left;
    return result;
  });
}

/** Renames a folder into `.trash/` and removes the parents it leaves empty (up to `levels` below the engines folder). */
async function moveToTrash(enginesDir: string, removal: Removal, levels: number): Promise<void> {
  const trash = trashPath(enginesDir);
  await makeFolders(trash);
  const name = `${relative(enginesDir, removal.dir).split(/[\\/]/).join("--")}.${randomBytes(4).toString("hex")}`;
  try {
    await renameWithRetry(removal.dir, join(trash, name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    // A leftover or damaged folder (one with a reason) may be cleaned up by that platform's next install meanwhile.
    if (code === "ENOENT" && removal.reason !== undefined) return;
    if (["EBUSY", "EPERM", "EACCES"].includes(code)) {
      throw new FolderInUseError(removal.dir, code, `${removal.id} ${removal.version}`);
    }
    throw error;
  }
  await removeEmptyParents(dirname(removal.dir), enginesDir, levels);
}

/** A runtime store goes only when, under its install lock, none of its files is linked outside it. */
async function removeStore(enginesDir: string, removal: Removal, reporter: Reporter): Promise<boolean> {
  const [os, arch] = removal.platform.split("-") as [never, never];
  const lock = runtimeLockPath(enginesDir, { runtimeId: removal.id, version: removal.version, os, arch });
  const release = await takeInstallLock({ lock, filename: basename(lock) }, reporter);
  try {
    if (linkedOutside(await walkFiles(removal.dir))) return false;
    await moveToTrash(enginesDir, removal, 3);
    return true;
  } finally {
    await release();
  }
}

/** Deletes everything in `.trash/`; what cannot be deleted yet (in use) stays for the next command. */
export async function emptyTrash(enginesDir: string): Promise<{ deleted: string[]; left: string[] }> {
  const trash = trashPath(enginesDir);
  const deleted: string[] = [];
  const left: string[] = [];
  for (const name of await readdir(trash).catch(() => [] as string[])) {
    const path = join(trash, name);
    await rm(path, { recursive: true, force: true }).then(
      () => deleted.push(path),
      () => left.push(path),
    );
  }
  if (left.length === 0) await rm(trash, { recursive: true, force: true }).catch(() => {});
  return { deleted, left };
}
