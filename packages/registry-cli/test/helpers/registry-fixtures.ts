import { writeFile } from "node:fs/promises";

const sha = (c: string) => c.repeat(64);

/**
 * A valid engines.json with unknown fields at every level, keys deliberately out of canonical order.
 */
export function registryWithUnknownFields(): Record<string, unknown> {
  return {
    engines: [
      {
        packages: [
          {
            sha256: sha("a"),
            filename: "llama-cpp-b4618-linux-x86_64-cpu.baiengine",
            os: "linux",
            arch: "x86_64",
            accelerator: "cpu",
            acceleratorVersion: null,
            size: 1234,
            mirrorHint: { region: "eu", weight: 2 },
          },
        ],
        xEngineNote: "kept",
        id: "llama-cpp",
        name: "llama.cpp",
        description: "High-performance inference engine for GGUF models",
        latestVersion: "b4618",
        modelFormats: ["gguf"],
        prerelease: { packages: [], zPre: true, version: "b4700" },
      },
    ],
    futureTopLevel: [1, 2, 3],
    schemaVersion: 1,
    lastUpdated: "2025-01-10T00:00:00Z",
    baseUrl: "https://github.com/lablup/backend.ai-engine-registry/releases/download",
  };
}

export function emptyRegistry(baseUrl = "https://example.invalid/releases/download"): Record<string, unknown> {
  return { schemaVersion: 1, lastUpdated: "2025-01-10T00:00:00Z", baseUrl, engines: [] };
}

export async function writeJson(path: string, value: unknown, pretty = true): Promise<void> {
  await writeFile(path, pretty ? `${JSON.stringify(value, null, 2)}\n` : JSON.stringify(value));
}
