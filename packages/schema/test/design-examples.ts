/** The design's examples, verbatim (../shared/design/engine-registry-template.md). */
export const DESIGN_REGISTRY = {
  schemaVersion: 1,
  lastUpdated: "2025-01-10T00:00:00Z",
  baseUrl: "https://github.com/lablup/backend.ai-engine-registry/releases/download",
  engines: [
    {
      id: "llama-cpp",
      name: "llama.cpp",
      description: "High-performance inference engine for GGUF models",
      latestVersion: "b4618",
      modelFormats: ["gguf"],
      packages: [
        {
          os: "macos",
          arch: "aarch64",
          accelerator: "metal",
          acceleratorVersion: null,
          filename: "llama-cpp-b4618-macos-aarch64-metal.baiengine",
          size: 12345678,
          sha256: "abc123...",
        },
      ],
    },
  ],
};

export const DESIGN_MANIFEST = {
  engineId: "llama-cpp",
  version: "b4618",
  accelerator: "metal",
  acceleratorVersion: null,
  os: "macos",
  arch: "aarch64",
  serverBinary: "llama-server",
  modelFormats: ["gguf"],
  minAppVersion: "0.11.0",
};

export const DESIGN_FILENAMES = [
  "llama-cpp-b4618-macos-aarch64-metal.baiengine",
  "llama-cpp-b4618-linux-x86_64-cuda12.baiengine",
  "llama-cpp-b4618-windows-x86_64-cpu.baiengine",
];

export const DESIGN_URL =
  "https://github.com/lablup/backend.ai-engine-registry/releases/download/llama-cpp-vb4618/llama-cpp-b4618-macos-aarch64-metal.baiengine";

export const REAL_SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/** The design's registry with a real checksum in place of its placeholder. */
export function validDesignRegistry(): typeof DESIGN_REGISTRY {
  const copy = structuredClone(DESIGN_REGISTRY);
  copy.engines[0]!.packages[0]!.sha256 = REAL_SHA;
  return copy;
}
