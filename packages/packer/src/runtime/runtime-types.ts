import type { Arch, Os, RuntimeManifest } from "@baiengine/schema";

export interface RuntimePackOptions {
  /** Accelerator token whose runtime is packed: `cuda12`, `cuda13`, `rocm6`. */
  accel: string;
  /** Engine whose stand-in runtime profile is preferred (`hello`: the fixture's stub runtime); default the token's own runtime. */
  engine?: string;
  os?: Os;
  arch?: Arch;
  /** Output folder (default dist/runtimes). */
  out?: string;
  /** The toolkit's root folder (default: $CUDA_PATH, $CUDA_HOME, /usr/local/cuda, else the folder above nvcc's real path; ROCm: $ROCM_PATH, /opt/rocm, hipcc). */
  toolkit?: string;
  /** Folders of engine binaries whose links choose the libraries (default: the profile's seeds). */
  from?: string[];
  /** The packer's build cache, where a stand-in runtime's toolkit (its engine's build folder) lies (default as pack-engine's). */
  cacheDir?: string;
  /** Seconds since the epoch for every entry (default SOURCE_DATE_EPOCH, else the newest packed file's mtime). */
  sourceDateEpoch?: number;
}

/** One library reached from the seeds, as the toolkit has it. */
export interface ToolkitLibrary {
  /** The name it is linked by (soname / DLL name). */
  name: string;
  /** Who links it: the profile's `seedsLinkedBy` for a seed, an engine binary (--from), or another toolkit library. */
  neededBy: string;
  /** The path under a library folder (may be a symlink), or null when the toolkit lacks it. */
  path: string | null;
  /** The real file behind `path`. */
  realPath: string | null;
  /** Its own DT_NEEDED / imports. */
  needed: string[];
}

/** What gatherRuntimeFacts read from the machine; planRuntimePack decides from these alone. */
export interface RuntimeFacts {
  host: { os: Os; arch: Arch };
  /** The toolkit root and how it was found, or null with the places tried and, when it is not --toolkit, what to do. */
  toolkit: { root: string; from: string } | { root: null; tried: string[]; fix?: string };
  /** Libraries reached from the seeds, in the order reached. */
  libraries: ToolkitLibrary[];
  /** Each version source of the profile and what it gave. */
  versions: { source: string; value: string | null }[];
  /** Each licence: the first existing source, or null. */
  licenses: { to: string; from: string | null; tried: string[] }[];
  /** Each data folder of the profile, found beside the library that owns it, or null. */
  dataDirs: { dir: string; path: string | null }[];
  /** Names the engine's binaries link (with --from), with the binary that links each. */
  engineLinks: { name: string; by: string }[] | null;
  /** Newest mtime (seconds) of the files to pack: the default archive time. */
  newestMtime: number | null;
  /** SOURCE_DATE_EPOCH when set. */
  sourceDateEpoch: number | null;
}

export interface RuntimePackPlan {
  runtimeId: string;
  version: string | null;
  target: { os: Os; arch: Arch; token: string };
  toolkitRoot: string | null;
  /** Library files, copied byte for byte (vendors forbid modifying them), under their link names. */
  files: { from: string; to: string; name: string; neededBy: string }[];
  /** Folders copied whole beside the libraries (rocBLAS's kernels). */
  dataDirs: { from: string; to: string }[];
  licenses: { from: string; to: string }[];
  /** Libraries left to the OS (libc, libm, the driver). */
  system: string[];
  manifest: RuntimeManifest | null;
  mtime: number | null;
  outDir: string;
  outFile: string | null;
  tempFile: string | null;
  checksumFile: string | null;
  /** Why this plan cannot run: a real pack refuses with the first. */
  blockers: string[];
}
