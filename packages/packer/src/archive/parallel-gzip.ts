import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { gzipHeader, gzipTrailer } from "./gzip-member.js";

const deflateRaw = promisify(zlib.deflateRaw) as (input: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>;

/** Deflate's window: how much of the previous block each block may refer back to. */
const WINDOW = 32 * 1024;
export const MIN_BLOCK_SIZE = 2 * WINDOW;

export interface ParallelGzipOptions {
  level: number;
  /** Uncompressed bytes per block (at least 64 KiB). */
  blockSize: number;
  /** Blocks deflated at once on the libuv thread pool. */
  concurrency: number;
  signal?: AbortSignal;
  /** Called after each block is written, with the uncompressed bytes written so far. */
  onProgress?(uncompressedDone: number): void;
}

export interface GzipOutcome {
  /** Bytes written, header and trailer included. */
  size: number;
  /** sha256 of exactly those bytes, hex. */
  sha256: string;
  uncompressedSize: number;
}

interface Job {
  deflated: Promise<Buffer>;
  block: Buffer;
}

/**
 * Gzips `source` into `out` the way pigz does: the stream is cut into blocks deflated in
 * parallel, each primed with the previous block's last 32 KiB as dictionary (so matches span
 * block boundaries) and ended with a sync flush (the last one with Z_FINISH), which lets the
 * raw deflate outputs be concatenated into one valid stream. Output order, and so the bytes, do
 * not depend on the concurrency. The CRC32, length, sha256 and size are taken in the same pass;
 * at most 2 × concurrency blocks are held at once and the source is only read when there is room.
 */
export async function parallelGzip(
  source: AsyncIterable<Buffer>,
  out: FileHandle,
  options: ParallelGzipOptions,
): Promise<GzipOutcome> {
  const { level, blockSize, signal, onProgress } = options;
  if (!Number.isInteger(blockSize) || blockSize < MIN_BLOCK_SIZE) {
    throw new RangeError(`gzip block size must be an integer of at least ${MIN_BLOCK_SIZE} bytes`);
  }
  const maxInFlight = Math.max(2, 2 * Math.floor(options.concurrency));
  const hash = createHash("sha256");
  const inFlight: Job[] = [];
  let size = 0;
  let crc = 0;
  let uncompressedSize = 0;
  let written = 0;
  let dictionary: Buffer | undefined;
  // Written blocks are reused: fresh 1 MiB buffers per block would let RSS grow until the GC runs.
  const spare: Buffer[] = [];
  const nextBlock = () => spare.pop() ?? Buffer.allocUnsafe(blockSize);

  const emit = async (bytes: Buffer): Promise<void> => {
    hash.update(bytes);
    size += bytes.length;
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await out.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  };
  const writeOldest = async (): Promise<void> => {
    const job = inFlight.shift()!;
    await emit(await job.deflated);
    written += job.block.length;
    // zlib copied the dictionary taken from this block when the next job was created.
    if (job.block.length === blockSize) spare.push(job.block);
    onProgress?.(written);
  };
  const submit = async (block: Buffer, last: boolean): Promise<void> => {
    const finishFlush = last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH;
    const deflated = deflateRaw(block, { level, dictionary, finishFlush });
    // Awaited in order by writeOldest; this only keeps an early failure from being "unhandled".
    deflated.catch(() => {});
    inFlight.push({ deflated, block });
    // Every block but the last is full and blockSize >= 2 × WINDOW, so this is the real window.
    dictionary = block.subarray(Math.max(0, block.length - WINDOW));
    while (inFlight.length >= maxInFlight) await writeOldest();
  };

  try {
    await emit(gzipHeader(level));
    let block = nextBlock();
    let fill = 0;
    for await (const chunk of source) {
      signal?.throwIfAborted();
      crc = zlib.crc32(chunk, crc);
      uncompressedSize += chunk.length;
      for (let offset = 0; offset < chunk.length; ) {
        // A full block is only submitted once more data arrives: the block that is last gets Z_FINISH.
        if (fill === blockSize) {
          await submit(block, false);
          block = nextBlock();
          fill = 0;
        }
        const copied = chunk.copy(block, fill, offset, Math.min(chunk.length, offset + blockSize - fill));
        fill += copied;
        offset += copied;
      }
    }
    signal?.throwIfAborted();
    await submit(block.subarray(0, fill), true);
    while (inFlight.length > 0) await writeOldest();
    await emit(gzipTrailer(crc, uncompressedSize));
  } catch (error) {
    // Let running deflates finish before the caller closes and deletes the file.
    await Promise.allSettled(inFlight.map((job) => job.deflated));
    throw error;
  }
  return { size, sha256: hash.digest("hex"), uncompressedSize };
}
