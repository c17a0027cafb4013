import type { Arch, Os } from "@baiengine/schema";

/**
 * The parts of the packer's profiles the matrix reads. Structural, so `planMatrix` is testable with
 * any table; `defaultSources()` supplies the packer's own.
 */
export interface MatrixEngine {
  id: string;
  source: { kind: "git"; repository: string; tag: (version: string) => string } | { kind: "local"; dir: string };
  /** Accelerator tokens the engine builds for; null = every accelerator profile. */
  tokens: string[] | null;
}
export interface MatrixAccelerator {
  os: Os;
  arch: Arch;
  token: string;
}
export interface MatrixToolchain {
  id: string;
  host: { os: Os; arch: Arch };
  target: { os: Os; arch: Arch };
}
export interface MatrixSources {
  engines: MatrixEngine[];
  accelerators: MatrixAccelerator[];
  toolchains: MatrixToolchain[];
  /** Folder of the packer package relative to the repository root (local engine sources live there). */
  packerDir: string;
}
