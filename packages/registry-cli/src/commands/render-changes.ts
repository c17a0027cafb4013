import type { MigrateChanges } from "../packages-json/plan-migrate.js";
import type { PackageRename } from "../update/name-style.js";
import type { RuntimeUpdateChanges } from "../update/plan-runtime-update.js";
import type { UpdateChanges } from "../update/plan-update.js";

/** The lines that say what a write to the index changed, shared by update, migrate and name-packages. */
const outcome = (written: boolean, dryRun: boolean) => (dryRun ? " (dry run: nothing written)" : written ? "" : " (no change: index untouched)");

function listLines(c: { added: string[]; replaced: string[]; removed: string[]; unchanged: string[] }): string[] {
  return [...c.added.map((f) => `  + ${f}`), ...c.replaced.map((f) => `  ~ ${f}`), ...c.removed.map((f) => `  - ${f}`), ...c.unchanged.map((f) => `  = ${f}`)];
}

export function renameLines(renames: PackageRename[], dryRun: boolean): string[] {
  return renames.map((r) => `${dryRun ? "would rename" : "renamed"} ${r.from} -> ${r.filename} (the index's spelling)`);
}

export function changeLines(c: UpdateChanges, written: boolean, dryRun: boolean): string[] {
  const where = c.channel === "prerelease" ? "pre-release" : c.channel === "stable" ? "latestVersion" : `${c.channel} channel`;
  return [
    `${c.engineId}: ${where} ${c.version.from ?? (c.newEngine ? "(new engine)" : "(none yet)")} -> ${c.version.to}${c.releaseDate ? ` (released ${c.releaseDate})` : ""}${outcome(written, dryRun)}`,
    ...listLines(c),
    ...c.planned.map((f) => `  ? ${f}: planned, no file in the packages folder: not published`),
    ...(c.clearedPrerelease ? [`  pre-release ${c.clearedPrerelease} cleared (stable ${c.version.to} is at or above it)`] : []),
  ];
}

export function runtimeChangeLines(c: RuntimeUpdateChanges, written: boolean, dryRun: boolean): string[] {
  return [`${c.runtimeId}: latestVersion ${c.version.from ?? "(new runtime)"} -> ${c.version.to}${outcome(written, dryRun)}`, ...listLines(c)];
}

export function migrateLines(c: MigrateChanges, to: string, written: boolean, dryRun: boolean): string[] {
  const lines = [`${to}: ${c.newIndex ? "created from packages.json" : "merged from packages.json"}${outcome(written, dryRun)}`];
  for (const item of c.items) {
    lines.push(`${item.kind} ${item.id}: ${item.version.from ?? "(new)"} -> ${item.version.to}${item.releaseDate ? ` (released ${item.releaseDate})` : ""}`);
    lines.push(...listLines(item));
    if (item.clearedPrerelease) lines.push(`  pre-release ${item.clearedPrerelease} cleared`);
  }
  return lines;
}
