import { type Accelerator, acceleratorFamily } from "./accelerator.js";
import type { Arch, Os } from "./platform.js";

/** One row of the platform matrix: an OS/arch pair and the accelerator families built for it. */
export interface PlatformMatrixRow {
  os: Os;
  arch: Arch;
  accelerators: readonly Accelerator[];
  /** `design` rows come from the registry design; `extension` rows were added by this project. */
  origin: "design" | "extension";
}

/**
 * The platform matrix as data. The design's rows first, verbatim; extensions below them. Adding a
 * platform is adding a row here (and a build profile in the packer), never new code.
 */
export const PLATFORM_MATRIX: readonly PlatformMatrixRow[] = [
  { os: "macos", arch: "aarch64", accelerators: ["metal", "cpu"], origin: "design" },
  { os: "macos", arch: "x86_64", accelerators: ["cpu"], origin: "design" },
  { os: "linux", arch: "x86_64", accelerators: ["cuda", "cpu", "rocm"], origin: "design" },
  { os: "windows", arch: "x86_64", accelerators: ["cuda", "cpu"], origin: "design" },
  { os: "linux", arch: "aarch64", accelerators: ["cpu"], origin: "extension" },
  { os: "linux", arch: "x86_64", accelerators: ["vulkan"], origin: "extension" },
  { os: "windows", arch: "x86_64", accelerators: ["vulkan"], origin: "extension" },
];

/**
 * Whether the matrix allows a build for this platform. `accelerator` may be a family (`cuda`) or a
 * file-name token (`cuda12`). Pass `matrix` to check against another table (tests, experiments).
 */
export function isSupportedPlatform(
  os: string,
  arch: string,
  accelerator: string,
  matrix: readonly PlatformMatrixRow[] = PLATFORM_MATRIX,
): boolean {
  const family = acceleratorFamily(accelerator);
  if (family === null) return false;
  return matrix.some((row) => row.os === os && row.arch === arch && row.accelerators.includes(family));
}

/** Every (os, arch, accelerator family) triple the matrix allows, in table order. */
export function supportedPlatforms(
  matrix: readonly PlatformMatrixRow[] = PLATFORM_MATRIX,
): { os: Os; arch: Arch; accelerator: Accelerator; origin: PlatformMatrixRow["origin"] }[] {
  return matrix.flatMap((row) => row.accelerators.map((accelerator) => ({ os: row.os, arch: row.arch, accelerator, origin: row.origin })));
}
