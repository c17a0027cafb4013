import { readFileSync } from "node:fs";
import { isSupportedPlatform, SchemaValidationError } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { resolveAccelerators } from "../src/accelerators.js";
import { resolveEngines } from "../src/engines.js";
import {
  findAcceleratorProfile,
  findEngineProfile,
  findToolchain,
  gpuTargetList,
  listAcceleratorProfiles,
  listEngineProfiles,
  listToolchainProfiles,
  nativeToolchain,
  parseToolkitVersion,
  exampleVersion,
  sourceTag,
  versionOfTag,
} from "../src/index.js";
import { resolveToolchains } from "../src/toolchains.js";

const data = (name: string) => JSON.parse(readFileSync(new URL(`../data/${name}`, import.meta.url), "utf8"));
const known = { tokens: ["cpu", "cuda12"], toolchainIds: ["native", "windows-x86_64-mingw"] };

/** The SchemaValidationError's issue lines for a resolve that must fail. */
function issues(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaValidationError);
    return (error as SchemaValidationError).issues;
  }
  throw new Error("expected the data to be refused");
}

describe("profiles as data", () => {
  it("lists the engines, and every accelerator profile is allowed by the platform matrix", () => {
    expect(listEngineProfiles().map((e) => e.id)).toEqual(["llama-cpp", "hello", "whisper-cpp", "sd-cpp"]);
    for (const p of listAcceleratorProfiles()) expect(isSupportedPlatform(p.os, p.arch, p.token), `${p.os}-${p.arch}-${p.token}`).toBe(true);
    expect(listToolchainProfiles({ os: "linux", arch: "x86_64" }).map((t) => t.id)).toEqual(["native", "linux-aarch64-cross", "windows-x86_64-mingw"]);
  });

  it("expands define sets and GPU target lists in order: sets, own defines, then the lists", () => {
    const cuda = findAcceleratorProfile("linux", "x86_64", "cuda12")!;
    expect(Object.keys(cuda.cmakeDefines)).toEqual(["GGML_NATIVE", "GGML_BACKEND_DL", "GGML_CPU_ALL_VARIANTS", "GGML_CUDA", "GGML_CUDA_NCCL", "CMAKE_CUDA_ARCHITECTURES"]);
    expect(cuda.cmakeDefines["CMAKE_CUDA_ARCHITECTURES"]).toBe(gpuTargetList("cuda12").join(";"));
    expect(cuda.gpuTargets).toEqual({ define: "CMAKE_CUDA_ARCHITECTURES", list: gpuTargetList("cuda12") });
    const rocm = findAcceleratorProfile("linux", "x86_64", "rocm6")!;
    expect(rocm.cmakeDefines["GPU_TARGETS"]).toBe(rocm.cmakeDefines["AMDGPU_TARGETS"]);
    expect(findAcceleratorProfile("linux", "x86_64", "metal")).toBeNull();
    expect(() => gpuTargetList("cuda11")).toThrow(/cuda11/);
  });

  it("reads engine metadata, the source tag and the header fix content", () => {
    const llama = findEngineProfile("llama-cpp")!;
    expect(llama).toMatchObject({ name: "llama.cpp", modelFormats: ["gguf"] });
    expect(llama.source.kind === "git" && sourceTag(llama.source, "b4618")).toBe("b4618");
    // stable-diffusion.cpp's release tags are master-<commit count>-<short commit> (its build.yml's tag_name).
    const sd = findEngineProfile("sd-cpp")!.source;
    if (sd.kind !== "git") throw new Error("sd-cpp is built from git");
    expect(sourceTag(sd, "827-97d2990")).toBe("master-827-97d2990");
    expect(versionOfTag(sd, "master-827-97d2990")).toBe("827-97d2990");
    expect(exampleVersion(sd)).toBe("827-97d2990 (git tag master-827-97d2990)");
    expect(llama.source.kind === "git" && exampleVersion(llama.source)).toBe("b4618");
    expect(versionOfTag(sd, "master-")).toBeNull();
    expect(versionOfTag(sd, "workflow-302-fad6178")).toBeNull();
    expect(llama.source.kind === "git" && versionOfTag(llama.source, "b4618")).toBe("b4618");
    expect(findEngineProfile("whisper")).toBeNull();
    const mingw = findToolchain({ os: "linux", arch: "x86_64" }, { os: "windows", arch: "x86_64" })!;
    expect(mingw.headerFixes?.[0]?.content).toContain("#include_next <amxtileintrin.h>");
    expect(findToolchain({ os: "linux", arch: "x86_64" }, { os: "macos", arch: "aarch64" })).toBeNull();
    expect(nativeToolchain({ os: "macos", arch: "aarch64" }).strip.args).toEqual(["-x"]);
    expect(nativeToolchain({ os: "linux", arch: "aarch64" }).strip.args).toEqual(["--strip-unneeded"]);
  });
});

describe("engines as data: smoke and device probe kinds", () => {
  it("whisper.cpp: source from npm, an HTTP smoke with a generated model and WAV, a log-lines probe; no OpenMP", () => {
    const whisper = findEngineProfile("whisper-cpp")!;
    expect(whisper.source).toEqual({ kind: "npm", package: "nodejs-whisper", version: "0.3.1", dir: "cpp/whisper.cpp", repository: "https://github.com/ggml-org/whisper.cpp", published: "2026-08-15T07:29:14Z" });
    expect(whisper.sourceMarkers).toContain("examples/server/server.cpp");
    // What its loader reads (ggml's own 'ggml' magic files), not the live index's ["gguf", "bin"]; the reason says why.
    expect(whisper.modelFormats).toEqual(["bin"]);
    expect(whisper.modelFormatsReason).toContain("GGML_FILE_MAGIC");
    expect(whisper.cmakeDefines["GGML_OPENMP"]).toBe("OFF");
    expect(whisper.smoke).toMatchObject({ kind: "http", model: "tiny-whisper-model", health: { path: "/health", status: 200 }, request: { method: "POST", path: "/inference" }, answer: { json: { text: "string" } } });
    expect(whisper.deviceProbe).toMatchObject({ kind: "log-lines", model: "tiny-whisper-model", readyPath: "/health" });
    const cudaLine = new RegExp(whisper.deviceProbe!.devices.cuda!);
    expect(cudaLine.test("  Device 0: NVIDIA H100 80GB HBM3, compute capability 9.0, VMM: yes")).toBe(true);
    expect(cudaLine.test("ggml_cuda_init: found 1 CUDA devices:")).toBe(false);
  });

  it("stable-diffusion.cpp: SD_* accelerator options, the frontend off, a tab-separated --list-devices", () => {
    const sd = findEngineProfile("sd-cpp")!;
    expect(sd.acceleratorDefineNames).toMatchObject({ GGML_CUDA: "SD_CUDA", GGML_VULKAN: "SD_VULKAN", GGML_METAL: "SD_METAL", GGML_HIP: "SD_HIPBLAS" });
    expect(sd.cmakeDefines["SD_SERVER_BUILD_FRONTEND"]).toBe("OFF");
    expect(sd.deviceProbe).toMatchObject({ kind: "list-devices", args: ["--list-devices"], format: "name-tab-description" });
    // Its smoke is --version (sd-server exits 1 on a bad argument); why there is no HTTP smoke yet is data beside it.
    expect(sd.smoke).toMatchObject({ kind: "exit-code", args: ["--version"] });
    expect(sd.smoke.reason).toContain("/sdcpp/v1/capabilities");
    expect(findEngineProfile("llama-cpp")!.smoke).toEqual({ kind: "exit-code", args: ["--version"], outputPattern: "[Vv]ersion", timeoutSeconds: 60 });
  });

  it("refuses an unknown smoke or probe kind and a missing field, naming the file and the field", () => {
    const engines = data("engines.json");
    engines.engines[2].smoke.kind = "grpc";
    delete engines.engines[2].deviceProbe.readyPath;
    engines.engines[3].deviceProbe.kind = "sniff";
    delete engines.engines[0].smoke;
    let message = "";
    try {
      resolveEngines(engines, known);
    } catch (error) {
      expect(error).toBeInstanceOf(SchemaValidationError);
      message = (error as Error).message;
    }
    expect(message.split("\n")[0]).toBe("@baiengine/profiles data/engines.json is invalid:");
    expect(message).toContain("engines[2].smoke.kind: Invalid discriminator value. Expected 'exit-code' | 'http'");
    expect(message).toContain("engines[2].deviceProbe.readyPath: Invalid input: expected string, received undefined");
    expect(message).toContain("engines[3].deviceProbe.kind: Invalid discriminator value. Expected 'list-devices' | 'log-lines'");
    expect(message).toContain("engines[0].smoke: Invalid input");
  });

  it("refuses {model} without a generated model, and unknown placeholders", () => {
    const engines = data("engines.json");
    engines.engines[2].smoke.model = null;
    engines.engines[2].deviceProbe.args.push("--threads={cpus}");
    expect(issues(() => resolveEngines(engines, { ...known, tokens: [...known.tokens, "cuda13"] }))).toEqual([
      "engines[2].smoke.args[1]: {model} needs a generated model (engines[2].smoke.model)",
      "engines[2].deviceProbe.args[8]: unknown placeholder {cpus} (known: {model}, {host}, {port})",
    ]);
  });
});

describe("version rules: what a -dev suffix means is data", () => {
  it("whisper.cpp reads ggml's scheme (1.9.3 on) before project() (1.9.1), both from CMakeLists.txt", () => {
    const rules = findEngineProfile("whisper-cpp")!.versionRules;
    expect(rules.map((r) => r.kind)).toEqual(["cmake-set", "cmake-project"]);
    expect(rules[0]).toMatchObject({ major: "WHISPER_VERSION_MAJOR", dev: { option: "WHISPER_BUILD_IS_DEV", releaseTag: "v{version}", version: "{version}-dev" } });
  });

  it("a dev rule needs {version} in its tag and version and a CMake option the engine does not also set", () => {
    const engines = data("engines.json");
    const dev = engines.engines[2].versionRules[0].dev;
    dev.releaseTag = "v1.9.3";
    delete dev.version;
    engines.engines[0].cmakeDefines["LLAMA_BUILD_IS_DEV"] = "OFF";
    expect(issues(() => resolveEngines(engines, { ...known, tokens: [...known.tokens, "cuda13"] }))).toEqual([
      'engines[2].versionRules[0].dev.releaseTag: Invalid string: must include "{version}"',
      "engines[2].versionRules[0].dev.version: Invalid input: expected string, received undefined",
    ]);
    engines.engines[2].versionRules[0].dev = { ...dev, releaseTag: "v{version}", version: "{version}-dev" };
    expect(issues(() => resolveEngines(engines, { ...known, tokens: [...known.tokens, "cuda13"] }))).toEqual([
      "engines[0].versionRules[0].dev.option: LLAMA_BUILD_IS_DEV is also in cmakeDefines; the version rule decides it per checkout",
    ]);
  });
});

describe("toolkit versions", () => {
  it("reads nvcc's and hipcc's versions", () => {
    expect(parseToolkitVersion("nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 13.0, V13.0.88\nBuild cuda_13.0")).toBe("13.0.88");
    expect(parseToolkitVersion("HIP version: 6.2.41133-dd7f95766")).toBe("6.2.41133");
    expect(parseToolkitVersion("Cuda compilation tools, release 12.4")).toBe("12.4");
    expect(parseToolkitVersion("glslc v2023.8")).toBeNull();
  });
});

describe("validated when loaded", () => {
  it("refuses a shape error with the file and the field's path", () => {
    const engines = data("engines.json");
    engines.engines[0].modelFormats = [];
    delete engines.engines[1].cmakeTarget;
    const lines = issues(() => resolveEngines(engines, known));
    expect(lines.some((l) => l.startsWith("engines[0].modelFormats:"))).toBe(true);
    expect(lines.some((l) => l.startsWith("engines[1].cmakeTarget:"))).toBe(true);
    engines.engines[0].modelFormats = ["gguf"];
    engines.engines[1].cmakeTarget = "hello-server";
    engines.engines[1].surprise = true;
    expect(issues(() => resolveEngines(engines, known)).join("\n")).toContain("surprise");
  });

  it("refuses references to nothing: unknown tokens, toolchains, define sets and lists, reasons without a define", () => {
    const engines = data("engines.json");
    engines.engines[1].tokens = ["tpu1"];
    engines.engines[0].toolchainFlags["windows-x86_64-msvc"] = engines.engines[0].toolchainFlags["windows-x86_64-mingw"];
    engines.engines[0].defineReasons["LLAMA_CURL"] = "stale";
    expect(issues(() => resolveEngines(engines, known))).toEqual([
      "engines[0].defineReasons.LLAMA_CURL: gives a reason for a define the profile does not set",
      "engines[0].toolchainFlags.windows-x86_64-msvc: no toolchain profile has this id",
      'engines[1].tokens: no accelerator profile has the token "tpu1"',
      // hello's cuda13 stand-in is then a stand-in for a token the engine no longer builds
      'engines[1].standIns.cuda13: the engine\'s tokens do not list "cuda13"',
    ]);
    const accelerators = data("accelerators.json");
    accelerators.profiles[2].defineSets = ["x86-release", "cuda-relase"];
    accelerators.profiles[3].gpuTargets.list = "cuda31";
    const lines = issues(() => resolveAccelerators(accelerators));
    expect(lines).toContain('profiles[2].defineSets: no define set is named "cuda-relase"');
    expect(lines).toContain('profiles[3].gpuTargets.list: no GPU target list is named "cuda31"');
  });

  it("refuses a platform the matrix does not allow, a toolkit major that is not the token's, a platform twice", () => {
    const accelerators = data("accelerators.json");
    accelerators.profiles.push({ ...accelerators.profiles[1] });
    accelerators.profiles[0].token = "metal";
    accelerators.profiles[2].toolkit.major = 11;
    expect(issues(() => resolveAccelerators(accelerators))).toEqual([
      "profiles[0]: linux-x86_64-metal is not allowed by the platform matrix (@baiengine/schema)",
      "profiles[2].toolkit.major: 11 is not the token's major",
      'profiles: duplicate platform "linux-aarch64-cpu"',
    ]);
  });

  it("refuses a cross toolchain whose host is its target, and an id used twice", () => {
    const toolchains = data("toolchains.json");
    toolchains.cross[0].target = toolchains.cross[0].host;
    toolchains.cross[1].id = "native";
    const lines = issues(() => resolveToolchains(toolchains, () => ""));
    expect(lines).toContain("cross[0]: host and target are the same platform (that is the native toolchain)");
    expect(lines).toContain('cross: duplicate id "native"');
  });
});
