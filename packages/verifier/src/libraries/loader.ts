import { posix } from "node:path";
import type { Os } from "@baiengine/schema";
import type { BinaryInfo } from "../binary/binary-info.js";
import { type LibraryPolicy, type PolicyClass, policyMatcher } from "./policy.js";
import type { LibraryTree, TreeLookup } from "./tree.js";

/** A loaded object: where it sits in the tree and the headers of the slice that runs. */
export interface LoadedObject {
  path: string;
  info: BinaryInfo;
}

/** What the loader rules need besides the object: the target OS, its policy, the executable. */
export interface LoaderContext {
  os: Os;
  policy: LibraryPolicy;
  /** The program that starts the process: anchors @executable_path and the Windows DLL search; its DT_RPATH is inherited. */
  exe: LoadedObject | undefined;
  /** Folders searched after the loader's own (PATH-like: the toolchain's runtime DLLs when packing); tree paths. */
  extraDirs?: readonly string[];
}

/**
 * Where a needed name leads: a file in the tree (`path`: where the loader asks, `file`: the file
 * after links), the machine (by policy), or nowhere (`searched`: the folders tried, in order;
 * `misses`: what each of them held under the name; `reason` when the name itself is the problem).
 */
export type Resolution =
  | { kind: "bundled"; path: string; file: string }
  | { kind: PolicyClass }
  | { kind: "unresolved"; name: string; searched: string[]; misses: TreeLookup[]; reason?: string };

const matchers = new WeakMap<LibraryPolicy, (name: string) => PolicyClass | null>();

/** How the policy classes a needed name (the base name of a path); null when it is none of its lists. */
export function classify(policy: LibraryPolicy, name: string): PolicyClass | null {
  let match = matchers.get(policy);
  if (!match) {
    match = policyMatcher(policy);
    matchers.set(policy, match);
  }
  return match(posix.basename(name));
}

export function isSystemPath(policy: LibraryPolicy, p: string): boolean {
  return policy.systemPrefixes.some((prefix) => p.startsWith(prefix));
}

/** Expands a run-path entry ($ORIGIN, @loader_path, @executable_path) to a tree folder; null for entries outside the tree. */
export function expandRunPath(entry: string, ownerDir: string, ctx: LoaderContext): string | null {
  const m = /^(\$ORIGIN|\$\{ORIGIN\}|@loader_path|@executable_path)(\/.*)?$/.exec(entry);
  if (!m) return null;
  const base = m[1] === "@executable_path" ? exeDir(ctx) : ownerDir;
  const dir = posix.normalize(posix.join(base, m[2] ?? "."));
  return dir === ".." || dir.startsWith("../") ? null : dir;
}

export function exeDir(ctx: LoaderContext): string {
  return ctx.exe ? posix.dirname(ctx.exe.path) : ".";
}

/**
 * The folders the OS loader searches for an object's dependencies (relative ones only: absolute
 * run paths name build machines). Sources: ld.so(8) (DT_RUNPATH alone when present, else DT_RPATH
 * then the executable's DT_RPATH), dyld(1) (@rpath: the image's LC_RPATHs, then the executable's),
 * and the Windows DLL search order (the application's folder, whoever loads the DLL).
 */
export function searchDirs(obj: LoadedObject, ctx: LoaderContext): string[] {
  const dir = posix.dirname(obj.path);
  const own = (d: string, entries: string[]) => entries.map((e) => expandRunPath(e, d, ctx)).filter((e): e is string => e !== null);
  const exe = ctx.exe && ctx.exe.path !== obj.path ? ctx.exe : undefined;
  if (ctx.os === "windows") return [exeDir(ctx)];
  if (ctx.os === "macos") return [...own(dir, obj.info.rpath), ...(exe ? own(exeDir(ctx), exe.info.rpath) : [])];
  if (obj.info.runpath.length > 0) return own(dir, obj.info.runpath);
  const fromExe = exe && exe.info.runpath.length === 0 ? own(exeDir(ctx), exe.info.rpath) : [];
  return [...own(dir, obj.info.rpath), ...fromExe];
}

/** Where `name` (a DT_NEEDED, LC_LOAD_DYLIB or PE import of `obj`) leads under the loader rules and the policy. */
export function resolveNeeded(tree: LibraryTree, obj: LoadedObject, name: string, ctx: LoaderContext): Resolution {
  if (ctx.os === "macos") return resolveDylib(tree, obj, name, ctx);
  const unresolved = (searched: string[], misses: TreeLookup[], reason?: string): Resolution => ({ kind: "unresolved", name, searched, misses, ...(reason ? { reason } : {}) });
  if (name.includes("/")) return unresolved([], [], "a path in the dependency name is resolved against the working directory");
  const cls = classify(ctx.policy, name);
  // Windows loads known system DLLs from the system folder before the application's folder.
  if (ctx.os === "windows" && cls === "system") return { kind: "system" };
  const searched = [...searchDirs(obj, ctx), ...(ctx.extraDirs ?? [])];
  const found = searchIn(tree, searched, name);
  if (found.kind === "bundled" || cls === null) return found.kind === "bundled" ? found : unresolved(searched, found.misses);
  return { kind: cls };
}

/** dyld: @rpath, @loader_path and @executable_path names inside the package; absolute names in the OS's folders. */
function resolveDylib(tree: LibraryTree, obj: LoadedObject, name: string, ctx: LoaderContext): Resolution {
  const at = /^(@rpath|@loader_path|@executable_path)\/(.+)$/.exec(name);
  if (!at) {
    const cls = classify(ctx.policy, name);
    if (cls === "system" && !name.includes("/")) return { kind: "system" };
    if (name.startsWith("/") && isSystemPath(ctx.policy, name)) return { kind: "system" };
    if (cls === "driver" || cls === "runtime") return { kind: cls };
    const reason = name.startsWith("/") ? "an absolute path outside /usr/lib and /System: the library is not in the package" : undefined;
    return { kind: "unresolved", name, searched: [], misses: [], ...(reason ? { reason } : {}) };
  }
  const dirs = at[1] === "@rpath" ? searchDirs(obj, ctx) : [expandRunPath(at[1]!, posix.dirname(obj.path), ctx)].filter((d): d is string => d !== null);
  const found = searchIn(tree, dirs, at[2]!);
  if (found.kind === "bundled") return found;
  // An LC_RPATH into the OS (Swift's /usr/lib/swift) makes @rpath names system libraries.
  if (at[1] === "@rpath" && obj.info.rpath.some((p) => isSystemPath(ctx.policy, p))) return { kind: "system" };
  return { kind: "unresolved", name: at[2]!, searched: dirs, misses: found.misses };
}

/** The first folder that holds `name`, or what each folder held instead. */
function searchIn(tree: LibraryTree, dirs: string[], name: string): { kind: "bundled"; path: string; file: string } | { kind: "missing"; misses: TreeLookup[] } {
  const misses: TreeLookup[] = [];
  for (const d of dirs) {
    const path = posix.join(d, name);
    const hit = tree.lookup(path);
    if (hit.kind === "file") return { kind: "bundled", path, file: hit.file };
    misses.push(hit);
  }
  return { kind: "missing", misses };
}
