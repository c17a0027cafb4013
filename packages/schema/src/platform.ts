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
