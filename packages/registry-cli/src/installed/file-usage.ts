import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** One regular file of a folder, as the file system counts it (lstat: links are not followed). */
export interface FileFacts {
  path: string;
  /** `<dev>:<ino>`: the same key for every hard link of one file. */
  inode: string;
  /** Hard links the file system counts for it (st_nlink). */
  links: number;
  /** Bytes. */
  size: number;
}

/**
 * Every regular file under `dir` (recursively), never following a symbolic link (a link is not
 * walked into and counts no bytes). A folder that is gone gives none.
 */
export async function walkFiles(dir: string): Promise<FileFacts[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  // A folder's entries at once: the walk waits on the file system, not on each file in turn.
  const found = await Promise.all(
    entries.map(async (entry): Promise<FileFacts[]> => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walkFiles(path);
      if (!entry.isFile()) return [];
      const s = await lstat(path, { bigint: true }).catch(() => null);
      return s?.isFile() ? [{ path, inode: `${s.dev}:${s.ino}`, links: Number(s.nlink), size: Number(s.size) }] : [];
    }),
  );
  return found.flat();
}

/** Bytes of a folder's files, each file once however many of its links the folder holds. */
export function folderBytes(files: readonly FileFacts[]): number {
  const seen = new Map(files.map((f) => [f.inode, f.size]));
  let total = 0;
  for (const size of seen.values()) total += size;
  return total;
}

/**
 * The bytes removing all of `files` gives back to the file system: a file's data is freed only when
 * every one of its hard links is removed, so a file counts only when the removed set holds as many
 * of its links as the file system counts (a runtime library still linked into a kept engine frees
 * nothing).
 */
export function bytesFreed(files: readonly FileFacts[]): number {
  const held = new Map<string, { count: number; links: number; size: number }>();
  for (const f of files) {
    const h = held.get(f.inode);
    if (h) h.count++;
    else held.set(f.inode, { count: 1, links: f.links, size: f.size });
  }
  let total = 0;
  for (const h of held.values()) if (h.count >= h.links) total += h.size;
  return total;
}

/** Whether any of a folder's files has a hard link outside it (an installed engine linking a runtime store's library). */
export function linkedOutside(files: readonly FileFacts[]): boolean {
  const own = new Map<string, number>();
  for (const f of files) own.set(f.inode, (own.get(f.inode) ?? 0) + 1);
  return files.some((f) => f.links > own.get(f.inode)!);
}
