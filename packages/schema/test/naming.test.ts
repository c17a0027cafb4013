import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ARCH_VALUES,
  formatPackageFilename,
  NAME_STYLES,
  OS_TOKENS,
  OS_VALUES,
  type PackageName,
  PackageFilenameError,
  parsePackageFilename,
  safeParsePackageFilename,
} from "../src/index.js";

const slugChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split(""));
const letterNotBV = fc.constantFrom(..."acdefghijklmnopqrstuwxyz".split(""));
/** An engine id segment: never starts like a version (digit, or b/v + digit). */
const idSegment = fc.oneof(
  fc.tuple(letterNotBV, fc.string({ unit: slugChar, maxLength: 6 })).map(([a, b]) => a + b),
  fc.tuple(fc.constantFrom("b", "v"), fc.constantFrom(..."acdxyz".split("")), fc.string({ unit: slugChar, maxLength: 4 })).map(([a, b, c]) => a + b + c),
  fc.constantFrom("b", "v"),
);
const engineId = fc.array(idSegment, { minLength: 1, maxLength: 4 }).map((s) => s.join("-"));
const versionChar = fc.constantFrom(..."0123456789abcdefXYZ._".split(""));
const version = fc
  .tuple(
    fc.constantFrom("", "b", "v"),
    fc.integer({ min: 0, max: 99999 }),
    fc.string({ unit: versionChar, maxLength: 8 }),
    fc.array(fc.string({ unit: versionChar, minLength: 1, maxLength: 5 }), { maxLength: 3 }),
  )
  .map(([p, n, rest, parts]) => [`${p}${n}${rest}`, ...parts].join("-"));
const token = fc.oneof(
  fc.constantFrom("cpu", "metal", "vulkan", "sycl", "hip"),
  fc.tuple(fc.constantFrom("cuda", "rocm"), fc.integer({ min: 1, max: 99 })).map(([a, n]) => `${a}${n}`),
);
const variant = fc
  .array(fc.string({ unit: slugChar, minLength: 1, maxLength: 6 }).filter((s) => !OS_TOKENS.includes(s)), { minLength: 1, maxLength: 3 })
  .map((s) => s.join("-"));
const packageName: fc.Arbitrary<PackageName> = fc
  .record({
    engineId,
    version,
    os: fc.constantFrom(...OS_VALUES),
    arch: fc.constantFrom(...ARCH_VALUES),
    acceleratorToken: token,
    variant: fc.option(variant, { nil: undefined }),
    style: fc.constantFrom(...NAME_STYLES),
  })
  .map(({ variant: v, ...rest }) => (v === undefined ? rest : { ...rest, variant: v }));

describe("package file names", () => {
  it("round-trips parse(format(x)) for every valid name (property)", () => {
    fc.assert(
      fc.property(packageName, (name) => {
        const filename = formatPackageFilename(name);
        const { accelerator: _a, acceleratorMajor: _m, ...parsed } = parsePackageFilename(filename);
        expect(parsed).toEqual(name);
        expect(formatPackageFilename(parsed)).toBe(filename);
      }),
      { numRuns: 2000 },
    );
  });

  it("splits ids and versions that both contain hyphens and dots", () => {
    expect(parsePackageFilename("stable-diffusion-cpp-26.4.20-linux-x86_64-vulkan.baiengine")).toMatchObject({
      engineId: "stable-diffusion-cpp",
      version: "26.4.20",
    });
    expect(parsePackageFilename("whisper-cpp-1.0.0-rc.1-macos-aarch64-metal.baiengine")).toMatchObject({
      engineId: "whisper-cpp",
      version: "1.0.0-rc.1",
    });
  });

  it("locates os and arch from the right, so a version may contain them", () => {
    expect(parsePackageFilename("e-1-linux-x86_64-windows-x86_64-cpu.baiengine")).toMatchObject({
      engineId: "e",
      version: "1-linux-x86_64",
      os: "windows",
    });
  });

  it("accepts the app's live spellings (darwin, win32, arm64, x64) as aliases and formats back in the same style", () => {
    const live = [
      "llama-cpp-26.4.20-darwin-arm64-metal.baiengine",
      "llama-cpp-26.4.20-linux-arm64-cuda13-gh200.baiengine",
      "llama-cpp-26.4.20-linux-x64-vulkan.baiengine",
      "llama-cpp-26.4.20-win32-x64-cuda12.baiengine",
    ];
    for (const name of live) expect(formatPackageFilename(parsePackageFilename(name))).toBe(name);
    expect(parsePackageFilename(live[0]!)).toMatchObject({ os: "macos", arch: "aarch64", style: "node" });
    expect(parsePackageFilename(live[1]!)).toMatchObject({ os: "linux", arch: "aarch64", acceleratorToken: "cuda13", variant: "gh200", style: "node" });
    expect(parsePackageFilename(live[3]!)).toMatchObject({ os: "windows", arch: "x86_64", accelerator: "cuda", acceleratorMajor: 12, style: "node" });
    expect(parsePackageFilename("llama-cpp-b4618-linux-x86_64-cpu.baiengine").style).toBe("design");
    const name = { engineId: "llama-cpp", version: "26.4.20", os: "windows", arch: "x86_64", acceleratorToken: "hip" } as const;
    expect(formatPackageFilename({ ...name, style: "node" })).toBe("llama-cpp-26.4.20-win32-x64-hip.baiengine");
    expect(formatPackageFilename(name)).toBe("llama-cpp-26.4.20-windows-x86_64-hip.baiengine");
  });

  it("carries a hardware variant after the token", () => {
    const parsed = parsePackageFilename("llama-cpp-b7000-linux-aarch64-cuda13-gh200.baiengine");
    expect(parsed).toMatchObject({ acceleratorToken: "cuda13", variant: "gh200", accelerator: "cuda", acceleratorMajor: 13 });
  });

  const bad: [string, PackageFilenameError["part"], RegExp][] = [
    ["llama-cpp-b4618-linux-x86_64-cpu.tar.gz", "extension", /must end in \.baiengine/],
    ["llama-cpp-b4618-linux-x32-cpu.baiengine", "arch", /arch "x32" after os "linux"/],
    ["llama-cpp-b4618-darwin-aarch64-metal.baiengine", "arch", /"darwin-aarch64" mixes spellings: use macos-aarch64 or darwin-arm64/],
    ["llama-cpp-b4618-osx-arm64-metal.baiengine", "os", /no os token/],
    ["llama-cpp-b4618-linux-x86_64.baiengine", "accelerator", /missing accelerator token/],
    ["llama-cpp-b4618-linux-x86_64-cuda.baiengine", "accelerator", /needs the toolkit's major version/],
    ["llama-cpp-b4618-linux-x86_64-cpu2.baiengine", "accelerator", /cpu takes no version/],
    ["llama-cpp-b4618-linux-x86_64-tpu.baiengine", "accelerator", /not one of cpu, metal/],
    ["llama-cpp-linux-x86_64-cpu.baiengine", "version", /no version before the os/],
    ["b4618-linux-x86_64-cpu.baiengine", "engineId", /missing engine id/],
    ["Llama-b4618-linux-x86_64-cpu.baiengine", "engineId", /lowercase slug/],
    ["llama-cpp-b4618-linux-x86_64-cpu-GH200.baiengine", "variant", /variant "GH200"/],
    ["llama-cpp-b4618--linux-x86_64-cpu.baiengine", "version", /version "b4618-"/],
  ];
  it.each(bad)("says which part of %s is wrong", (name, part, message) => {
    const result = safeParsePackageFilename(name);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.part).toBe(part);
      expect(result.error.message).toMatch(message);
      expect(result.error.message.startsWith(JSON.stringify(name))).toBe(true);
    }
  });

  it("refuses to format an invalid name, naming the part", () => {
    expect(() => formatPackageFilename({ engineId: "llama-cpp", version: "latest", os: "linux", arch: "x86_64", acceleratorToken: "cpu" })).toThrow(/version "latest"/);
    expect(() => formatPackageFilename({ engineId: "llama-cpp", version: "b1", os: "linux", arch: "x86_64", acceleratorToken: "cuda" })).toThrow(PackageFilenameError);
  });
});
