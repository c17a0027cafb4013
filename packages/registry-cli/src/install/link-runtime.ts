import { copyFile, link, mkdir, readdir } from "node:fs/promises";
import { dirname, join, posix, relative } from "node:path";
import { exists } from "@baiengine/cli-kit/system";
import type { Manifest } from "@baiengine/schema";
import type { InstalledRuntime } from "./runtime-store.js";

/** What `linkRuntime` did. */
export interface RuntimeLinks {
  /** The folder the runtime's libraries were placed in, relative to the package root (`libs`; `.` on Windows). */
  folder: string;
  /** Files hard-linked (sharing the runtime store's inode: stored once on disk). */
  linked: number;
  /** Files copied because a hard link could not be made (another file system, no link support). */
  copied: number;
  /** Library paths the package already carries itself (its own copy is kept). */
  kept: string[];
}

/**
 * The folder where an engine's loader already looks for the runtime's libraries, relative to the
 * package root: beside the server `.exe` on Windows (the DLL search order starts at the
 * application's folder; learn.microsoft.com "Dynamic-link library search order"), else `libs/`
 * beside the server, which the packer's RUNPATH `$ORIGIN/libs` (ELF) and `@loader_path/libs`
 * (Mach-O) name.
 */
export function runtimeLinkFolder(m: Pick<Manifest, "os" | "serverBinary">): string {
  const serverDir = posix.dirname(m.serverBinary);
  return m.os === "windows" ? serverDir : posix.join(serverDir, "libs");
}

// Errors after which a copy is the way: another device, or a file system without hard links.
const NO_LINK = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "ENOSYS"]);

/**
 * Makes an installed runtime visible to an extracted engine package with no environment variable:
 * every file under the runtime's `libraryDir` (sub-folders too: rocBLAS's kernel library) is hard
 * linked, else copied, into `runtimeLinkFolder`. A file the package already has is kept.
 */
export async function linkRuntime(runtime: InstalledRuntime, packageDir: string, m: Pick<Manifest, "os" | "serverBinary">): Promise<RuntimeLinks> {
  const from = join(runtime.dir, runtime.manifest.libraryDir);
  const folder = runtimeLinkFolder(m);
  const target = join(packageDir, folder);
  const result: RuntimeLinks = { folder, linked: 0, copied: 0, kept: [] };
  for (const file of await listFiles(from)) {
    const dest = join(target, relative(from, file));
    if (await exists(dest)) {
      result.kept.push(relative(packageDir, dest));
      continue;
    }
    await mkdir(dirname(dest), { recursive: true });
    try {
      await link(file, dest);
      result.linked++;
    } catch (error) {
      if (!NO_LINK.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
      await copyFile(file, dest);
      result.copied++;
    }
  }
  return result;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  // parentPath is Node 20.12+; `path` before it.
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as { path?: string }).path ?? dir, e.name)).sort();
}
