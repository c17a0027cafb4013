import { describe, expect, it } from "vitest";
import { safeParseRegistry, safeParseRegistryForReaders } from "../src/index.js";

const sha = "a".repeat(64);
const pkg = (os: string, arch: string, accelerator: string, filename: string) => ({ os, arch, accelerator, acceleratorVersion: null, filename, size: 10, sha256: sha });

/** An index from a registry newer than this client: one known package and three of platforms it does not know. */
function futureIndex(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    lastUpdated: "2026-01-01T00:00:00Z",
    baseUrl: "https://example.test/releases",
    futureTopLevel: { kept: true },
    engines: [
      {
        id: "llama-cpp",
        name: "llama.cpp",
        description: "",
        latestVersion: "b1",
        modelFormats: ["gguf"],
        packages: [
          pkg("linux", "riscv64", "cpu", "llama-cpp-b1-linux-riscv64-cpu.baiengine"),
          pkg("linux", "x86_64", "cpu", "llama-cpp-b1-linux-x86_64-cpu.baiengine"),
          pkg("android", "aarch64", "cpu", "llama-cpp-b1-android-aarch64-cpu.baiengine"),
          pkg("linux", "x86_64", "npu", "llama-cpp-b1-linux-x86_64-npu.baiengine"),
        ],
      },
    ],
  };
}

describe("engines.json as readers see it (an index newer than the client)", () => {
  it("the registry's own strict check refuses the unknown platforms", () => {
    const strict = safeParseRegistry(futureIndex());
    expect(strict.ok).toBe(false);
    expect(!strict.ok && strict.issues.join("\n")).toMatch(/engines\[0\]\.packages\[0\]\.arch/);
  });

  it("readers skip each unknown entry with one line and keep the rest (unknown top-level fields too)", () => {
    const read = safeParseRegistryForReaders(futureIndex());
    if (!read.ok) throw new Error(read.issues.join("\n"));
    expect(read.value.registry.engines[0]!.packages.map((p) => p.filename)).toEqual(["llama-cpp-b1-linux-x86_64-cpu.baiengine"]);
    expect(read.value.skipped).toEqual([
      'engines[0].packages[0] (llama-cpp-b1-linux-riscv64-cpu.baiengine): skipped, arch "riscv64" is unknown to this version (a newer one may install it)',
      'engines[0].packages[2] (llama-cpp-b1-android-aarch64-cpu.baiengine): skipped, os "android" is unknown to this version (a newer one may install it)',
      'engines[0].packages[3] (llama-cpp-b1-linux-x86_64-npu.baiengine): skipped, accelerator "npu" is unknown to this version (a newer one may install it)',
    ]);
    expect((read.value.registry as Record<string, unknown>)["futureTopLevel"]).toEqual({ kept: true });
  });

  it("still refuses what is wrong in a known entry (a missing os is not an unknown one)", () => {
    const index = futureIndex();
    const packages = (index["engines"] as { packages: Record<string, unknown>[] }[])[0]!.packages;
    delete packages[1]!["os"];
    expect(safeParseRegistryForReaders(index).ok).toBe(false);
  });
});
