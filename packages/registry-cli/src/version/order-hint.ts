import { parseVersion } from "./compare-versions.js";

/**
 * Why `version` orders below `floor` when a person would expect it above: a pre-release identifier
 * that mixes letters and digits (`rc10`) is compared as text, so `rc10` < `rc9` (SemVer 2.0.0 §11.4.3:
 * alphanumeric identifiers compare in ASCII order). Returns the explanation with the spelling that
 * orders as meant (`rc.10`, whose number compares as a number), or null when that is not the cause.
 */
export function preReleaseOrderHint(version: string, floor: string): string | null {
  const a = parseVersion(version).pre;
  const b = parseVersion(floor).pre;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const mx = typeof x === "string" ? /^([A-Za-z-]+)(\d+)$/.exec(x) : null;
    const my = typeof y === "string" ? /^([A-Za-z-]+)(\d+)$/.exec(y) : null;
    if (!mx || !my || mx[1] !== my[1] || Number(mx[2]) <= Number(my[2])) return null;
    const dotted = version.replace(x as string, `${mx[1]}.${mx[2]}`);
    return `SemVer compares the pre-release "${x}" with "${y}" as text, so ${x} sorts before ${y}; publish it as ${dotted} (a number after a dot compares as a number)`;
  }
  return null;
}
