import { type Rendered, UsageError } from "@baiengine/cli-kit";
import { parseEngineRef } from "../resolve/engine-ref.js";
import { applyYank } from "../history/yank.js";

/** `yank <engine>@<version> --reason <text>` and `unyank <engine>@<version>`: a published version marked (or no longer) as not to be installed. */
export async function yankCommand(ref: string, opts: { registry: string; reason?: string }, yank: boolean): Promise<Rendered> {
  const { engineId, version } = parseEngineRef(ref, { versionRequired: true });
  if (yank && (opts.reason === undefined || opts.reason.trim() === "")) throw new UsageError("yank needs --reason <text>", "say why, e.g. --reason \"crashes on load with CUDA 12.4\"");
  const result = await applyYank(opts.registry, engineId, version!, yank ? opts.reason!.trim() : null);
  const state = yank ? `yanked (${result.reason}): resolve passes it over; it installs only as ${engineId}@${version}` : "no longer yanked";
  return { json: result, lines: [`${engineId} ${version}: ${state}${result.written ? "" : " (no change: index untouched)"}`] };
}
