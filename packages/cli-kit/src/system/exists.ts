import { lstat } from "node:fs/promises";

/**
 * Whether anything is at `path` (a file, a folder, a link: a dangling link exists too, so nothing is
 * written over it). False only when the path is absent (ENOENT, or ENOTDIR: a file where a folder
 * is named); any other error (EACCES, EIO) is thrown, never read as "absent".
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
}
