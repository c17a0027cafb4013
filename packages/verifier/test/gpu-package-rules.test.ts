import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { RuntimeManifest } from "@baiengine/schema";
import { execa } from "execa";
import * as tar from "tar";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { readBinaryFile, verifyPackage } from "../src/index.js";
import { buildStaging } from "./helpers/good-package.js";
import { VALID_MANIFEST } from "./helpers/tar-writer.js";
import { tempDirSync } from "@baiengine/test-kit";

/**
 * The GPU package rules on node-llama-cpp's real CUDA 13 build (npm @node-llama-cpp/linux-x64-cuda,
 * built with GGML_BACKEND_DL: libggml-cuda.so and the libggml-cpu-*.so variants are modules nothing
 * links), repacked as llama-cpp cuda13 packages with and without its CPU backend modules, and runtime
 * packs of real shared libraries (gcc) that provide all or part of what libggml-cuda.so links.
 */
const root = tempDirSync("verifier-gpu-rules");
const bins = () => join(inject("nodeLlamaCpp").linux, "bins/linux-x64-cuda");
const bin = join(dirname(createRequire(import.meta.url).resolve("../package.json")), "bin", "verify-engine.js");
const CUDA13 = { ...VALID_MANIFEST, accelerator: "cuda", acceleratorVersion: "13.0", runtime: { id: "cuda13-runtime", minVersion: "13.0" } };
const ENGINE_FILE = "llama-cpp-b4618-linux-x86_64-cuda13.baiengine";
const CPU_MODULES = ["libggml-cpu-x64.so", "libggml-cpu-haswell.so"];

/** node-llama-cpp's backends beside the test server (where ggml looks for modules), as a cuda13 package; stored, not deflated (the 159 MB backend). */
async function repack(name: string, modules: string[]): Promise<string> {
  const staging = buildStaging(join(root, name), CUDA13);
  for (const file of ["libggml-base.so", "libggml-cuda.so", ...modules]) copyFileSync(join(bins(), file), join(staging.root, "package", file));
  const file = join(root, name, ENGINE_FILE);
  await tar.c({ gzip: { level: 0 }, file, cwd: staging.root, portable: true }, ["package"]);
  return file;
}

/** A runtime pack of real libraries built here under `provides`' sonames (cuBLAS links cuBLASLt when both are there). */
async function runtimePack(name: string, provides: string[]): Promise<string> {
  const dir = join(root, name);
  const libs = join(dir, "package", "libs");
  mkdirSync(libs, { recursive: true });
  mkdirSync(join(dir, "package", "licenses"));
  for (const soname of [...provides].sort((a, b) => (a.includes("Lt") ? -1 : b.includes("Lt") ? 1 : 0))) {
    const source = join(dir, `${soname}.c`);
    writeFileSync(source, `#include <unistd.h>\nint f_${soname.replace(/\W/g, "_")}(void) { return (int)getpid(); }\n`);
    const lt = soname.startsWith("libcublas.") && provides.includes("libcublasLt.so.13") ? [join(libs, "libcublasLt.so.13")] : [];
    execFileSync("gcc", ["-shared", "-fPIC", `-Wl,-soname,${soname}`, "-Wl,-rpath,$ORIGIN", "-o", join(libs, soname), source, ...lt]);
  }
  writeFileSync(join(dir, "package", "licenses", "NVIDIA-CUDA-EULA.txt"), "End User License Agreement (test)\n");
  const manifest: RuntimeManifest = { runtimeId: "cuda13-runtime", version: "13.0.88", os: "linux", arch: "x86_64", accelerator: "cuda", provides, libraryDir: "libs", licenses: ["licenses/NVIDIA-CUDA-EULA.txt"] };
  writeFileSync(join(dir, "package", "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const file = join(dir, "cuda13-runtime-13.0.88-linux-x86_64.bairuntime");
  await tar.c({ gzip: true, file, cwd: dir, portable: true }, ["package"]);
  return file;
}

const errors = (report: { findings: { severity: string; code: string; path?: string; message: string }[] }) =>
  report.findings.filter((f) => f.severity === "error").map((f) => `${f.code} ${f.path}: ${f.message}`);

let withCpu: string;
let withoutCpu: string;
let fullRuntime: string;
let cudartOnly: string;
beforeAll(async () => {
  withCpu = await repack("with-cpu", CPU_MODULES);
  withoutCpu = await repack("without-cpu", []);
  fullRuntime = await runtimePack("runtime-full", ["libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13"]);
  cudartOnly = await runtimePack("runtime-cudart", ["libcudart.so.13"]);
}, 300_000);

describe("a GGML_BACKEND_DL GPU package must carry a CPU backend module (ggml's 'no CPU backend found')", () => {
  it("node-llama-cpp's CUDA build with its libggml-cpu-*.so modules passes", async () => {
    const report = await verifyPackage(withCpu);
    expect(errors(report)).toEqual([]);
    expect(report.runtimeLinks.map((l) => [l.name, l.by])).toEqual([
      ["libcudart.so.13", ["libggml-cuda.so"]],
      ["libcublas.so.13", ["libggml-cuda.so"]],
    ]);
  }, 120_000);

  it("the same build without them is refused, naming the module loaded at run time and the files it lacks", async () => {
    const report = await verifyPackage(withoutCpu);
    expect(report.ok).toBe(false);
    expect(errors(report)).toEqual([
      'BACKEND_CPU_MISSING package/libggml-cuda.so: libggml-cuda.so is a backend module loaded at run time (no binary links it: a GGML_BACKEND_DL build), but the package carries no CPU backend module (libggml-cpu*.so): the server stops with "no CPU backend found"; pack the build\'s libggml-cpu*.so modules beside llama-server',
    ]);
  }, 120_000);

  it("a package whose binaries link libggml-cuda.so (backends linked, not loaded: no GGML_BACKEND_DL) needs no CPU module", async () => {
    const staging = buildStaging(join(root, "linked"), CUDA13);
    const pkg = join(staging.root, "package");
    for (const file of ["libggml-base.so", "libggml-cuda.so"]) copyFileSync(join(bins(), file), join(pkg, file));
    // A real server that links the real backend (DT_NEEDED libggml-cuda.so), as a build without GGML_BACKEND_DL does.
    writeFileSync(join(root, "linked", "main.c"), "int main(void) { return 0; }\n");
    execFileSync("gcc", ["-o", join(pkg, "llama-server"), join(root, "linked", "main.c"), "-Wl,--no-as-needed", `-L${pkg}`, "-l:libggml-cuda.so", "-Wl,--allow-shlib-undefined", "-Wl,-rpath,$ORIGIN"]);
    const file = join(root, "linked", ENGINE_FILE);
    await tar.c({ gzip: { level: 0 }, file, cwd: staging.root, portable: true }, ["package"]);
    expect((await readBinaryFile(join(pkg, "llama-server")))?.needed).toContain("libggml-cuda.so");
    const report = await verifyPackage(file);
    expect(report.findings.map((f) => f.code)).not.toContain("BACKEND_CPU_MISSING");
    expect(errors(report)).toEqual([]);
  }, 120_000);
});

describe("a runtime pack must provide every library of it the engine's backend links", () => {
  it("the full pack (cudart, cuBLAS, cuBLASLt) serves the package; one without cuBLAS is refused, naming who links it", async () => {
    const full = await verifyPackage(fullRuntime);
    expect(errors(full)).toEqual([]);
    const served = await verifyPackage(withCpu, { runtime: full.runtimeManifest! });
    expect(errors(served)).toEqual([]);

    const partial = await verifyPackage(cudartOnly);
    expect(errors(partial)).toEqual([]);
    const refused = await verifyPackage(withCpu, { runtime: partial.runtimeManifest! });
    expect(refused.ok).toBe(false);
    expect(errors(refused)).toEqual([
      "RUNTIME_LACKS_LIBRARY package/libggml-cuda.so: libcublas.so.13 (linked by libggml-cuda.so) is not in runtime pack cuda13-runtime 13.0.88 (linux-x86_64), which provides libcudart.so.13: pack the runtime again from a toolkit that has it (pack-runtime --from <the engine's folder> packs what it links)",
    ]);
  }, 120_000);

  it("verify-engine --runtime checks the pair and exits 1 in one line per finding", async () => {
    const ok = await execa(process.execPath, [bin, "--runtime", fullRuntime, withCpu], { reject: false });
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout.split("\n").filter((l) => /^(ok|FAILED) /.test(l)).map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual([`ok ${fullRuntime}`, `ok ${withCpu}`]);
    const refused = await execa(process.execPath, [bin, "--runtime", cudartOnly, withCpu], { reject: false });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain("  error RUNTIME_LACKS_LIBRARY package/libggml-cuda.so: libcublas.so.13 (linked by libggml-cuda.so) is not in runtime pack cuda13-runtime 13.0.88");
    const notRuntime = await execa(process.execPath, [bin, "--runtime", withCpu, withCpu], { reject: false });
    expect(notRuntime.exitCode).toBe(2);
    expect(notRuntime.stderr.split("\n")[0]).toBe(`error: --runtime ${withCpu} is not a runtime pack`);
  }, 180_000);
});
