import { describe, expect, it } from "vitest";
import {
  formatPackageFilename,
  packageUrl,
  parsePackageFilename,
  releaseTag,
  safeParseManifest,
  safeParseRegistry,
} from "../src/index.js";
import { DESIGN_FILENAMES, DESIGN_MANIFEST, DESIGN_REGISTRY, DESIGN_URL, validDesignRegistry } from "./design-examples.js";

describe("the design's examples, verbatim", () => {
  it("rejects only the placeholder checksum of the example engines.json, with a path and a reason", () => {
    const result = safeParseRegistry(DESIGN_REGISTRY);
    expect(result).toEqual({
      ok: false,
      issues: ['engines[0].packages[0].sha256: expected 64 lowercase hex characters, got "abc123..."'],
    });
  });

  it("accepts the example engines.json once the checksum is real", () => {
    const result = safeParseRegistry(validDesignRegistry());
    expect(result.ok).toBe(true);
  });

  it("accepts the example manifest.json", () => {
    const result = safeParseManifest(DESIGN_MANIFEST);
    expect(result).toEqual({ ok: true, value: DESIGN_MANIFEST });
  });

  it("parses and re-formats the example file names", () => {
    for (const name of DESIGN_FILENAMES) expect(formatPackageFilename(parsePackageFilename(name))).toBe(name);
    expect(parsePackageFilename("llama-cpp-b4618-linux-x86_64-cuda12.baiengine")).toMatchObject({
      engineId: "llama-cpp",
      version: "b4618",
      os: "linux",
      arch: "x86_64",
      acceleratorToken: "cuda12",
      accelerator: "cuda",
      acceleratorMajor: 12,
    });
  });

  it("builds the example download URL to the letter", () => {
    const registry = validDesignRegistry();
    expect(releaseTag("llama-cpp", "b4618")).toBe("llama-cpp-vb4618");
    expect(packageUrl(registry, "llama-cpp", registry.engines[0]!.packages[0]!)).toBe(DESIGN_URL);
  });

  it("resolves against a static-hosting baseUrl without app changes", () => {
    const registry = { ...validDesignRegistry(), baseUrl: "https://cdn.example.com/engines" };
    expect(packageUrl(registry, "llama-cpp", registry.engines[0]!.packages[0]!)).toBe(
      "https://cdn.example.com/engines/llama-cpp-vb4618/llama-cpp-b4618-macos-aarch64-metal.baiengine",
    );
  });
});
