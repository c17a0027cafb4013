/**
 * Shapes of the Backend.AI GO app's live registry (github.com/lablup/backend.ai-go-engine-registry):
 * packages.json as of 2026-04 (no acceleratorVersion, variants in file names, runtimes) and as of
 * 2026-01 (acceleratorVersion: null on every package), and the repository's design-format
 * engines.json (planned packages with size 0 and sha256 ""). Sizes and hashes are made up.
 */
const sha = (c: string) => c.repeat(64);

export function livePackagesJson() {
  return {
    schemaVersion: 1,
    lastUpdated: "2026-04-26T00:51:11Z",
    baseUrl: "https://github.com/lablup/backend.ai-go-engine-registry/releases/download",
    engines: [
      {
        id: "llama-cpp",
        name: "llama.cpp",
        description: "High-performance GGUF model inference engine",
        supportedFormats: ["gguf"],
        platforms: ["darwin", "linux", "win32"],
        latest: {
          version: "26.4.20",
          releaseDate: "2026-04-20",
          minAppVersion: "0.8.0",
          packages: [
            { os: "darwin", arch: "arm64", filename: "llama-cpp-26.4.20-darwin-arm64-metal.baiengine", size: 19274318, sha256: sha("1"), accelerator: "metal" },
            { os: "linux", arch: "arm64", filename: "llama-cpp-26.4.20-linux-arm64-cuda13-gh200.baiengine", size: 54069967, sha256: sha("2"), accelerator: "cuda13" },
            { os: "linux", arch: "arm64", filename: "llama-cpp-26.4.20-linux-arm64-cuda13-gb10.baiengine", size: 34033834, sha256: sha("3"), accelerator: "cuda13" },
            { os: "linux", arch: "x64", filename: "llama-cpp-26.4.20-linux-x64-vulkan.baiengine", size: 33809288, sha256: sha("4"), accelerator: "vulkan" },
            { os: "win32", arch: "x64", filename: "llama-cpp-26.4.20-win32-x64-cuda12.baiengine", size: 242006042, sha256: sha("5"), accelerator: "cuda12" },
            { os: "win32", arch: "x64", filename: "llama-cpp-26.4.20-win32-x64-hip.baiengine", size: 148857074, sha256: sha("6"), accelerator: "hip" },
            { os: "win32", arch: "x64", filename: "llama-cpp-26.4.20-win32-x64-sycl.baiengine", size: 120283432, sha256: sha("7"), accelerator: "sycl" },
          ],
        },
      },
      {
        id: "whisper-cpp",
        name: "whisper.cpp",
        description: "High-performance speech-to-text inference engine",
        supportedFormats: ["gguf", "bin"],
        platforms: ["darwin", "linux", "win32"],
        latest: {
          version: "26.3.3",
          releaseDate: "2026-03-03",
          minAppVersion: "0.8.0",
          packages: [
            { os: "linux", arch: "x64", filename: "whisper-cpp-26.3.3-linux-x64-cpu.baiengine", size: 1801521, sha256: sha("8"), accelerator: "cpu" },
            { os: "win32", arch: "x64", filename: "whisper-cpp-26.3.3-win32-x64-cpu.baiengine", size: 2179853, sha256: sha("9"), accelerator: "cpu" },
          ],
        },
      },
    ],
    runtimes: [
      {
        id: "cuda13-runtime",
        name: "CUDA 13 Runtime",
        description: "NVIDIA CUDA 13 runtime libraries (cuBLAS, cuBLASLt, cuDNN)",
        category: "cuda",
        platforms: ["win32"],
        latest: {
          version: "26.2.26",
          releaseDate: "2026-02-26",
          packages: [{ os: "win32", arch: "x64", filename: "cuda13-runtime-13.1.0-win32-x64.bairuntime", size: 403648082, sha256: sha("a") }],
        },
      },
    ],
  };
}

/** The 2026-01 shape: `acceleratorVersion: null` on every engine package, fields in the older order. */
export function januaryPackagesJson() {
  const current = livePackagesJson();
  for (const engine of current.engines) {
    engine.latest.packages = engine.latest.packages.map(({ os, arch, accelerator, filename, size, sha256 }) => ({ os, arch, accelerator, acceleratorVersion: null, filename, size, sha256 }) as never);
  }
  return current;
}

/** The live repository's engines.json: the design's format, seven planned packages of b4618 (the live one is b7681 shaped alike). */
export function livePlannedEnginesJson() {
  const planned = (os: string, arch: string, accelerator: string, acceleratorVersion: string | null, token = accelerator) => ({
    os, arch, accelerator, acceleratorVersion, filename: `llama-cpp-b4618-${os}-${arch}-${token}.baiengine`, size: 0, sha256: "",
  });
  return {
    schemaVersion: 1,
    lastUpdated: "2025-01-10T00:00:00Z",
    baseUrl: "https://github.com/lablup/backend.ai-engine-registry/releases/download",
    engines: [
      {
        id: "llama-cpp",
        name: "llama.cpp",
        description: "High-performance inference engine for GGUF models with support for Metal, CUDA, and CPU backends",
        latestVersion: "b4618",
        modelFormats: ["gguf"],
        packages: [
          planned("macos", "aarch64", "metal", null),
          planned("macos", "aarch64", "cpu", null),
          planned("macos", "x86_64", "cpu", null),
          planned("linux", "x86_64", "cuda", "12.0", "cuda12"),
          planned("linux", "x86_64", "cpu", null),
          planned("windows", "x86_64", "cuda", "12.0", "cuda12"),
          planned("windows", "x86_64", "cpu", null),
        ],
      },
    ],
  };
}
