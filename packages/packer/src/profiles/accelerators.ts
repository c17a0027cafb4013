import type { Arch, Os } from "@baiengine/schema";
import { UnknownProfileError } from "../errors.js";
import type { AcceleratorProfile } from "./accelerator-profile.js";

/** As upstream's release builds: backends as run-time modules, every x86 CPU variant in one package. */
const X86_CPU = { GGML_NATIVE: "OFF", GGML_BACKEND_DL: "ON", GGML_CPU_ALL_VARIANTS: "ON" };
const X86_REASON = {
  GGML_CPU_ALL_VARIANTS: "one package carries every x86 CPU variant (sse42 … avx512, amx) and ggml picks the best at run time",
};

/** ggml-cuda's default release list for CUDA 12.9+ (50/61/70 were dropped by CUDA 13). */
export const CUDA12_ARCHITECTURES = ["50-virtual", "61-virtual", "70-virtual", "75-virtual", "80-virtual", "86-real", "89-real", "90-virtual", "120a-real", "121a-real"];
export const CUDA13_ARCHITECTURES = ["75-virtual", "80-virtual", "86-real", "89-real", "90-virtual", "120a-real", "121a-real"];
/** Upstream's release.yml Linux ROCm gpu_targets. */
export const ROCM_TARGETS = "gfx908;gfx90a;gfx942;gfx950;gfx1010;gfx1011;gfx1012;gfx1030;gfx1031;gfx1032;gfx1033;gfx1034;gfx1035;gfx1036;gfx1100;gfx1101;gfx1102;gfx1103;gfx1150;gfx1151;gfx1152;gfx1200;gfx1201".split(";");

const MACOS_TARGET = "13.3";
const CUDA_INSTALL = (major: number) =>
  `install the CUDA ${major} toolkit (nvcc ${major}.x on PATH, e.g. apt-get install cuda-toolkit-${major}-x from NVIDIA's repository)`;

function cuda(os: Os, major: 12 | 13): AcceleratorProfile {
  const list = major === 12 ? CUDA12_ARCHITECTURES : CUDA13_ARCHITECTURES;
  return {
    os,
    arch: "x86_64",
    token: `cuda${major}`,
    cmakeDefines: { ...X86_CPU, GGML_CUDA: "ON", GGML_CUDA_NCCL: "OFF", CMAKE_CUDA_ARCHITECTURES: list.join(";") },
    defineReasons: {
      ...X86_REASON,
      CMAKE_CUDA_ARCHITECTURES: "explicit release list (ggml-cuda's non-native default for this toolkit) so the build never depends on the build machine's GPU; override with --cmake-arg -DCMAKE_CUDA_ARCHITECTURES=…",
      GGML_CUDA_NCCL: "as upstream's release: no NCCL dependency",
    },
    toolkit: { probe: "nvcc", install: CUDA_INSTALL(major), major, versioned: true },
    gpuTargets: { define: "CMAKE_CUDA_ARCHITECTURES", list },
  };
}

const PROFILES: readonly AcceleratorProfile[] = [
  { os: "linux", arch: "x86_64", token: "cpu", cmakeDefines: { ...X86_CPU }, defineReasons: { ...X86_REASON }, toolkit: null },
  {
    os: "linux",
    arch: "aarch64",
    token: "cpu",
    cmakeDefines: { GGML_NATIVE: "OFF", GGML_BACKEND_DL: "ON", GGML_CPU_ALL_VARIANTS: "OFF", GGML_CPU_ARM_ARCH: "armv8-a" },
    defineReasons: {
      GGML_CPU_ALL_VARIANTS:
        "upstream's arm64 runner builds the armv8.0…armv9.2 variants with a newer gcc; Debian 12's gcc 12 has no armv9.2-a/+sme, so one plain armv8-a backend (NEON, no optional features) is built",
      GGML_CPU_ARM_ARCH: "plain armv8-a with NEON: runs on every aarch64 Linux machine",
    },
    toolkit: null,
  },
  cuda("linux", 12),
  cuda("linux", 13),
  {
    os: "linux",
    arch: "x86_64",
    token: "rocm6",
    cmakeDefines: { ...X86_CPU, GGML_HIP: "ON", AMDGPU_TARGETS: ROCM_TARGETS.join(";"), GPU_TARGETS: ROCM_TARGETS.join(";") },
    defineReasons: { ...X86_REASON, AMDGPU_TARGETS: "upstream's release gpu_targets" },
    toolkit: { probe: "hipcc", install: "install ROCm 6 (hipcc on PATH, e.g. apt-get install rocm-hip-sdk from AMD's repository)", major: 6, versioned: true },
    gpuTargets: { define: "AMDGPU_TARGETS", list: ROCM_TARGETS },
  },
  {
    os: "linux",
    arch: "x86_64",
    token: "vulkan",
    cmakeDefines: { ...X86_CPU, GGML_VULKAN: "ON" },
    defineReasons: { ...X86_REASON },
    toolkit: { probe: "glslc", install: "apt-get install glslc libvulkan-dev (the Vulkan SDK's shader compiler and loader headers)", major: null, versioned: false },
  },
  { os: "windows", arch: "x86_64", token: "cpu", cmakeDefines: { ...X86_CPU }, defineReasons: { ...X86_REASON }, toolkit: null },
  cuda("windows", 12),
  cuda("windows", 13),
  {
    os: "windows",
    arch: "x86_64",
    token: "vulkan",
    cmakeDefines: { ...X86_CPU, GGML_VULKAN: "ON" },
    defineReasons: { ...X86_REASON },
    toolkit: { probe: "glslc", install: "install the Vulkan SDK (glslc on PATH)", major: null, versioned: false },
  },
  {
    os: "macos",
    arch: "aarch64",
    token: "metal",
    cmakeDefines: { GGML_NATIVE: "OFF", GGML_METAL: "ON", GGML_METAL_EMBED_LIBRARY: "ON", CMAKE_OSX_DEPLOYMENT_TARGET: MACOS_TARGET },
    defineReasons: {
      GGML_METAL_EMBED_LIBRARY: "the Metal shaders are compiled into the binary, so no .metallib has to be found at run time",
      CMAKE_OSX_DEPLOYMENT_TARGET: "as upstream's release: macOS 13.3",
    },
    toolkit: { probe: "xcrun", install: "install Xcode or the Command Line Tools (xcode-select --install)", major: null, versioned: false },
  },
  {
    os: "macos",
    arch: "aarch64",
    token: "cpu",
    cmakeDefines: { GGML_NATIVE: "OFF", GGML_METAL: "OFF", CMAKE_OSX_DEPLOYMENT_TARGET: MACOS_TARGET },
    defineReasons: { GGML_METAL: "as upstream's macos cpu release" },
    toolkit: { probe: "xcrun", install: "install Xcode or the Command Line Tools (xcode-select --install)", major: null, versioned: false },
  },
  {
    os: "macos",
    arch: "x86_64",
    token: "cpu",
    cmakeDefines: { GGML_NATIVE: "OFF", GGML_METAL: "OFF", CMAKE_OSX_DEPLOYMENT_TARGET: MACOS_TARGET },
    defineReasons: { GGML_METAL: "as upstream's macos x64 release (no Metal on Intel)" },
    toolkit: { probe: "xcrun", install: "install Xcode or the Command Line Tools (xcode-select --install)", major: null, versioned: false },
  },
];

/** Every (os, arch, token) the packer can plan: build-matrix turns these into cells. */
export function listAcceleratorProfiles(): AcceleratorProfile[] {
  return [...PROFILES];
}

/** The profile for a target; a UsageError listing the tokens known for that platform otherwise. */
export function getAcceleratorProfile(os: Os, arch: Arch, token: string): AcceleratorProfile {
  const found = PROFILES.find((p) => p.os === os && p.arch === arch && p.token === token);
  if (!found) {
    const known = PROFILES.filter((p) => p.os === os && p.arch === arch).map((p) => p.token);
    throw new UnknownProfileError(
      `no accelerator profile ${JSON.stringify(token)} for ${os}-${arch}`,
      known.length > 0 ? `pass --accel with one of: ${known.join(", ")}` : `no accelerator is planned for ${os}-${arch}`,
    );
  }
  return found;
}
