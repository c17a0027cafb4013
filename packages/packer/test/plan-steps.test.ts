import { describe, expect, it } from "vitest";
import { MissingToolchainError, NeedsNativeRunnerError, SourceError } from "../src/errors.js";
import { checkTools } from "../src/plan/check-tools.js";
import { buildCacheKey, } from "../src/plan/plan-build-folder.js";
import { planCollect } from "../src/plan/plan-collect.js";
import { planDefines } from "../src/plan/plan-defines.js";
import { planManifest } from "../src/plan/plan-manifest.js";
import { planSteps } from "../src/plan/plan-pack.js";
import { planSource } from "../src/plan/plan-source.js";
import { planTarget } from "../src/plan/plan-target.js";
import type { PackOptions } from "../src/plan/plan-types.js";
import { Refusals } from "../src/plan/refusals.js";
import { linuxFacts, llamaSourceFacts } from "./helpers/facts.js";

// Each step of planPack alone, on facts given as data (plan.test.ts checks the whole plan).
const source = "/src/llama.cpp";
const real = () => new Refusals(false);
const dry = () => new Refusals(true);

// planPack's own steps, in its own order: a step's output as the whole plan uses it.
const steps = (options: PackOptions, facts = linuxFacts()) => planSteps(options, { facts });

describe("planTarget", () => {
  it("names the engine, platform, accelerator family and the toolchain that builds it here", () => {
    const facts = linuxFacts();
    expect(planTarget({ accel: "cuda12", source }, facts, real())).toMatchObject({ os: "linux", arch: "x86_64", token: "cuda12", family: "cuda", isCross: false, toolchain: { id: "native" } });
    expect(planTarget({ accel: "cpu", os: "windows", arch: "x86_64", source }, facts, real())).toMatchObject({ isCross: true, toolchain: { id: "windows-x86_64-mingw" } });
  });

  it("a target that needs its own runner is refused; a dry run plans it with that platform's native toolchain", () => {
    const options: PackOptions = { accel: "metal", os: "macos", arch: "aarch64", source };
    expect(() => planTarget(options, linuxFacts(), real())).toThrow(NeedsNativeRunnerError);
    const refusals = dry();
    const target = planTarget(options, linuxFacts(), refusals);
    expect(target.toolchain).toMatchObject({ id: "native", target: { os: "macos", arch: "aarch64" }, strip: { args: ["-x"] } });
    expect(refusals.blockers).toEqual([expect.stringContaining("cannot be built on this linux-x86_64 machine")]);
  });
});

describe("checkTools", () => {
  it("refuses missing CMake, a missing cross compiler and a toolkit of another major, in that order", () => {
    const facts = linuxFacts({ toolkitVersion: "13.0.88" }, ["cmake", "x86_64-w64-mingw32-g++-posix"]);
    const refusals = dry();
    checkTools(planTarget({ accel: "cpu", os: "windows", arch: "x86_64", source }, facts, real()), facts, refusals);
    checkTools(planTarget({ accel: "cuda12", source }, facts, real()), facts, refusals);
    expect(refusals.blockers.map((b) => b.split(" (")[0])).toEqual([
      "cmake is not installed",
      "the windows-x86_64-mingw toolchain is missing x86_64-w64-mingw32-g++-posix",
      "cmake is not installed",
      "cuda12 needs nvcc 12.x, but /usr/bin/nvcc is 13.0.88",
    ]);
    expect(() => checkTools(planTarget({ accel: "cpu", source }, facts, real()), facts, real())).toThrow(MissingToolchainError);
  });
});

describe("planSource", () => {
  it("takes --source relative to the working directory, the version from the tag over CMake, the time from the commit", () => {
    const facts = linuxFacts({ source: llamaSourceFacts({ tag: "b6123" }) });
    const target = planTarget({ accel: "cpu", source: "llama" }, facts, real());
    expect(planSource({ accel: "cpu", source: "llama" }, facts, target.engine, real())).toMatchObject({
      dir: "/work/llama",
      clone: null,
      version: "b6123",
      versionFrom: "git tag",
      mtime: 1790556072,
    });
  });

  it("plans a clone of the version's tag without --source; refuses a folder that does not exist", () => {
    const facts = linuxFacts({ source: null });
    const engine = planTarget({ accel: "cpu", source }, facts, real()).engine;
    expect(planSource({ accel: "cpu", version: "b4618" }, facts, engine, real())).toMatchObject({ dir: "/cache/sources/llama-cpp-b4618", clone: { tag: "b4618" } });
    expect(() => planSource({ accel: "cpu", source }, facts, engine, real())).toThrow(SourceError);
  });
});

describe("planDefines", () => {
  it("layers build type, run paths, engine, source (its dev option), accelerator, flags, launchers, then --cmake-arg", () => {
    const facts = linuxFacts({ tools: { ...linuxFacts().tools, ccache: "/usr/bin/ccache" } });
    const options: PackOptions = { accel: "cuda13", source, cmakeArgs: ["-DCMAKE_CUDA_ARCHITECTURES=89-real", "--fresh"] };
    const { defines, extra, generator } = planDefines(options, facts, planTarget(options, facts, real()), { dir: source, defines: { LLAMA_BUILD_IS_DEV: "ON" } });
    const keys = Object.keys(defines);
    expect(keys.slice(0, 4)).toEqual(["CMAKE_BUILD_TYPE", "CMAKE_BUILD_WITH_INSTALL_RPATH", "CMAKE_INSTALL_RPATH", "CMAKE_SKIP_INSTALL_RPATH"]);
    expect(keys.indexOf("LLAMA_BUILD_TESTS")).toBeLessThan(keys.indexOf("LLAMA_BUILD_IS_DEV"));
    expect(keys.indexOf("LLAMA_BUILD_IS_DEV")).toBeLessThan(keys.indexOf("GGML_CUDA"));
    expect(defines).toMatchObject({ CMAKE_CUDA_ARCHITECTURES: "89-real", CMAKE_CUDA_COMPILER_LAUNCHER: "ccache", CMAKE_C_FLAGS: `-ffile-prefix-map=${source}=llama-cpp` });
    expect({ extra, generator }).toEqual({ extra: ["--fresh"], generator: "Ninja" });
  });
});

describe("planBuildFolder", () => {
  it("keys the folder by what changes the build, and generates the cross toolchain file and header fixes into it", () => {
    const a = steps({ accel: "cpu", os: "windows", arch: "x86_64", source });
    expect(a.folder.buildDir).toBe(`/cache/builds/llama-cpp-windows-x86_64-cpu-${a.folder.cacheKey}`);
    // Another version of the same source and defines builds in the same folder (only the package's name differs).
    expect(steps({ accel: "cpu", os: "windows", arch: "x86_64", source, version: "0.5.1" }).folder.buildDir).toBe(a.folder.buildDir);
    expect(a.folder.toolchainFile?.content).toContain("set(CMAKE_CXX_COMPILER /usr/bin/x86_64-w64-mingw32-g++-posix)");
    expect(a.folder.headerFixes?.files.map((f) => f.path)).toEqual([`${a.folder.buildDir}/baiengine-include/amxtileintrin.h`]);
    const dirty = { ...a.source, facts: llamaSourceFacts({ identity: "git:de3ff815+0123456789abcdef" }) };
    expect(buildCacheKey(a.target, dirty, a.build)).not.toBe(a.folder.cacheKey);
    expect(buildCacheKey(a.target, a.source, { ...a.build, defines: { ...a.build.defines, GGML_AVX: "OFF" } })).not.toBe(a.folder.cacheKey);
    expect(buildCacheKey(a.target, a.source, a.build)).toBe(a.folder.cacheKey);
  });
});

describe("planCommands, planCollect, planOutputs, planManifest", () => {
  it("configure and build commands: toolchain file first, header fixes on the include path", () => {
    const s = steps({ accel: "cpu", os: "windows", arch: "x86_64", source, jobs: 3 });
    const c = s.commands;
    expect(Object.keys(c.defines)[0]).toBe("CMAKE_TOOLCHAIN_FILE");
    expect(c.configure.argv.slice(0, 7)).toEqual(["cmake", "-S", source, "-B", s.folder.buildDir, "-G", "Ninja"]);
    expect(c.build.argv).toEqual(["cmake", "--build", s.folder.buildDir, "--target", "llama-server", "-j", "3"]);
    expect(c.configure.env).toEqual({ CPLUS_INCLUDE_PATH: s.folder.headerFixes!.dir, C_INCLUDE_PATH: s.folder.headerFixes!.dir, SOURCE_DATE_EPOCH: String(s.source.mtime) });
    expect(c.build.env).toEqual(c.configure.env);
  });

  it("collects DLLs beside the .exe on Windows and into libs/ elsewhere; --no-strip keeps symbols", () => {
    const win = steps({ accel: "cpu", os: "windows", arch: "x86_64", source });
    const collect = planCollect({ accel: "cpu", strip: false }, win.facts, win.target, "/b", source, 499162500);
    expect(collect).toMatchObject({ libraryDir: "", serverBinary: { from: "/b/bin/llama-server.exe", to: "llama-server.exe" }, modules: { prefix: "ggml-", extension: ".dll" }, strip: null });
    const linux = steps({ accel: "cpu", source });
    expect(planCollect({ accel: "cpu" }, linux.facts, linux.target, "/b", source, 499162500)).toMatchObject({ libraryDir: "libs", modules: { prefix: "libggml-" }, runtimeLibDirs: [] });
    // strip gets the archive time, which binutils writes into PE time stamps instead of the current time.
    expect(planCollect({ accel: "cpu" }, win.facts, win.target, "/b", source, 499162500).strip).toEqual({ tool: "x86_64-w64-mingw32-strip", args: ["--strip-unneeded"], env: { SOURCE_DATE_EPOCH: "499162500" } });
  });

  it("names the package and its partial and checksum files", () => {
    const s = steps({ accel: "cpu", source, out: "out" });
    expect(s.outputs).toEqual({
      packageStem: "llama-cpp-0.5.0-linux-x86_64-cpu",
      outDir: "/work/out",
      outFile: "/work/out/llama-cpp-0.5.0-linux-x86_64-cpu.baiengine",
      tempFile: "/work/out/.llama-cpp-0.5.0-linux-x86_64-cpu.baiengine.partial",
      checksumFile: "/work/out/llama-cpp-0.5.0-linux-x86_64-cpu.baiengine.sha256",
    });
  });

  it("drafts the manifest from the final defines, without the defines that name this machine", () => {
    const s = steps({ accel: "cuda12", source, cmakeArgs: ["-DCMAKE_CUDA_ARCHITECTURES=86-real;89-real"] }, linuxFacts({ toolkitVersion: "12.9.86" }));
    const defines = { CMAKE_TOOLCHAIN_FILE: "/t.cmake", ...s.build.defines, CMAKE_C_COMPILER_LAUNCHER: "ccache" };
    const manifest = planManifest(s.facts, s.target, s.source, s.build, defines);
    expect(manifest).toMatchObject({ accelerator: "cuda", acceleratorVersion: "12.9.86", requirements: { cudaArchitectures: ["86-real", "89-real"] } });
    expect(Object.keys(manifest.build?.cmakeDefines ?? {}).filter((k) => k.includes("LAUNCHER") || k.includes("FLAGS") || k === "CMAKE_TOOLCHAIN_FILE")).toEqual([]);
  });
});
