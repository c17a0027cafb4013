import { createHash } from "node:crypto";
import { once } from "node:events";
import type { FileHandle } from "node:fs/promises";
import { execa } from "execa";
import type { GzipOutcome, ParallelGzipOptions } from "./parallel-gzip.js";

/**
 * Gzips `source` into `out` with the system's pigz (`-n`: no name, no time), hashing and counting
 * its output as it is written. pigz uses the reference zlib, whose deflate is deterministic across
 * CPUs and about 2% smaller on binaries than the Chromium zlib inside Node; its output does not
 * depend on the thread count. Same block scheme as `parallelGzip`, so the same memory bound.
 */
export async function pigzGzip(source: AsyncIterable<Buffer>, out: FileHandle, options: ParallelGzipOptions & { pigz: string }): Promise<GzipOutcome> {
  const { level, blockSize, signal, onProgress } = options;
  const child = execa(options.pigz, ["-n", `-${level}`, "-b", String(Math.max(32, Math.round(blockSize / 1024))), "-p", String(options.concurrency), "-c"], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    buffer: { stdout: false, stderr: true },
    ...(signal ? { cancelSignal: signal } : {}),
  });
  const hash = createHash("sha256");
  let size = 0;
  let uncompressedSize = 0;

  const feed = (async () => {
    const stdin = child.stdin!;
    try {
      for await (const chunk of source) {
        signal?.throwIfAborted();
        uncompressedSize += chunk.length;
        if (!stdin.write(chunk)) await once(stdin, "drain", signal ? { signal } : {});
        onProgress?.(uncompressedSize);
      }
    } finally {
      stdin.end();
    }
  })();
  const drain = (async () => {
    for await (const bytes of child.stdout! as AsyncIterable<Buffer>) {
      hash.update(bytes);
      size += bytes.length;
      for (let offset = 0; offset < bytes.length; ) {
        const { bytesWritten } = await out.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
    }
  })();
  try {
    await Promise.all([feed, drain, child]);
  } catch (error) {
    child.kill();
    await Promise.allSettled([feed, drain, child]);
    throw error;
  }
  return { size, sha256: hash.digest("hex"), uncompressedSize };
}
