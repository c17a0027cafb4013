import { BinaryFormatError } from "./binary-info.js";

/** Largest single range a reader may ask for: headers and tables are small, so anything above is corrupt or hostile. */
export const MAX_RANGE_BYTES = 16 * 1024 * 1024;

/**
 * Bounded random access to a file's bytes. The readers only ever ask for exact ranges whose lengths they
 * have checked, so a reader never allocates from an unchecked size field and never sees the whole file.
 */
export interface ByteSource {
  /** Total file size, or undefined while a stream has not ended yet. */
  readonly size: number | undefined;
  /** Exactly `length` bytes at `offset`; throws BinaryFormatError past the end, RangeNeeded when not loaded yet. */
  read(offset: number, length: number): Uint8Array;
  /**
   * Bytes a later read may need though the headers read so far cannot say so yet (an ELF's dynamic
   * string table, found only from the dynamic section that lies after it): a streaming source keeps
   * them as they pass if its budget allows. Optional; a source holding the whole file ignores it.
   */
  prefetch?(offset: number, length: number): void;
}

/** Thrown by a SparseByteSource for a range it has not loaded; the drivers catch it, fetch the range and retry. */
export class RangeNeeded extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {
    super(`bytes ${offset}..${offset + length} not loaded`);
  }
}

/** Validates a requested range before any allocation. */
export function checkRange(offset: number, length: number, size: number | undefined, what = "range"): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new BinaryFormatError(`${what}: invalid offset ${offset} or length ${length}`);
  }
  if (length > MAX_RANGE_BYTES) throw new BinaryFormatError(`${what}: ${length} bytes is more than a header table can hold`);
  if (size !== undefined && offset + length > size) {
    throw new BinaryFormatError(`${what}: bytes ${offset}..${offset + length} lie beyond the end of the file (${size} bytes)`);
  }
}

/** The whole file in memory. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      checkRange(offset, length, bytes.length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** Some ranges of a file (a head, plus ranges fetched later); reads of anything else throw RangeNeeded. */
export class SparseByteSource implements ByteSource {
  private segments: { offset: number; bytes: Uint8Array }[] = [];

  /** Ranges a reader asked to keep (`prefetch`), taken by the streaming scanner. */
  readonly wishes: { offset: number; length: number }[] = [];

  constructor(public size: number | undefined) {}

  prefetch(offset: number, length: number): void {
    this.wishes.push({ offset, length });
  }

  add(offset: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.segments.push({ offset, bytes });
    this.segments.sort((a, b) => a.offset - b.offset);
  }

  get retainedBytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes.length, 0);
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(offset, length, this.size);
    const end = offset + length;
    const one = this.segments.find((s) => s.offset <= offset && end <= s.offset + s.bytes.length);
    if (one) return one.bytes.subarray(offset - one.offset, end - one.offset);
    // A range may straddle two adjacent segments (the head and a later capture): stitch it.
    const out = new Uint8Array(length);
    let at = offset;
    for (const s of this.segments) {
      const sEnd = s.offset + s.bytes.length;
      if (sEnd <= at || s.offset > at) continue;
      const take = Math.min(end, sEnd) - at;
      out.set(s.bytes.subarray(at - s.offset, at - s.offset + take), at - offset);
      at += take;
      if (at === end) return out;
    }
    throw new RangeNeeded(offset, length);
  }
}

/** Endian-aware integer reads over a small buffer, with bounds checks that raise BinaryFormatError. */
export class Fields {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private at(offset: number, width: number): number {
    if (offset < 0 || offset + width > this.bytes.length) {
      throw new BinaryFormatError(`${this.what}: field at ${offset} lies outside its ${this.bytes.length}-byte table`);
    }
    return offset;
  }

  u8(offset: number): number {
    return this.view.getUint8(this.at(offset, 1));
  }
  u16(offset: number): number {
    return this.view.getUint16(this.at(offset, 2), this.littleEndian);
  }
  u32(offset: number): number {
    return this.view.getUint32(this.at(offset, 4), this.littleEndian);
  }
  /** 64-bit field as a number; values beyond 2^53 cannot be file offsets or sizes, so they are corrupt. */
  u64(offset: number): number {
    const value = this.view.getBigUint64(this.at(offset, 8), this.littleEndian);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new BinaryFormatError(`${this.what}: 64-bit field at ${offset} is out of range`);
    return Number(value);
  }
  /** 64-bit tag compared by value only (large processor-specific tags are fine, they are just ignored). */
  u64Loose(offset: number): number {
    return Number(this.view.getBigUint64(this.at(offset, 8), this.littleEndian));
  }
  /** NUL-terminated string starting at `offset`, within this table. */
  cstring(offset: number): string {
    if (offset < 0 || offset >= this.bytes.length) throw new BinaryFormatError(`${this.what}: string offset ${offset} is outside the table`);
    const end = this.bytes.indexOf(0, offset);
    if (end < 0) throw new BinaryFormatError(`${this.what}: string at ${offset} is not terminated`);
    return new TextDecoder("utf-8").decode(this.bytes.subarray(offset, end));
  }
}
