import { symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EXIT } from "@baiengine/cli-kit";
import { describe, expect, it } from "vitest";
import { MissingToolchainError, NeedsNativeRunnerError, SourceError, UnknownProfileError, UnsupportedTargetError } from "../src/errors.js";
import { planPack } from "../src/plan/plan-pack.js";
import { getEngineProfile } from "../src/plan/select-profiles.js";
import { declaredVersion, readSourceFacts } from "../src/probe/source-facts.js";
import { linuxFacts, llamaSourceFacts } from "./helpers/facts.js";
import { tempDirSync } from "@baiengine/test-kit";

const source = "/src/llama.cpp";

function refusal(run: () => unknown): { name: string; message: string; hint: string | undefined; exitCode: number } {
  try {
    run();
  } catch (error) {
    const e = error as { name: string; message: string; hint?: string; exitCode: number };
    return { name: e.name, message: e.message, hint: e.hint, exitCode: e.exitCode };
  }
  throw new Error("expected a refusal");
}

describe("refusals before building", () => {
  it("metal on linux is not in the platform matrix", () => {
    const r = refusal(() => planPack({ accel: "metal", os: "linux", arch: "x86_64", source }, { facts: linuxFacts() }));
    expect(r).toMatchObject({ name: UnsupportedTargetError.name, exitCode: EXIT.usage });
    expect(r.message).toContain("platform matrix");
    // even a dry run refuses a target the matrix does not allow
    expect(() => planPack({ accel: "metal", os: "linux", arch: "x86_64", source }, { facts: linuxFacts(), dryRun: true })).toThrow(UnsupportedTargetError);
  });

  it("unknown engine and unknown token name the known ones", () => {
    const e = refusal(() => planPack({ engine: "whisper", accel: "cpu", source }, { facts: linuxFacts() }));
    expect(e).toMatchObject({ name: UnknownProfileError.name, exitCode: EXIT.usage });
    expect(e.hint).toContain("llama-cpp, hello");
    const t = refusal(() => planPack({ accel: "tpu", source }, { facts: linuxFacts() }));
    expect(t.message).toContain("tpu");
    expect(refusal(() => planPack({ engine: "hello", accel: "rocm6" }, { facts: linuxFacts() })).hint).toContain("--accel cpu");
  });

  it("cuda12/cuda13 without nvcc, or with an nvcc of another major", () => {
    const none = refusal(() => planPack({ accel: "cuda12", source }, { facts: linuxFacts({}, ["nvcc"]) }));
    expect(none).toMatchObject({ name: MissingToolchainError.name, exitCode: EXIT.failed });
    expect(none.message).toContain("nvcc");
    expect(none.hint).toContain("CUDA 12");
    const wrong = refusal(() => planPack({ accel: "cuda12", source }, { facts: linuxFacts({ toolkitVersion: "13.0.88" }) }));
    expect(wrong.message).toContain("needs nvcc 12.x");
    expect(wrong.message).toContain("13.0.88");
    expect(wrong.hint).toContain("--accel cuda13");
  });

  it("a CUDA toolkit without cuBLAS (nvcc and cudart only) is refused before configuring", () => {
    const r = refusal(() => planPack({ accel: "cuda13", source }, { facts: linuxFacts({ toolkitVersion: "13.0.88", toolkitMissing: ["cuBLAS (cublas_v2.h in /usr/local/cuda/include)"] }) }));
    expect(r.name).toBe(MissingToolchainError.name);
    expect(r.message).toContain("cuBLAS");
  });

  it("no hipcc for rocm, no glslc for vulkan", () => {
    expect(refusal(() => planPack({ accel: "rocm6", source }, { facts: linuxFacts({}, ["hipcc"]) })).hint).toContain("ROCm 6");
    expect(refusal(() => planPack({ accel: "vulkan", source }, { facts: linuxFacts({}, ["glslc"]) })).hint).toContain("glslc");
  });

  it("no Xcode for metal on a Mac", () => {
    const mac = linuxFacts({ host: { os: "macos", arch: "aarch64" } }, ["xcrun"]);
    const r = refusal(() => planPack({ accel: "metal", source }, { facts: mac }));
    expect(r.name).toBe(MissingToolchainError.name);
    expect(r.hint).toContain("xcode-select --install");
  });

  it("macos from Linux needs a native runner; a missing cross compiler names the Debian packages", () => {
    const mac = refusal(() => planPack({ accel: "cpu", os: "macos", arch: "x86_64", source }, { facts: linuxFacts() }));
    expect(mac.name).toBe(NeedsNativeRunnerError.name);
    expect(mac.hint).toContain("macos-x86_64 runner");
    const arm = refusal(() => planPack({ accel: "cpu", os: "linux", arch: "aarch64", source }, { facts: linuxFacts({}, ["aarch64-linux-gnu-g++"]) }));
    expect(arm.name).toBe(MissingToolchainError.name);
    expect(arm.hint).toBe("apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu");
    const win = refusal(() => planPack({ accel: "cpu", os: "windows", arch: "x86_64", source }, { facts: linuxFacts({}, ["x86_64-w64-mingw32-gcc-posix"]) }));
    expect(win.hint).toContain("mingw-w64");
    const cudaWin = refusal(() => planPack({ accel: "cuda13", os: "windows", arch: "x86_64", source }, { facts: linuxFacts({ toolkitVersion: "13.0.88" }) }));
    expect(cudaWin.name).toBe(NeedsNativeRunnerError.name);
  });

  it("a source that is not llama.cpp", () => {
    const r = refusal(() => planPack({ accel: "cpu", source }, { facts: linuxFacts({ source: llamaSourceFacts({ missingMarkers: ["include/llama.h"] }) }) }));
    expect(r).toMatchObject({ name: SourceError.name, exitCode: EXIT.failed });
    expect(r.message).toContain("is not a llama.cpp source tree (missing include/llama.h)");
    expect(refusal(() => planPack({ accel: "cpu", source }, { facts: linuxFacts({ source: null }) })).message).toContain("does not exist");
  });

  it("reads any folder as a source without following symlinks: a loop or a link out of the tree is no crash", async () => {
    const dir = tempDirSync("packer-odd-source");
    symlinkSync(".", path.join(dir, "loop"));
    symlinkSync("/", path.join(dir, "root"));
    const facts = await readSourceFacts(dir, getEngineProfile("llama-cpp"));
    expect(facts?.missingMarkers).toContain("include/llama.h");
    // A tree of the hello engine (markers present) is hashed; its links are hashed by target, not followed.
    const hello = await readSourceFacts(dir, { ...getEngineProfile("hello"), sourceMarkers: [] });
    expect(hello?.identity).toMatch(/^tree:[0-9a-f]{16}$/);
  });

  it("no version anywhere is refused, never made up; no source and no version asks for --source", () => {
    const r = refusal(() => planPack({ accel: "cpu", source }, { facts: linuxFacts({ source: llamaSourceFacts({ declared: null }) }) }));
    expect(r.hint).toBe("pass --version <version>");
    const none = refusal(() => planPack({ accel: "cpu" }, { facts: linuxFacts({ source: null }) }));
    expect(none.hint).toContain("--source <dir or .tar.gz>");
    const offline = refusal(() => planPack({ accel: "cpu", version: "b6123" }, { facts: linuxFacts({ source: null, network: false }) }));
    expect(offline.hint).toContain("--source <dir>");
  });

  it("a dry run records toolchain and source problems as blockers instead", () => {
    const plan = planPack({ accel: "cuda12", source }, { facts: linuxFacts({ toolkitVersion: "13.0.88", source: null }), dryRun: true });
    expect(plan.blockers.some((b) => b.includes("nvcc 12.x"))).toBe(true);
    expect(plan.blockers.some((b) => b.includes("does not exist"))).toBe(true);
    expect(plan.configure.argv).toContain("-DGGML_CUDA=ON");
  });
});

describe("probing", () => {
  it("reads the version a llama.cpp tree declares in CMake, and tells a foreign tree apart", async () => {
    const dir = tempDirSync("packer-src");
    writeFileSync(path.join(dir, "CMakeLists.txt"), 'project("llama.cpp" C CXX)\nset(LLAMA_VERSION_MAJOR 0)\nset(LLAMA_VERSION_MINOR 5)\nset(LLAMA_VERSION_PATCH 0)\n');
    const llama = getEngineProfile("llama-cpp");
    expect(declaredVersion(dir, llama.versionRules)?.version).toBe("0.5.0");
    const facts = await readSourceFacts(dir, llama);
    expect(facts?.missingMarkers).toContain("include/llama.h");
    expect(declaredVersion(path.resolve(import.meta.dirname, "../fixtures/hello"), getEngineProfile("hello").versionRules)?.version).toBe("0.1.0");
  });
});
