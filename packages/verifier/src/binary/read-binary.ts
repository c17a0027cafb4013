import { open } from "node:fs/promises";
import { BinaryFormatError, type BinaryFormat, type BinaryInfo } from "./binary-info.js";
import { type ByteSource, memorySource, RangeNeeded, SparseByteSource } from "./byte-source.js";
import { isElf, readElf } from "./elf.js";
import { isMachO, readMachO } from "./macho.js";
import { isPe, readPe } from "./pe.js";

/** Bytes needed to tell the formats apart (Mach-O fat needs its slice count at offset 4). */
export const SNIFF_BYTES = 8;

export function sniffBinary(head: Uint8Array): BinaryFormat | null {
  if (isElf(head)) return "elf";
  if (isMachO(head)) return "macho";
  if (isPe(head)) return "pe";
  return null;
}

/** Parses from any source; null when the first bytes are no native binary. */
export function readFromSource(src: ByteSource): BinaryInfo | null {
  const head = src.read(0, Math.min(SNIFF_BYTES, src.size ?? SNIFF_BYTES));
  const format = sniffBinary(head);
  if (format === "elf") return readElf(src);
  if (format === "macho") return readMachO(src);
  if (format === "pe") return readPe(src);
  return null;
}

/** Whole file in memory. Throws BinaryFormatError only. */
export function readBinaryInfo(bytes: Uint8Array): BinaryInfo | null {
  return guard(() => readFromSource(memorySource(bytes)));
}

/** First read from disk; headers, program headers and load commands normally all sit in it. */
const FILE_HEAD_BYTES = 64 * 1024;
/** Each fetch answers one RangeNeeded; real binaries need a handful, so a long run means a corrupt file. */
const MAX_FETCHES = 256;
/** Total bytes held for one file, whatever the file's size. */
const MAX_RETAINED_BYTES = 64 * 1024 * 1024;

/** Reads only the ranges the headers point at, with positioned reads: bounded memory for any file size. */
export async function readBinaryFile(path: string): Promise<BinaryInfo | null> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const src = new SparseByteSource(size);
    const fetch = async (offset: number, length: number) => {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      src.add(offset, buffer.subarray(0, bytesRead));
    };
    await fetch(0, Math.min(size, FILE_HEAD_BYTES));
    for (let i = 0; i < MAX_FETCHES; i++) {
      try {
        return guard(() => readFromSource(src));
      } catch (error) {
        if (!(error instanceof RangeNeeded)) throw error;
        if (src.retainedBytes + error.length > MAX_RETAINED_BYTES) throw new BinaryFormatError(`${path}: headers point at more than ${MAX_RETAINED_BYTES} bytes`);
        // Read a little ahead: tables come in runs (version needs, DLL names), so one read usually serves the next asks too.
        await fetch(error.offset, Math.max(error.length, Math.min(FILE_HEAD_BYTES, size - error.offset)));
      }
    }
    throw new BinaryFormatError(`${path}: headers point at too many separate ranges`);
  } finally {
    await file.close();
  }
}

/**
 * Lets RangeNeeded through (the drivers handle it) and turns any other slip on hostile input
 * (a RangeError from a typed array, say) into a BinaryFormatError, so callers see one error type.
 */
export function guard<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof BinaryFormatError || error instanceof RangeNeeded) throw error;
    throw new BinaryFormatError(`malformed binary: ${error instanceof Error ? error.message : String(error)}`);
  }
}
