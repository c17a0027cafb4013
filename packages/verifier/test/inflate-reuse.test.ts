import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { GzipMemberReader } from "../src/archive/gzip-stream.js";
import type { Finding } from "../src/findings.js";
import { buildCorpus } from "./helpers/corpus.js";
import { buildStaging } from "./helpers/good-package.js";
import { tempDirSync } from "@baiengine/test-kit";

const work = tempDirSync("verifier-inflate");

/** Decodes `bytes` pushed in `chunk`-byte pieces: the output's sha256, the distinct buffers it came in, the finding codes. */
async function decode(bytes: Buffer, forceStream: boolean, chunk = 1 << 20) {
  const hash = createHash("sha256");
  const buffers = new Set<ArrayBufferLike>();
  const findings: Finding[] = [];
  const reader = new GzipMemberReader(
    (out) => {
      hash.update(out);
      buffers.add(out.buffer);
    },
    (f) => findings.push(f),
    256 << 10,
    forceStream,
  );
  // One input buffer, reused as a download's read buffers are: the reader must be done with it when push resolves.
  const input = Buffer.alloc(chunk);
  for (let at = 0; at < bytes.length; at += chunk) {
    const n = bytes.copy(input, 0, at, at + chunk);
    await reader.push(input.subarray(0, n));
  }
  await reader.finish();
  return { sha256: hash.digest("hex"), buffers: buffers.size, codes: findings.map((f) => f.code), size: reader.uncompressedSize };
}

describe("inflating into one reused output buffer", () => {
  // Real code, so it compresses as packages do: node's own binary, 8 MiB of it.
  const data = readFileSync(process.execPath).subarray(0, 8 << 20);
  const packed = gzipSync(data);

  it("gives zlib's bytes in a single buffer, where the zlib stream allocates one per chunk", async () => {
    const expected = createHash("sha256").update(data).digest("hex");
    const reused = await decode(packed, false);
    expect(reused).toEqual({ sha256: expected, buffers: 1, codes: [], size: data.length });
    const stream = await decode(packed, true);
    expect(stream.sha256).toBe(expected);
    expect(stream.buffers).toBeGreaterThanOrEqual(data.length / (256 << 10));
  });

  it("gives the same bytes and findings as the zlib stream on every broken archive of the corpus, in 1 KiB and 1 MiB pieces", async () => {
    const cases = buildCorpus(buildStaging(join(work, "staging")), join(work, "build"));
    // And deflate data that zlib refuses: all-ones bits right after the header are the reserved block type.
    const corrupt = Buffer.from(packed);
    corrupt.fill(0xff, 10, 40);
    cases.push({ name: "corrupt deflate data", rule: "1", code: "GZIP_CORRUPT", bytes: corrupt });
    const gzipCodes = new Set<string>();
    for (const c of cases) {
      for (const chunk of [1024, 1 << 20]) {
        const reused = await decode(c.bytes, false, chunk);
        expect(reused, `${c.name} (${chunk}-byte pieces)`).toEqual({ ...(await decode(c.bytes, true, chunk)), buffers: reused.buffers });
        for (const code of reused.codes) if (code.startsWith("GZIP_")) gzipCodes.add(code);
      }
    }
    // Each way a gzip member can be broken was among them.
    expect([...gzipCodes].sort()).toEqual(
      ["GZIP_BAD_HEADER", "GZIP_CORRUPT", "GZIP_CRC_MISMATCH", "GZIP_MULTIPLE_MEMBERS", "GZIP_SIZE_MISMATCH", "GZIP_TRAILING_DATA", "GZIP_TRUNCATED"].sort(),
    );
  });

  it.each([false, true])("stops cleanly when the consumer stops it from inside a chunk (zlib stream: %s)", async (forceStream) => {
    let calls = 0;
    const reader: GzipMemberReader = new GzipMemberReader(
      () => {
        calls++;
        reader.stop();
      },
      () => {},
      64 << 10,
      forceStream,
    );
    await reader.push(packed);
    await reader.push(packed);
    await reader.finish();
    expect(calls).toBe(1);
    expect(reader.failed).toBe(false);
  });
});
