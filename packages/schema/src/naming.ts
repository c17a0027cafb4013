import { type Accelerator, safeParseAcceleratorToken } from "./accelerator.js";
import {
  ARCH_TOKENS,
  ARCH_VALUES,
  type Arch,
  archToken,
  isArch,
  isOs,
  type NameStyle,
  OS_TOKENS,
  OS_VALUES,
  type Os,
  osToken,
  readArchToken,
  readOsToken,
} from "./platform.js";

/**
 * Package file names: `{engine_id}-{version}-{os}-{arch}-{accelerator}[-{variant}].baiengine`.
 *
 * Engine ids and versions may both contain hyphens, so the name is split in two steps:
 * 1. the os and arch tokens are located from the right (the rightmost `{os}-{arch}` pair); what
 *    follows them is the accelerator token and an optional variant;
 * 2. what precedes them is split at the first hyphen-separated segment that starts a version: a
 *    segment starting with a digit, or with `b` or `v` followed by a digit (`b4618`, `v1`, `26.4.20`).
 *    Engine ids therefore never have such a segment (`llama-cpp`, `stable-diffusion-cpp`).
 * The os and arch tokens may be spelled the design's way (`macos-aarch64`) or Node's, as the app's
 * live registry does (`darwin-arm64`, `win32-x64`); one name uses one style (see NameStyle).
 */
export const PACKAGE_EXTENSION = ".baiengine";

/** A segment that begins a version: `4618`, `b4618`, `v1.2`, `26.4.20`. */
export const VERSION_START = /^(?:\d|[bv]\d)/;

/** Lowercase slug whose segments never look like the start of a version. */
export const ENGINE_ID_PATTERN = /^(?!(?:\d|[bv]\d))[a-z0-9]+(?:-(?!(?:\d|[bv]\d))[a-z0-9]+)*$/;

/** A version: starts like a version, then letters, digits, dots, underscores and hyphen-separated parts. */
export const VERSION_PATTERN = /^(?:\d|[bv]\d)[0-9A-Za-z._]*(?:-[0-9A-Za-z._]+)*$/;

/** Hardware-specific build variant after the accelerator token (`gh200` in `cuda13-gh200`). */
export const VARIANT_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface PackageName {
  engineId: string;
  version: string;
  os: Os;
  arch: Arch;
  /** File-name accelerator token: `cpu`, `metal`, `cuda12`, `rocm6`, ... */
  acceleratorToken: string;
  variant?: string;
  /** Spelling of the os and arch tokens; default `design`. */
  style?: NameStyle;
}

export interface ParsedPackageName extends PackageName {
  style: NameStyle;
  accelerator: Accelerator;
  /** Toolkit major from the token (`cuda12` → 12); null for unversioned families. */
  acceleratorMajor: number | null;
}

export type PackageNamePart = "extension" | "engineId" | "version" | "os" | "arch" | "accelerator" | "variant";

/** A file name that does not parse; `part` says which part is wrong, the message why. */
export class FilenameError<Part extends string> extends Error {
  constructor(
    readonly filename: string,
    readonly part: Part,
    reason: string,
  ) {
    super(`${JSON.stringify(filename)}: ${reason}`);
    this.name = new.target.name;
  }
}

/** An engine package's file name that does not parse. */
export class PackageFilenameError extends FilenameError<PackageNamePart> {}

export function isEngineId(value: string): boolean {
  return ENGINE_ID_PATTERN.test(value);
}

export function isVersion(value: string): boolean {
  return VERSION_PATTERN.test(value);
}

export function isVariant(value: string): boolean {
  return VARIANT_PATTERN.test(value) && !value.split("-").some((s) => OS_TOKENS.includes(s));
}

/** Why a name part is invalid, or null when it is fine. */
export function checkNamePart(part: "engineId" | "version" | "variant", value: string): string | null {
  switch (part) {
    case "engineId":
      return isEngineId(value)
        ? null
        : `engine id ${JSON.stringify(value)} must be a lowercase slug (a-z, 0-9, single hyphens) whose parts do not start with a digit or b/v plus a digit`;
    case "version":
      return isVersion(value)
        ? null
        : `version ${JSON.stringify(value)} must start with a digit or b/v plus a digit, then letters, digits, '.', '_' and single hyphens`;
    case "variant":
      return isVariant(value)
        ? null
        : `variant ${JSON.stringify(value)} must be a lowercase slug that names no OS (${OS_TOKENS.join(", ")})`;
  }
}

export function formatPackageFilename(name: PackageName): string {
  const problems: [PackageNamePart, string | null][] = [
    ["engineId", checkNamePart("engineId", name.engineId)],
    ["version", checkNamePart("version", name.version)],
    ["os", isOs(name.os) ? null : `os ${JSON.stringify(name.os)} is not one of ${OS_VALUES.join(", ")}`],
    ["arch", isArch(name.arch) ? null : `arch ${JSON.stringify(name.arch)} is not one of ${ARCH_VALUES.join(", ")}`],
    ["accelerator", tokenProblem(name.acceleratorToken)],
    ["variant", name.variant === undefined ? null : checkNamePart("variant", name.variant)],
  ];
  const style = name.style ?? "design";
  const os = isOs(name.os) ? osToken(name.os, style) : name.os;
  const arch = isArch(name.arch) ? archToken(name.arch, style) : name.arch;
  const stem = [name.engineId, name.version, os, arch, name.acceleratorToken, name.variant].filter((p) => p !== undefined).join("-");
  for (const [part, problem] of problems) {
    if (problem !== null) throw new PackageFilenameError(stem + PACKAGE_EXTENSION, part, problem);
  }
  return stem + PACKAGE_EXTENSION;
}

function tokenProblem(token: string): string | null {
  const parsed = safeParseAcceleratorToken(token);
  return parsed.ok ? null : parsed.error;
}

export function safeParsePackageFilename(
  filename: string,
): { ok: true; value: ParsedPackageName } | { ok: false; error: PackageFilenameError } {
  try {
    return { ok: true, value: parsePackageFilename(filename) };
  } catch (error) {
    if (error instanceof PackageFilenameError) return { ok: false, error };
    throw error;
  }
}

/** Parses a package file name; throws a PackageFilenameError that says which part is wrong. */
export function parsePackageFilename(filename: string): ParsedPackageName {
  const fail = (part: PackageNamePart, reason: string): never => {
    throw new PackageFilenameError(filename, part, reason);
  };
  if (!filename.endsWith(PACKAGE_EXTENSION)) fail("extension", `must end in ${PACKAGE_EXTENSION}`);
  const parts = filename.slice(0, -PACKAGE_EXTENSION.length).split("-");

  const found = findPlatform(parts);
  if ("part" in found) fail(found.part, found.reason);
  const { at, os, arch, style } = found as FoundPlatform;
  const [acceleratorToken, ...variantParts] = parts.slice(at + 2);
  if (acceleratorToken === undefined || acceleratorToken === "") fail("accelerator", "missing accelerator token after the arch");
  const token = safeParseAcceleratorToken(acceleratorToken!);
  if (!token.ok) fail("accelerator", token.error);
  const variant = variantParts.length > 0 ? variantParts.join("-") : undefined;
  if (variant !== undefined) {
    const problem = checkNamePart("variant", variant);
    if (problem) fail("variant", problem);
  }

  const head = parts.slice(0, at);
  const versionAt = head.findIndex((p) => VERSION_START.test(p));
  if (versionAt < 0) fail("version", "no version before the os (a version starts with a digit, or b/v plus a digit)");
  if (versionAt === 0) fail("engineId", "missing engine id before the version");
  const engineId = head.slice(0, versionAt).join("-");
  const version = head.slice(versionAt).join("-");
  const idProblem = checkNamePart("engineId", engineId);
  if (idProblem) fail("engineId", idProblem);
  const versionProblem = checkNamePart("version", version);
  if (versionProblem) fail("version", versionProblem);

  const parsed = token.ok ? token.value : (undefined as never);
  return {
    engineId,
    version,
    os,
    arch,
    acceleratorToken: acceleratorToken!,
    ...(variant !== undefined ? { variant } : {}),
    style,
    accelerator: parsed.accelerator,
    acceleratorMajor: parsed.major,
  };
}

/** The style a package file name spells its os and arch in; null when the name does not parse. */
export function packageFilenameStyle(filename: string): NameStyle | null {
  const parsed = safeParsePackageFilename(filename);
  return parsed.ok ? parsed.value.style : null;
}

export interface FoundPlatform {
  /** Index of the os part. */
  at: number;
  os: Os;
  arch: Arch;
  style: NameStyle;
}

/**
 * The rightmost `{os}-{arch}` pair of a name's parts, in either style, or which part is wrong and why.
 * A pair that mixes the styles (`macos-arm64`) is refused: no tool writes one.
 */
export function findPlatform(parts: string[]): FoundPlatform | { part: "os" | "arch"; reason: string } {
  for (let i = parts.length - 2; i >= 0; i--) {
    const os = readOsToken(parts[i]!);
    const arch = readArchToken(parts[i + 1]!);
    if (os === null || arch === null) continue;
    if (os.style !== null && os.style !== arch.style) {
      const both = (style: NameStyle) => `${osToken(os.os, style)}-${archToken(arch.arch, style)}`;
      return { part: "arch", reason: `"${parts[i]}-${parts[i + 1]}" mixes spellings: use ${both("design")} or ${both("node")}` };
    }
    return { at: i, os: os.os, arch: arch.arch, style: arch.style };
  }
  const osAt = parts.findLastIndex((p) => readOsToken(p) !== null);
  if (osAt < 0) return { part: "os", reason: `no os token (one of ${OS_TOKENS.join(", ")}) before the accelerator` };
  return { part: "arch", reason: `arch ${JSON.stringify(parts[osAt + 1] ?? "")} after os "${parts[osAt]}" is not one of ${ARCH_TOKENS.join(", ")}` };
}

/**
 * The package name a browser changed when the same file was downloaded twice: `name (1).baiengine`
 * (Chrome, Edge, Safari) or `name(1).baiengine` (Firefox), also for `.bairuntime`. Returns the name
 * without the suffix, or null when `filename` has none. The package is then identified by that name,
 * which the verifier checks against its manifest.
 */
export function withoutDuplicateSuffix(filename: string): string | null {
  const m = /^(.+?) ?\(\d{1,4}\)(\.baiengine|\.bairuntime)$/.exec(filename);
  return m ? `${m[1]}${m[2]}` : null;
}
