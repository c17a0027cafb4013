import { constants } from "node:fs";
import { type FileHandle, lstat, open, rm, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { renameWithRetry } from "./rename.js";

/**
 * Writes under a folder that others may also write to (a shared engines folder) without following
 * a link someone planted there: a symbolic link at a path this process writes is never written
 * through (which would write outside the folder); it is removed and replaced by a file of our own.
 */

/** Why a path was replaced, for the caller's reporter: `a symbolic link`, `a folder`, ... */
export type Replaced = string | null;

async function kindAt(path: string): Promise<string | null> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? null : Promise.reject(error)));
  if (info === null || info.isFile()) return null;
  return info.isSymbolicLink() ? "a symbolic link" : info.isDirectory() ? "a folder" : "something that is not a file";
}

/**
 * Opens `path` for reading and appending (created when missing, with `mode` narrowed by the umask:
 * scratch files only), never through a link: O_NOFOLLOW where the OS has it (Linux,
 * macOS; Windows has no such flag, so an lstat check comes first everywhere). What stands there
 * that is not a regular file is removed first; `replaced` says what it was.
 */
export async function openAppendNoFollow(path: string, mode = 0o644): Promise<{ handle: FileHandle; replaced: Replaced }> {
  const replaced = await kindAt(path);
  if (replaced !== null) await rm(path, { recursive: true, force: true });
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0);
  return { handle: await open(path, flags, mode), replaced };
}

/** Reads `path` unless it is not a regular file (a planted link is not read through); null then, or when missing. */
export async function readFileNoFollow(path: string): Promise<Buffer | null> {
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
  if ((await kindAt(path).catch(() => "unreadable")) !== null) return null;
  const handle = await open(path, flags).catch(() => null);
  if (handle === null) return null;
  try {
    return (await handle.stat()).isFile() ? await handle.readFile() : null;
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data`: written to a new temporary file beside it (created exclusively, so
 * never through a link), then renamed over it. A rename replaces a link at `path` instead of
 * following it. The file gets exactly `mode`, whatever the umask.
 */
export async function writeFileReplacing(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await writeFile(temp, data, { flag: "wx", mode });
    const handle = await open(temp, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    await handle.chmod(mode).finally(() => handle.close());
    await renameWithRetry(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
