import { exists } from "@baiengine/cli-kit/system";
import { type PackagesIndex, parseJsonDocument, safeParsePackagesIndex } from "@baiengine/schema";
import { IndexInvalidError, UpdateRefusedError } from "../errors.js";
import { writeFileAtomic } from "../index-file/atomic-write.js";
import { type LockOptions, lockIndex } from "../index-file/index-lock.js";
import { createIndex, modifyIndex } from "../index-file/modify-index.js";
import { readIndex, readIndexBytes } from "../index-file/read-index.js";
import { type MigrateChanges, type MigrateOptions, planMigrate } from "./plan-migrate.js";
import { toPackagesIndex } from "./to-packages-index.js";

/** Reads and validates a packages.json (any historical shape); throws IndexInvalidError with `path: reason` lines. */
export async function readPackagesIndex(file: string): Promise<PackagesIndex> {
  const bytes = await readIndexBytes(file, "--from", "pass --from <path to packages.json>");
  const result = parseJsonDocument(bytes, safeParsePackagesIndex);
  if (!result.ok) throw new IndexInvalidError(file, result.issues, "fix the listed fields of packages.json");
  return result.value;
}

/**
 * `export --format packages-json`: the app's live index from engines.json. With `out`, written
 * atomically under that file's lock; the text is returned either way (the CLI prints it without `out`).
 */
export async function exportPackagesJson(options: { registryFile: string; out?: string; lock?: LockOptions }): Promise<{ text: string; notes: string[]; engines: number }> {
  const { registry } = await readIndex(options.registryFile);
  const { index, notes } = toPackagesIndex(registry);
  // The export must be what the app accepts: a mismatch here is this tool's bug, not the user's.
  const check = safeParsePackagesIndex(index);
  if (!check.ok) throw new Error(`exported packages.json does not match its schema: ${check.issues.join("; ")}`);
  const text = `${JSON.stringify(index, null, 2)}\n`;
  if (options.out !== undefined) {
    const release = await lockIndex(options.out, options.lock);
    try {
      await writeFileAtomic(options.out, text);
    } finally {
      await release();
    }
  }
  return { text, notes, engines: registry.engines.length };
}

export interface MigrateResult {
  changes: MigrateChanges;
  written: boolean;
  dryRun: boolean;
}

/**
 * `migrate --from packages.json --to engines.json`: creates the index, or merges into it under its
 * lock the way `update` does. A refusal throws UpdateRefusedError with the index untouched.
 */
export async function applyMigrate(
  options: MigrateOptions & { from: string; to: string; dryRun?: boolean; lock?: LockOptions },
  deps: { now?: () => Date } = {},
): Promise<MigrateResult> {
  const source = await readPackagesIndex(options.from);
  const now = (deps.now ?? (() => new Date()))();
  const plan = (target: Parameters<typeof planMigrate>[0]) => {
    const result = planMigrate(target, source, options, now);
    if (!result.ok) throw new UpdateRefusedError(result.refusal.reason, result.refusal.hint, result.refusal.details);
    return result;
  };
  if (!(await exists(options.to))) {
    const result = plan(null);
    if (!options.dryRun) await createIndex(options.to, result.registry);
    return { changes: result.changes, written: !options.dryRun, dryRun: Boolean(options.dryRun) };
  }
  if (options.dryRun) return { changes: plan((await readIndex(options.to)).registry).changes, written: false, dryRun: true };
  const { written, value } = await modifyIndex(
    options.to,
    (index) => {
      const result = plan(index.registry);
      return { registry: result.changes.changed ? result.registry : null, value: result.changes };
    },
    options.lock,
  );
  return { changes: value, written, dryRun: false };
}
