import { lstat, readdir, readlink } from "node:fs/promises";
import path, { posix } from "node:path";
import type { Arch, Os } from "@baiengine/schema";
import { BinaryFormatError } from "../binary/binary-info.js";
import { readBinaryFile } from "../binary/read-binary.js";
import { errorFinding } from "../findings.js";
import { type CheckLibrariesOptions, checkLibraries, type LibraryCheck } from "./check.js";
import type { PackageBinary, PackageSymlink } from "./tree.js";

/**
 * A folder laid out as a package (the packer's staging) read from disk: its native binaries'
 * headers and its symbolic links, with POSIX paths relative to the folder; `corrupt`: binaries whose
 * headers cannot be read, with why. Other files are skipped. Throws fs errors as they come.
 */
export async function readLibraryFolder(dir: string): Promise<{ binaries: PackageBinary[]; symlinks: PackageSymlink[]; corrupt: Map<string, string> }> {
  const binaries: PackageBinary[] = [];
  const symlinks: PackageSymlink[] = [];
  const corrupt = new Map<string, string>();
  const readBinary = async (relPath: string, full: string): Promise<void> => {
    try {
      const info = await readBinaryFile(full);
      if (info) binaries.push({ path: relPath, info });
    } catch (error) {
      if (!(error instanceof BinaryFormatError)) throw error;
      corrupt.set(relPath, error.message);
    }
  };
  const visit = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const relPath = rel === "" ? name : posix.join(rel, name);
      const full = path.join(dir, relPath);
      const st = await lstat(full);
      if (st.isDirectory()) await visit(relPath);
      else if (st.isSymbolicLink()) symlinks.push({ path: relPath, target: (await readlink(full)).split(path.sep).join("/") });
      else if (st.isFile()) await readBinary(relPath, full);
    }
  };
  await visit("");
  return { binaries, symlinks, corrupt };
}

/** `checkLibraries` over a package folder on disk (the packer's staging), with the same rules as over an archive, plus BINARY_CORRUPT per unreadable binary. */
export async function checkLibraryFolder(dir: string, target: { os: Os; arch: Arch }, options: Omit<CheckLibrariesOptions, "symlinks"> = {}): Promise<LibraryCheck> {
  const { binaries, symlinks, corrupt } = await readLibraryFolder(dir);
  const check = checkLibraries(binaries, target, { ...options, symlinks });
  for (const [path, message] of corrupt) check.findings.push(errorFinding("BINARY_CORRUPT", `native binary with corrupt headers: ${message}`, path));
  return check;
}
