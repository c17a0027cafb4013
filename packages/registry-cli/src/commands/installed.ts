import type { Rendered } from "@baiengine/cli-kit";
import { indexOptions } from "../index-source/index-options.js";
import { loadRegistry } from "../index-source/load-registry.js";
import { formatBytes } from "../install/disk-space.js";
import { listInstalled } from "../installed/installed-list.js";
import { formatTable } from "../list/list-engines.js";
import { enginesDirOf } from "./render-manage.js";

/** `installed`: every installed engine version and platform, read from disk, with size, runtime, active, and (with --registry) newer and yanked versions. */
export async function installedCommand(opts: { enginesDir?: string; registry?: string; trust?: string }): Promise<Rendered> {
  const enginesDir = await enginesDirOf(opts);
  const loadWarnings: string[] = [];
  // The index as install reads it: a path or its http(s)/file URL, cached, with trust when configured.
  const registry = opts.registry === undefined ? undefined : (await loadRegistry(indexOptions({ registry: opts.registry, enginesDir, ...(opts.trust !== undefined ? { trust: opts.trust } : {}) }, loadWarnings))).registry;
  const report = await listInstalled(enginesDir, registry ? { registry } : {});
  const rows = report.engines.map((e) => [
    e.engineId,
    e.version,
    e.platform,
    formatBytes(e.size),
    e.runtime ? `${e.runtime.id} ${e.runtime.version ?? "(copied)"}` : "-",
    e.active ? (e.pinned ? "active, pinned" : "active") : "",
    e.newer ?? "",
  ]);
  const lines = report.engines.length === 0 ? [`no engine installed in ${report.enginesDir}`] : [formatTable(["ENGINE", "VERSION", "PLATFORM", "SIZE", "RUNTIME", "ACTIVE", "NEWER"], rows)];
  for (const r of report.runtimes) lines.push(`runtime ${r.id} ${r.version} ${r.platform}: ${formatBytes(r.size)}, linked by ${r.linkedBy} installed engine(s)`);
  const warnings = [
    ...loadWarnings,
    ...(report.recordProblem ? [`${report.recordProblem.message}; no version is shown as active (${report.recordProblem.hint})`] : []),
    ...report.strays.map((s) => `${s.dir}: ${s.reason}; not counted as installed`),
    ...report.engines.filter((e) => e.yanked).map((e) => `${e.engineId} ${e.version} ${e.platform} is yanked in the index (${e.yanked!.reason})${e.active ? `; it is the active version: ${e.newer ? `install ${e.engineId}@${e.newer}, or ` : ""}use ${e.engineId}@<version> to move off it` : ""}`),
    ...report.missing.map((m) => `${m.engineId} on ${m.osArch}: the active ${m.version} ${m.platform} is not installed (deleted by hand?); pick one: use ${m.engineId}@<version>`),
  ];
  return { json: report, lines, warnings };
}
