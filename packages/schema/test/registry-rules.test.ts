import { describe, expect, it } from "vitest";
import { parseRegistry, type Registry, SchemaValidationError, safeParseRegistry } from "../src/index.js";
import { REAL_SHA, validDesignRegistry } from "./design-examples.js";

type Mutable = ReturnType<typeof validDesignRegistry> & Record<string, unknown>;

function cudaPackage(version = "b4618") {
  return {
    os: "linux",
    arch: "x86_64",
    accelerator: "cuda",
    acceleratorVersion: "12.4",
    filename: `llama-cpp-${version}-linux-x86_64-cuda12.baiengine`,
    size: 1,
    sha256: REAL_SHA,
  };
}

/** Issues of a mutated copy of the (valid) design registry. */
function issuesAfter(mutate: (r: Mutable) => void): string[] {
  const registry = validDesignRegistry() as Mutable;
  mutate(registry);
  const result = safeParseRegistry(registry);
  return result.ok ? [] : result.issues;
}

describe("engines.json field rules", () => {
  const cases: [string, (r: Mutable) => void, string][] = [
    ["schemaVersion 2", (r) => Object.assign(r, { schemaVersion: 2 }), "schemaVersion: expected 1, got 2"],
    ["non-UTC lastUpdated", (r) => Object.assign(r, { lastUpdated: "2025-01-10T09:00:00+09:00" }), 'lastUpdated: expected an ISO-8601 UTC timestamp like "2025-01-10T00:00:00Z", got "2025-01-10T09:00:00+09:00"'],
    ["baseUrl with a trailing slash", (r) => Object.assign(r, { baseUrl: "https://cdn.example.com/engines/" }), 'baseUrl: must be an http(s) URL without a trailing slash, got "https://cdn.example.com/engines/"'],
    ["ftp baseUrl", (r) => Object.assign(r, { baseUrl: "ftp://cdn.example.com/engines" }), 'baseUrl: expected an http(s) URL, got "ftp://cdn.example.com/engines"'],
    ["engine id not a slug", (r) => Object.assign(r.engines[0]!, { id: "Llama_CPP" }), "engines[0].id: engine id \"Llama_CPP\" must be a lowercase slug"],
    ["empty modelFormats", (r) => Object.assign(r.engines[0]!, { modelFormats: [] }), "engines[0].modelFormats: expected at least one model format"],
    ["size zero", (r) => Object.assign(r.engines[0]!.packages[0]!, { size: 0 }), "engines[0].packages[0].size: expected a positive integer byte count, got 0"],
    ["fractional size", (r) => Object.assign(r.engines[0]!.packages[0]!, { size: 1.5 }), "engines[0].packages[0].size: expected a positive integer byte count, got 1.5"],
    ["uppercase sha256", (r) => Object.assign(r.engines[0]!.packages[0]!, { sha256: REAL_SHA.toUpperCase() }), "engines[0].packages[0].sha256: expected 64 lowercase hex characters"],
    ["unknown os", (r) => Object.assign(r.engines[0]!.packages[0]!, { os: "darwin" }), 'engines[0].packages[0].os: expected one of macos, linux, windows, got "darwin"'],
  ];
  it.each(cases)("reports %s with its path", (_name, mutate, expected) => {
    const issues = issuesAfter(mutate);
    expect(issues.some((i) => i.startsWith(expected))).toBe(true);
  });

  it("a baseUrl of another scheme is one issue, not also the trailing-slash rule's", () => {
    expect(issuesAfter((r) => Object.assign(r, { baseUrl: "file:///srv/mirror" }))).toEqual(['baseUrl: expected an http(s) URL, got "file:///srv/mirror"']);
  });
});

describe("engines.json cross-field rules", () => {
  it("requires each filename to equal the name formatted from id, latestVersion and platform", () => {
    expect(issuesAfter((r) => Object.assign(r.engines[0]!, { latestVersion: "b4700" }))).toEqual([
      'engines[0].packages[0].filename: expected "llama-cpp-b4700-macos-aarch64-metal.baiengine" (from the engine id, version and platform fields), got "llama-cpp-b4618-macos-aarch64-metal.baiengine"',
    ]);
    expect(issuesAfter((r) => Object.assign(r.engines[0]!.packages[0]!, { accelerator: "cpu" }))[0]).toMatch(/^engines\[0\]\.packages\[0\]\.filename: expected "llama-cpp-b4618-macos-aarch64-cpu\.baiengine"/);
  });

  it("requires a toolkit version for versioned accelerators, whose major is the token", () => {
    expect(issuesAfter((r) => r.engines[0]!.packages.push({ ...cudaPackage(), acceleratorVersion: null } as never))).toEqual([
      "engines[0].packages[1].acceleratorVersion: cuda needs its toolkit version (e.g. \"12.4\"), got null",
    ]);
    expect(issuesAfter((r) => r.engines[0]!.packages.push({ ...cudaPackage(), acceleratorVersion: "13.0" } as never))[0]).toMatch(/packages\[1\]\.filename: expected "llama-cpp-b4618-linux-x86_64-cuda13\.baiengine"/);
    expect(issuesAfter((r) => r.engines[0]!.packages.push(cudaPackage() as never))).toEqual([]);
  });

  it("refuses two packages of an engine for one platform", () => {
    expect(issuesAfter((r) => r.engines[0]!.packages.push(cudaPackage() as never, { ...cudaPackage(), acceleratorVersion: "12.8" } as never))).toEqual([
      "engines[0].packages[2]: platform linux-x86_64-cuda12 is listed twice (also packages[1])",
    ]);
  });

  it("treats a variant as its own platform", () => {
    const gh200 = { ...cudaPackage(), arch: "aarch64", variant: "gh200", filename: "llama-cpp-b4618-linux-aarch64-cuda12-gh200.baiengine" };
    const plain = { ...cudaPackage(), arch: "aarch64", filename: "llama-cpp-b4618-linux-aarch64-cuda12.baiengine" };
    expect(issuesAfter((r) => r.engines[0]!.packages.push(gh200 as never, plain as never))).toEqual([]);
  });

  it("refuses duplicate engine ids", () => {
    expect(issuesAfter((r) => r.engines.push(structuredClone(r.engines[0]!)))).toEqual(['engines[1].id: duplicate engine id "llama-cpp" (also engines[0])']);
  });

  it("applies the same rules to a pre-release (optional extension)", () => {
    const pre = { version: "b4700", packages: [{ ...cudaPackage("b4618") }] };
    expect(issuesAfter((r) => Object.assign(r.engines[0]!, { prerelease: pre }))[0]).toMatch(
      /^engines\[0\]\.prerelease\.packages\[0\]\.filename: expected "llama-cpp-b4700-linux-x86_64-cuda12\.baiengine"/,
    );
    pre.packages[0]!.filename = "llama-cpp-b4700-linux-x86_64-cuda12.baiengine";
    expect(issuesAfter((r) => Object.assign(r.engines[0]!, { prerelease: pre }))).toEqual([]);
  });

  it("throws a SchemaValidationError listing every issue", () => {
    const registry = validDesignRegistry() as Mutable;
    registry.engines[0]!.packages[0]!.sha256 = "x";
    registry.engines[0]!.packages[0]!.size = -1;
    try {
      parseRegistry(registry);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SchemaValidationError);
      expect((error as SchemaValidationError).issues).toHaveLength(2);
    }
  });
});

describe("forward compatibility", () => {
  it("keeps fields it does not know, at every level", () => {
    const registry = validDesignRegistry() as Mutable;
    registry["mirrors"] = ["https://mirror.example.com"];
    Object.assign(registry.engines[0]!, { homepage: "https://github.com/ggml-org/llama.cpp", tags: { stable: "b4618" } });
    Object.assign(registry.engines[0]!.packages[0]!, { signature: "sig", minOsVersion: "14.0" });
    const parsed: Registry = parseRegistry(structuredClone(registry));
    expect(parsed).toEqual(registry);
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(registry);
  });
});
