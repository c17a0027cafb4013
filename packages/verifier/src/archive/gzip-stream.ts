import zlib from "node:zlib";
import { errorFinding, type Finding } from "../findings.js";
import { createRawInflater, type RawInflater } from "./raw-inflate.js";

/**
 * Decodes exactly one gzip member, pushed in file order, and hands the inflated bytes to `onData`.
 * The header is parsed here (not by zlib) so that trailing members and garbage, which zlib's gunzip
 * silently concatenates or drops, become findings; the CRC32/ISIZE trailer is checked too.
 * Any problem is reported once through `onFinding` and stops decoding (`failed`).
 */
export class GzipMemberReader {
  private state: "header" | "deflate" | "after" | "stopped" = "header";
  private headerBytes: Buffer = Buffer.alloc(0);
  private inflate: RawInflater | null = null;
  private inflateError: Error | null = null;
  /** File offset where the deflate data starts. */
  private deflateStart = 0;
  /** Bytes pushed so far (file offset of the next chunk). */
  private offset = 0;
  /** Bytes of deflate data inflate consumed so far. */
  private consumed = 0;
  /** The first bytes after the deflate data (the trailer and what follows), copied. */
  private tail: Buffer[] = [];
  private tailKept = 0;
  private tailTotal = 0;
  private crc = 0;
  private outputSize = 0;
  failed = false;

  /**
   * @param onData receives the inflated bytes in order; a chunk is valid only during the call
   * @param chunkSize bytes of the reused output buffer
   * @param forceStream inflate with a zlib stream (the fallback) instead of the reused buffer; for tests
   */
  constructor(
    private readonly onData: (chunk: Buffer) => void,
    private readonly onFinding: (finding: Finding) => void,
    private readonly chunkSize = 1 << 20,
    private readonly forceStream = false,
  ) {}

  /** Total inflated bytes so far. */
  get uncompressedSize(): number {
    return this.outputSize;
  }

  /** Feeds the next compressed chunk; resolves when inflate can take more. */
  async push(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    if (this.state === "stopped") return;
    if (this.state === "header") {
      // Copied: the caller reuses its buffers once push resolves.
      this.headerBytes = Buffer.concat([this.headerBytes, chunk]);
      const parsed = parseGzipHeader(this.headerBytes);
      if (parsed === "incomplete") {
        if (this.headerBytes.length > 1 << 20) this.fail("GZIP_BAD_HEADER", "gzip header is longer than 1 MiB");
        return;
      }
      if (typeof parsed === "string") return this.fail("GZIP_BAD_HEADER", parsed);
      const rest = this.headerBytes.subarray(parsed);
      this.deflateStart = parsed;
      this.headerBytes = Buffer.alloc(0);
      this.startInflate();
      this.state = "deflate";
      if (rest.length > 0) await this.write(rest);
      return;
    }
    if (this.state === "deflate" && !this.inflate!.ended && !this.inflateError) {
      await this.write(chunk);
      return;
    }
    this.keepTail(chunk);
  }

  /** Call at end of file; checks the trailer and what follows it. */
  async finish(): Promise<void> {
    if (this.state === "stopped") return;
    if (this.state === "header") {
      return this.fail("GZIP_BAD_HEADER", this.offset === 0 ? "the file is empty" : "the file ends inside the gzip header");
    }
    if (!this.inflateError) {
      try {
        await this.inflate!.finish();
      } catch (error) {
        this.inflateError = error as Error;
      }
    }
    if ((this.state as string) === "stopped") return;
    if (this.inflateError) return this.fail(isTruncation(this.inflateError) ? "GZIP_TRUNCATED" : "GZIP_CORRUPT", inflateMessage(this.inflateError));
    const trailerAt = this.deflateStart + this.consumed;
    const after = Buffer.concat(this.tail);
    if (after.length < 8) return this.fail("GZIP_TRUNCATED", "the gzip stream ends before its CRC32/size trailer");
    const crc = after.readUInt32LE(0);
    const isize = after.readUInt32LE(4);
    if (crc !== this.crc >>> 0) {
      return this.fail("GZIP_CRC_MISMATCH", `gzip CRC32 is ${hex(crc)} in the trailer but ${hex(this.crc >>> 0)} for the data`);
    }
    if (isize !== this.outputSize % 2 ** 32) {
      return this.fail("GZIP_SIZE_MISMATCH", `gzip trailer says ${isize} bytes (mod 2^32) but the data is ${this.outputSize}`);
    }
    const extra = this.offset - (trailerAt + 8);
    if (extra > 0) {
      const next = after.subarray(8);
      if (next[0] === 0x1f && next[1] === 0x8b) {
        this.fail("GZIP_MULTIPLE_MEMBERS", `a second gzip member follows the first (${extra} bytes); a package is one gzip member`);
      } else {
        this.fail("GZIP_TRAILING_DATA", `${extra} bytes follow the end of the gzip stream`);
      }
    }
    this.state = "stopped";
  }

  /** Stops inflating (the caller found enough); later chunks are ignored. */
  stop(): void {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.inflate?.close();
  }

  private startInflate(): void {
    this.inflate = createRawInflater(
      (out) => {
        if (this.state === "stopped") return;
        this.crc = zlib.crc32(out, this.crc);
        this.outputSize += out.length;
        this.onData(out);
      },
      this.chunkSize,
      this.forceStream,
    );
  }

  /**
   * Inflates a chunk; when inflate stops consuming inside it, the deflate data ended there: the rest
   * of the chunk is the trailer and whatever follows it. A zlib error is a finding and stops decoding.
   */
  private async write(buf: Buffer): Promise<void> {
    let consumed: number;
    try {
      consumed = await this.inflate!.write(buf);
    } catch (error) {
      this.inflateError = error as Error;
      if (this.state !== "stopped") this.fail(isTruncation(this.inflateError) ? "GZIP_TRUNCATED" : "GZIP_CORRUPT", inflateMessage(this.inflateError));
      return;
    }
    this.consumed += consumed;
    if (this.state === "stopped") return;
    if (consumed < buf.length) this.keepTail(buf.subarray(consumed));
  }

  private keepTail(chunk: Buffer): void {
    this.tailTotal += chunk.length;
    if (this.tailKept < 64) {
      this.tail.push(Buffer.from(chunk.subarray(0, 64 - this.tailKept)));
      this.tailKept += Math.min(64 - this.tailKept, chunk.length);
    }
  }

  private fail(code: string, message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onFinding(errorFinding(code, message));
    this.stop();
  }

}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/** zlib's "unexpected end of file" carries Z_BUF_ERROR (its code, as Node's zlib errors do). */
function isTruncation(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === "Z_BUF_ERROR";
}

function inflateMessage(error: Error): string {
  if (isTruncation(error)) return "the gzip stream is truncated (deflate data ends early)";
  return `the deflate data is corrupt: ${error.message}`;
}

const FTEXT = 1;
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
void FTEXT;

/** Length of a complete gzip member header at the start of `b`, "incomplete", or a reason it is bad (RFC 1952). */
export function parseGzipHeader(b: Buffer): number | "incomplete" | string {
  if (b.length >= 1 && b[0] !== 0x1f) return "not a gzip file (bad magic bytes)";
  if (b.length >= 2 && b[1] !== 0x8b) return "not a gzip file (bad magic bytes)";
  if (b.length < 10) return "incomplete";
  if (b[2] !== 8) return `unsupported gzip compression method ${b[2]} (only deflate is valid)`;
  const flags = b[3]!;
  if (flags & 0xe0) return `reserved gzip header flags are set (0x${flags.toString(16)})`;
  let p = 10;
  if (flags & FEXTRA) {
    if (b.length < p + 2) return "incomplete";
    p += 2 + b.readUInt16LE(p);
    if (b.length < p) return "incomplete";
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const zero = b.indexOf(0, p);
      if (zero < 0) return "incomplete";
      p = zero + 1;
    }
  }
  if (flags & FHCRC) {
    if (b.length < p + 2) return "incomplete";
    const expected = zlib.crc32(b.subarray(0, p)) & 0xffff;
    if (b.readUInt16LE(p) !== expected) return "gzip header CRC16 does not match the header";
    p += 2;
  }
  return p;
}
