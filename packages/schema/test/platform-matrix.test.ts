import { describe, expect, it } from "vitest";
import { isSupportedPlatform, PLATFORM_MATRIX, type PlatformMatrixRow, supportedPlatforms } from "../src/index.js";

describe("platform matrix", () => {
  it("holds the design's table verbatim", () => {
    const design = PLATFORM_MATRIX.filter((r) => r.origin === "design").map(({ os, arch, accelerators }) => ({ os, arch, accelerators }));
    expect(design).toEqual([
      { os: "macos", arch: "aarch64", accelerators: ["metal", "cpu"] },
      { os: "macos", arch: "x86_64", accelerators: ["cpu"] },
      { os: "linux", arch: "x86_64", accelerators: ["cuda", "cpu", "rocm"] },
      { os: "windows", arch: "x86_64", accelerators: ["cuda", "cpu"] },
    ]);
  });

  it("answers for families and tokens", () => {
    expect(isSupportedPlatform("macos", "aarch64", "metal")).toBe(true);
    expect(isSupportedPlatform("linux", "x86_64", "metal")).toBe(false);
    expect(isSupportedPlatform("linux", "x86_64", "cuda12")).toBe(true);
    expect(isSupportedPlatform("windows", "x86_64", "rocm6")).toBe(false);
    expect(isSupportedPlatform("macos", "x86_64", "metal")).toBe(false);
    expect(isSupportedPlatform("linux", "x86_64", "tpu")).toBe(false);
  });

  it("is extended by data, not code", () => {
    expect(isSupportedPlatform("linux", "aarch64", "cpu")).toBe(true);
    expect(isSupportedPlatform("windows", "x86_64", "vulkan")).toBe(true);
    const custom: PlatformMatrixRow[] = [...PLATFORM_MATRIX, { os: "linux", arch: "aarch64", accelerators: ["cuda"], origin: "extension" }];
    expect(isSupportedPlatform("linux", "aarch64", "cuda13", custom)).toBe(true);
    expect(isSupportedPlatform("linux", "aarch64", "cuda13")).toBe(false);
    expect(supportedPlatforms(custom)).toContainEqual({ os: "linux", arch: "aarch64", accelerator: "cuda", origin: "extension" });
  });
});

describe("Node's platform names", () => {
  it("map to the registry's", async () => {
    const { archFromNode, osFromNode } = await import("../src/index.js");
    expect([osFromNode("darwin"), osFromNode("linux"), osFromNode("win32"), osFromNode("freebsd")]).toEqual(["macos", "linux", "windows", null]);
    expect([archFromNode("x64"), archFromNode("arm64"), archFromNode("ia32")]).toEqual(["x86_64", "aarch64", null]);
  });
});
