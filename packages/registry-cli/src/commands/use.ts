import type { Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { parseEngineRef } from "../resolve/engine-ref.js";
import { applyManage } from "../installed/manage-apply.js";
import { planUse } from "../installed/manage-plan.js";
import { enginesDirOf, manageLines, osArchOf } from "./render-manage.js";

/** `use <engine>@<version>` (pins) or `use <engine>@latest` (unpins): which installed version the app runs. */
export async function useCommand(ref: string, opts: { enginesDir?: string; accel?: string; os?: string; arch?: string; dryRun?: boolean }, reporter: Reporter): Promise<Rendered> {
  const { engineId, version } = parseEngineRef(ref, { versionRequired: true, allowLatest: true });
  const osArch = osArchOf(opts);
  const result = await applyManage(await enginesDirOf(opts), (folder, record) => planUse(folder, record, { engineId, version: version!, osArch, ...(opts.accel ? { accel: opts.accel } : {}) }, new Date()), { dryRun: Boolean(opts.dryRun), reporter });
  return { json: result, lines: manageLines(result) };
}
