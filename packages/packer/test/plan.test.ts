import { parseManifest } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { gpuTargetList, listAcceleratorProfiles } from "@baiengine/profiles";
import { formatPlan } from "../src/plan/format-plan.js";
import { planPack } from "../src/plan/plan-pack.js";
import type { PackFacts } from "../src/plan/facts.js";
import { declaredBy, linuxFacts, llamaSourceFacts } from "./helpers/facts.js";

const source = "/src/llama.cpp";
const CUDA12_ARCHITECTURES = gpuTargetList("cuda12");
const CUDA13_ARCHITECTURES = gpuTargetList("cuda13");

// The profiles themselves are tested with their data in @baiengine/profiles (test/profiles.test.ts).
describe("profiles as data", () => {
  it("plans every accelerator profile (dry run) with a manifest the schema accepts", () => {
    for (const p of listAcceleratorProfiles()) {
      const plan = planPack({ accel: p.token, os: p.os, arch: p.arch, source }, { facts: linuxFacts({ toolkitVersion: p.token === "cuda12" ? "12.9.86" : "13.0.88" }), dryRun: true });
      expect(() => parseManifest(plan.manifest), plan.packageStem).not.toThrow();
      expect(plan.defines["GGML_NATIVE"]).toBe("OFF");
      expect(plan.defines["LLAMA_USE_PREBUILT_UI"]).toBe("OFF");
      expect(plan.defines["LLAMA_BUILD_TESTS"]).toBe("OFF");
      expect(plan.defines["GGML_OPENMP"]).toBe("OFF");
      expect(plan.defines["LLAMA_OPENSSL"]).toBe("OFF");
      expect(formatPlan(plan)).toContain(`output ${plan.outFile}`);
    }
  });
});

describe("planPack for llama.cpp", () => {
  it("linux x86_64 cpu: every x86 CPU variant as run-time backends, $ORIGIN run paths, version from CMake", () => {
    const plan = planPack({ accel: "cpu", source }, { facts: linuxFacts() });
    expect(plan.packageStem).toBe("llama-cpp-0.5.0-linux-x86_64-cpu");
    expect(plan.versionFrom).toBe("CMakeLists.txt");
    expect(plan.defines).toMatchObject({
      CMAKE_BUILD_TYPE: "Release",
      CMAKE_BUILD_WITH_INSTALL_RPATH: "ON",
      CMAKE_INSTALL_RPATH: "$ORIGIN;$ORIGIN/libs",
      GGML_BACKEND_DL: "ON",
      GGML_CPU_ALL_VARIANTS: "ON",
    });
    expect(plan.configure.argv.slice(0, 7)).toEqual(["cmake", "-S", source, "-B", plan.buildDir, "-G", "Ninja"]);
    expect(plan.configure.argv).toContain("-DCMAKE_INSTALL_RPATH=$ORIGIN;$ORIGIN/libs");
    expect(plan.build.argv).toEqual(["cmake", "--build", plan.buildDir, "--target", "llama-server", "-j", "2"]);
    expect(plan.collect.serverBinary.to).toBe("llama-server");
    expect(plan.collect.libraryDir).toBe("libs");
    expect(plan.collect.modules).toMatchObject({ prefix: "libggml-", extension: ".so", to: "" });
    expect(plan.manifest).toMatchObject({ engineId: "llama-cpp", version: "0.5.0", accelerator: "cpu", acceleratorVersion: null, serverBinary: "llama-server" });
    expect(plan.outFile).toBe("/work/dist/engines/llama-cpp-0.5.0-linux-x86_64-cpu.baiengine");
    expect(plan.mtime).toBe(1790556072);
    expect(plan.blockers).toEqual([]);
  });

  it("cuda12 and cuda13: GGML_CUDA with the explicit release architectures, the real toolkit version", () => {
    const p12 = planPack({ accel: "cuda12", source }, { facts: linuxFacts({ toolkitVersion: "12.9.86" }) });
    expect(p12.defines).toMatchObject({ GGML_CUDA: "ON", CMAKE_CUDA_ARCHITECTURES: CUDA12_ARCHITECTURES.join(";"), GGML_BACKEND_DL: "ON" });
    expect(p12.manifest.acceleratorVersion).toBe("12.9.86");
    expect(p12.manifest.requirements?.cudaArchitectures).toEqual(CUDA12_ARCHITECTURES);
    const p13 = planPack({ accel: "cuda13", source, cmakeArgs: ["-DCMAKE_CUDA_ARCHITECTURES=89-real"] }, { facts: linuxFacts({ toolkitVersion: "13.0.88" }) });
    expect(p13.defines["CMAKE_CUDA_ARCHITECTURES"]).toBe("89-real");
    expect(p13.manifest.requirements?.cudaArchitectures).toEqual(["89-real"]);
    expect(p13.packageStem).toBe("llama-cpp-0.5.0-linux-x86_64-cuda13");
    expect(CUDA13_ARCHITECTURES.some((a) => a.startsWith("50"))).toBe(false);
  });

  it("rocm6 and vulkan", () => {
    const rocm = planPack({ accel: "rocm6", source }, { facts: linuxFacts({ toolkitVersion: "6.2.41133" }) });
    expect(rocm.defines["GGML_HIP"]).toBe("ON");
    expect(rocm.defines["AMDGPU_TARGETS"]).toContain("gfx1100");
    expect(rocm.manifest.acceleratorVersion).toBe("6.2.41133");
    const vulkan = planPack({ accel: "vulkan", source }, { facts: linuxFacts() });
    expect(vulkan.defines["GGML_VULKAN"]).toBe("ON");
    expect(vulkan.manifest.acceleratorVersion).toBeNull();
  });

  it("macos metal (dry run from Linux): embedded Metal library, deployment target, @loader_path", () => {
    const plan = planPack({ accel: "metal", os: "macos", arch: "aarch64", source }, { facts: linuxFacts(), dryRun: true });
    expect(plan.defines).toMatchObject({ GGML_METAL: "ON", GGML_METAL_EMBED_LIBRARY: "ON", CMAKE_OSX_DEPLOYMENT_TARGET: "13.3", CMAKE_INSTALL_RPATH: "@loader_path;@loader_path/libs" });
    expect(plan.manifest.requirements?.macosMin).toBe("13.3");
    expect(plan.collect.modules).toMatchObject({ prefix: "libggml-", extension: ".so" });
    expect(plan.blockers.join("\n")).toMatch(/needs|native runner|cannot be built on this linux/);
  });

  it("windows x86_64 (mingw cross): toolchain file, .exe, DLLs beside it, throttling defines, runtime DLL folders", () => {
    const plan = planPack({ accel: "cpu", os: "windows", arch: "x86_64", source }, { facts: linuxFacts() });
    expect(plan.toolchain.id).toBe("windows-x86_64-mingw");
    expect(plan.toolchainFile?.content).toContain("set(CMAKE_SYSTEM_NAME Windows)");
    expect(plan.toolchainFile?.content).toContain("set(CMAKE_CXX_COMPILER /usr/bin/x86_64-w64-mingw32-g++-posix)");
    expect(plan.defines["CMAKE_TOOLCHAIN_FILE"]).toBe(plan.toolchainFile?.path);
    expect(plan.defines["CMAKE_INSTALL_RPATH"]).toBeUndefined();
    expect(plan.defines["BUILD_SHARED_LIBS"]).toBe("ON");
    expect(plan.defines["CMAKE_C_FLAGS"]).toContain("-DTHREAD_POWER_THROTTLING_STATE=PROCESS_POWER_THROTTLING_STATE");
    expect(plan.collect.serverBinary.to).toBe("llama-server.exe");
    expect(plan.collect.libraryDir).toBe("");
    expect(plan.collect.modules).toMatchObject({ prefix: "ggml-", extension: ".dll", to: "" });
    expect(plan.collect.runtimeLibDirs).toContain("/usr/lib/gcc/x86_64-w64-mingw32/12-posix");
    expect(plan.collect.strip?.tool).toBe("x86_64-w64-mingw32-strip");
    expect(plan.manifest.serverBinary).toBe("llama-server.exe");
    expect(plan.manifest.build?.toolchain).toBe("windows-x86_64-mingw");
    expect(plan.manifest.build?.["compilerFlags"]).toContain("-DTHREAD_POWER_THROTTLING_STATE=PROCESS_POWER_THROTTLING_STATE");
    // GCC 12's AMX tile macros are corrected by a generated header first on the include path, not by a flag.
    expect(plan.headerFixes?.dir).toBe(`${plan.buildDir}/baiengine-include`);
    expect(plan.headerFixes?.files.map((f) => f.path.slice(plan.headerFixes!.dir.length + 1))).toEqual(["amxtileintrin.h"]);
    expect(plan.headerFixes?.files[0]?.content).toContain("#include_next <amxtileintrin.h>");
    expect(plan.headerFixes?.files[0]?.content).toContain("(__PTRDIFF_TYPE__)(stride)");
    expect(plan.build.env).toEqual({ CPLUS_INCLUDE_PATH: plan.headerFixes?.dir, C_INCLUDE_PATH: plan.headerFixes?.dir, SOURCE_DATE_EPOCH: String(plan.mtime) });
    expect(plan.configure.argv.join(" ")).not.toContain("baiengine-include");
  });

  it("linux aarch64 (cross): plain armv8-a backend, find root at the sysroot", () => {
    const plan = planPack({ accel: "cpu", os: "linux", arch: "aarch64", source }, { facts: linuxFacts() });
    expect(plan.toolchain.id).toBe("linux-aarch64-cross");
    expect(plan.toolchainFile?.content).toContain("set(CMAKE_SYSTEM_PROCESSOR aarch64)");
    expect(plan.toolchainFile?.content).toContain("set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)");
    expect(plan.defines).toMatchObject({ GGML_CPU_ALL_VARIANTS: "OFF", GGML_CPU_ARM_ARCH: "armv8-a", GGML_BACKEND_DL: "ON", CMAKE_INSTALL_RPATH: "$ORIGIN;$ORIGIN/libs" });
    expect(plan.collect.strip?.tool).toBe("aarch64-linux-gnu-strip");
    expect(plan.collect.runtimeLibDirs).toEqual([]);
  });

  it("uses ccache as the compiler launcher when installed, and keys the build folder by its inputs", () => {
    const withCcache = planPack({ accel: "cpu", source }, { facts: linuxFacts({ tools: { ...linuxFacts().tools, ccache: "/usr/bin/ccache" } }) });
    expect(withCcache.defines["CMAKE_CXX_COMPILER_LAUNCHER"]).toBe("ccache");
    const a = planPack({ accel: "cpu", source }, { facts: linuxFacts() });
    const again = planPack({ accel: "cpu", source }, { facts: linuxFacts() });
    const otherDefine = planPack({ accel: "cpu", source, cmakeArgs: ["-DGGML_RPC=ON"] }, { facts: linuxFacts() });
    expect(again.buildDir).toBe(a.buildDir);
    expect(otherDefine.buildDir).not.toBe(a.buildDir);
    expect(otherDefine.defines["GGML_RPC"]).toBe("ON");
  });

  it("takes --version over the source, the tag over CMake, and SOURCE_DATE_EPOCH over the commit time", () => {
    expect(planPack({ accel: "cpu", source, version: "b6000" }, { facts: linuxFacts() }).version).toBe("b6000");
    const tagged = planPack({ accel: "cpu", source }, { facts: linuxFacts({ source: { ...linuxFacts().source!, tag: "b6123" } }) });
    expect([tagged.version, tagged.versionFrom]).toEqual(["b6123", "git tag"]);
    expect(planPack({ accel: "cpu", source }, { facts: linuxFacts({ sourceDateEpoch: 1700000000 }) }).mtime).toBe(1700000000);
  });

  it("archive time: SOURCE_DATE_EPOCH, else the last commit, else the newest source file, recorded in the manifest", () => {
    const git = llamaSourceFacts({ newestFileTime: 1600000000 });
    const plain = llamaSourceFacts({ commit: null, commitTime: null, identity: "tree:abc", newestFileTime: 1600000000 });
    const plan = (over: Partial<PackFacts>) => planPack({ accel: "cpu", source }, { facts: linuxFacts(over) });
    const sde = plan({ sourceDateEpoch: 1700000000, source: plain });
    expect([sde.mtime, sde.mtimeFrom]).toEqual([1700000000, "SOURCE_DATE_EPOCH"]);
    expect(sde.manifest.build).toMatchObject({ sourceDate: "2023-11-14T22:13:20.000Z", sourceDateFrom: "SOURCE_DATE_EPOCH" });
    const commit = plan({ source: git });
    expect([commit.mtime, commit.manifest.build?.["sourceDateFrom"]]).toEqual([1790556072, "git-commit"]);
    const files = plan({ source: plain });
    expect([files.mtime, files.manifest.build?.["sourceDate"], files.manifest.build?.["sourceDateFrom"]]).toEqual([1600000000, "2020-09-13T12:26:40.000Z", "newest-source-file"]);
    expect(formatPlan(files)).toContain("time        2020-09-13T12:26:40.000Z (newest-source-file)");
    expect(() => plan({ source: { ...plain, newestFileTime: null } })).toThrow("no time for the archive entries: /src/llama.cpp has no commit and no files");
  });

  it("--dry-run with no source and no version: the plan with the version unknown, and what a real pack needs", () => {
    const plan = planPack({ accel: "cuda12" }, { facts: linuxFacts({ source: null, toolkitVersion: "12.9.86" }), dryRun: true });
    expect([plan.version, plan.versionFrom, plan.source.dir, plan.mtime]).toEqual(["unknown", "unknown", null, null]);
    expect(plan.packageStem).toBe("llama-cpp-{version}-linux-x86_64-cuda12");
    expect(plan.outFile).toBe("/work/dist/engines/llama-cpp-{version}-linux-x86_64-cuda12.baiengine");
    expect(plan.blockers).toEqual(["no llama.cpp source and no version to clone (pass --source <dir or .tar.gz> with a llama.cpp source, or --version b4618 to clone its tag)"]);
    expect(plan.defines["GGML_CUDA"]).toBe("ON");
    const text = formatPlan(plan);
    expect(text).toContain("engine      llama-cpp (version unknown)");
    expect(text).toContain("-S '<llama-cpp source>'");
    expect(() => planPack({ accel: "cuda12" }, { facts: linuxFacts({ source: null, toolkitVersion: "12.9.86" }) })).toThrow("no llama.cpp source and no version to clone");
  });

  it("without --source, plans a clone of the version's tag into the cache", () => {
    const plan = planPack({ accel: "cpu", version: "b6123" }, { facts: linuxFacts({ source: null }) });
    expect(plan.source.clone).toEqual({ repository: "https://github.com/ggml-org/llama.cpp", tag: "b6123" });
    expect(plan.source.dir).toBe("/cache/sources/llama-cpp-b6123");
  });

  it("--no-strip keeps symbols; --out is relative to the working directory", () => {
    const plan = planPack({ accel: "cpu", source, strip: false, out: "pkgs" }, { facts: linuxFacts() });
    expect(plan.collect.strip).toBeNull();
    expect(plan.outDir).toBe("/work/pkgs");
  });
});

describe("planPack for hello", () => {
  it("takes no ggml defines and its version from project(VERSION)", () => {
    const facts = linuxFacts({ source: { dir: "/packer/fixtures/hello", missingMarkers: [], commit: null, commitTime: 1700000000, tag: null, declared: declaredBy("0.1.0"), identity: "tree:abc", newestFileTime: null, archive: null } });
    const plan = planPack({ engine: "hello", accel: "cpu" }, { facts });
    expect(plan.source.dir).toBe("/packer/fixtures/hello");
    expect(plan.packageStem).toBe("hello-0.1.0-linux-x86_64-cpu");
    expect(plan.defines["GGML_BACKEND_DL"]).toBeUndefined();
    expect(plan.collect.modules).toMatchObject({ prefix: "libhello-", exclude: ["base"] });
    const win = planPack({ engine: "hello", accel: "cpu", os: "windows", arch: "x86_64" }, { facts });
    expect(win.collect.modules?.prefix).toBe("hello-");
  });

  it("cuda13 is GPU-shaped with the fixture's stub runtime: no nvcc needed, cross too, no CUDA architectures", () => {
    const facts = linuxFacts(
      { source: { dir: "/packer/fixtures/hello", missingMarkers: [], commit: null, commitTime: 1700000000, tag: null, declared: declaredBy("0.1.0"), identity: "tree:abc", newestFileTime: null, archive: null } },
      ["nvcc"],
    );
    for (const os of ["linux", "windows"] as const) {
      const plan = planPack({ engine: "hello", accel: "cuda13", os, arch: "x86_64" }, { facts });
      expect(plan.blockers).toEqual([]);
      expect(plan.packageStem).toBe(`hello-0.1.0-${os}-x86_64-cuda13`);
      expect(plan.defines["HELLO_GPU"]).toBe("ON");
      expect(plan.defines["CMAKE_CUDA_ARCHITECTURES"]).toBeUndefined();
      expect(plan.manifest).toMatchObject({ accelerator: "cuda", acceleratorVersion: "13.0" });
      expect(plan.manifest.requirements?.cudaArchitectures).toBeUndefined();
      expect(formatPlan(plan)).toContain("HELLO_GPU");
    }
    // the cpu build stays without the GPU backend
    expect(planPack({ engine: "hello", accel: "cpu" }, { facts }).defines["HELLO_GPU"]).toBeUndefined();
  });
});
