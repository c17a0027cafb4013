import type { Rendered } from "@baiengine/cli-kit";
import { platformKey } from "@baiengine/schema";
import { engineAsk } from "../resolve/engine-ref.js";
import { type IndexFlags, indexOptions } from "../index-source/index-options.js";
import { loadRegistry } from "../index-source/load-registry.js";
import type { TrustedTargets } from "../tuf-client/refresh-metadata.js";
import { type PackageAsk, platformTarget } from "../resolve/platform-request.js";
import { type Resolution, resolvePackage, yankedWarnings } from "../resolve/resolve-package.js";

export interface ResolveOptions extends IndexFlags, PackageAsk {
  engine: string;
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

/**
 * `resolve`: the package an engine install would take for a platform (default: this host,
 * explained). With trust configured, the package and its runtime pack must be signed targets with
 * the index's length and sha256, as `install` requires.
 */
export async function resolveCommand(opts: ResolveOptions): Promise<Rendered> {
  const { engineId, ...ask } = engineAsk(opts);
  const loadWarnings: string[] = [];
  const index = await loadRegistry(indexOptions(opts, loadWarnings));
  const target = await platformTarget(opts);
  // No package fits: NoPackageFitsError, whose `reasons` --json readers get as the error's facts.
  const resolution = resolvePackage(index.registry, engineId, target, { ...ask, ...(opts.baseUrl ? { baseUrl: String(opts.baseUrl) } : {}) });
  const warnings = [...index.skipped, ...loadWarnings, ...yankedWarnings(resolution)];
  if (index.trusted) await checkResolutionSigned(index.trusted, resolution);
  const signed = index.trusted ? [`signed  targets version ${index.trusted.versions.targets} (root version ${index.trusted.versions.root})`] : [];
  return { json: { ...resolution, platform: platformKey(resolution.entry), ...(index.trusted ? { trust: index.trusted.versions } : {}) }, lines: [...resolutionLines(resolution, true), ...signed], warnings };
}

async function checkResolutionSigned(trusted: TrustedTargets, r: Resolution): Promise<void> {
  const { signedDownload } = await import("../tuf-client/signed-files.js");
  await signedDownload(trusted, r.entry.filename, r.entry);
  if (r.runtime) await signedDownload(trusted, r.runtime.filename, r.runtime);
}
