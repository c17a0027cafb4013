import { lstatSync, readdirSync, readlinkSync, statSync } from "node:fs";
import path, { posix } from "node:path";
import type { BinaryInfo } from "../binary/binary-info.js";

/** A native file in the package; `path` is relative to package/, e.g. "llama-server", "libs/libggml-base.so.0". */
export interface PackageBinary {
  path: string;
  info: BinaryInfo;
}
/** A symlink in the package; `target` as stored in the archive, relative to the link's folder (e.g. "libfoo.so.1.2"). */
export interface PackageSymlink {
  path: string;
  target: string;
}

/**
 * What the loader finds at a path: a native file (`file`: where it really is, after links), nothing,
 * or a symbolic link whose target is not there (or a loop of links).
 */
export type TreeLookup = { kind: "file"; file: string } | { kind: "missing" } | { kind: "dangling"; link: string; target: string; loop?: true };

/** A folder tree the loader rules search; paths are POSIX, relative to its root, without `..` above it. */
export interface LibraryTree {
  lookup(path: string): TreeLookup;
}

/** Links followed before a path counts as a loop (ld.so allows 40; 8 is plenty for SONAME chains). */
const MAX_HOPS = 8;

/** A package's binaries and symlinks, in memory (from the archive walk, or a folder read from disk). */
export class PackageTree implements LibraryTree {
  private readonly files: Map<string, PackageBinary>;
  private readonly links: Map<string, string>;

  constructor(
    readonly binaries: readonly PackageBinary[],
    readonly symlinks: readonly PackageSymlink[],
    private readonly caseInsensitive: boolean,
  ) {
    this.files = new Map(binaries.map((b) => [this.key(b.path), b]));
    this.links = new Map(symlinks.map((l) => [this.key(l.path), l.target]));
  }

  key(p: string): string {
    const normal = posix.normalize(p);
    return this.caseInsensitive ? normal.toLowerCase() : normal;
  }

  lookup(path: string): TreeLookup {
    let p = posix.normalize(path);
    for (let hops = 0; hops <= MAX_HOPS; hops++) {
      const file = this.files.get(this.key(p));
      if (file) return { kind: "file", file: file.path };
      const target = this.links.get(this.key(p));
      if (target === undefined) return hops === 0 ? { kind: "missing" } : { kind: "dangling", link: posix.normalize(path), target: p };
      p = posix.join(posix.dirname(p), target);
    }
    return { kind: "dangling", link: posix.normalize(path), target: p, loop: true };
  }
}

/**
 * A folder on disk, looked up as it is (the packer's build folder): links are followed by the
 * file system. `caseInsensitive` (Windows targets) also matches names that differ in case only,
 * as NTFS would, when the host's file system is case-sensitive.
 */
export class DiskTree implements LibraryTree {
  constructor(
    private readonly root: string,
    private readonly caseInsensitive: boolean,
  ) {}

  /** The host path of a tree path (tree paths may climb above the root with `..`, or be absolute on another drive). */
  hostPath(treePath: string): string {
    if (path.isAbsolute(treePath)) return treePath;
    return path.join(this.root, ...posix.normalize(treePath).split("/"));
  }

  lookup(treePath: string): TreeLookup {
    const p = posix.normalize(treePath);
    const st = lstatSync(this.hostPath(p), { throwIfNoEntry: false });
    if (!st) return this.caseInsensitive ? this.lookupFolded(p) : { kind: "missing" };
    if (!st.isSymbolicLink()) return st.isFile() ? { kind: "file", file: p } : { kind: "missing" };
    const target = statSync(this.hostPath(p), { throwIfNoEntry: false });
    if (target?.isFile()) return { kind: "file", file: p };
    return { kind: "dangling", link: p, target: readlinkSync(this.hostPath(p)) };
  }

  private lookupFolded(p: string): TreeLookup {
    const dir = posix.dirname(p);
    const wanted = posix.basename(p).toLowerCase();
    let names: string[];
    try {
      names = readdirSync(this.hostPath(dir));
    } catch {
      return { kind: "missing" };
    }
    const name = names.find((n) => n.toLowerCase() === wanted);
    return name === undefined ? { kind: "missing" } : this.lookup(posix.join(dir, name));
  }
}
