/**
 * Orders engine versions of the two schemes engines use:
 * - llama.cpp build numbers: `b4618` < `b4700` (a `b` prefix, then a number);
 * - semver-ish dotted versions, with an optional `v`: `0.5.0` < `0.10.0`, `1.2` = `1.2.0`, and a
 *   pre-release (`1.0.0-rc.1`) lower than its release. Build metadata (`+...`) is ignored.
 * Versions of different schemes (`b4618` vs `0.5.0`) have no order: `compareEngineVersions` returns null.
 */
export type VersionScheme = "build" | "dotted";

interface ParsedVersion {
  scheme: VersionScheme;
  /** Numeric or alphanumeric parts of the release: `0.10.0` → [0, 10, 0]. */
  release: (number | string)[];
  /** Pre-release identifiers: `rc.1` → ["rc", 1]; empty for a release. */
  pre: (number | string)[];
}

const identifiers = (text: string): (number | string)[] =>
  text.split(/[._]/).filter((s) => s !== "").map((s) => (/^\d+$/.test(s) ? Number(s) : s));

export function parseVersion(version: string): ParsedVersion {
  const withoutBuild = version.split("+")[0]!;
  const dash = withoutBuild.indexOf("-");
  const main = dash < 0 ? withoutBuild : withoutBuild.slice(0, dash);
  const pre = dash < 0 ? [] : identifiers(withoutBuild.slice(dash + 1));
  if (/^b\d/.test(main)) return { scheme: "build", release: identifiers(main.slice(1)), pre };
  return { scheme: "dotted", release: identifiers(main.replace(/^v(?=\d)/, "")), pre };
}

/** Numbers before words; numbers numerically, words by code point (semver's identifier order). */
function compareIdentifier(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1; null when the two versions belong to different schemes and cannot be ordered. */
export function compareEngineVersions(a: string, b: string): -1 | 0 | 1 | null {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (pa.scheme !== pb.scheme) return null;
  const length = Math.max(pa.release.length, pb.release.length);
  for (let i = 0; i < length; i++) {
    const c = compareIdentifier(pa.release[i] ?? 0, pb.release[i] ?? 0);
    if (c !== 0) return c as -1 | 1;
  }
  // A release ranks above its pre-releases.
  if (pa.pre.length === 0 || pb.pre.length === 0) return pa.pre.length === pb.pre.length ? 0 : pa.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareIdentifier(x, y);
    if (c !== 0) return c as -1 | 1;
  }
  return 0;
}
