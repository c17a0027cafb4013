/** Operating systems and CPU architectures of the registry, spelled as in file names and manifests. */
export const OS_VALUES = ["macos", "linux", "windows"] as const;
export type Os = (typeof OS_VALUES)[number];

export const ARCH_VALUES = ["aarch64", "x86_64"] as const;
export type Arch = (typeof ARCH_VALUES)[number];

/** A machine or build target: operating system and CPU architecture. */
export interface Platform {
  os: Os;
  arch: Arch;
}

export function isOs(value: string): value is Os {
  return (OS_VALUES as readonly string[]).includes(value);
}

export function isArch(value: string): value is Arch {
  return (ARCH_VALUES as readonly string[]).includes(value);
}

/** File name of the server binary on an OS: Windows executables end in `.exe`, others have no suffix. */
export function executableName(base: string, os: Os): string {
  return os === "windows" ? `${base}.exe` : base;
}

/** The registry's OS name for Node's `process.platform` (`darwin` → `macos`), or null for others. */
export function osFromNode(platform: string): Os | null {
  return platform === "darwin" ? "macos" : platform === "linux" ? "linux" : platform === "win32" ? "windows" : null;
}

/** The registry's arch name for Node's `process.arch` (`x64` → `x86_64`, `arm64` → `aarch64`), or null. */
export function archFromNode(arch: string): Arch | null {
  return arch === "x64" ? "x86_64" : arch === "arm64" ? "aarch64" : null;
}

/**
 * How a file name spells the OS and arch: the design's (`macos`, `windows`, `aarch64`, `x86_64`) or
 * Node's `process.platform`/`process.arch` (`darwin`, `win32`, `arm64`, `x64`), which the app's live
 * registry (packages.json) uses. `linux` is spelled alike in both.
 */
export type NameStyle = "design" | "node";
export const NAME_STYLES = ["design", "node"] as const satisfies readonly NameStyle[];

const NODE_OS: Record<Os, string> = { macos: "darwin", linux: "linux", windows: "win32" };
const NODE_ARCH: Record<Arch, string> = { aarch64: "arm64", x86_64: "x64" };

/** Every OS spelling a file name may use, both styles (`macos`, `darwin`, ...). */
export const OS_TOKENS: readonly string[] = [...new Set([...OS_VALUES, ...Object.values(NODE_OS)])];
/** Every arch spelling a file name may use, both styles (`aarch64`, `arm64`, ...). */
export const ARCH_TOKENS: readonly string[] = [...ARCH_VALUES, ...Object.values(NODE_ARCH)];

/** The OS as spelled in `style`: (`macos`, `node`) → `darwin`. */
export function osToken(os: Os, style: NameStyle): string {
  return style === "node" ? NODE_OS[os] : os;
}

/** The arch as spelled in `style`: (`x86_64`, `node`) → `x64`. */
export function archToken(arch: Arch, style: NameStyle): string {
  return style === "node" ? NODE_ARCH[arch] : arch;
}

/** Reads an OS token of either style; `style` is null for a token both styles share (`linux`). Null when unknown. */
export function readOsToken(token: string): { os: Os; style: NameStyle | null } | null {
  if (token === "linux") return { os: "linux", style: null };
  if (isOs(token)) return { os: token, style: "design" };
  const os = osFromNode(token);
  return os === null ? null : { os, style: "node" };
}

/** Reads an arch token of either style. Null when unknown. */
export function readArchToken(token: string): { arch: Arch; style: NameStyle } | null {
  if (isArch(token)) return { arch: token, style: "design" };
  const arch = archFromNode(token);
  return arch === null ? null : { arch, style: "node" };
}
