import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { isGitTopLevel, newestFileTime, sourceIdentity, toolOutput } from "@baiengine/cli-kit/system";
import type { EngineProfile, VersionRule } from "@baiengine/profiles";
import type { DeclaredVersion, SourceFacts } from "../plan/facts.js";

async function git(dir: string, args: string[]): Promise<string | null> {
  return (await toolOutput("git", ["-C", dir, ...args], { timeoutMs: 0 }))?.trim() ?? null;
}

/** Reads what a source folder is: engine markers, git commit/tag/time, declared version, identity. */
export async function readSourceFacts(dir: string, engine: EngineProfile): Promise<SourceFacts | null> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  const real = realpathSync(dir);
  const missingMarkers = engine.sourceMarkers.filter((m) => !existsSync(path.join(real, m)));
  const isRepoRoot = await isGitTopLevel(real);
  let commit: string | null = null;
  let tag: string | null = null;
  let commitTime: number | null = null;
  if (isRepoRoot) {
    commit = await git(real, ["rev-parse", "HEAD"]);
    tag = await git(real, ["describe", "--tags", "--exact-match", "HEAD"]);
    const ct = await git(real, ["log", "-1", "--format=%ct"]);
    commitTime = ct ? Number(ct) : null;
  } else {
    // A folder inside another repository (the hello fixture): the last commit that touched it.
    const ct = await git(real, ["log", "-1", "--format=%ct", "--", "."]);
    commitTime = ct ? Number(ct) : null;
  }
  // Not this engine's source: planning refuses it, so don't walk a tree that may be anything.
  const identity = !isRepoRoot && missingMarkers.length > 0 ? `unrecognised:${real}` : await sourceIdentity(real);
  // No commit time (no repository, or no commit touched the folder): the files' newest time is the archive time's fallback.
  const newest = commitTime === null && missingMarkers.length === 0 ? newestFileTime(real) : null;
  const declared = declaredVersion(real, engine.versionRules);
  return { dir: real, missingMarkers, commit, commitTime, tag, declared, identity, newestFileTime: newest, archive: null };
}

/** The version the source's CMake files declare, and the profile's rule that read it (its `dev` says what a development build is). */
export function declaredVersion(dir: string, rules: readonly VersionRule[]): DeclaredVersion | null {
  for (const rule of rules) {
    const file = path.join(dir, rule.file);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (rule.kind === "cmake-set") {
      const get = (name: string) => new RegExp(`set\\s*\\(\\s*${name}\\s+"?(\\d+)"?\\s*\\)`).exec(text)?.[1];
      const [a, b, c] = [get(rule.major), get(rule.minor), get(rule.patch)];
      if (a !== undefined && b !== undefined && c !== undefined) return { version: `${a}.${b}.${c}`, rule };
    } else {
      // The name may be quoted: whisper.cpp up to 1.9.2 declares `project("whisper.cpp" VERSION 1.9.1)`.
      const m = /project\s*\(\s*"?[\w.-]+"?[^)]*?\bVERSION\s+(\d+(?:\.\d+){0,3})/is.exec(text);
      if (m) return { version: m[1]!, rule };
    }
  }
  return null;
}
