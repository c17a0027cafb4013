import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { execa } from "execa";

/**
 * A string that changes whenever the source tree's content may have: the git commit plus a hash of
 * uncommitted changes, or, outside git, a hash of every file's path, size and mtime. It is part of
 * a cell's turbo hash (sources outside the repository are not turbo inputs).
 */
export async function sourceRevision(dir: string): Promise<string> {
  const head = await execa("git", ["-C", dir, "rev-parse", "HEAD"], { reject: false });
  if (head.exitCode === 0) {
    const diff = await execa("git", ["-C", dir, "diff", "HEAD", "--binary"], { reject: false, maxBuffer: 1 << 30 });
    const untracked = await execa("git", ["-C", dir, "ls-files", "--others", "--exclude-standard"], { reject: false });
    const dirty = createHash("sha256").update(diff.stdout).update(untracked.stdout).digest("hex").slice(0, 16);
    return `git:${head.stdout.trim()}:${dirty}`;
  }
  const hash = createHash("sha256");
  const walk = async (d: string): Promise<void> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name === ".git" || e.name === "build" || e.name === "node_modules") continue;
        await walk(p);
      } else {
        const s = await stat(p);
        hash.update(`${relative(dir, p)}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  await walk(dir);
  return `tree:${hash.digest("hex").slice(0, 32)}`;
}
