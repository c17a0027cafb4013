import type { Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { parseEngineRef } from "../resolve/engine-ref.js";
import { applyManage } from "../installed/manage-apply.js";
import { planRollback } from "../installed/manage-plan.js";
import { enginesDirOf, manageLines, osArchOf } from "./render-manage.js";

/** `rollback <engine>`: back to the previously active version (pinned). */
export async function rollbackCommand(engine: string, opts: { enginesDir?: string; os?: string; arch?: string; dryRun?: boolean }, reporter: Reporter): Promise<Rendered> {
  const { engineId } = parseEngineRef(engine);
  const osArch = osArchOf(opts);
  const result = await applyManage(await enginesDirOf(opts), (folder, record) => planRollback(folder, record, engineId, osArch, new Date()), { dryRun: Boolean(opts.dryRun), reporter });
  return { json: result, lines: manageLines(result) };
}
