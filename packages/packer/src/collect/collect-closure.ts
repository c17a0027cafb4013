import { existsSync, readdirSync, realpathSync } from "node:fs";
import path from "node:path";
// The errors subpath keeps commander and cli-progress out of library imports.
import { FailureError } from "@baiengine/cli-kit/errors";
import type { Arch, Os } from "@baiengine/schema";
import {
  BinaryFormatError,
  type BinaryInfo,
  type ClosureObject,
  type ClosureWalk,
  DiskTree,
  explainMiss,
  PackageTree,
  readBinaryFile,
  readLibraryFolder,
  walkClosure,
} from "@baiengine/verifier";
import type { CollectPlan } from "../plan/plan-types.js";

export interface CollectedFile {
  /** Real file (symlinks resolved) in the build tree or the toolchain. */
  from: string;
  /** Path under package/. */
  to: string;
  kind: "server" | "library" | "module" | "runtime";
  info: BinaryInfo;
}

export interface Closure {
  files: CollectedFile[];
  /** Imports no search folder of the build holds: the machine's by the verifier's policy, or unresolved (the verifier reports those). */
  system: string[];
}

type Root = { from: string; to: string; kind: "server" | "module" };

/**
 * The server binary, the run-time modules beside it, and the closure of the libraries they import,
 * found by the verifier's loader rules (`walkClosure`: DT_RUNPATH/DT_RPATH with $ORIGIN, @rpath and
 * @loader_path, the executable's folder for DLLs) over the build folder as it is on disk, then the
 * toolchain's runtime folders (mingw DLLs). Never by globbing for libraries. Each library is copied
 * under the name it is imported by (its SONAME, install name or DLL name), as a real file.
 */
export async function collectClosure(plan: CollectPlan, target: { os: Os; arch: Arch }): Promise<Closure> {
  const server = plan.serverBinary.from;
  if (!existsSync(server)) throw new FailureError(`the build did not produce ${server}`, "check the build log: the profile's cmakeTarget and binaryDir must match the build");
  // Tree paths are relative to the build's output folder(s), so messages name files as the build does;
  // the toolchain's folders are reached with `..` (or stay absolute on another drive).
  const root = commonFolder([plan.binaryDir, ...(plan.modules ? [plan.modules.dir] : [])]);
  const tree = new DiskTree(root, target.os === "windows");
  const treePath = (p: string) => {
    const rel = path.relative(root, path.resolve(p));
    return path.isAbsolute(rel) ? rel : path.posix.normalize(rel.split(path.sep).join("/"));
  };
  const roots = [{ from: server, to: plan.serverBinary.to, kind: "server" } as Root, ...moduleRoots(plan)];
  const runtimeDirs = plan.runtimeLibDirs.map(treePath);
  const read = (p: string) => readBuilt(tree.hostPath(p));
  const walk = await walkClosure(tree, roots.map((r) => treePath(r.from)), { ...target, exe: treePath(server), extraDirs: runtimeDirs }, read);
  if (walk.misses.length > 0) throw await unresolvedError(walk, root, [plan.binaryDir, ...(plan.modules ? [plan.modules.dir] : [])], treePath);
  const files = walk.objects.map((obj, i): CollectedFile => {
    const from = realpathSync(tree.hostPath(obj.file));
    const rootOf = roots[i];
    if (rootOf) return { from, to: rootOf.to, kind: rootOf.kind, info: obj.info };
    return { from, ...libraryPlace(obj, plan, runtimeDirs), info: obj.info };
  });
  return { files, system: walk.notBundled.map((n) => n.name).sort() };
}

/**
 * A library the build's binaries import that no folder their run paths lead to holds, nor the
 * machine by policy: the package could not load it. Says why as the verifier would (present only
 * under another name, a dangling link, in a folder off the run paths), looking in the build's
 * output folders, before anything is archived.
 */
async function unresolvedError(walk: ClosureWalk, root: string, folders: string[], treePath: (p: string) => string): Promise<FailureError> {
  const binaries = [];
  const symlinks = [];
  for (const folder of new Set(folders.filter((f) => existsSync(f)))) {
    const prefix = treePath(folder);
    const read = await readLibraryFolder(folder);
    binaries.push(...read.binaries.map((b) => ({ ...b, path: path.posix.join(prefix, b.path) })));
    symlinks.push(...read.symlinks.map((l) => ({ ...l, path: path.posix.join(prefix, l.path) })));
  }
  const index = new PackageTree(binaries, symlinks, walk.context.policy.caseInsensitive);
  const reasons = walk.misses.map(({ obj, miss }) => `${obj.path} needs ${miss.name}: ${explainMiss(index, obj, miss, walk.context, "the build folder")}`);
  return new FailureError(
    `the build's binaries cannot load every library they import (paths under ${root}): ${reasons.join("; ")}`,
    "fix the build (its output folder must hold each library under the name it is imported by, where the run paths lead), or list a library every machine has in the verifier's policy",
  );
}

/** The deepest folder that holds every given folder. */
function commonFolder(folders: string[]): string {
  let common = path.resolve(folders[0]!);
  for (const f of folders.slice(1)) {
    while (path.relative(common, path.resolve(f)).startsWith("..")) common = path.dirname(common);
  }
  return common;
}

/** The headers of a file the build produced; one-line failures for a file that is no native binary or a corrupt one. */
async function readBuilt(file: string): Promise<BinaryInfo> {
  let info: BinaryInfo | null;
  try {
    info = await readBinaryFile(realpathSync(file));
  } catch (error) {
    if (!(error instanceof BinaryFormatError)) throw error;
    throw new FailureError(`${file} has corrupt headers: ${error.message}`, "the build folder is damaged: remove it and pack again");
  }
  if (info === null) throw new FailureError(`${file} is not a native binary`, "the profile's server binary and modules must be executables or shared libraries");
  return info;
}

/** The run-time modules: every `<prefix>*<ext>` of the module folder but the excluded ones, in name order. */
function moduleRoots(plan: CollectPlan): Root[] {
  const m = plan.modules;
  if (!m || !existsSync(m.dir)) return [];
  const excluded = new Set(m.exclude.map((e) => `${m.prefix}${e}${m.extension}`));
  return readdirSync(m.dir)
    .sort()
    .filter((name) => name.startsWith(m.prefix) && name.endsWith(m.extension) && !excluded.has(name))
    .map((name) => ({ from: path.join(m.dir, name), to: path.posix.join(m.to, name), kind: "module" }));
}

/** Where a linked library goes: toolchain runtime DLLs beside the .exe, the build's libraries in the library folder, under the name they are imported by. */
function libraryPlace(obj: ClosureObject, plan: CollectPlan, runtimeDirs: string[]): Pick<CollectedFile, "to" | "kind"> {
  const name = path.posix.basename(obj.neededAs ?? obj.path);
  if (runtimeDirs.includes(path.posix.dirname(obj.path))) return { to: name, kind: "runtime" };
  return { to: plan.libraryDir ? `${plan.libraryDir}/${name}` : name, kind: "library" };
}
