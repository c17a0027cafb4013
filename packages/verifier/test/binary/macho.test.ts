import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BinaryFormatError, readBinaryFile, readBinaryInfo, sniffBinary } from "../../src/binary/index.js";
import { scan } from "./helpers.js";
import { buildFat, buildThin, CPU, LC } from "./macho-builder.js";
import { tempDirSync } from "@baiengine/test-kit";

const server = buildThin({
  cpu: CPU.aarch64,
  filetype: "execute",
  dylibs: [
    { cmd: LC.LOAD_DYLIB, name: "@rpath/libllama.dylib" },
    { cmd: LC.LOAD_WEAK_DYLIB, name: "/System/Library/Frameworks/Metal.framework/Versions/A/Metal" },
    { cmd: LC.REEXPORT_DYLIB, name: "/usr/lib/libc++.1.dylib" },
  ],
  rpaths: ["@loader_path/libs"],
  buildVersion: [14, 0, 0],
});

async function readEveryWay(bytes: Uint8Array) {
  const dir = tempDirSync("verifier-macho");
  writeFileSync(join(dir, "bin"), bytes);
  const info = readBinaryInfo(bytes);
  expect(await readBinaryFile(join(dir, "bin"))).toEqual(info);
  expect(scan(bytes, 4096, 64 * 1024)).toEqual(info);
  expect(scan(bytes, 7)).toEqual(info);
  return info!;
}

describe("Mach-O (headers built byte by byte)", () => {
  it("reads a thin arm64 executable: dylibs incl. weak and re-export, LC_RPATH, LC_BUILD_VERSION", async () => {
    expect(sniffBinary(server)).toBe("macho");
    expect(await readEveryWay(server)).toEqual({
      format: "macho",
      os: "macos",
      arch: "aarch64",
      machine: "aarch64",
      kind: "executable",
      needed: ["@rpath/libllama.dylib", "/System/Library/Frameworks/Metal.framework/Versions/A/Metal", "/usr/lib/libc++.1.dylib"],
      rpath: ["@loader_path/libs"],
      runpath: [],
      symbolVersions: {},
      macosMin: "14.0",
    });
  });

  it("reads a thin x86_64 dylib's LC_ID_DYLIB and LC_VERSION_MIN_MACOSX", async () => {
    const lib = buildThin({ cpu: CPU.x86_64, filetype: "dylib", id: "@rpath/libggml.dylib", dylibs: [{ cmd: LC.LOAD_DYLIB, name: "/usr/lib/libSystem.B.dylib" }], versionMin: [10, 15, 4] });
    expect(await readEveryWay(lib)).toMatchObject({ arch: "x86_64", kind: "library", soname: "@rpath/libggml.dylib", macosMin: "10.15.4", needed: ["/usr/lib/libSystem.B.dylib"] });
  });

  it("reads a big-endian 32-bit slice and names machines it does not ship", async () => {
    const ppc = buildThin({ cpu: CPU.ppc, filetype: "bundle", bits: 32, bigEndian: true, dylibs: [{ cmd: LC.LOAD_DYLIB, name: "/usr/lib/libSystem.B.dylib" }] });
    expect(await readEveryWay(ppc)).toMatchObject({ arch: null, machine: "ppc", kind: "library", needed: ["/usr/lib/libSystem.B.dylib"] });
  });

  it.each([false, true])("reads a universal binary (fat64: %s) with one slice per architecture, beyond the head", async (fat64) => {
    const x86 = buildThin({ cpu: CPU.x86_64, filetype: "execute", dylibs: [{ cmd: LC.LOAD_DYLIB, name: "/usr/lib/libc++.1.dylib" }], buildVersion: [11, 0, 0] });
    // 1 MiB alignment puts the second slice's headers past the scanner's 64 KiB head: they must be captured in passing.
    const fat = buildFat([{ cpu: CPU.x86_64, bytes: x86 }, { cpu: CPU.aarch64, bytes: server }], { fat64, alignLog2: 20 });
    const info = await readEveryWay(fat);
    expect(info).toMatchObject({ format: "macho", arch: null, machine: "x86_64+aarch64", kind: "executable" });
    expect(info.slices?.map((s) => [s.arch, s.macosMin])).toEqual([["x86_64", "11.0"], ["aarch64", "14.0"]]);
    expect(info.needed).toEqual(["/usr/lib/libc++.1.dylib", "@rpath/libllama.dylib", "/System/Library/Frameworks/Metal.framework/Versions/A/Metal"]);
  });

  it("treats a Java class file (same 0xcafebabe magic) as no binary", () => {
    const javaClass = Uint8Array.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41, 0, 0, 0, 0]);
    expect(sniffBinary(javaClass)).toBeNull();
    expect(readBinaryInfo(javaClass)).toBeNull();
  });

  it("rejects a truncated header and a slice that points back into the fat header", () => {
    expect(() => readBinaryInfo(server.subarray(0, 40))).toThrow(BinaryFormatError);
    const fat = buildFat([{ cpu: CPU.aarch64, bytes: server }]);
    new DataView(fat.buffer).setUint32(16, 0, false); // slice offset → 0
    expect(() => readBinaryInfo(fat)).toThrow(/inside the fat header/);
  });
});
