import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { formatRuntimeFilename, parseRuntimeFilename, safeParsePackagesIndex, safeParseRegistry } from "../src/index.js";
import { REAL_SHA, validDesignRegistry } from "./design-examples.js";
import { januaryPackagesJson, livePackagesJson } from "./live-examples.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const issuesOf = (input: unknown) => {
  const r = safeParsePackagesIndex(input);
  return r.ok ? [] : r.issues;
};

describe("packages.json (the app's live index)", () => {
  it("accepts every historical shape: current, with acceleratorVersion null, without runtimes", () => {
    expect(issuesOf(livePackagesJson())).toEqual([]);
    expect(issuesOf(januaryPackagesJson())).toEqual([]);
    const { runtimes: _r, ...noRuntimes } = livePackagesJson();
    expect(issuesOf(noRuntimes)).toEqual([]);
  });

  it("says which field disagrees with a file name, and refuses the design's spellings in platform fields", () => {
    const live = livePackagesJson();
    Object.assign(live.engines[0]!.latest.packages[4]!, { accelerator: "cuda13" });
    Object.assign(live.engines[1]!.latest.packages[1]!, { os: "linux", arch: "arm64" });
    Object.assign(live.engines[1]!.latest, { version: "26.3.4" });
    Object.assign(live.runtimes[0]!.latest.packages[0]!, { filename: "cuda12-runtime-13.1.0-win32-x64.bairuntime" });
    expect(issuesOf(live)).toEqual([
      'engines[0].latest.packages[4].filename: names accelerator "cuda12"; the entry says llama-cpp 26.4.20 win32-x64 cuda13',
      'engines[1].latest.packages[0].filename: names version "26.3.3"; the entry says whisper-cpp 26.3.4 darwin-arm64 metal',
      'engines[1].latest.packages[1].filename: names version "26.3.3", platform linux-x86_64; the entry says whisper-cpp 26.3.4 linux-arm64 cpu',
      'engines[1].latest.packages[2].filename: names version "26.3.3"; the entry says whisper-cpp 26.3.4 win32-x64 cpu',
      "runtimes[0].latest.packages[0].filename: names cuda12-runtime windows-x86_64; the entry says cuda13-runtime win32-x64",
    ]);
    const design = livePackagesJson();
    Object.assign(design.engines[0]!.latest.packages[0]!, { os: "macos" });
    expect(issuesOf(design)[0]).toBe('engines[0].latest.packages[0].os: expected one of darwin, linux, win32, got "macos"');
  });

  it("has a committed JSON Schema that another validator (ajv) applies to the same shapes", () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "schema", "packages.schema.json"), "utf8"));
    const validate = addFormats(new Ajv2020({ allErrors: true, strict: false })).compile(schema);
    expect(validate(livePackagesJson())).toBe(true);
    expect(validate(januaryPackagesJson())).toBe(true);
    const bad = livePackagesJson();
    Object.assign(bad.engines[0]!.latest.packages[0]!, { arch: "aarch64" });
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(["/engines/0/latest/packages/0/arch"]);
  });
});

describe("runtime packs in engines.json as the live registry has them", () => {
  it("parses runtime file names whose version is the toolkit's, in either spelling", () => {
    expect(parseRuntimeFilename("cuda13-runtime-13.1.0-win32-x64.bairuntime")).toEqual({ runtimeId: "cuda13-runtime", version: "13.1.0", os: "windows", arch: "x86_64", style: "node" });
    expect(parseRuntimeFilename("cuda13-runtime-13.0.88-linux-x86_64.bairuntime")).toMatchObject({ runtimeId: "cuda13-runtime", version: "13.0.88", style: "design" });
    expect(formatRuntimeFilename({ runtimeId: "hip-runtime", version: "6.2.0", os: "windows", arch: "x86_64", style: "node" })).toBe("hip-runtime-6.2.0-win32-x64.bairuntime");
    expect(() => parseRuntimeFilename("cuda13-runtime-13.1.0-win32-x64-extra.bairuntime")).toThrow(/no os token/);
    expect(() => parseRuntimeFilename("cuda13-runtime-win32-x64.bairuntime")).toThrow(/no version/);
  });

  it("checks runtimes[] ids and file names; engines may carry releaseDate and minAppVersion", () => {
    const registry = validDesignRegistry() as Record<string, unknown> & ReturnType<typeof validDesignRegistry>;
    Object.assign(registry.engines[0]!, { releaseDate: "2025-01-10", minAppVersion: "0.11.0" });
    const runtime = { id: "cuda13-runtime", name: "CUDA 13 Runtime", description: "", latestVersion: "26.2.26", category: "cuda", releaseDate: "2026-02-26", packages: [{ os: "windows", arch: "x86_64", filename: "cuda13-runtime-13.1.0-win32-x64.bairuntime", size: 1, sha256: REAL_SHA }] };
    registry["runtimes"] = [runtime];
    expect(safeParseRegistry(registry)).toMatchObject({ ok: true });
    registry["runtimes"] = [runtime, { ...runtime, packages: [{ ...runtime.packages[0]!, os: "linux" }] }];
    const result = safeParseRegistry(registry);
    expect(result.ok ? [] : result.issues).toEqual([
      'runtimes[1].id: duplicate runtime id "cuda13-runtime" (also runtimes[0])',
      'runtimes[1].packages[0].filename: expected "cuda13-runtime-13.1.0-linux-x64.bairuntime" (from the runtime id and platform fields), got "cuda13-runtime-13.1.0-win32-x64.bairuntime"',
    ]);
    Object.assign(registry.engines[0]!, { releaseDate: "2025-01-10T00:00:00Z" });
    const date = safeParseRegistry(registry);
    expect(date.ok ? [] : date.issues[0]).toBe('engines[0].releaseDate: expected a date like "2026-04-26", got "2025-01-10T00:00:00Z"');
  });

  it("keeps a package file name in the spelling it was published with", () => {
    const registry = validDesignRegistry();
    registry.engines[0]!.packages[0]!.filename = "llama-cpp-b4618-darwin-arm64-metal.baiengine";
    expect(safeParseRegistry(registry).ok).toBe(true);
    registry.engines[0]!.packages[0]!.filename = "llama-cpp-b4618-darwin-arm64-cpu.baiengine";
    const result = safeParseRegistry(registry);
    expect(result.ok ? [] : result.issues).toEqual(['engines[0].packages[0].filename: expected "llama-cpp-b4618-darwin-arm64-metal.baiengine" (from the engine id, version and platform fields), got "llama-cpp-b4618-darwin-arm64-cpu.baiengine"']);
  });
});
