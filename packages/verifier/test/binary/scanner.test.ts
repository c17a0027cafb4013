import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { BinaryFormatError, BinaryScanner, HeadScratch, readBinaryFile, readBinaryInfo } from "../../src/binary/index.js";
import { readelfFacts } from "./fixtures.js";
import { type BuiltElf, buildElf, elfBytes } from "./elf-builder.js";
import { scan } from "./helpers.js";
import { tempDirSync } from "@baiengine/test-kit";

/** A CUDA-library-like ELF: its dynamic section sits at the very end, far beyond the head. */
function farDynamicElf(size: number, dynamicFileSize?: number): BuiltElf {
  return buildElf({ bits: 64, bigEndian: false, machine: 62, size, needed: ["libcudart.so.13", "libc.so.6"], soname: "libbig.so.1", runpath: "$ORIGIN", dynamicFileSize });
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
  it.each([
    { bits: 64, bigEndian: false, machine: 62, name: "x86_64" },
    { bits: 32, bigEndian: false, machine: 40, name: "arm" },
    { bits: 32, bigEndian: true, machine: 8, name: "mips" },
    { bits: 64, bigEndian: true, machine: 21, name: "ppc64" },
  ] as const)("reads a byte-built $bits-bit big-endian=$bigEndian ELF ($name) as readelf does", ({ bits, bigEndian, machine, name }) => {
    const bytes = elfBytes(buildElf({ bits, bigEndian, machine, size: 3 << 20, needed: ["libfoo.so.1", "libc.so.6"], soname: "libbig.so.1", runpath: "$ORIGIN/libs:$ORIGIN" }));
    const file = join(tempDirSync("verifier-scan"), "libbig.so");
    writeFileSync(file, bytes);
    const facts = readelfFacts(file);
    expect(facts).toMatchObject({ needed: ["libfoo.so.1", "libc.so.6"], soname: "libbig.so.1", runpath: "$ORIGIN/libs:$ORIGIN" });
    const info = readBinaryInfo(bytes);
    expect(info).toMatchObject({ machine: name, arch: name === "x86_64" ? "x86_64" : null, needed: facts.needed, soname: facts.soname, runpath: ["$ORIGIN/libs", "$ORIGIN"], kind: "library" });
    expect(scan(bytes, 4096, 64 * 1024)).toEqual(info);
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

  it("readBinaryFile reads only the ranges the headers point at (a 6 GB sparse file)", async () => {
    const size = 6 * 2 ** 30;
    const elf = farDynamicElf(size);
    const file = join(tempDirSync("verifier-scan"), "libbig.so");
    const fd = openSync(file, "w");
    try {
      writeSync(fd, elf.head, 0, elf.head.length, 0);
      writeSync(fd, elf.tail, 0, elf.tail.length, size - elf.tail.length);
    } finally {
      closeSync(fd);
    }
    expect(await readBinaryFile(file)).toMatchObject({ needed: ["libcudart.so.13", "libc.so.6"], soname: "libbig.so.1", runpath: ["$ORIGIN"] });
    rmSync(file);
  });

  it("rejects an absurd dynamic section size without allocating it, in every entry point", async () => {
    const elf = farDynamicElf(2 << 20, 2 ** 40);
    const bytes = elfBytes(elf);
    expect(() => readBinaryInfo(bytes)).toThrow(BinaryFormatError);
    expect(() => streamFarElf(elf)).toThrow(BinaryFormatError);
    const file = join(tempDirSync("verifier-scan"), "libbad.so");
    writeFileSync(file, bytes);
    await expect(readBinaryFile(file)).rejects.toThrow(BinaryFormatError);
  });

  it("keeps a string table that the head ends inside of, found only from the dynamic section after it (the first loaded segment is kept)", () => {
    // libstdc++'s .dynstr runs from 185 KB to 487 KB, its dynamic section sits at 2.1 MB: with a 64 KiB
    // head the table straddles the head's end, as Node 22's (2.7 MB to 10.5 MB, dynamic at 108 MB) does the 8 MiB head.
    const lib = new Uint8Array(readFileSync("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
    expect(scan(lib, 4096, 64 * 1024)).toEqual(readBinaryInfo(lib));
    expect(scan(lib, 4096)?.soname).toBe("libstdc++.so.6");
  });

  it("says so when a needed range was streamed past and keeping it would exceed the capture budget", () => {
    const lib = new Uint8Array(readFileSync("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"));
    // 400 KiB holds the string table (302 KB) but not the rest of the first segment (562 KB): it is not kept.
    const scanner = new BinaryScanner({ headBytes: 64 * 1024, maxCapturedBytes: 400 * 1024 });
    for (let at = 0; at < lib.length; at += 4096) scanner.push(lib.subarray(at, at + 4096));
    expect(() => scanner.finish()).toThrow(/already streamed past/);
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

describe("HeadScratch", () => {
  it("binaries scanned one after another through one scratch read as each does alone (CUDA ELF, PE DLL, small and large)", () => {
    const files = [
      "/usr/lib/x86_64-linux-gnu/libz.so.1",
      join(inject("nodeLlamaCpp").linux, "bins/linux-x64-cuda/libggml-cuda.so"),
      // Not process.execPath: which file that is depends on the Node line running the suite (the
      // official Node 22 and 24 builds keep their .dynstr past the 8 MiB head a scan keeps).
      "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
      join(inject("nodeLlamaCpp").windows, "bins/win-x64-cuda/ggml-cuda.dll"),
      "/usr/lib/x86_64-linux-gnu/libz.so.1",
    ];
    const scratch = new HeadScratch();
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      const scanner = new BinaryScanner({ sizeHint: bytes.length, scratch });
      for (let at = 0; at < bytes.length; at += 1 << 20) scanner.push(bytes.subarray(at, at + (1 << 20)));
      expect(scanner.finish(), file).toEqual(readBinaryInfo(bytes));
    }
  });
});
