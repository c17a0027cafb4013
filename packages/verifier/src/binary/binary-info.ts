/** What the verifier and the packer need to know about one native binary. */
export type BinaryFormat = "elf" | "macho" | "pe";

export interface BinaryInfo {
  format: BinaryFormat;
  /** ELF → linux, Mach-O → macos, PE → windows. */
  os: "linux" | "macos" | "windows";
  /** null: a machine the registry does not ship (see `machine`). */
  arch: "x86_64" | "aarch64" | null;
  /** e.g. "x86_64", "aarch64", "riscv", "i386", "arm"; "x86_64+aarch64" for a fat Mach-O. */
  machine: string;
  kind: "executable" | "library" | "other";
  /** DT_NEEDED / LC_LOAD_DYLIB (+weak, reexport, lazy, upward) / PE import and delay-import DLL names. */
  needed: string[];
  /** ELF DT_RPATH entries; Mach-O LC_RPATH. */
  rpath: string[];
  /** ELF DT_RUNPATH entries. */
  runpath: string[];
  soname?: string;
  interpreter?: string;
  /** Highest required version per family from .gnu.version_r, e.g. { GLIBC: "2.34", GLIBCXX: "3.4.30" }. */
  symbolVersions: Record<string, string>;
  macosMin?: string;
  /** Fat Mach-O: one per architecture. */
  slices?: BinaryInfo[];
}

/** The magic was recognised but the headers are truncated, inconsistent or absurd. */
export class BinaryFormatError extends Error {
  override name = "BinaryFormatError";
}

