import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The design's examples, verbatim (../shared/design/engine-registry-template.md). Its example
 * engines.json is the fixture fixtures/design-engines.json (the registry CLI's tests read it too).
 */
export interface DesignRegistry {
  schemaVersion: number;
  lastUpdated: string;
  baseUrl: string;
  engines: {
    id: string;
    name: string;
    description: string;
    latestVersion: string;
    modelFormats: string[];
    packages: { os: string; arch: string; accelerator: string; acceleratorVersion: string | null; filename: string; size: number; sha256: string }[];
  }[];
}
export const DESIGN_REGISTRY: DesignRegistry = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "design-engines.json"), "utf8"));

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
export function validDesignRegistry(): DesignRegistry {
  const copy = structuredClone(DESIGN_REGISTRY);
  copy.engines[0]!.packages[0]!.sha256 = REAL_SHA;
  return copy;
}
