import { randomBytes } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { exists, renameWithRetry } from "@baiengine/cli-kit/system";

/**
 * Names beside an installed platform folder `<version>/<platform>`, all in the same folder (renames
 * stay on one file system): `.<platform>.installing-<pid>-<random>` while extracting, and
 * `.<platform>.replaced-<random>` for the copy a `--force` install moved aside.
 */
export const installingPath = (dest: string) => join(dirname(dest), `.${basename(dest)}.installing-${process.pid}-${randomBytes(4).toString("hex")}`);
const replacedPath = (dest: string) => join(dirname(dest), `.${basename(dest)}.replaced-${randomBytes(4).toString("hex")}`);

/** A name beside an installed platform folder, read back (`parseAsideFolder`). */
export type AsideFolder = { platform: string; kind: "installing"; pid: number } | { platform: string; kind: "replaced" };

/** The platform and kind of an install's temporary folder or a moved-aside copy (the names above); null for any other name. */
export function parseAsideFolder(name: string): AsideFolder | null {
  const installing = /^\.([a-z0-9_-]+)\.installing-(\d+)-[0-9a-f]+$/.exec(name);
  if (installing) return { platform: installing[1]!, kind: "installing", pid: Number(installing[2]) };
  const replaced = /^\.([a-z0-9_-]+)\.replaced-[0-9a-f]+$/.exec(name);
  return replaced ? { platform: replaced[1]!, kind: "replaced" } : null;
}


/**
 * Undoes what a killed install of `dest` left behind. Call it holding that platform's install lock,
 * so every `.installing-`/`.replaced-` folder of it belongs to a process that is gone: a moved-aside
 * copy goes back when `dest` is missing (the process died between the two renames) and is removed
 * otherwise; half-extracted folders are removed. Returns what it did, one line each.
 */
export async function recoverInterrupted(dest: string): Promise<string[]> {
  const names = (await readdir(dirname(dest)).catch(() => [] as string[])).sort();
  const done: string[] = [];
  for (const name of names) {
    const aside = parseAsideFolder(name);
    if (aside?.platform !== basename(dest)) continue;
    const path = join(dirname(dest), name);
    const kind = aside.kind;
    if (kind === "replaced" && !(await exists(dest))) {
      await renameWithRetry(path, dest);
      done.push(`restored ${dest} from ${name} (an earlier --force install was interrupted)`);
    } else {
      await rm(path, { recursive: true, force: true });
      done.push(`removed ${name} (left by an interrupted install)`);
    }
  }
  return done;
}

/**
 * Moves the extracted `source` folder to `dest`. With `replace`, an existing `dest` is first renamed
 * aside, then `source` renamed in, then the old copy deleted: at every moment one complete copy is
 * installed or recoverable by `recoverInterrupted` (never none).
 */
export async function placeInstall(source: string, dest: string, replace: boolean): Promise<void> {
  if (!replace || !(await exists(dest))) {
    await renameWithRetry(source, dest);
    return;
  }
  const aside = replacedPath(dest);
  await renameWithRetry(dest, aside);
  try {
    await renameWithRetry(source, dest);
  } catch (error) {
    await renameWithRetry(aside, dest);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
