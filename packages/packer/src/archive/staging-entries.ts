import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { type ArchiveEntry, compareArchivePaths } from "./archive-entry.js";

/**
 * Lists a staged package folder as archive entries under `prefix`: folders included, sorted by
 * path, the executable bit taken from the file's mode (any x bit), symlinks kept as symlinks.
 */
export async function stagingEntries(stagingDir: string, prefix = "package"): Promise<ArchiveEntry[]> {
  const root = await lstat(stagingDir);
  if (!root.isDirectory()) throw new Error(`staging folder ${stagingDir} is not a folder`);
  const entries: ArchiveEntry[] = [{ path: prefix, type: "directory" }];
  async function walk(dir: string, archiveDir: string): Promise<void> {
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      const source = join(dir, dirent.name);
      const path = `${archiveDir}/${dirent.name}`;
      if (dirent.isDirectory()) {
        entries.push({ path, type: "directory" });
        await walk(source, path);
      } else if (dirent.isSymbolicLink()) {
        entries.push({ path, type: "symlink", target: await readlink(source) });
      } else if (dirent.isFile()) {
        const stats = await lstat(source);
        entries.push({ path, type: "file", source, executable: (stats.mode & 0o111) !== 0 });
      } else {
        throw new Error(`${source} is neither a file, a folder nor a symlink: it cannot go into a package`);
      }
    }
  }
  await walk(stagingDir, prefix);
  return entries.sort((a, b) => compareArchivePaths(a.path, b.path));
}
