import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_BLOCK_SIZE, parallelGzip } from "../../src/archive/index.js";
import { realBinaryBytes, run } from "./fixture.js";
import { tempDir } from "@baiengine/test-kit";

/** Yields `data` in uneven chunks, so block edges fall inside chunks and between them. */
async function* chunks(data: Buffer): AsyncGenerator<Buffer> {
  const sizes = [1, 7000, 65536, 100_003, 3];
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

async function gzipTo(file: string, data: Buffer, concurrency: number, blockSize = MIN_BLOCK_SIZE) {
  const out = await open(file, "w");
  try {
    return await parallelGzip(chunks(data), out, { level: 6, blockSize, concurrency });
  } finally {
    await out.close();
  }
}

describe("parallelGzip", () => {
  let work: string;
  let data: Buffer;
  beforeAll(async () => {
    work = await tempDir("parallel-gzip");
    data = await realBinaryBytes(3_000_000, 2_000_000);
  });
  afterAll(async () => {
  });

  it("writes one gzip member that gunzip and zlib decode back to the input", async () => {
    const file = join(work, "data.gz");
    const outcome = await gzipTo(file, data, 3);
    expect(outcome.uncompressedSize).toBe(data.length);
    const written = await readFile(file);
    expect(outcome.size).toBe(written.length);
    expect(gunzipSync(written).equals(data)).toBe(true);
    const gunzip = run("gunzip", ["-c", file]);
    expect(gunzip.status).toBe(0);
    expect(gunzip.stdout.equals(data)).toBe(true);
    // Priming each block with the previous window keeps the size close to a one-shot gzip.
    const oneShot = run("gzip", ["-6", "-c"], data).stdout.length;
    expect(outcome.size).toBeLessThan(oneShot * 1.05);
  });

  it("compresses an empty stream and a stream of exactly one block", async () => {
    const empty = join(work, "empty.gz");
    await gzipTo(empty, Buffer.alloc(0), 2);
    expect(gunzipSync(await readFile(empty)).length).toBe(0);
    const one = join(work, "one.gz");
    const block = data.subarray(0, MIN_BLOCK_SIZE);
    await gzipTo(one, block, 2);
    expect(gunzipSync(await readFile(one)).equals(block)).toBe(true);
  });

  it("refuses blocks smaller than twice the deflate window", async () => {
    await expect(gzipTo(join(work, "small.gz"), data, 1, 1024)).rejects.toThrow(/block size/);
  });
});
