export { type ArchiveEntry, ArchiveEntryError, canonicalEntries, compareArchivePaths, normalisedMode } from "./archive-entry.js";
export { GZIP_OS_UNIX, gzipHeader, gzipTrailer } from "./gzip-member.js";
export { type GzipOutcome, MIN_BLOCK_SIZE, type ParallelGzipOptions, parallelGzip } from "./parallel-gzip.js";
export { stagingEntries } from "./staging-entries.js";
export {
  type ArchiveCompressor,
  type ArchiveOptions,
  type ArchiveResult,
  DEFAULT_ARCHIVE_BLOCK_SIZE,
  DEFAULT_ARCHIVE_LEVEL,
  writeReproducibleArchive,
} from "./write-reproducible-archive.js";
export { pigzGzip } from "./pigz-gzip.js";
