import type { Rendered } from "@baiengine/cli-kit";
import type { Reporter } from "@baiengine/schema";
import { publishedVersions, type PublishedVersion } from "../history/engine-history.js";
import { readIndex } from "../index-file/read-index.js";
import { applyManage } from "../installed/manage-apply.js";
import { planUse } from "../installed/use-plan.js";
import { parseEngineRef } from "../resolve/engine-ref.js";
import { accelFlag, enginesDirOf, manageLines, osArchOf } from "./render-manage.js";

/**
 * `use <engine>@<version>` (pins) or `use <engine>@latest` (unpins): which installed version the app
 * runs. With `--registry`, `@latest` passes over installed versions the index lists as yanked or
 * outside the stable channel.
 */
export async function useCommand(ref: string, opts: { enginesDir?: string; accel?: string; os?: string; arch?: string; registry?: string; dryRun?: boolean }, reporter: Reporter): Promise<Rendered> {
  const { engineId, version } = parseEngineRef(ref, { versionRequired: true, allowLatest: true });
  const osArch = osArchOf(opts);
  const accel = accelFlag(opts.accel);
  let published: PublishedVersion[] | undefined;
  if (opts.registry !== undefined) {
    const engine = (await readIndex(opts.registry)).registry.engines.find((e) => e.id === engineId);
    published = engine ? publishedVersions(engine) : [];
    if (!engine) reporter.log?.("warn", `${opts.registry} lists no engine ${engineId}: no installed version is passed over`);
  }
  const request = { engineId, version: version!, osArch, ...(accel ? { accel } : {}), ...(published ? { published } : {}) };
  const result = await applyManage(await enginesDirOf(opts), (folder, record) => planUse(folder, record, request, new Date()), { dryRun: Boolean(opts.dryRun), reporter });
  return { json: result, lines: manageLines(result) };
}
