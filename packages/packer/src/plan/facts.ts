import type { VersionRule } from "@baiengine/profiles";
import type { Platform } from "@baiengine/schema";

/** The version X.Y.Z a source's CMake files declare, and the engine profile's rule that read it. */
export interface DeclaredVersion {
  version: string;
  rule: VersionRule;
}

/** What a source folder is, as read from disk (by probe/source-facts.ts). */
export interface SourceFacts {
  dir: string;
  /** Marker files of the engine profile that are missing (empty: it is the engine's source). */
  missingMarkers: string[];
  /** Git commit when the folder is a git work tree's top level. */
  commit: string | null;
  /** Commit time (seconds since the epoch) of the commit, or of the last commit touching the folder. */
  commitTime: number | null;
  /** Exact git tag of HEAD, if any. */
  tag: string | null;
  /** Version declared by the CMake files (profile's versionRules). */
  declared: DeclaredVersion | null;
  /** Identity of the tree for the build cache: commit (+ hash of local changes) or a content hash. */
  identity: string;
  /**
   * Newest modification time (whole seconds since the epoch) of the tree's regular files, skipping
   * `.git`, `build` and `node_modules`; read only when there is no commit time (null otherwise).
   */
  newestFileTime: number | null;
  /** The `.tar.gz` this folder was unpacked from (`--source <archive>`), or null. */
  archive: string | null;
}

/** Everything planPack needs to know about the machine, gathered up front (effects live elsewhere). */
export interface PackFacts {
  host: Platform;
  /** Resolved paths of probed commands (cmake, ninja, ccache, compilers, strip, nvcc, …); null when absent. */
  tools: Record<string, string | null>;
  /** The accelerator toolkit's version (`13.0.88` from nvcc), when probed. */
  toolkitVersion: string | null;
  /** Parts of the toolkit the build links that are not installed (`cuBLAS (cublas_v2.h)`). */
  toolkitMissing: string[];
  /** `gcc (Debian 12.2.0-14) 12.2.0`-style first line of the C++ compiler's --version. */
  compilerVersion: string | null;
  /** Compiler library folders of a cross toolchain that bundles runtime DLLs (mingw). */
  runtimeLibDirs: string[];
  source: SourceFacts | null;
  /** Where builds and clones are cached. */
  cacheDir: string;
  cwd: string;
  /** Folder of @baiengine/packer (fixtures of local engine profiles live under it). */
  packerRoot: string;
  packerVersion: string;
  /** Parallel build jobs when --jobs is not given. */
  cpus: number;
  sourceDateEpoch: number | null;
  /** The machine has network access for cloning sources (false: refuse instead of trying). */
  network: boolean;
}
