/** One entry of a `.baiengine` archive, as the packer hands it to the archive writer. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, e.g. `package/libs/libggml.so`. */
  path: string;
  type: "file" | "directory" | "symlink";
  /** File on disk whose bytes become the entry's content (type `file`). */
  source?: string;
  /** Link target (type `symlink`), stored as given. */
  target?: string;
  /** Gives a file mode 0755 instead of 0644. */
  executable?: boolean;
}

/** An entry ready for the tar stream: normalised mode, no trailing slash. */
export interface CanonicalEntry {
  path: string;
  type: ArchiveEntry["type"];
  mode: number;
  source?: string;
  target?: string;
}

export class ArchiveEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveEntryError";
  }
}

/** Byte order of UTF-8 paths, the order GNU tar's --sort=name gives within a folder. */
export function compareArchivePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Modes are normalised so that umask and the build host leave no trace in the archive. */
export function normalisedMode(entry: ArchiveEntry): number {
  if (entry.type === "directory") return 0o755;
  // Symlink permissions mean nothing on POSIX; 0777 is what every tar writes for them.
  if (entry.type === "symlink") return 0o777;
  return entry.executable ? 0o755 : 0o644;
}

function checkedPath(raw: string): string {
  const path = raw.endsWith("/") ? raw.slice(0, -1) : raw;
  const parts = path.split("/");
  if (path === "" || path.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new ArchiveEntryError(`archive path "${raw}" must be relative, without empty, "." or ".." parts`);
  }
  if (path.includes("\\") || path.includes("\0")) {
    throw new ArchiveEntryError(`archive path "${raw}" must use "/" separators and no NUL`);
  }
  return path;
}

/**
 * Sorts entries by path (byte order; a parent always sorts before its children), adds missing
 * parent folders and rejects duplicates, entries outside one top-level folder and entries
 * without their source/target, so two callers with the same files always get the same tar.
 */
export function canonicalEntries(entries: readonly ArchiveEntry[]): CanonicalEntry[] {
  const byPath = new Map<string, CanonicalEntry>();
  let root: string | undefined;
  for (const entry of entries) {
    const path = checkedPath(entry.path);
    const top = path.split("/")[0]!;
    if (root !== undefined && top !== root) {
      throw new ArchiveEntryError(`archive entries must share one top-level folder: "${root}" and "${top}"`);
    }
    root = top;
    if (byPath.has(path)) throw new ArchiveEntryError(`archive path "${path}" appears twice`);
    if (entry.type === "file" && !entry.source) throw new ArchiveEntryError(`file entry "${path}" has no source`);
    if (entry.type === "symlink" && !entry.target) throw new ArchiveEntryError(`symlink entry "${path}" has no target`);
    const canonical: CanonicalEntry = { path, type: entry.type, mode: normalisedMode(entry) };
    if (entry.type === "file") canonical.source = entry.source;
    if (entry.type === "symlink") canonical.target = entry.target;
    byPath.set(path, canonical);
  }
  for (const path of [...byPath.keys()]) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      const existing = byPath.get(parent);
      if (existing && existing.type !== "directory") {
        throw new ArchiveEntryError(`archive path "${path}" lies under "${parent}", which is a ${existing.type}`);
      }
      if (!existing) byPath.set(parent, { path: parent, type: "directory", mode: 0o755 });
    }
  }
  return [...byPath.values()].sort((a, b) => compareArchivePaths(a.path, b.path));
}
