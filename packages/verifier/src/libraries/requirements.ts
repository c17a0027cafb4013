import { maxDottedVersion } from "@baiengine/schema";
import type { BinaryInfo } from "../binary/binary-info.js";

/** What a machine needs to run a set of binaries; the manifest's `requirements` take these fields. */
export interface LibraryRequirements {
  /** Highest GLIBC_x.y symbol version any binary imports (ELF). */
  glibc?: string;
  /** Highest GLIBCXX_x.y.z symbol version (ELF, libstdc++). */
  glibcxx?: string;
  /** Highest minimum macOS (LC_BUILD_VERSION / LC_VERSION_MIN_MACOSX). */
  macosMin?: string;
  /** Driver and GPU runtime libraries the binaries need but the package does not bundle, sorted. */
  systemLibraries: string[];
}

/**
 * The one computation of a package's requirements, for the verifier's report and the packer's
 * manifest: the highest symbol versions and minimum macOS over `infos` (the slices that run on
 * the target), and the driver and runtime names the policy left to the machine.
 */
export function libraryRequirements(infos: Iterable<BinaryInfo>, systemLibraries: Iterable<string>): LibraryRequirements {
  let glibc: string | undefined;
  let glibcxx: string | undefined;
  let macosMin: string | undefined;
  for (const info of infos) {
    glibc = maxDottedVersion(glibc, info.symbolVersions["GLIBC"]);
    glibcxx = maxDottedVersion(glibcxx, info.symbolVersions["GLIBCXX"]);
    macosMin = maxDottedVersion(macosMin, info.macosMin);
  }
  return {
    ...(glibc ? { glibc } : {}),
    ...(glibcxx ? { glibcxx } : {}),
    ...(macosMin ? { macosMin } : {}),
    systemLibraries: [...new Set(systemLibraries)].sort(),
  };
}
