import { checkNamePart, FilenameError, findPlatform, VERSION_START } from "./naming.js";
import { ARCH_VALUES, type Arch, archToken, isArch, isOs, type NameStyle, OS_VALUES, type Os, osToken } from "./platform.js";

/**
 * Runtime pack file names (extension of the design): `{runtimeId}-{version}-{os}-{arch}.bairuntime`,
 * e.g. `cuda13-runtime-13.0.88-linux-x86_64.bairuntime`. Runtime ids follow the engine-id rule (no
 * part starts like a version), so the name splits the same way: os and arch are the last two parts,
 * and the version starts at the first part that starts with a digit or `b`/`v` plus a digit. As for
 * engine packages, os and arch may be spelled the design's way or Node's (`cuda13-runtime-13.1.0-win32-x64.bairuntime`,
 * as the app's live registry names them).
 */
export const RUNTIME_EXTENSION = ".bairuntime";

export interface RuntimeName {
  /** `cuda13-runtime`, `rocm6-runtime`. */
  runtimeId: string;
  /** The toolkit's version (`13.0.88`). */
  version: string;
  os: Os;
  arch: Arch;
  /** Spelling of os and arch in the name; `design` when absent. */
  style?: NameStyle;
}

export type RuntimeNamePart = "extension" | "runtimeId" | "version" | "os" | "arch";

/** A runtime pack's file name that does not parse. */
export class RuntimeFilenameError extends FilenameError<RuntimeNamePart> {}

/** Why a runtime id is invalid, or null: the engine-id rule, with "runtime id" in the message. */
export function checkRuntimeId(value: string): string | null {
  return checkNamePart("engineId", value) === null
    ? null
    : `runtime id ${JSON.stringify(value)} must be a lowercase slug (a-z, 0-9, single hyphens) whose parts do not start with a digit or b/v plus a digit`;
}

/** `{runtimeId}-{version}-{os}-{arch}.bairuntime`; throws a RuntimeFilenameError naming the bad part. */
export function formatRuntimeFilename(name: RuntimeName): string {
  const style = name.style ?? "design";
  const os = isOs(name.os) ? osToken(name.os, style) : name.os;
  const arch = isArch(name.arch) ? archToken(name.arch, style) : name.arch;
  const stem = `${name.runtimeId}-${name.version}-${os}-${arch}`;
  const problems: [RuntimeNamePart, string | null][] = [
    ["runtimeId", checkRuntimeId(name.runtimeId)],
    ["version", checkNamePart("version", name.version)],
    ["os", isOs(name.os) ? null : `os ${JSON.stringify(name.os)} is not one of ${OS_VALUES.join(", ")}`],
    ["arch", isArch(name.arch) ? null : `arch ${JSON.stringify(name.arch)} is not one of ${ARCH_VALUES.join(", ")}`],
  ];
  for (const [part, problem] of problems) {
    if (problem !== null) throw new RuntimeFilenameError(stem + RUNTIME_EXTENSION, part, problem);
  }
  return stem + RUNTIME_EXTENSION;
}

/** Parses a runtime pack file name; throws a RuntimeFilenameError whose `part` says what is wrong. */
export function parseRuntimeFilename(filename: string): RuntimeName & { style: NameStyle } {
  const fail = (part: RuntimeNamePart, reason: string): never => {
    throw new RuntimeFilenameError(filename, part, reason);
  };
  if (!filename.endsWith(RUNTIME_EXTENSION)) fail("extension", `must end in ${RUNTIME_EXTENSION}`);
  const parts = filename.slice(0, -RUNTIME_EXTENSION.length).split("-");
  const found = findPlatform(parts.slice(-2));
  if ("part" in found) return fail(found.part, found.reason);
  const { os, arch, style } = found as Exclude<typeof found, { part: string }>;
  parts.splice(-2);
  const versionAt = parts.findIndex((p) => VERSION_START.test(p));
  if (versionAt < 0) fail("version", "no version before the os (a version starts with a digit, or b/v plus a digit)");
  if (versionAt === 0) fail("runtimeId", "missing runtime id before the version");
  const runtimeId = parts.slice(0, versionAt).join("-");
  const version = parts.slice(versionAt).join("-");
  const idProblem = checkRuntimeId(runtimeId);
  if (idProblem) fail("runtimeId", idProblem);
  const versionProblem = checkNamePart("version", version);
  if (versionProblem) fail("version", versionProblem);
  return { runtimeId, version, os, arch, style };
}

export function safeParseRuntimeFilename(filename: string): { ok: true; value: RuntimeName & { style: NameStyle } } | { ok: false; error: RuntimeFilenameError } {
  try {
    return { ok: true, value: parseRuntimeFilename(filename) };
  } catch (error) {
    if (error instanceof RuntimeFilenameError) return { ok: false, error };
    throw error;
  }
}
