import { platformKey, type Registry } from "@baiengine/schema";

export interface ListRow {
  engine: string;
  channel: "stable" | "prerelease";
  version: string;
  platform: string;
  filename: string;
  size: number;
}

/** One row per package, stable then pre-release, in index order. */
export function listRows(registry: Registry): ListRow[] {
  return registry.engines.flatMap((e) => [
    ...e.packages.map((p) => ({ engine: e.id, channel: "stable" as const, version: e.latestVersion, platform: platformKey(p), filename: p.filename, size: p.size })),
    ...(e.prerelease?.packages ?? []).map((p) => ({ engine: e.id, channel: "prerelease" as const, version: e.prerelease!.version, platform: platformKey(p), filename: p.filename, size: p.size })),
  ]);
}

/** A plain text table with aligned columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
