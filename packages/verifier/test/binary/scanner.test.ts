import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BinaryFormatError, BinaryScanner, readBinaryFile, readBinaryInfo } from "../../src/binary/index.js";
import { readelfFacts } from "./fixtures.js";
import { scan } from "./helpers.js";

/**
 * A minimal valid ELF64 shared library whose dynamic section sits at the very end of a `size`-byte file, like a CUDA
 * library's after hundreds of MB of device code. Layout: ELF header (64 bytes), PT_LOAD over the whole file and
 * PT_DYNAMIC (56 bytes each), .dynstr at 256, zeros, then the dynamic entries (16 bytes each) in the last 128 bytes.
 */
function farDynamicElf(size: number, dynamicFileSize = 7 * 16): { head: Uint8Array; tail: Uint8Array; size: number } {
  const head = new Uint8Array(4096);
  const h = new DataView(head.buffer);
  head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  h.setUint16(16, 3, true); // ET_DYN
  h.setUint16(18, 62, true); // EM_X86_64
  h.setUint32(20, 1, true);
  h.setBigUint64(32, 64n, true); // e_phoff
  h.setUint16(52, 64, true);
  h.setUint16(54, 56, true);
  h.setUint16(56, 2, true);
  const dynAt = size - 128;
  const phdr = (at: number, type: number, offset: number, filesz: number) => {
    h.setUint32(at, type, true);
    h.setUint32(at + 4, 4, true);
    h.setBigUint64(at + 8, BigInt(offset), true);
    h.setBigUint64(at + 16, BigInt(offset), true);
    h.setBigUint64(at + 24, BigInt(offset), true);
    h.setBigUint64(at + 32, BigInt(filesz), true);
    h.setBigUint64(at + 40, BigInt(filesz), true);
    h.setBigUint64(at + 48, 8n, true);
  };
  phdr(64, 1, 0, size);
  phdr(120, 2, dynAt, dynamicFileSize);
  const strings = "\0libcudart.so.13\0libc.so.6\0libbig.so.1\0$ORIGIN\0";
  head.set(new TextEncoder().encode(strings), 256);
  const tail = new Uint8Array(128);
  const t = new DataView(tail.buffer);
  [[1, 1], [1, 17], [14, 27], [29, 39], [5, 256], [10, strings.length], [0, 0]].forEach(([tag, val], i) => {
    t.setBigUint64(i * 16, BigInt(tag!), true);
    t.setBigUint64(i * 16 + 8, BigInt(val!), true);
  });
  return { head, tail, size };
}

function streamFarElf(elf: ReturnType<typeof farDynamicElf>, scanner = new BinaryScanner()) {
  const zeros = new Uint8Array(1 << 20);
  scanner.push(elf.head);
  let at = elf.head.length;
  while (at < elf.size - elf.tail.length) {
    const n = Math.min(zeros.length, elf.size - elf.tail.length - at);
    scanner.push(zeros.subarray(0, n));
    at += n;
  }
  scanner.push(elf.tail);
  return scanner.finish();
}

describe("BinaryScanner", () => {
  it("the synthetic far-dynamic ELF is valid: readelf agrees with the in-memory reader", () => {
    const elf = farDynamicElf(3 << 20);
    const bytes = new Uint8Array(elf.size);
    bytes.set(elf.head);
    bytes.set(elf.tail, elf.size - 128);
    const file = join(mkdtempSync(join(tmpdir(), "verifier-scan-")), "libbig.so");
    writeFileSync(file, bytes);
    const facts = readelfFacts(file);
    expect(facts).toMatchObject({ needed: ["libcudart.so.13", "libc.so.6"], soname: "libbig.so.1", runpath: "$ORIGIN" });
    expect(readBinaryInfo(bytes)).toMatchObject({ needed: facts.needed, soname: facts.soname, runpath: ["$ORIGIN"], kind: "library" });
  });

  it("captures a dynamic section 300 MB into a stream while retaining only a few MB", () => {
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const scanner = new BinaryScanner();
    const push = scanner.push.bind(scanner);
    scanner.push = (chunk) => {
      push(chunk);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    };
    const info = streamFarElf(farDynamicElf(300 << 20), scanner);
    expect(info).toMatchObject({ format: "elf", arch: "x86_64", needed: ["libcudart.so.13", "libc.so.6"], soname: "libbig.so.1", runpath: ["$ORIGIN"] });
    expect(peak - before).toBeLessThan(32 << 20);
  });

  it("readBinaryFile reads only the ranges the headers point at", async () => {
    const elf = farDynamicElf(64 << 20);
    const file = join(mkdtempSync(join(tmpdir(), "verifier-scan-")), "libbig.so");
    const bytes = new Uint8Array(elf.size);
    bytes.set(elf.head);
    bytes.set(elf.tail, elf.size - 128);
    writeFileSync(file, bytes);
    expect(await readBinaryFile(file)).toEqual(readBinaryInfo(bytes));
  });

  it("rejects an absurd dynamic section size without allocating it, in every entry point", async () => {
    const elf = farDynamicElf(2 << 20, 2 ** 40);
    const bytes = new Uint8Array(elf.size);
    bytes.set(elf.head);
    bytes.set(elf.tail, elf.size - 128);
    expect(() => readBinaryInfo(bytes)).toThrow(BinaryFormatError);
    expect(() => streamFarElf(elf)).toThrow(BinaryFormatError);
    const file = join(mkdtempSync(join(tmpdir(), "verifier-scan-")), "libbad.so");
    writeFileSync(file, bytes);
    await expect(readBinaryFile(file)).rejects.toThrow(BinaryFormatError);
  });

  it("says so when a needed range was streamed past (a string table beyond a too-small head)", () => {
    const lib = new Uint8Array(readFileSync("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
    expect(() => scan(lib, 4096, 64 * 1024)).toThrow(/already streamed past/);
    expect(scan(lib, 4096)?.soname).toBe("libstdc++.so.6");
  });

  it("returns null for scripts and data, and for an empty stream", () => {
    const script = new TextEncoder().encode("#!/bin/sh\nexec ./llama-server \"$@\"\n".repeat(10_000));
    expect(scan(script, 1000)).toBeNull();
    expect(new BinaryScanner().finish()).toBeNull();
    // A known magic with nothing behind it is a cut-short binary, not "no binary".
    expect(() => scan(new TextEncoder().encode("MZ"), 1)).toThrow(BinaryFormatError);
  });

  it("throws BinaryFormatError for a binary cut short", () => {
    const ls = new Uint8Array(readFileSync("/bin/ls"));
    expect(() => scan(ls.subarray(0, 40), 7)).toThrow(BinaryFormatError);
    expect(() => scan(ls.subarray(0, 4))).toThrow(BinaryFormatError);
  });
});
