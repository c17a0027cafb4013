import type { Os } from "@baiengine/schema";

/** How a source tree declares its version when it has no tag (first rule that matches wins). */
export type VersionRule =
  /** `set(NAME_MAJOR 0)`, `set(NAME_MINOR 5)`, `set(NAME_PATCH 0)` in a CMake file → `0.5.0`. */
  | { kind: "cmake-set"; file: string; major: string; minor: string; patch: string }
  /** `project(name VERSION 0.1.0 ...)` in a CMake file. */
  | { kind: "cmake-project"; file: string };

/** Where the run-time modules (loaded with dlopen/LoadLibrary, never linked) come from and go. */
export interface RuntimeModules {
  /** File-name prefix per OS, e.g. `libggml-` (posix) / `ggml-` (windows). */
  prefix: Partial<Record<Os, string>> & { default: string };
  /** Extension per OS: ggml uses `.so` on macOS too. */
  extension: Record<Os, string>;
  /** Folder of the build tree (relative) where the modules are written. */
  buildDir: string;
  /** Names that match the prefix but are linked libraries, not modules (`ggml-base`). */
  exclude: string[];
}

export interface EngineProfile {
  id: string;
  name: string;
  description: string;
  modelFormats: string[];
  source:
    | { kind: "git"; repository: string; tag: (version: string) => string }
    | { kind: "local"; dir: string /* package-relative, e.g. fixtures/hello */ };
  /** Files whose presence says a folder is this engine's source. */
  sourceMarkers: string[];
  versionRules: VersionRule[];
  cmakeTarget: string;
  serverBinary: string;
  /** Folder of the build tree (relative) where executables and shared libraries are written. */
  binaryDir: string;
  licenseFiles: string[];
  runtimeModules: RuntimeModules | null;
  /** Defines every build of this engine gets, with the reason beside each decision. */
  cmakeDefines: Record<string, string>;
  /** Why each engine define is set (printed by --dry-run, recorded in the profile). */
  defineReasons: Record<string, string>;
  /** The engine builds on ggml and takes the accelerator profile's defines; otherwise cpu only. */
  acceleratorDefines: boolean;
  /** Accelerator tokens this engine can be built for; null = every accelerator profile. */
  tokens: string[] | null;
  /** Extra compiler flags and CMake defines per toolchain id (what that toolchain lacks or defaults differently), with the reason. */
  toolchainFlags: Record<string, { cFlags: string[]; defines?: Record<string, string>; reason: string }>;
}
