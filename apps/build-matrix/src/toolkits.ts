import { type Os, parseAcceleratorToken } from "@baiengine/schema";

/** What a CI job must set up before `pnpm pack-engine` can build a cell's accelerator. */
export interface ToolkitSetup {
  /** Job container image (`container:`); null runs on the runner itself. */
  container: string | null;
  /** Debian/Ubuntu packages installed with apt-get (inside the container, or with sudo on the runner). */
  aptPackages: string[];
  /** CUDA version installed by .github/actions/setup-cuda-windows from NVIDIA's redistributables (Windows; Linux uses NVIDIA's images). */
  cudaToolkit: string | null;
  /** A bash script run after the packages (SDK downloads); null when none. */
  script: string | null;
  /** Whether a package of this accelerator can start on a GPU-less hosted runner (for `--smoke`). */
  runsWithoutGpu: boolean;
  note: string;
}

/** Tools every Linux build needs beyond the image: CMake, Ninja, ccache, git to fetch the source. */
const LINUX_BUILD_TOOLS = ["git", "cmake", "ninja-build", "ccache", "g++", "ca-certificates", "curl", "xz-utils", "file", "patchelf"];

const VULKAN_SDK = "1.4.313.0";

/** NVIDIA's devel images (nvcc, cudart, cuBLAS) on Ubuntu 22.04, so the glibc baseline stays 2.35. */
const CUDA_IMAGES: Record<number, string> = {
  12: "nvidia/cuda:12.8.1-devel-ubuntu22.04",
  13: "nvidia/cuda:13.0.0-devel-ubuntu22.04",
};
/** CUDA versions the local setup-cuda-windows action installs on Windows runners. */
const CUDA_WINDOWS: Record<number, string> = { 12: "12.8.1", 13: "13.0.0" };
/** AMD's ROCm development images (hipcc, rocBLAS, hipBLAS) on Ubuntu 22.04. */
const ROCM_IMAGES: Record<number, string> = { 6: "rocm/dev-ubuntu-22.04:6.4-complete" };

const none = (os: Os, note: string): ToolkitSetup => ({
  container: null,
  aptPackages: os === "linux" ? LINUX_BUILD_TOOLS : [],
  cudaToolkit: null,
  script: null,
  runsWithoutGpu: true,
  note,
});

/**
 * The toolkit set-up of an accelerator token on an OS, or an Error describing the gap (a token with
 * no known image or installer is a data gap to fill here, never a silent skip).
 */
export function toolkitSetup(os: Os, token: string): ToolkitSetup | Error {
  const { accelerator, major } = parseAcceleratorToken(token);
  switch (accelerator) {
    case "cpu":
      return none(os, "no toolkit");
    case "metal":
      return os === "macos" ? { ...none(os, "Metal ships with Xcode on the runner"), runsWithoutGpu: true } : new Error("metal is macOS only");
    case "cuda": {
      if (os === "linux" && major !== null && CUDA_IMAGES[major]) {
        return { ...none(os, "CUDA toolkit from NVIDIA's devel image"), container: CUDA_IMAGES[major], runsWithoutGpu: false };
      }
      if (os === "windows" && major !== null && CUDA_WINDOWS[major]) {
        return { ...none(os, "CUDA toolkit from NVIDIA's redistributables (.github/actions/setup-cuda-windows)"), cudaToolkit: CUDA_WINDOWS[major], runsWithoutGpu: false };
      }
      return new Error(`no CUDA ${major} set-up for ${os}`);
    }
    case "rocm": {
      if (os === "linux" && major !== null && ROCM_IMAGES[major]) {
        return { ...none(os, "ROCm from AMD's dev image"), container: ROCM_IMAGES[major], runsWithoutGpu: false };
      }
      return new Error(`no ROCm ${major} set-up for ${os}`);
    }
    case "vulkan": {
      if (os === "linux") {
        const dir = `"$RUNNER_TEMP/vulkan/${VULKAN_SDK}/x86_64"`;
        const script = [
          `mkdir -p "$RUNNER_TEMP/vulkan"`,
          `curl -fsSL https://sdk.lunarg.com/sdk/download/${VULKAN_SDK}/linux/vulkansdk-linux-x86_64-${VULKAN_SDK}.tar.xz | tar -xJ -C "$RUNNER_TEMP/vulkan"`,
          `echo "VULKAN_SDK=${dir.slice(1, -1)}" >> "$GITHUB_ENV"`,
          `echo "${dir.slice(1, -1)}/bin" >> "$GITHUB_PATH"`,
        ].join("\n");
        return { ...none(os, `LunarG Vulkan SDK ${VULKAN_SDK}`), aptPackages: [...LINUX_BUILD_TOOLS, "libvulkan-dev"], script, runsWithoutGpu: false };
      }
      if (os === "windows") {
        const script = [
          `curl -fsSL -o "$RUNNER_TEMP/vulkansdk.exe" https://sdk.lunarg.com/sdk/download/${VULKAN_SDK}/windows/vulkansdk-windows-X64-${VULKAN_SDK}.exe`,
          `"$RUNNER_TEMP/vulkansdk.exe" --root "C:\\VulkanSDK\\${VULKAN_SDK}" --accept-licenses --default-answer --confirm-command install`,
          `echo "VULKAN_SDK=C:\\VulkanSDK\\${VULKAN_SDK}" >> "$GITHUB_ENV"`,
          `echo "C:\\VulkanSDK\\${VULKAN_SDK}\\Bin" >> "$GITHUB_PATH"`,
        ].join("\n");
        return { ...none(os, `LunarG Vulkan SDK ${VULKAN_SDK}`), script, runsWithoutGpu: false };
      }
      return new Error(`no Vulkan SDK set-up for ${os}`);
    }
    default:
      return new Error(`no toolkit set-up for ${token} on ${os}`);
  }
}
