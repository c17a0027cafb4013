import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { type Manifest, parseManifest } from "@baiengine/schema";
import * as tar from "tar";
import { describe, expect, inject, it } from "vitest";
import { checkLibraries, readBinaryFile, verifyPackage } from "../src/index.js";
import { checkRuntimeEdges, profileRuntimeLookup } from "../src/rules/runtime-edges.js";
import { buildStaging } from "./helpers/good-package.js";
import { VALID_MANIFEST } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

const root = tempDirSync("verifier-edges");

const linuxCuda = () => join(inject("nodeLlamaCpp").linux, "bins/linux-x64-cuda/libggml-cuda.so");
const windowsCuda = () => join(inject("nodeLlamaCpp").windows, "bins/win-x64-cuda/ggml-cuda.dll");
const manifest = (fields: Record<string, unknown>): Manifest => parseManifest({ ...VALID_MANIFEST, accelerator: "cuda", ...fields });
const cuda13Runtime = { id: "cuda13-runtime", minVersion: "13.0" };

/** The findings of the runtime edge for one real GPU backend under `m` (the libraries it links, as checkLibraries sees them). */
async function edges(file: string, m: Manifest): Promise<string[]> {
  const info = (await readBinaryFile(file))!;
  const links = checkLibraries([{ path: file.split("/").pop()!, info }], { os: m.os, arch: m.arch }).runtimeLinks;
  return checkRuntimeEdges(m, links, profileRuntimeLookup).map((f) => `${f.severity} ${f.code}: ${f.message}`);
}

describe("runtime edges on node-llama-cpp's real CUDA 13 builds", () => {
  it("accept libggml-cuda.so (libcudart.so.13, libcublas.so.13) in a cuda13 package that names cuda13-runtime", async () => {
    expect(await edges(linuxCuda(), manifest({ acceleratorVersion: "13.0", runtime: cuda13Runtime }))).toEqual([]);
  });

  it("refuse it under a cuda12 name: the token disagrees with what it links, and so does the runtime", async () => {
    expect(await edges(linuxCuda(), manifest({ acceleratorVersion: "12.4", runtime: { id: "cuda12-runtime", minVersion: "12.4" } }))).toEqual([
      "error RUNTIME_TOKEN_MISMATCH: a cuda12 package links libcudart.so.13, which is cuda 13's (cuda13-runtime): rebuild with the cuda12 toolkit or name the package cuda13",
      "error RUNTIME_MISMATCH: libcudart.so.13 comes from cuda13-runtime, but the manifest's runtime is cuda12-runtime",
      "error RUNTIME_TOKEN_MISMATCH: a cuda12 package links libcublas.so.13, which is cuda 13's (cuda13-runtime): rebuild with the cuda12 toolkit or name the package cuda13",
      "error RUNTIME_MISMATCH: libcublas.so.13 comes from cuda13-runtime, but the manifest's runtime is cuda12-runtime",
      "warning RUNTIME_UNUSED: the manifest names runtime cuda12-runtime, but no binary links its libraries",
    ]);
  });

  it("refuse a package that links the CUDA runtime but names none", async () => {
    const found = await edges(linuxCuda(), manifest({ acceleratorVersion: "13.0" }));
    expect(found).toEqual([
      'error RUNTIME_UNDECLARED: libcudart.so.13 (needed by libggml-cuda.so) comes from cuda13-runtime, but the manifest names no runtime: add "runtime": {"id": "cuda13-runtime", "minVersion": "13.0"}',
      'error RUNTIME_UNDECLARED: libcublas.so.13 (needed by libggml-cuda.so) comes from cuda13-runtime, but the manifest names no runtime: add "runtime": {"id": "cuda13-runtime", "minVersion": "13.0"}',
    ]);
  });

  it("read ggml-cuda.dll's import of cublas64_13.dll the same way on Windows", async () => {
    const windows = { os: "windows", serverBinary: "llama-server.exe" };
    expect(await edges(windowsCuda(), manifest({ ...windows, acceleratorVersion: "13.0", runtime: cuda13Runtime }))).toEqual([]);
    expect(await edges(windowsCuda(), manifest({ ...windows, acceleratorVersion: "12.4", runtime: cuda13Runtime }))).toEqual([
      "error RUNTIME_TOKEN_MISMATCH: a cuda12 package links cublas64_13.dll, which is cuda 13's (cuda13-runtime): rebuild with the cuda12 toolkit or name the package cuda13",
    ]);
  });

  it("refuse a runtime the profiles do not know, or a minimum of another major", async () => {
    const unknown = await edges(linuxCuda(), manifest({ acceleratorVersion: "13.0", runtime: { id: "cuda99-runtime", minVersion: "99.0" } }));
    expect(unknown).toContain("error RUNTIME_UNKNOWN: the manifest names runtime cuda99-runtime, which no runtime profile describes");
    expect(await edges(linuxCuda(), manifest({ acceleratorVersion: "13.0", runtime: { id: "cuda13-runtime", minVersion: "12.8" } }))).toEqual([
      "error RUNTIME_MISMATCH: runtime cuda13-runtime with minVersion 12.8: the minimum must be a 13.x version",
    ]);
  });
});

describe("verifyPackage", () => {
  it("refuses node-llama-cpp's libggml-cuda.so repacked as a cuda12 package (an error, not info)", async () => {
    const m = { ...VALID_MANIFEST, accelerator: "cuda", acceleratorVersion: "12.4", runtime: { id: "cuda12-runtime", minVersion: "12.4" } };
    const staging = buildStaging(join(root, "cuda12"), m);
    // The build's own ggml-base and a CPU backend module beside the CUDA one (a GGML_BACKEND_DL build needs one).
    for (const file of ["libggml-cuda.so", "libggml-base.so", "libggml-cpu-x64.so"]) copyFileSync(join(inject("nodeLlamaCpp").linux, "bins/linux-x64-cuda", file), join(staging.root, "package", file));
    const file = join(root, "llama-cpp-b4618-linux-x86_64-cuda12.baiengine");
    // Stored, not deflated: the 159 MB backend is the point, not the compression.
    await tar.c({ gzip: { level: 0 }, file, cwd: staging.root, portable: true }, ["package"]);
    const report = await verifyPackage(file);
    expect(report.ok).toBe(false);
    expect(report.findings.filter((f) => f.severity === "error").map((f) => f.code)).toEqual(["RUNTIME_TOKEN_MISMATCH", "RUNTIME_MISMATCH", "RUNTIME_TOKEN_MISMATCH", "RUNTIME_MISMATCH"]);
  }, 300_000);
});
