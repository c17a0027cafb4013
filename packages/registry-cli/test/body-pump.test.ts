import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { BodyPump } from "../src/install/body-pump.js";
import { tempDir } from "@baiengine/test-kit";

const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;

/** 8 MiB in 64 KiB chunks, each filled with its own index, so order and content can be checked. */
const chunks = Array.from({ length: 128 }, (_, k) => Buffer.alloc(CHUNK, k));

describe("BodyPump", () => {
  it("pauses a body that arrives faster than the disk writes once 1 MiB waits, and still writes every byte in order", async () => {
    const part = join(await tempDir(), "package.part");
    const handle = await open(part, "a+");
    const body = new PassThrough({ highWaterMark: CHUNK });
    const sizes: number[] = [];
    const pump = new BodyPump(body, handle, 0, chunks.length * CHUNK, () => new Error("too long"), (size) => sizes.push(size));
    // All 8 MiB offered before any write can finish (no await): the pump must stop taking them.
    for (const chunk of chunks) body.write(chunk);
    body.end();
    expect(body.isPaused()).toBe(true);
    const taken = chunks.length * CHUNK - body.readableLength - body.writableLength;
    expect(taken).toBeGreaterThanOrEqual(MiB);
    expect(taken).toBeLessThanOrEqual(MiB + CHUNK);
    while (!pump.done) await pump.changed();
    await handle.close();
    expect(pump.error).toBeNull();
    expect(pump.written).toBe(chunks.length * CHUNK);
    expect((await readFile(part)).equals(Buffer.concat(chunks))).toBe(true);
    // Chunks that arrived during a write went out together: fewer writes than chunks.
    expect(sizes.length).toBeLessThan(chunks.length);
    expect(sizes.at(-1)).toBe(chunks.length * CHUNK);
  });

  it("a body that ends early is a short body, not an error: the download resumes from what was written", async () => {
    const part = join(await tempDir(), "package.part");
    const handle = await open(part, "a+");
    const body = new PassThrough();
    const pump = new BodyPump(body, handle, 0, 10 * CHUNK, () => new Error("too long"), () => {});
    body.write(chunks[0]);
    body.write(chunks[1]);
    body.destroy(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    while (!pump.done) await pump.changed();
    await handle.close();
    expect(pump.error).toBeNull();
    expect(pump.written).toBe(2 * CHUNK);
    expect((await readFile(part)).equals(Buffer.concat(chunks.slice(0, 2)))).toBe(true);
  });
});
