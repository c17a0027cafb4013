import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BinaryFormatError, BinaryScanner, readBinaryFile, readBinaryInfo } from "../../src/binary/index.js";
import { run } from "./fixtures.js";
import { buildFat, buildThin, CPU, LC } from "./macho-builder.js";
import { tempDirSync } from "@baiengine/test-kit";

/** File ranges where the readers look (headers, dynamic section, string tables, import tables): mutations aim there. */
function elfRanges(file: string): [number, number][] {
  const out = run("readelf", ["-SW", file], "binutils");
  const ranges: [number, number][] = [[0, 1024]];
  for (const m of out.matchAll(/\]\s+(\.dynamic|\.dynstr|\.gnu\.version_r|\.interp)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/g)) {
    ranges.push([Number.parseInt(m[2]!, 16), Number.parseInt(m[3]!, 16)]);
  }
  return ranges;
}

function peRanges(file: string): [number, number][] {
  const out = run("x86_64-w64-mingw32-objdump", ["-h", file], "binutils-mingw-w64-x86-64");
  const ranges: [number, number][] = [[0, 1024]];
  const m = /\.idata\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(out);
  if (m) ranges.push([Number.parseInt(m[2]!, 16), Number.parseInt(m[1]!, 16)]);
  return ranges;
}

const machoFat = buildFat([
  { cpu: CPU.x86_64, bytes: buildThin({ cpu: CPU.x86_64, filetype: "execute", dylibs: [{ cmd: LC.LOAD_DYLIB, name: "/usr/lib/libSystem.B.dylib" }], rpaths: ["@loader_path/libs"], buildVersion: [11, 0, 0] }) },
  { cpu: CPU.aarch64, bytes: buildThin({ cpu: CPU.aarch64, filetype: "dylib", id: "@rpath/libx.dylib", dylibs: [{ cmd: LC.LOAD_WEAK_DYLIB, name: "@rpath/liby.dylib" }], versionMin: [10, 15, 0] }) },
], { fat64: true });

const samples: { name: string; bytes: Uint8Array; ranges: [number, number][] }[] = [
  { name: "/bin/true (ELF x86_64)", bytes: new Uint8Array(readFileSync("/bin/true")), ranges: elfRanges("/bin/true") },
  { name: "aarch64 libstdc++ (ELF)", bytes: new Uint8Array(readFileSync("/usr/aarch64-linux-gnu/lib/libstdc++.so.6")), ranges: elfRanges("/usr/aarch64-linux-gnu/lib/libstdc++.so.6") },
  { name: "libwinpthread-1.dll (PE)", bytes: new Uint8Array(readFileSync("/usr/x86_64-w64-mingw32/lib/libwinpthread-1.dll")), ranges: peRanges("/usr/x86_64-w64-mingw32/lib/libwinpthread-1.dll") },
  { name: "fat64 Mach-O", bytes: machoFat, ranges: [[0, machoFat.length]] },
];

/** The only acceptable outcomes: an answer (info or null) or a BinaryFormatError. */
function settle(parse: () => unknown): "ok" | "format-error" {
  try {
    parse();
    return "ok";
  } catch (error) {
    if (error instanceof BinaryFormatError) return "format-error";
    throw error;
  }
}

describe.each(samples)("fuzzing the readers with mutations of $name", ({ bytes, ranges }) => {
  const mutation = fc.record({
    edits: fc.array(
      fc.record({ range: fc.nat({ max: ranges.length - 1 }), at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x7f, 0x80)) }),
      { minLength: 1, maxLength: 8 },
    ),
    truncateTo: fc.option(fc.nat({ max: bytes.length }), { freq: 4 }),
    chunk: fc.integer({ min: 1, max: 70_000 }),
  });
  const mutate = ({ edits, truncateTo }: { edits: { range: number; at: number; value: number }[]; truncateTo: number | null }) => {
    const copy = bytes.slice(0, truncateTo ?? bytes.length);
    for (const e of edits) {
      const [start, size] = ranges[e.range]!;
      const at = start + (e.at % Math.max(size, 1));
      if (at < copy.length) copy[at] = e.value;
    }
    return copy;
  };

  it("in memory and streamed: an answer or BinaryFormatError, never anything else, and both agree", () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const input = mutate(m);
        const memory = settle(() => readBinaryInfo(input));
        const streamed = settle(() => {
          const scanner = new BinaryScanner({ headBytes: 64 * 1024 });
          for (let at = 0; at < input.length; at += m.chunk) scanner.push(input.subarray(at, at + m.chunk));
          return scanner.finish();
        });
        // The scanner may give up on a range it streamed past, but it never accepts what the in-memory reader rejects.
        if (memory === "format-error") expect(streamed).toBe("format-error");
      }),
      { numRuns: 400 },
    );
  });

  it("from disk: an answer or BinaryFormatError", async () => {
    const dir = tempDirSync("verifier-fuzz");
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const file = join(dir, "bin");
        writeFileSync(file, mutate(m));
        try {
          await readBinaryFile(file);
        } catch (error) {
          if (!(error instanceof BinaryFormatError)) throw error;
        }
      }),
      { numRuns: 60 },
    );
  });
});
