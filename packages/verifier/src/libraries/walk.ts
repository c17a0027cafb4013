import { posix } from "node:path";
import type { Arch, Os } from "@baiengine/schema";
import type { BinaryInfo } from "../binary/binary-info.js";
import { selectSlice } from "../binary/select-slice.js";
import { type LoadedObject, type LoaderContext, type Resolution, resolveNeeded } from "./loader.js";
import { type LibraryPolicy, loadLibraryPolicy, type PolicyClass } from "./policy.js";
import type { LibraryTree } from "./tree.js";

/** One object of a closure: where the walk reached it, the file behind it, its headers. */
export interface ClosureObject {
  /** A root's path, or the path the loader opens for `neededAs`. */
  path: string;
  /** The file at `path` after symbolic links. */
  file: string;
  info: BinaryInfo;
  /** The needed name that reached it (its SONAME, install name or DLL name); absent for roots. */
  neededAs?: string;
}

export interface ClosureWalk {
  /** Roots first, then libraries in the order they were reached (breadth first). */
  objects: ClosureObject[];
  /** Names no search folder holds: the machine's by policy, or `unresolved`; `by` is the first object that needs it. */
  notBundled: { name: string; kind: PolicyClass | "unresolved"; by: string }[];
  /** The unresolved ones with where the loader looked, for `explainMiss`. */
  misses: { obj: ClosureObject; miss: Extract<Resolution, { kind: "unresolved" }> }[];
  /** The context the rules ran in (the executable, the policy). */
  context: LoaderContext;
}

export interface WalkOptions {
  os: Os;
  arch: Arch;
  policy?: LibraryPolicy;
  /** The root that starts the process (the server binary). */
  exe: string;
  /** Folders searched after the loader's own (the toolchain's runtime DLLs), as tree paths. */
  extraDirs?: readonly string[];
}

/**
 * The closure of `roots` under the OS loader's rules: each object's needed names are resolved with
 * `resolveNeeded` (the rules the verifier checks packages with) and what resolves in the tree is
 * read (`read`: tree path → headers; it throws for a file that is not a native binary) and walked
 * in turn. Each name is followed once (case-folded on Windows).
 */
export async function walkClosure(tree: LibraryTree, roots: readonly string[], options: WalkOptions, read: (path: string) => Promise<BinaryInfo>): Promise<ClosureWalk> {
  const policy = options.policy ?? loadLibraryPolicy(options.os);
  const key = (name: string) => (policy.caseInsensitive ? posix.basename(name).toLowerCase() : posix.basename(name));
  const slice = (info: BinaryInfo) => selectSlice(info, options.arch) ?? info;
  const queue: ClosureObject[] = [];
  for (const path of roots) queue.push({ path, file: path, info: slice(await read(path)) });
  const exe = queue.find((o) => o.path === options.exe);
  const ctx: LoaderContext = { os: options.os, policy, exe, ...(options.extraDirs ? { extraDirs: options.extraDirs } : {}) };
  const seen = new Set(roots.map(key));
  const walk: ClosureWalk = { objects: [], notBundled: [], misses: [], context: ctx };
  while (queue.length > 0) {
    const obj = queue.shift()!;
    walk.objects.push(obj);
    for (const name of obj.info.needed) {
      if (seen.has(key(name))) continue;
      seen.add(key(name));
      const r = resolveNeeded(tree, obj as LoadedObject, name, ctx);
      if (r.kind === "bundled") queue.push({ path: r.path, file: r.file, info: slice(await read(r.file)), neededAs: name });
      else {
        walk.notBundled.push({ name, kind: r.kind, by: obj.path });
        if (r.kind === "unresolved") walk.misses.push({ obj, miss: r });
      }
    }
  }
  return walk;
}
