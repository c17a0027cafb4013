import type { Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { parseEngineRef } from "../resolve/engine-ref.js";
import { applyManage } from "../installed/manage-apply.js";
import { planPrune } from "../installed/manage-plan.js";
import { enginesDirOf, manageLines } from "./render-manage.js";

/** `prune [--keep N] [--engine <id>]`: all but the active, the pinned and the N newest other versions of each engine and platform. */
export async function pruneCommand(opts: { enginesDir?: string; keep?: number; engine?: string; dryRun?: boolean }, reporter: Reporter): Promise<Rendered> {
  const engineId = opts.engine === undefined ? undefined : parseEngineRef(opts.engine).engineId;
  const options = { ...(opts.keep !== undefined ? { keep: opts.keep } : {}), ...(engineId !== undefined ? { engineId } : {}) };
  const result = await applyManage(await enginesDirOf(opts), (folder, record) => planPrune(folder, record, options, new Date()), { dryRun: Boolean(opts.dryRun), reporter });
  return { json: result, lines: manageLines(result) };
}
