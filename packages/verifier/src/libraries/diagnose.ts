import { posix } from "node:path";
import { exeDir, type LoadedObject, type LoaderContext, type Resolution } from "./loader.js";
import type { PackageBinary, PackageTree } from "./tree.js";

type Unresolved = Extract<Resolution, { kind: "unresolved" }>;

/**
 * Says what is actually wrong with a name the loader will not find, with the fix that fits:
 * a dangling symbolic link where it looks; the library present in a searched folder only under
 * another file name (`libfoo.so.1.2.3` without the `libfoo.so.1` asked for); the library bundled
 * in a folder no run path leads to; or nowhere in the package. `place` names what `tree` holds
 * in the message ("the package", or the packer's "the build folder").
 */
export function explainMiss(tree: PackageTree, obj: LoadedObject, miss: Unresolved, ctx: LoaderContext, place = "the package"): string {
  if (miss.reason) return miss.reason;
  const base = posix.basename(miss.name);
  const dangling = miss.misses.find((m) => m.kind === "dangling");
  if (dangling?.kind === "dangling" && dangling.loop) return `${dangling.link} is a loop of symbolic links; ship the library itself as ${dangling.link}`;
  if (dangling?.kind === "dangling") {
    return `${dangling.link} is a symbolic link to ${dangling.target}, which is not in ${place}; ship the library itself as ${dangling.link}, or the file the link names`;
  }
  for (const dir of miss.searched) {
    const other = tree.binaries.find((b) => tree.key(posix.dirname(b.path)) === tree.key(dir) && providesUnderOtherName(b, base));
    if (other) {
      const wanted = posix.join(dir, base);
      return `${place} has it only as ${other.path}${sonameNote(other, base)}, but the loader opens the file name ${base}; add ${wanted} (a symbolic link to ${posix.basename(other.path)}, or a copy)`;
    }
  }
  const elsewhere = bundledElsewhere(tree, base);
  if (elsewhere) return notOnRunPath(obj, elsewhere, base, ctx);
  return `not in ${place} and not on the system allow-list; bundle it where ${obj.path} looks (${describeDirs(miss.searched)}), or, if every ${ctx.os} machine has it, add it to the verifier's policy/${ctx.os}.json`;
}

/** A binary that is `base` under another file name: its SONAME (or Mach-O install name) is `base`, or its name is `base` plus a version. */
function providesUnderOtherName(b: PackageBinary, base: string): boolean {
  const name = posix.basename(b.path);
  return name !== base && (b.info.soname !== undefined && posix.basename(b.info.soname) === base ? true : name.startsWith(`${base}.`));
}

function sonameNote(b: PackageBinary, base: string): string {
  return b.info.soname !== undefined && posix.basename(b.info.soname) === base ? ` (SONAME ${b.info.soname})` : "";
}

/** Where the package holds `base` outside the searched folders: a file or link of that name, else a file that provides it. */
function bundledElsewhere(tree: PackageTree, base: string): string | undefined {
  const same = (p: string) => tree.key(posix.basename(p)) === tree.key(base);
  return (
    tree.binaries.find((b) => same(b.path))?.path ??
    tree.symlinks.find((l) => same(l.path))?.path ??
    tree.binaries.find((b) => providesUnderOtherName(b, base))?.path
  );
}

/** The library is bundled, but in a folder the object's run paths (or the DLL search) do not reach. */
function notOnRunPath(obj: LoadedObject, elsewhere: string, base: string, ctx: LoaderContext): string {
  const renamed = posix.basename(elsewhere) === base ? "" : ` (under another name than ${base})`;
  if (ctx.os === "windows") return `bundled at ${elsewhere}${renamed}, but Windows looks for DLLs in the executable's folder (${exeDir(ctx)}); put it there`;
  const dir = posix.relative(posix.dirname(obj.path), posix.dirname(elsewhere)) || ".";
  const sub = dir === "." ? "" : `/${dir}`;
  if (ctx.os === "macos") {
    return `bundled at ${elsewhere}${renamed}, but no LC_RPATH of ${obj.path} (${obj.info.rpath.join(", ") || "none"}) leads there; link with -Wl,-rpath,@loader_path${sub}`;
  }
  const paths = [...obj.info.runpath, ...obj.info.rpath];
  return `bundled at ${elsewhere}${renamed}, but no RUNPATH/RPATH of ${obj.path} (${paths.join(":") || "none"}) leads there; link with -Wl,-rpath,'$ORIGIN${sub}'`;
}

function describeDirs(dirs: string[]): string {
  return dirs.length === 0 ? "it has no run path into the package" : dirs.map((d) => (d === "." ? "the package root" : `${d}/`)).join(", ");
}
