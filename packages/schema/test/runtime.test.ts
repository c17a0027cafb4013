import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ARCH_VALUES,
  formatRuntimeFilename,
  NAME_STYLES,
  OS_VALUES,
  parseManifest,
  parseRuntimeFilename,
  parseRuntimeManifest,
  RuntimeFilenameError,
  runtimeManifestFilename,
  runtimePackageUrl,
  runtimeVersionSatisfies,
  safeParseManifest,
  safeParseRegistry,
  safeParseRuntimeManifest,
} from "../src/index.js";
import { DESIGN_MANIFEST, REAL_SHA, validDesignRegistry } from "./design-examples.js";
import { cuda13RuntimeManifest } from "@baiengine/test-kit";

const CUDA13_LINUX = cuda13RuntimeManifest();

const runtimeEntry = (platforms: [string, string][]) => ({
  id: "cuda13-runtime",
  name: "NVIDIA CUDA 13 runtime",
  description: "cudart, cuBLAS and cuBLASLt",
  latestVersion: "13.0.88",
  packages: platforms.map(([os, arch]) => ({ os, arch, filename: `cuda13-runtime-13.0.88-${os}-${arch}.bairuntime`, size: 404_000_000, sha256: REAL_SHA })),
});

/** The design registry plus a linux cuda13 engine package that needs `cuda13-runtime`. */
function registryWithEdge(runtimes: unknown[] | undefined) {
  const r = validDesignRegistry() as ReturnType<typeof validDesignRegistry> & Record<string, unknown>;
  (r.engines[0]!.packages as unknown[]).push({
    os: "linux",
    arch: "x86_64",
    accelerator: "cuda",
    acceleratorVersion: "13.0",
    filename: "llama-cpp-b4618-linux-x86_64-cuda13.baiengine",
    size: 34_000_000,
    sha256: REAL_SHA,
    runtime: "cuda13-runtime",
  });
  if (runtimes !== undefined) r["runtimes"] = runtimes;
  return r;
}

const issues = (input: unknown) => {
  const result = safeParseRegistry(input);
  return result.ok ? [] : result.issues;
};

describe("runtime pack file names", () => {
  it("formats and parses the issue's example", () => {
    expect(formatRuntimeFilename({ runtimeId: "cuda13-runtime", version: "13.0.88", os: "linux", arch: "x86_64" })).toBe("cuda13-runtime-13.0.88-linux-x86_64.bairuntime");
    expect(parseRuntimeFilename("cuda12-runtime-12.4.0-windows-x86_64.bairuntime")).toEqual({ runtimeId: "cuda12-runtime", version: "12.4.0", os: "windows", arch: "x86_64", style: "design" });
    expect(runtimeManifestFilename(parseRuntimeManifest(CUDA13_LINUX))).toBe("cuda13-runtime-13.0.88-linux-x86_64.bairuntime");
  });

  it.each([
    ["cuda13-runtime-13.0.88-linux-x86_64.baiengine", "extension"],
    ["cuda13-runtime-13.0.88-osx-x64.bairuntime", "os"],
    ["cuda13-runtime-13.0.88-linux-x32.bairuntime", "arch"],
    ["cuda13-runtime-13.0.88-macos-x64.bairuntime", "arch"],
    ["cuda13-runtime-linux-x86_64.bairuntime", "version"],
    ["13.0.88-linux-x86_64.bairuntime", "runtimeId"],
    ["Cuda13-13.0.88-linux-x86_64.bairuntime", "runtimeId"],
  ])("refuses %s at its %s", (name, part) => {
    try {
      parseRuntimeFilename(name);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RuntimeFilenameError);
      expect((error as RuntimeFilenameError).part).toBe(part);
    }
  });

  it("round-trips every valid name", () => {
    const segment = fc.stringMatching(/^[ac-uw-z][a-z0-9]{0,5}$/);
    const name = fc.record({
      runtimeId: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("-")),
      version: fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 4 }).map((n) => n.join(".")),
      os: fc.constantFrom(...OS_VALUES),
      arch: fc.constantFrom(...ARCH_VALUES),
      style: fc.constantFrom(...NAME_STYLES),
    });
    fc.assert(fc.property(name, (n) => {
      expect(parseRuntimeFilename(formatRuntimeFilename(n))).toEqual(n);
    }));
  });

  it("resolves a pack's URL under the release tag {runtimeId}-v{version}", () => {
    const url = runtimePackageUrl({ baseUrl: "https://example.com/dl" }, "cuda13-runtime", { filename: "cuda13-runtime-13.0.88-linux-x86_64.bairuntime" });
    expect(url).toBe("https://example.com/dl/cuda13-runtime-v13.0.88/cuda13-runtime-13.0.88-linux-x86_64.bairuntime");
    expect(() => runtimePackageUrl({ baseUrl: "https://example.com" }, "cuda12-runtime", { filename: "cuda13-runtime-13.0.88-linux-x86_64.bairuntime" })).toThrow(/belongs to runtime "cuda13-runtime"/);
  });
});

describe("runtime manifest", () => {
  it("accepts the CUDA 13 Linux runtime and names its problems", () => {
    expect(safeParseRuntimeManifest(CUDA13_LINUX)).toMatchObject({ ok: true });
    const bad = safeParseRuntimeManifest({ ...CUDA13_LINUX, version: "latest", provides: ["libs/libcudart.so.13", "libcublas.so.13"], libraryDir: "../x" });
    expect(bad.ok ? [] : bad.issues).toEqual([
      'version: expected a toolkit version like "13.0" or "12.4.131", got "latest"',
      'provides[0]: expected a library file name without folders, got "libs/libcudart.so.13"',
      "libraryDir: must not contain '.', '..' or empty segments, got \"../x\"",
    ]);
    const dup = safeParseRuntimeManifest({ ...CUDA13_LINUX, provides: ["libcublas.so.13", "libcublas.so.13"] });
    expect(dup.ok ? [] : dup.issues).toEqual(['provides[1]: "libcublas.so.13" is listed twice']);
  });

  it("compares toolkit versions part by part", () => {
    expect(runtimeVersionSatisfies("13.0.88", "13.0")).toBe(true);
    expect(runtimeVersionSatisfies("13.0", "13.0.1")).toBe(false);
    expect(runtimeVersionSatisfies("12.10", "12.9")).toBe(true);
    expect(runtimeVersionSatisfies("12.4.131", "13.0")).toBe(false);
  });

  it("is an optional `runtime` of an engine manifest", () => {
    const m = { ...DESIGN_MANIFEST, os: "linux", arch: "x86_64", accelerator: "cuda", acceleratorVersion: "13.0", runtime: { id: "cuda13-runtime", minVersion: "13.0" } };
    expect(parseManifest(m).runtime).toEqual({ id: "cuda13-runtime", minVersion: "13.0" });
    const bad = safeParseManifest({ ...m, runtime: { id: "cuda13-runtime", minVersion: "13.x" } });
    expect(bad.ok ? [] : bad.issues).toEqual(['runtime.minVersion: expected a toolkit version like "13.0" or "12.4.131", got "13.x"']);
  });
});

describe("engines.json runtimes[] and package edges", () => {
  it("accepts an index without runtimes (the design's) and one whose edges resolve", () => {
    expect(issues(validDesignRegistry())).toEqual([]);
    expect(issues(registryWithEdge([runtimeEntry([["linux", "x86_64"], ["windows", "x86_64"]])]))).toEqual([]);
  });

  it("refuses a package whose runtime the index lacks, or lacks for its platform", () => {
    expect(issues(registryWithEdge(undefined))).toEqual(['engines[0].packages[1].runtime: needs runtime "cuda13-runtime", which runtimes[] does not list']);
    expect(issues(registryWithEdge([runtimeEntry([["windows", "x86_64"]])]))).toEqual([
      'engines[0].packages[1].runtime: needs runtime "cuda13-runtime" for linux-x86_64, which runtimes[] has only for windows-x86_64',
    ]);
  });

  it("checks runtime file names, platforms and ids", () => {
    const entry = runtimeEntry([["linux", "x86_64"], ["linux", "x86_64"]]);
    entry.packages[0]!.filename = "cuda13-runtime-13.0.88-windows-x86_64.bairuntime";
    expect(issues(registryWithEdge([entry, runtimeEntry([["linux", "x86_64"]])]))).toEqual([
      'runtimes[0].packages[0].filename: expected "cuda13-runtime-13.0.88-linux-x86_64.bairuntime" (from the runtime id and platform fields), got "cuda13-runtime-13.0.88-windows-x86_64.bairuntime"',
      "runtimes[0].packages[1]: platform linux-x86_64 is listed twice (also packages[0])",
      'runtimes[1].id: duplicate runtime id "cuda13-runtime" (also runtimes[0])',
    ]);
  });

  it("accepts a file version other than latestVersion and Node's spellings, as the app's live registry publishes them", () => {
    const live = runtimeEntry([["linux", "x86_64"]]);
    Object.assign(live, { latestVersion: "26.2.26" });
    live.packages[0]!.filename = "cuda13-runtime-13.1.0-linux-x64.bairuntime";
    expect(issues(registryWithEdge([live]))).toEqual([]);
  });

  it("keeps unknown fields of runtimes on parse", () => {
    const entry = { ...runtimeEntry([["linux", "x86_64"]]), homepage: "https://developer.nvidia.com/cuda-toolkit" };
    const result = safeParseRegistry(registryWithEdge([entry]));
    expect(result.ok && result.value.runtimes?.[0]).toEqual(entry);
  });

  it("JSON Schema (ajv) validates runtimes[], package runtime ids and runtime manifests", () => {
    const ajv = (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(new Ajv2020({ allErrors: true, strict: false }));
    const read = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, "..", "schema", name), "utf8"));
    const registry = ajv.compile(read("engines.schema.json"));
    const manifest = ajv.compile(read("runtime-manifest.schema.json"));
    expect(registry(registryWithEdge([runtimeEntry([["linux", "x86_64"]])]))).toBe(true);
    expect(registry(registryWithEdge([{ ...runtimeEntry([["linux", "x86_64"]]), latestVersion: "v13" }]))).toBe(false);
    expect(manifest(CUDA13_LINUX)).toBe(true);
    expect(manifest({ ...CUDA13_LINUX, provides: [] })).toBe(false);
  });
});
