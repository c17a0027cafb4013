import type { EngineSource } from "@baiengine/profiles";
import type { Arch, Os } from "@baiengine/schema";

/**
 * The parts of the profiles (@baiengine/profiles) the matrix reads. Structural, so `planMatrix` is
 * testable with any table; `defaultSources()` supplies the real ones.
 */
export interface MatrixEngine {
  id: string;
  source: EngineSource;
  /** Accelerator tokens the engine builds for; null = every accelerator profile. */
  tokens: string[] | null;
  /** Tokens built with a stand-in of the toolkit (the hello fixture's stub GPU runtime): packer tests, never cells. */
  standIns?: Record<string, unknown>;
}
export interface MatrixAccelerator {
  os: Os;
  arch: Arch;
  token: string;
}
export interface MatrixSources {
  engines: MatrixEngine[];
  accelerators: MatrixAccelerator[];
  /** Folder of the packer package relative to the repository root (local engine sources live there). */
  packerDir: string;
}
