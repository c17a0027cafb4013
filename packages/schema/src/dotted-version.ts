/**
 * Dotted numeric versions: glibc and GLIBCXX symbol versions (`2.17`, `3.4.30`), macOS versions
 * (`14.2`), toolkit and runtime versions (`13.0.88`), compute capabilities (`8.6`). Parts compare as
 * numbers, by their leading digits (`36-9` is 36; a part without digits is 0), and a missing part is
 * 0 (`13` = `13.0`). Engine versions are another scheme (build numbers,
 * pre-releases): `compareEngineVersions` in registry-cli orders those.
 */

/** Negative, 0 or positive as `a` is below, equal to or above `b` (`2.17` < `2.34`, `3.4.9` < `3.4.30`). */
export function compareDottedVersions(a: string, b: string): number {
  const pa = dottedParts(a);
  const pb = dottedParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The numbers of a dotted version: `13.0.88` → [13, 0, 88], `2.36-9` → [2, 36]. */
export function dottedParts(version: string): number[] {
  return version.split(".").map((part) => Number.parseInt(part, 10) || 0);
}

/** The higher of two dotted versions; either may be absent. */
export function maxDottedVersion(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareDottedVersions(a, b) >= 0 ? a : b;
}
