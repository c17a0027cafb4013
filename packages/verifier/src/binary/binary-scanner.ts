import { BinaryFormatError, type BinaryInfo } from "./binary-info.js";
import { MAX_RANGE_BYTES, RangeNeeded, SparseByteSource } from "./byte-source.js";
import { guard, readFromSource, SNIFF_BYTES, sniffBinary } from "./read-binary.js";

export interface BinaryScannerOptions {
  /** Bytes kept from the start of the file (default 8 MiB): headers and, for ELF, the string tables live there. */
  headBytes?: number;
  /** Bytes kept beyond the head in all (default 48 MiB). */
  maxCapturedBytes?: number;
  /** The stream's length when known (a tar entry's size): the head is then allocated once at its final size. */
  sizeHint?: number;
  /** Where the head is kept, shared by scanners used one after another; without it each scanner allocates its own. */
  scratch?: HeadScratch;
}

/**
 * One buffer for the heads of binaries scanned one after another (a tar's entries). A head is up to
 * 8 MiB; a fresh one per binary was dead memory until V8's next full GC, several heads at once.
 * A scanner's head is valid until the next scanner takes the scratch.
 */
export class HeadScratch {
  private buffer: Uint8Array | null = null;

  /** The first `size` bytes of the scratch; growing it drops what it held (the caller copies its own bytes in). */
  take(size: number): Uint8Array {
    if (this.buffer === null || this.buffer.length < size) this.buffer = new Uint8Array(size);
    return this.buffer.subarray(0, size);
  }
}

interface Capture { offset: number; bytes: Uint8Array; filled: number }

/** Real binaries need a handful of ranges beyond the head; hundreds means a hostile chain of tiny ones. */
const MAX_CAPTURES = 256;

/**
 * Reads a binary's headers from a stream in one pass with bounded memory, for tar entries of any size.
 * It keeps the head, parses it, and when the headers point further on (an ELF's PT_DYNAMIC at the end of a
 * 500 MB CUDA library, a fat Mach-O's second slice, a PE import section) it captures exactly those ranges
 * as the chunks pass, re-parsing after each capture to learn the next range.
 */
export class BinaryScanner {
  private readonly headBytes: number;
  private readonly maxCapturedBytes: number;
  private readonly sizeHint: number | undefined;
  private readonly scratch: HeadScratch | undefined;
  /** The head, copied into one buffer (the caller may reuse its chunks): never a second copy of it. */
  private head: Uint8Array | null = null;
  private sniffed = false;
  private headLength = 0;
  private position = 0;
  private state: "head" | "capturing" | "not-binary" | "done" = "head";
  private src = new SparseByteSource(undefined);
  private pending: Capture[] = [];
  private captured = 0;
  private captures = 0;
  private readonly wishesKept = new Set<string>();
  private result: BinaryInfo | null = null;
  private failure: BinaryFormatError | null = null;

  constructor(options: BinaryScannerOptions = {}) {
    this.headBytes = Math.max(options.headBytes ?? 8 * 1024 * 1024, 64 * 1024);
    this.maxCapturedBytes = options.maxCapturedBytes ?? 48 * 1024 * 1024;
    this.sizeHint = options.sizeHint;
    this.scratch = options.scratch;
  }

  push(chunk: Uint8Array): void {
    if (this.state === "not-binary" || this.state === "done" || this.failure) {
      this.position += chunk.length;
      return;
    }
    let rest = chunk;
    if (this.state === "head") {
      const take = Math.min(chunk.length, this.headBytes - this.headLength);
      this.reserve(this.headLength + take);
      this.head!.set(chunk.subarray(0, take), this.headLength);
      this.headLength += take;
      this.position += take;
      rest = chunk.subarray(take);
      if (!this.sniffed && this.headLength >= SNIFF_BYTES) {
        this.sniffed = true;
        if (!sniffBinary(this.head!.subarray(0, SNIFF_BYTES))) {
          this.state = "not-binary";
          this.head = null;
          this.position += rest.length;
          return;
        }
      }
      if (this.headLength < this.headBytes) return;
      this.closeHead();
      this.plan();
    }
    if (this.state === "capturing" && !this.failure) this.capture(rest, this.position);
    this.position += rest.length;
  }

  finish(): BinaryInfo | null {
    if (this.state === "head") {
      if (this.headLength < SNIFF_BYTES && !sniffBinary(this.headBytesSoFar())) return null;
      this.closeHead();
    }
    if (this.state === "not-binary") return null;
    if (this.failure) throw this.failure;
    if (this.state === "done") return this.result;
    // The stream has ended: the size is known, and what is still pending was cut short by the end of the file.
    this.src.size = this.position;
    for (const p of this.pending) this.src.add(p.offset, p.bytes.subarray(0, p.filled));
    try {
      return guard(() => readFromSource(this.src));
    } catch (error) {
      if (error instanceof RangeNeeded) throw new BinaryFormatError(`bytes ${error.offset}..${error.offset + error.length} were not retained`);
      throw error;
    }
  }

  private closeHead(): void {
    this.src.add(0, this.headBytesSoFar());
    this.head = null;
    this.state = "capturing";
  }

  private headBytesSoFar(): Uint8Array {
    return this.head === null ? new Uint8Array(0) : this.head.subarray(0, this.headLength);
  }

  /**
   * Room for `needed` head bytes: a small buffer until the sniff says it is a binary (most entries
   * are not), then one of the head's final size (the size hint, capped at headBytes), so a large
   * binary's head is allocated once.
   */
  private reserve(needed: number): void {
    const have = this.head?.length ?? 0;
    if (needed <= have) return;
    const wanted = this.sniffed ? Math.max(needed, this.sizeHint ?? this.headBytes) : Math.max(needed, SNIFF_BYTES);
    const size = Math.min(wanted, this.headBytes);
    // Before the sniff the head is small and its own: most entries are not binaries.
    const next = this.sniffed && this.scratch ? this.scratch.take(size) : new Uint8Array(size);
    if (this.head) next.set(this.head.subarray(0, this.headLength));
    this.head = next;
  }

  /** Tries to parse with what is retained; on a missing range, arranges to capture it from the chunks to come. */
  private plan(): void {
    try {
      this.result = guard(() => readFromSource(this.src));
      this.state = "done";
      // Let go of the head and captures while the rest of a large entry streams by.
      this.pending = [];
      this.src = new SparseByteSource(undefined);
    } catch (error) {
      if (!(error instanceof RangeNeeded)) {
        this.failure = error as BinaryFormatError;
        return;
      }
      this.want(error.offset, error.length);
      this.keepWishes();
    }
  }

  /**
   * Keeps the part still ahead of the stream of each range the reader asked to prefetch, when it
   * fits the capture budget besides what is pending; otherwise leaves it (the read that needs it
   * then fails as before, naming the range).
   */
  private keepWishes(): void {
    for (const wish of this.src.wishes.splice(0)) {
      // Each range once: the reader asks again on every re-parse, also after the range was kept.
      const key = `${wish.offset}+${wish.length}`;
      if (this.wishesKept.has(key)) continue;
      this.wishesKept.add(key);
      const from = Math.max(wish.offset, this.position);
      const length = Math.min(wish.offset + wish.length - from, MAX_RANGE_BYTES);
      if (length <= 0 || this.captured + length > this.maxCapturedBytes || this.failure) continue;
      if (this.pending.some((p) => p.offset <= from && from + length <= p.offset + p.bytes.length)) continue;
      this.captured += length;
      this.pending.push({ offset: from, bytes: new Uint8Array(length), filled: 0 });
    }
  }

  private want(offset: number, length: number): void {
    if (this.pending.some((p) => p.offset === offset && p.bytes.length === length)) return;
    this.captured += length;
    if (++this.captures > MAX_CAPTURES) {
      this.failure = new BinaryFormatError(`headers point at more than ${MAX_CAPTURES} separate ranges`);
      return;
    }
    if (this.captured > this.maxCapturedBytes) {
      this.failure = new BinaryFormatError(`headers point at more than ${this.maxCapturedBytes} bytes beyond the head`);
      return;
    }
    const capture: Capture = { offset, bytes: new Uint8Array(length), filled: 0 };
    if (offset < this.position) {
      // The start was streamed past: fine if it was kept (a range straddling the end of the head), fatal otherwise
      // (e.g. a string table beyond the head that precedes the dynamic section).
      const prefix = Math.min(length, this.position - offset);
      try {
        capture.bytes.set(this.src.read(offset, prefix));
        capture.filled = prefix;
      } catch {
        this.failure = new BinaryFormatError(
          `headers point at bytes ${offset}..${offset + length}, beyond the first ${this.headBytes} bytes kept and already streamed past`,
        );
        return;
      }
    }
    this.pending.push(capture);
  }

  /** Copies the parts of this chunk that pending ranges cover; a completed range may reveal the next one in the same chunk. */
  private capture(chunk: Uint8Array, chunkAt: number): void {
    const chunkEnd = chunkAt + chunk.length;
    let progressed = true;
    while (progressed && this.state === "capturing" && !this.failure) {
      progressed = false;
      for (const p of [...this.pending]) {
        const from = Math.max(p.offset + p.filled, chunkAt);
        const to = Math.min(p.offset + p.bytes.length, chunkEnd);
        if (from < to && from === p.offset + p.filled) {
          p.bytes.set(chunk.subarray(from - chunkAt, to - chunkAt), p.filled);
          p.filled += to - from;
        }
        if (p.filled === p.bytes.length) {
          this.pending.splice(this.pending.indexOf(p), 1);
          this.src.add(p.offset, p.bytes);
          progressed = true;
        }
      }
      // `position` is still this chunk's start, so ranges the re-parse asks for inside it count as ahead of us.
      if (progressed) this.plan();
    }
  }
}

