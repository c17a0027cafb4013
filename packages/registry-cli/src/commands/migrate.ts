import type { Rendered } from "@baiengine/cli-kit";
import { applyMigrate } from "../packages-json/apply-packages-json.js";
import { migrateLines } from "./render-changes.js";

export interface MigrateOptions {
  from: string;
  to: string;
  allowDowngrade?: boolean;
  dryRun?: boolean;
}

/** `migrate`: brings the app's packages.json into engines.json. */
export async function migrateCommand(opts: MigrateOptions): Promise<Rendered> {
  const result = await applyMigrate({ from: opts.from, to: opts.to, allowDowngrade: Boolean(opts.allowDowngrade), dryRun: Boolean(opts.dryRun) });
  return { json: result, lines: migrateLines(result.changes, opts.to, result.written, result.dryRun) };
}
