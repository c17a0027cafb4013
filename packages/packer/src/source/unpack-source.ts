import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { closeSync, constants, futimesSync, mkdirSync, openSync, rmSync, symlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { renameWithRetry, sha256File } from "@baiengine/cli-kit/system";
import { checkPathSyntax, EntrySet, type Finding, GzipMemberReader, type TarEntry, TarReader } from "@baiengine/verifier";
import { SourceError } from "../errors.js";

/** `--source` names a source tarball rather than a folder. */
export function isSourceArchive(source: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(source);
}

/** Name rules that matter on the build machine; Windows-only name rules are for packages, not sources. */
const NAME_RULES = new Set(["ENTRY_EMPTY_NAME", "ENTRY_ABSOLUTE_PATH", "ENTRY_PATH_TRAVERSAL", "ENTRY_DOT_SEGMENT"]);
/** Cross-entry rules kept for sources: collisions on case-insensitive file systems are legal here. */
const SET_RULES = new Set(["ENTRY_DUPLICATE", "ENTRY_THROUGH_SYMLINK", "ENTRY_SYMLINK_ESCAPE"]);
const MAX_EXTENSION_HEADER = 64 * 1024;
/** Largest unpacked size (bytes): llama.cpp's source is ~200 MB; this stops a decompression bomb filling the disk. */
const MAX_UNPACKED = 16 * 1024 ** 3;

/**
 * Unpacks a source tarball (`.tar.gz`) into `<cacheDir>/sources/archive-<sha256 prefix>` once and
 * returns the source folder: the archive's single top-level folder (`llama.cpp-b6123/`), else the
 * unpacked folder itself. Parsed by the verifier's gzip and tar readers; refused (SourceError, nothing
 * left behind) when an entry would land outside the folder: absolute or `..` names, symlinks resolving
 * outside, writes through symlinks, duplicates, hard links, devices. Files keep their modification
 * times (the archive time may come from them) and only the executable bit of their mode.
 */
export async function unpackSourceArchive(file: string, cacheDir: string): Promise<string> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new SourceError(`${file} does not exist`, "pass --source with a source folder or a .tar.gz of one");
  const dest = path.join(cacheDir, "sources", `archive-${(await sha256File(file)).slice(0, 16)}`);
  await unpackArchiveOnce(file, dest);
  return sourceRoot(dest);
}

/**
 * Unpacks the source tarball `file` into `dest` unless it exists: into `<dest>.partial-<pid>`
 * first, then renamed, so `dest` is whole or absent. Refuses unsafe entries as unpackSourceArchive does.
 */
export async function unpackArchiveOnce(file: string, dest: string): Promise<void> {
  if (existsSync(dest)) return;
  const partial = `${dest}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await unpackInto(file, partial);
    await renameWithRetry(partial, dest);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Another pack unpacked the same archive meanwhile: use its folder.
    if (!(error instanceof SourceError) && existsSync(dest)) return;
    throw error;
  }
}

function sourceRoot(dir: string): string {
  const names = readdirSync(dir);
  return names.length === 1 && statSync(path.join(dir, names[0]!)).isDirectory() ? path.join(dir, names[0]!) : dir;
}

/** Streams the archive into `root` (an empty folder); throws SourceError on the first unsafe entry. */
async function unpackInto(file: string, root: string): Promise<void> {
  const problems: string[] = [];
  const entries = new EntrySet(null);
  const links: TarEntry[] = [];
  let fd: number | null = null;
  const refuse = (what: string): null => {
    problems.push(what);
    tar.stop();
    gzip.stop();
    return null;
  };
  const onFinding = (f: Finding) => {
    if (f.severity === "error") refuse(`${f.path ? `${f.path}: ` : ""}${f.message}`);
  };
  const visitor = {
    entry(raw: TarEntry): ((chunk: Buffer) => void) | null {
      // `tar -C dir .` names entries `./x`: the same place as `x`.
      const entry = { ...raw, path: raw.path.replace(/^(\.\/)+/, "") };
      if (entry.path === "." || entry.path === "") return null;
      const bad = [...checkPathSyntax(entry.path, "name"), ...entries.add(entry)].find((f) => NAME_RULES.has(f.code) || SET_RULES.has(f.code));
      if (bad) return refuse(`${entry.path}: ${bad.message}`);
      const full = path.join(root, entry.path);
      if (entry.type === "directory") mkdirSync(full, { recursive: true });
      else if (entry.type === "symlink") links.push(entry);
      else if (entry.type !== "file") return refuse(`${entry.path}: ${entry.type} entries are not unpacked from a source archive`);
      else {
        mkdirSync(path.dirname(full), { recursive: true });
        // No symlink exists yet (they are made last), and O_NOFOLLOW|O_EXCL refuses one anyway.
        fd = openSync(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, entry.mode & 0o111 ? 0o755 : 0o644);
        return (chunk) => void writeSync(fd!, chunk);
      }
      return null;
    },
    entryEnd(entry: TarEntry): void {
      if (fd === null) return;
      futimesSync(fd, entry.mtime, entry.mtime);
      closeSync(fd);
      fd = null;
    },
  };
  const tar = new TarReader(visitor, onFinding, { maxExtensionHeaderSize: MAX_EXTENSION_HEADER });
  const gzip = new GzipMemberReader((chunk) => {
    if (gzip.uncompressedSize > MAX_UNPACKED) refuse(`unpacks to more than ${MAX_UNPACKED} bytes`);
    else tar.push(chunk);
  }, onFinding);
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      if (problems.length > 0) break;
      await gzip.push(chunk as Buffer);
    }
    if (problems.length === 0) await gzip.finish();
    if (problems.length === 0) tar.finish();
  } finally {
    if (fd !== null) closeSync(fd);
  }
  for (const f of entries.finish()) if (SET_RULES.has(f.code)) problems.push(`${f.path}: ${f.message}`);
  if (problems.length > 0) throw new SourceError(`${file} is not a safe source archive: ${problems[0]}`, "unpack it yourself, check it, and pass --source with the folder");
  // Every entry is inside, and no symlink resolves outside: make the links last.
  for (const link of links) symlinkSync(link.linkpath, path.join(root, link.path));
}
