import { type Rendered, UsageError } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { parseEngineRef } from "../resolve/engine-ref.js";
import { applyManage } from "../installed/manage-apply.js";
import { planPrune } from "../installed/manage-plan.js";
import { enginesDirOf, manageLines } from "./render-manage.js";

/**
 * `prune [--keep N [--save]] [--engine <id>]`: all but the active (pinned) and the N newest other
 * versions of each engine and platform, and damaged or interrupted leftovers; `--save` records N as
 * prune's default in the active record.
 */
export async function pruneCommand(opts: { enginesDir?: string; keep?: number; engine?: string; save?: boolean; dryRun?: boolean }, reporter: Reporter): Promise<Rendered> {
  const engineId = opts.engine === undefined ? undefined : parseEngineRef(opts.engine, { noVersion: "prune keeps versions by --keep; to remove one version: remove <engine>@<version>" }).engineId;
  if (opts.save && opts.keep === undefined) throw new UsageError("--save records --keep N as prune's default: pass --keep too");
  if (opts.save && engineId !== undefined) throw new UsageError("--save records prune's default for every engine: pass it without --engine");
  const options = { ...(opts.keep !== undefined ? { keep: opts.keep } : {}), ...(engineId !== undefined ? { engineId } : {}), save: Boolean(opts.save) };
  const result = await applyManage(await enginesDirOf(opts), (folder, record) => planPrune(folder, record, options, new Date()), { dryRun: Boolean(opts.dryRun), reporter });
  return { json: result, lines: manageLines(result) };
}
