import { platformKey, type Registry } from "@baiengine/schema";
import { publishedVersions } from "../history/engine-history.js";

export interface ListRow {
  engine: string;
  /** `stable`, `prerelease`, or another channel of `versions[]`. */
  channel: string;
  version: string;
  platform: string;
  filename: string;
  size: number;
  /** Why the version was yanked, when it was. */
  yanked?: string;
}

/** One row per package: the latest stable, then the pre-release, then the older versions of the history (newest first), in index order. */
export function listRows(registry: Registry): ListRow[] {
  return registry.engines.flatMap((e) => {
    const history = publishedVersions(e);
    const yanked = new Map(history.flatMap((v) => (v.yanked ? [[v.version, v.yanked.reason] as const] : [])));
    const row = (channel: string, version: string) => (p: (typeof e.packages)[number]): ListRow => ({
      engine: e.id,
      channel,
      version,
      platform: platformKey(p),
      filename: p.filename,
      size: p.size,
      ...(yanked.has(version) ? { yanked: yanked.get(version)! } : {}),
    });
    const older = history.filter((v) => v.version !== e.latestVersion && v.version !== e.prerelease?.version);
    return [
      ...e.packages.map(row("stable", e.latestVersion)),
      ...(e.prerelease ? e.prerelease.packages.map(row("prerelease", e.prerelease.version)) : []),
      ...older.flatMap((v) => v.packages.map(row(v.channel, v.version))),
    ];
  });
}

/** A plain text table with aligned columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
