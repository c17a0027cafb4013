import { describe, expect, it } from "vitest";
import { manifestFilename, parseManifest, safeParseManifest } from "../src/index.js";
import { DESIGN_MANIFEST } from "./design-examples.js";

const linuxCuda = { ...DESIGN_MANIFEST, os: "linux", arch: "x86_64", accelerator: "cuda", acceleratorVersion: "13.0.88" };
const windows = { ...DESIGN_MANIFEST, os: "windows", arch: "x86_64", accelerator: "cpu", serverBinary: "llama-server.exe" };

function issues(input: unknown): string[] {
  const r = safeParseManifest(input);
  return r.ok ? [] : r.issues;
}

describe("manifest.json", () => {
  it("names its package file", () => {
    expect(manifestFilename(parseManifest(DESIGN_MANIFEST))).toBe("llama-cpp-b4618-macos-aarch64-metal.baiengine");
    expect(manifestFilename(parseManifest(linuxCuda))).toBe("llama-cpp-b4618-linux-x86_64-cuda13.baiengine");
    expect(manifestFilename(parseManifest(windows))).toBe("llama-cpp-b4618-windows-x86_64-cpu.baiengine");
  });

  it("requires .exe exactly on windows", () => {
    expect(issues({ ...windows, serverBinary: "llama-server" })).toEqual(['serverBinary: must end in .exe on windows, got "llama-server"']);
    expect(issues({ ...DESIGN_MANIFEST, serverBinary: "llama-server.exe" })).toEqual(['serverBinary: must not end in .exe on macos, got "llama-server.exe"']);
  });

  it.each([
    ["/usr/bin/llama-server", "must be relative to the package folder, not absolute"],
    ["C:/llama-server", "must be relative to the package folder, not absolute"],
    ["bin\\llama-server", "must use forward slashes, not backslashes"],
    ["../llama-server", "must not contain '.', '..' or empty segments"],
    ["bin//llama-server", "must not contain '.', '..' or empty segments"],
    ["", "must not be empty"],
  ])("refuses serverBinary %j", (serverBinary, reason) => {
    expect(issues({ ...DESIGN_MANIFEST, serverBinary })).toContainEqual(`serverBinary: ${reason}, got ${JSON.stringify(serverBinary)}`);
  });

  it("accepts a relative path in a folder", () => {
    expect(issues({ ...DESIGN_MANIFEST, serverBinary: "bin/llama-server" })).toEqual([]);
  });

  it("requires semver minAppVersion and a toolkit version for cuda", () => {
    expect(issues({ ...DESIGN_MANIFEST, minAppVersion: "0.11" })).toEqual(['minAppVersion: expected a semantic version like "0.11.0", got "0.11"']);
    expect(issues({ ...linuxCuda, acceleratorVersion: null })).toEqual(['acceleratorVersion: cuda needs its toolkit version (e.g. "12.4"), got null']);
  });

  it("keeps optional build facts, requirements and unknown fields", () => {
    const extended = {
      ...linuxCuda,
      build: { sourceCommit: "de3ff81", cmakeDefines: { GGML_CUDA: "ON" }, futureFact: 1 },
      requirements: { glibc: "2.34", cudaArchitectures: ["89-real"], systemLibraries: ["libcudart.so.13"] },
      signature: { alg: "ed25519" },
    };
    expect(parseManifest(structuredClone(extended))).toEqual(extended);
  });
});
