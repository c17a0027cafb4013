import { lstat, readdir, readlink } from "node:fs/promises";
import path, { posix } from "node:path";
import type { Arch, Os } from "@baiengine/schema";
import { readBinaryFile } from "../binary/read-binary.js";
import { type CheckLibrariesOptions, checkLibraries, type LibraryCheck } from "./check.js";
import type { PackageBinary, PackageSymlink } from "./tree.js";

/**
 * A folder laid out as a package (the packer's staging) read from disk: its native binaries'
 * headers and its symbolic links, with POSIX paths relative to the folder. Other files are skipped.
 * Throws BinaryFormatError for a binary with corrupt headers, and fs errors as they come.
 */
export async function readLibraryFolder(dir: string): Promise<{ binaries: PackageBinary[]; symlinks: PackageSymlink[] }> {
  const binaries: PackageBinary[] = [];
  const symlinks: PackageSymlink[] = [];
  const visit = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const relPath = rel === "" ? name : posix.join(rel, name);
      const full = path.join(dir, relPath);
      const st = await lstat(full);
      if (st.isDirectory()) await visit(relPath);
      else if (st.isSymbolicLink()) symlinks.push({ path: relPath, target: (await readlink(full)).split(path.sep).join("/") });
      else if (st.isFile()) {
        const info = await readBinaryFile(full);
        if (info) binaries.push({ path: relPath, info });
      }
    }
  };
  await visit("");
  return { binaries, symlinks };
}

/** `checkLibraries` over a package folder on disk (the packer's staging), with the same rules as over an archive. */
export async function checkLibraryFolder(dir: string, target: { os: Os; arch: Arch }, options: Omit<CheckLibrariesOptions, "symlinks"> = {}): Promise<LibraryCheck> {
  const { binaries, symlinks } = await readLibraryFolder(dir);
  return checkLibraries(binaries, target, { ...options, symlinks });
}
