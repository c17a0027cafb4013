import type { Arch, Os } from "@baiengine/schema";

/** The toolkit an accelerator needs at build time: how to find it and how to install it. */
export interface Toolkit {
  /** Tool probed on PATH (nvcc, hipcc, glslc, xcrun). */
  probe: string;
  /** One line that says what to install. */
  install: string;
  /** Major version the token demands (cuda12 → 12); null when any version will do. */
  major: number | null;
  /** Whether the toolkit's version is the manifest's acceleratorVersion (cuda, rocm). */
  versioned: boolean;
}

export interface AcceleratorProfile {
  os: Os;
  arch: Arch;
  /** File-name token: cpu, metal, cuda12, cuda13, rocm6, vulkan. */
  token: string;
  /** ggml CMake defines, after upstream's release workflow (.github/workflows/release.yml). */
  cmakeDefines: Record<string, string>;
  /** Why a define differs from (or follows) upstream, where it is not obvious. */
  defineReasons: Record<string, string>;
  toolkit: Toolkit | null;
  /** GPU code built into the package (CUDA architectures, AMDGPU targets), for the manifest. */
  gpuTargets?: { define: string; list: string[] };
}
