import type { ArchiveTimeRule } from "./archive-time.js";
import type { Accelerator, Arch, Manifest, Os } from "@baiengine/schema";
import type { AcceleratorProfile, EngineProfile, ToolchainProfile } from "@baiengine/profiles";

export interface PackOptions {
  engine?: string;
  version?: string;
  os?: Os;
  arch?: Arch;
  accel: string;
  source?: string;
  out?: string;
  jobs?: number;
  cmakeArgs?: string[];
  strip?: boolean;
  sourceDateEpoch?: number;
  cacheDir?: string;
}

/** A command to run: argv plus the folder and extra environment. */
export interface PlannedCommand {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Where the package's files come from in the build tree and where they go under package/. */
export interface CollectPlan {
  /** Build-tree folder with the executables and shared libraries. */
  binaryDir: string;
  serverBinary: { from: string; to: string };
  /** Package folder for linked libraries found in the build tree: `libs` (ELF/Mach-O) or `` (Windows: beside the .exe). */
  libraryDir: string;
  /** Run-time modules (ggml backends): every `<prefix>*<ext>` of the module folder, copied beside the server binary. */
  modules: { dir: string; prefix: string; extension: string; exclude: string[]; to: string } | null;
  /** Toolchain folders searched for imported runtime libraries (mingw DLLs), copied beside the .exe. */
  runtimeLibDirs: string[];
  licenseFiles: { from: string; to: string }[];
  /**
   * How to strip, or null. `env` holds SOURCE_DATE_EPOCH (the archive time): binutils' PE writer
   * (strip, objcopy) stamps each .exe/.dll's COFF TimeDateStamp with it, else with the current time,
   * so a Windows package would differ on every pack.
   */
  strip: { tool: string; args: string[]; env: Record<string, string> } | null;
}

export interface PackPlan {
  /** `llama-cpp-0.5.0-linux-x86_64-cpu`: the package file name without `.baiengine`. */
  packageStem: string;
  engine: EngineProfile;
  accelerator: AcceleratorProfile;
  toolchain: ToolchainProfile;
  target: { os: Os; arch: Arch; token: string; accelerator: Accelerator };
  version: string;
  /** Where the version came from: `--version`, `git tag`, `CMakeLists.txt`. */
  versionFrom: string;
  source: {
    dir: string | null;
    /** Clone this tag into dir before building (no --source given). */
    clone: { repository: string; tag: string } | null;
    /** The npm package to fetch the source from first (profile source kind `npm`). */
    npm: { spec: string; folder: string } | null;
    commit: string | null;
  };
  /** Seconds since the epoch used for every archive entry (null: no source to read yet). */
  mtime: number | null;
  /** Which rule chose `mtime` (see chooseArchiveTime). */
  mtimeFrom: ArchiveTimeRule | null;
  cacheKey: string;
  buildDir: string;
  logFile: string;
  /** Generated corrections of toolchain headers (see ToolchainProfile.headerFixes), written before configuring. */
  headerFixes: { dir: string; files: { path: string; content: string; reason: string }[] } | null;
  /** Generated CMake toolchain file (cross builds). */
  toolchainFile: { path: string; content: string } | null;
  /** Every -D define, in order (user --cmake-arg defines override the profile's). */
  defines: Record<string, string>;
  /** --cmake-arg values that are not -D defines, passed through verbatim. */
  extraCmakeArgs: string[];
  generator: string | null;
  configure: PlannedCommand;
  build: PlannedCommand;
  collect: CollectPlan;
  /**
   * The runtime pack a package of this accelerator is expected to name (its profile's seeds are what
   * ggml's GPU backend links), shared by every engine whose packages link them; null when the
   * accelerator needs none. The manifest's `runtime` is still derived from the staged binaries.
   */
  runtimePack: { id: string; seeds: string[]; linkedBy: string } | null;
  manifest: Manifest;
  outDir: string;
  outFile: string;
  /** Written first, verified, then renamed to outFile. */
  tempFile: string;
  checksumFile: string;
  /** Why this plan could not run here (dry runs only: a real pack refuses instead). */
  blockers: string[];
}
