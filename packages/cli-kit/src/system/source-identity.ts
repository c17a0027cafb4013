import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { toolOutput } from "./run-tool.js";

/** Folders that are never part of a source's identity: version control, build output, dependencies. */
const SKIPPED = new Set([".git", "build", "node_modules"]);

async function git(dir: string, args: string[]): Promise<string | null> {
  return (await toolOutput("git", ["-C", dir, ...args], { maxBuffer: 1 << 30, timeoutMs: 0 }))?.trim() ?? null;
}

/** Whether `dir` is the top level of a git work tree (a folder inside one, such as a fixture, is not). */
export async function isGitTopLevel(dir: string): Promise<boolean> {
  const top = await git(dir, ["rev-parse", "--show-toplevel"]);
  return top !== null && realpathSync(top) === realpathSync(dir);
}

/**
 * What a source tree is, by content: `git:<commit>` for a clean git checkout (its top level),
 * `git:<commit>+<hash>` when it has local changes (the binary diff against HEAD and the untracked,
 * not ignored files' names and bytes), otherwise `tree:<hash>` of every file's relative path and
 * bytes (symlinks by their target's name, never followed; .git, build and node_modules skipped).
 * Hashes are sha256, 16 hex digits. The packer's build cache and the build matrix's turbo hash both key on it.
 */
export async function sourceIdentity(dir: string): Promise<string> {
  const real = realpathSync(dir);
  if (!(await isGitTopLevel(real))) return `tree:${hashTree(real)}`;
  const commit = await git(real, ["rev-parse", "HEAD"]);
  const changes = await localChanges(real);
  return `git:${commit}${changes ? `+${changes}` : ""}`;
}

/** Hash of uncommitted changes of a git checkout, or null when it is clean. */
async function localChanges(dir: string): Promise<string | null> {
  const diff = (await git(dir, ["diff", "HEAD", "--binary"])) ?? "";
  const untracked = ((await git(dir, ["ls-files", "--others", "--exclude-standard", "-z"])) ?? "").split("\0").filter(Boolean).sort();
  if (diff === "" && untracked.length === 0) return null;
  const hash = createHash("sha256").update(diff).update("\0");
  for (const name of untracked) hashEntry(hash, dir, path.join(dir, name));
  return hash.digest("hex").slice(0, 16);
}

/** Calls `visit` for every entry of a source tree that is not a folder, in sorted order, skipping .git, build and node_modules. */
function walkSourceTree(root: string, visit: (full: string) => void): void {
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIPPED.has(name)) continue;
      const full = path.join(dir, name);
      if (lstatSync(full).isDirectory()) walk(full);
      else visit(full);
    }
  };
  walk(root);
}

/** Content hash of a source tree (names and bytes, sorted). */
export function hashTree(root: string): string {
  const hash = createHash("sha256");
  walkSourceTree(root, (full) => hashEntry(hash, root, full));
  return hash.digest("hex").slice(0, 16);
}

/**
 * The newest modification time of a source tree's regular files, in whole seconds since the epoch
 * (symlinks not followed; .git, build and node_modules skipped), or null when it has none. A tarball
 * keeps its files' times when unpacked, so this is the same for every unpacking of one tarball.
 */
export function newestFileTime(root: string): number | null {
  let newest: number | null = null;
  walkSourceTree(root, (full) => {
    const st = lstatSync(full, { throwIfNoEntry: false });
    if (st?.isFile()) newest = Math.max(newest ?? 0, Math.floor(st.mtimeMs / 1000));
  });
  return newest;
}

/** One file into `hash`: its path relative to `root`, then its bytes, or a symlink's target (lstat: never followed, no loops). */
function hashEntry(hash: ReturnType<typeof createHash>, root: string, full: string): void {
  const st = lstatSync(full, { throwIfNoEntry: false });
  const name = path.relative(root, full);
  if (st?.isFile()) hash.update(`${name}\0`).update(readFileSync(full)).update("\0");
  else if (st?.isSymbolicLink()) hash.update(`${name}\0->${readlinkSync(full)}\0`);
}
