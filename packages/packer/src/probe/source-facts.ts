import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import type { SourceFacts } from "../plan/facts.js";
import type { EngineProfile, VersionRule } from "../profiles/engine-profile.js";

async function git(dir: string, args: string[]): Promise<string | null> {
  const r = await execa("git", ["-C", dir, ...args], { reject: false, stdin: "ignore" });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Reads what a source folder is: engine markers, git commit/tag/time, declared version, identity. */
export async function readSourceFacts(dir: string, engine: EngineProfile): Promise<SourceFacts | null> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  const real = realpathSync(dir);
  const missingMarkers = engine.sourceMarkers.filter((m) => !existsSync(path.join(real, m)));
  const top = await git(real, ["rev-parse", "--show-toplevel"]);
  const isRepoRoot = top !== null && realpathSync(top) === real;
  let commit: string | null = null;
  let tag: string | null = null;
  let commitTime: number | null = null;
  let identity: string;
  if (isRepoRoot) {
    commit = await git(real, ["rev-parse", "HEAD"]);
    tag = await git(real, ["describe", "--tags", "--exact-match", "HEAD"]);
    const ct = await git(real, ["log", "-1", "--format=%ct"]);
    commitTime = ct ? Number(ct) : null;
    const changes = await git(real, ["diff", "HEAD"]);
    identity = `git:${commit}${changes ? `+${createHash("sha256").update(changes).digest("hex").slice(0, 16)}` : ""}`;
  } else if (missingMarkers.length > 0) {
    // Not this engine's source: planning refuses it, so don't walk a tree that may be anything.
    identity = `unrecognised:${real}`;
  } else {
    // A folder inside another repository (the hello fixture) or no repository: hash its files.
    if (top !== null) {
      const ct = await git(real, ["log", "-1", "--format=%ct", "--", "."]);
      commitTime = ct ? Number(ct) : null;
    }
    identity = `tree:${hashTree(real)}`;
  }
  return { dir: real, missingMarkers, commit, commitTime, tag, declaredVersion: declaredVersion(real, engine.versionRules), identity };
}

/** The version the source's CMake files declare, by the profile's rules. */
export function declaredVersion(dir: string, rules: readonly VersionRule[]): string | null {
  for (const rule of rules) {
    const file = path.join(dir, rule.file);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (rule.kind === "cmake-set") {
      const get = (name: string) => new RegExp(`set\\s*\\(\\s*${name}\\s+"?(\\d+)"?\\s*\\)`).exec(text)?.[1];
      const [a, b, c] = [get(rule.major), get(rule.minor), get(rule.patch)];
      if (a !== undefined && b !== undefined && c !== undefined) return `${a}.${b}.${c}`;
    } else {
      const m = /project\s*\(\s*[\w.-]+[^)]*?\bVERSION\s+(\d+(?:\.\d+){0,3})/is.exec(text);
      if (m) return m[1]!;
    }
  }
  return null;
}

/** Content hash of a small source tree (names and bytes, sorted), skipping VCS and build folders. */
function hashTree(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === ".git" || name === "build" || name === "node_modules") continue;
      const full = path.join(dir, name);
      // lstat: a symlink is hashed as its target's name, never followed (no loops, no escaping the tree).
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile()) hash.update(`${path.relative(root, full)}\0`).update(readFileSync(full)).update("\0");
      else if (st.isSymbolicLink()) hash.update(`${path.relative(root, full)}\0->${readlinkSync(full)}\0`);
    }
  };
  walk(root);
  return hash.digest("hex").slice(0, 16);
}
