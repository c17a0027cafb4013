import type { BinaryInfo } from "./binary-info.js";

/** The part of a binary that runs on `arch`: a fat Mach-O's matching slice, else the binary itself if it matches; null if none. */
export function selectSlice(info: BinaryInfo, arch: "x86_64" | "aarch64"): BinaryInfo | null {
  if (info.slices) return info.slices.find((s) => s.arch === arch) ?? null;
  return info.arch === arch ? info : null;
}
