import { compareVersions } from "@baiengine/verifier";
import type { Requirements } from "@baiengine/schema";
import type { CollectedFile } from "../collect/collect-closure.js";

/** The highest GLIBC/GLIBCXX symbol versions and macOS minimum over every collected binary. */
export function binaryRequirements(files: readonly CollectedFile[]): Pick<Requirements, "glibc" | "glibcxx" | "macosMin"> {
  const max = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : compareVersions(a, b) >= 0 ? a : b);
  let glibc: string | undefined;
  let glibcxx: string | undefined;
  let macosMin: string | undefined;
  for (const f of files) {
    glibc = max(glibc, f.info.symbolVersions["GLIBC"]);
    glibcxx = max(glibcxx, f.info.symbolVersions["GLIBCXX"]);
    macosMin = max(macosMin, f.info.macosMin);
  }
  return { ...(glibc ? { glibc } : {}), ...(glibcxx ? { glibcxx } : {}), ...(macosMin ? { macosMin } : {}) };
}
