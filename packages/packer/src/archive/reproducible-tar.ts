import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import type { Archiver, ArchiverError, EntryData } from "archiver";
import type { CanonicalEntry } from "./archive-entry.js";

const TAR_BLOCK = 512;

/** archiver 7 is CommonJS `archiver(format, options)`; the installed @types/archiver 8 describes v8's classes. */
type CreateArchiver = (format: "tar", options: { gzip: boolean }) => Archiver;
const archiver = createRequire(import.meta.url)("archiver") as CreateArchiver;
/** tar-stream reads these from archiver's entry data; the typings only list the common ones. */
/** The part of tar-stream's pack (archiver's tar engine) that aborting needs. */
interface TarPack {
  unpipe?: () => void;
  destroy(): void;
}
type TarEntryData = EntryData & { uid: number; gid: number; uname: string; gname: string; linkname?: string };

export interface ReproducibleTar {
  /** The uncompressed tar bytes, produced as they are read (files are opened lazily, one at a time). */
  stream: Readable;
  /** Bytes the tar stream will have (exact for ustar headers; long names add a little). */
  expectedBytes: number;
  /** Stops reading files and ends the stream. */
  abort(): void;
}

/**
 * Builds a tar of `entries` (already canonical: sorted, normalised modes) with archiver, every
 * header carrying the given mtime, uid/gid 0 and empty user/group names.
 *
 * Three archiver 7 behaviours are worked around here: `archive.file()` without `stats` stats files
 * four at a time and can queue them out of order (and drops a file it cannot stat with only a
 * warning), so the stats are taken first and handed in; `archive.symlink()` takes no date, so
 * tar-stream would stamp the current time: symlinks go through `append()` with an explicit date;
 * `abort()` calls `unpipe()` on tar-stream 3's pack, a streamx stream that has none (an uncaught
 * TypeError), so the pack gets a no-op `unpipe` and is destroyed to end a half-written entry.
 */
export async function reproducibleTar(entries: readonly CanonicalEntry[], mtime: Date): Promise<ReproducibleTar> {
  const sizes = await Promise.all(
    entries.map(async (entry) => {
      if (entry.type !== "file") return undefined;
      const stats = await stat(entry.source!);
      if (!stats.isFile()) throw new Error(`archive source ${entry.source} is not a regular file`);
      return stats;
    }),
  );
  const archive = archiver("tar", { gzip: false });
  archive.on("warning", (error: ArchiverError) => archive.destroy(error));
  const pack = (archive as unknown as { _module: { engine: TarPack } })._module.engine;
  pack.unpipe ??= () => {};
  const owner = { uid: 0, gid: 0, uname: "", gname: "" };
  let expectedBytes = 2 * TAR_BLOCK;
  entries.forEach((entry, index) => {
    expectedBytes += TAR_BLOCK;
    const common: TarEntryData = { ...owner, name: entry.path, mode: entry.mode, date: mtime };
    if (entry.type === "file") {
      const stats = sizes[index]!;
      expectedBytes += Math.ceil(stats.size / TAR_BLOCK) * TAR_BLOCK;
      archive.file(entry.source!, { ...common, stats } as TarEntryData);
    } else if (entry.type === "directory") {
      archive.append(Buffer.alloc(0), { ...common, type: "directory" } as TarEntryData);
    } else {
      archive.append(Buffer.alloc(0), { ...common, type: "symlink", linkname: entry.target } as TarEntryData);
    }
  });
  // Errors surface on the stream; finalize's own promise only repeats them.
  archive.finalize().catch(() => {});
  const abort = () => {
    // Whatever fails after this was already reported through the stream.
    archive.on("error", () => {});
    archive.abort();
    pack.destroy();
  };
  return { stream: archive, expectedBytes, abort };
}
