import { type FileHandle, open, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import type { Reporter } from "@baiengine/schema";
import { type ArchiveEntry, canonicalEntries } from "./archive-entry.js";
import { parallelGzip } from "./parallel-gzip.js";
import { pigzGzip } from "./pigz-gzip.js";
import { findPigz } from "./find-pigz.js";
import { type ReproducibleTar, reproducibleTar } from "./reproducible-tar.js";

export interface ArchiveResult {
  /** Size of the written `.baiengine` (gzip) file in bytes. */
  size: number;
  /** sha256 of the written file, hex. */
  sha256: string;
  /** Size of the tar inside. */
  uncompressedSize: number;
  /** Entries in the tar (added parent folders included). */
  entries: number;
  durationMs: number;
  /** Which deflate made the bytes: the system's pigz, or Node's zlib in parallel blocks. */
  compressor: ArchiveCompressor;
}

/**
 * `pigz` (the system's pigz and reference zlib: smaller, and the same bytes on every CPU) or
 * `node` (Node's bundled zlib, always available). `auto` (default) picks pigz when it is on PATH.
 * The choice changes the bytes, so reproducible builds should name it.
 */
export type ArchiveCompressor = "pigz" | "node";

export interface ArchiveOptions {
  /** The mtime of every entry (from SOURCE_DATE_EPOCH or the source commit's time). */
  mtime: Date;
  /** Deflate level, 0–9 (default 6). */
  level?: number;
  /** Uncompressed bytes per parallel gzip block (default 1 MiB). */
  blockSize?: number;
  /** Blocks compressed at once (default: the CPUs available; the libuv pool has 4 threads unless UV_THREADPOOL_SIZE says more). */
  concurrency?: number;
  /** Receives `progress("archive", tarBytesDone, tarBytesTotal)`. */
  reporter?: Reporter;
  signal?: AbortSignal;
  /** Default `auto`: pigz when installed, else Node's zlib. */
  compressor?: ArchiveCompressor | "auto";
}

export const DEFAULT_ARCHIVE_LEVEL = 6;
export const DEFAULT_ARCHIVE_BLOCK_SIZE = 1024 * 1024;
/** ustar stores mtime in 11 octal digits. */
const MAX_TAR_MTIME_SECONDS = 8 ** 11 - 1;

function checkOptions(options: ArchiveOptions): void {
  const seconds = options.mtime instanceof Date ? options.mtime.getTime() / 1000 : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TAR_MTIME_SECONDS) {
    throw new RangeError("archive mtime must be a valid date between 1970 and the year 10000 (check SOURCE_DATE_EPOCH)");
  }
  const level = options.level ?? DEFAULT_ARCHIVE_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError("archive level must be an integer 0–9");
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("archive concurrency must be a positive integer");
}

/**
 * Writes `entries` as a reproducible `.baiengine` (tar.gz) to `outFile`: canonical order,
 * owner 0/0 without names, normalised modes, one mtime, a gzip header without time or name.
 * The same entries and options give the same bytes. Streams with bounded memory; on any error
 * or abort the partial file is deleted and the error rethrown.
 */
export async function writeReproducibleArchive(
  entries: ArchiveEntry[],
  outFile: string,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  const started = performance.now();
  checkOptions(options);
  const canonical = canonicalEntries(entries);
  const { signal, reporter } = options;
  signal?.throwIfAborted();
  let out: FileHandle | undefined;
  let tar: ReproducibleTar | undefined;
  const onAbort = () => tar?.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    out = await open(outFile, "w");
    tar = await reproducibleTar(canonical, options.mtime);
    signal?.throwIfAborted();
    const total = tar.expectedBytes;
    reporter?.progress?.("archive", 0, total);
    const gzipOptions = {
      level: options.level ?? DEFAULT_ARCHIVE_LEVEL,
      blockSize: options.blockSize ?? DEFAULT_ARCHIVE_BLOCK_SIZE,
      concurrency: options.concurrency ?? availableParallelism(),
      ...(signal ? { signal } : {}),
      onProgress: (done: number) => reporter?.progress?.("archive", Math.min(done, total), total),
    };
    const pigz = options.compressor === "node" ? null : findPigz();
    if (options.compressor === "pigz" && pigz === null) throw new Error("compressor pigz was asked for but pigz is not installed (apt-get install pigz)");
    const compressor: ArchiveCompressor = pigz ? "pigz" : "node";
    const gzip = pigz ? await pigzGzip(tar.stream, out, { ...gzipOptions, pigz }) : await parallelGzip(tar.stream, out, gzipOptions);
    await out.close();
    out = undefined;
    reporter?.progress?.("archive", gzip.uncompressedSize, gzip.uncompressedSize);
    return {
      size: gzip.size,
      sha256: gzip.sha256,
      uncompressedSize: gzip.uncompressedSize,
      entries: canonical.length,
      durationMs: performance.now() - started,
      compressor,
    };
  } catch (error) {
    tar?.abort();
    if (out) {
      await out.close().catch(() => {});
      await rm(outFile, { force: true });
    }
    // Aborting tears the tar stream down: say why it failed, not how.
    throw signal?.aborted ? signal.reason : error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
