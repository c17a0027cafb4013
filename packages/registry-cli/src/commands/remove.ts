import type { Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { parseEngineRef } from "../resolve/engine-ref.js";
import { applyManage } from "../installed/manage-apply.js";
import { planRemove } from "../installed/manage-plan.js";
import { enginesDirOf, manageLines } from "./render-manage.js";

/** `remove <engine>@<version>`: that version's platform folders and the runtime packs no installed engine links any more. */
export async function removeCommand(ref: string, opts: { enginesDir?: string; accel?: string; force?: boolean; dryRun?: boolean }, reporter: Reporter): Promise<Rendered> {
  const { engineId, version } = parseEngineRef(ref, { versionRequired: true });
  const request = { engineId, version: version!, force: Boolean(opts.force), ...(opts.accel ? { accel: opts.accel } : {}) };
  const result = await applyManage(await enginesDirOf(opts), (folder, record) => planRemove(folder, record, request, new Date()), { dryRun: Boolean(opts.dryRun), reporter });
  return { json: result, lines: manageLines(result) };
}
