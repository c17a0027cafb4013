import type { Rendered } from "@baiengine/cli-kit";
import { platformKey } from "@baiengine/schema";
import { engineAsk } from "../resolve/engine-ref.js";
import { readIndex } from "../index-file/read-index.js";
import { platformTarget } from "../resolve/platform-request.js";
import { type Resolution, resolvePackage, yankedWarnings } from "../resolve/resolve-package.js";

export interface ResolveOptions {
  registry: string;
  engine: string;
  os?: string;
  arch?: string;
  accel?: string;
  prerelease?: boolean;
  channel?: string;
  baseUrl?: URL | string;
}

/** The lines that show a resolution: URL, size, sha256, the runtime pack, and with `explain` the reasons. */
export function resolutionLines(r: Resolution, explain: boolean): string[] {
  return [
    `${r.engineId} ${r.version}${r.channel === "prerelease" ? " (pre-release)" : r.channel !== "stable" ? ` (${r.channel})` : ""}${r.yanked ? " (yanked)" : ""}: ${platformKey(r.entry)}`,
    `url     ${r.url}`,
    `size    ${r.entry.size}`,
    `sha256  ${r.entry.sha256}`,
    ...(r.runtime ? [`runtime ${r.runtime.id} ${r.runtime.version}: ${r.runtime.url} (${r.runtime.size} bytes, sha256 ${r.runtime.sha256})`] : []),
    ...(explain ? r.reasons.map((reason) => `  ${reason}`) : []),
  ];
}

/** `resolve`: the package an engine install would take for a platform (default: this host, explained). */
export async function resolveCommand(opts: ResolveOptions): Promise<Rendered> {
  const { engineId, ...ask } = engineAsk(opts);
  const index = await readIndex(opts.registry, { forReaders: true });
  const target = await platformTarget(opts);
  // No package fits: NoPackageFitsError, whose `reasons` --json readers get as the error's facts.
  const resolution = resolvePackage(index.registry, engineId, target, { ...ask, ...(opts.baseUrl ? { baseUrl: String(opts.baseUrl) } : {}) });
  const warnings = [...index.skipped, ...yankedWarnings(resolution)];
  return { json: { ...resolution, platform: platformKey(resolution.entry) }, lines: resolutionLines(resolution, true), warnings };
}
