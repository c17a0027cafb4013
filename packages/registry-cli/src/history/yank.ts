import { type Registry, safeParseRegistry, type VersionEntry } from "@baiengine/schema";
import { UpdateRefusedError } from "../errors.js";
import { modifyIndex } from "../index-file/modify-index.js";
import { utcDate, withContent } from "../update/merge-version.js";
import { seedVersions } from "./engine-history.js";

/** What `yank`/`unyank` changed: `reason` null is an unyank. */
export interface YankChange {
  engineId: string;
  version: string;
  yanked: boolean;
  reason: string | null;
  /** False when the version already was in that state (the index is not rewritten). */
  changed: boolean;
}

export type YankPlan = { registry: Registry; change: YankChange };

/**
 * Marks a published version yanked (`reason` given) or not (`reason` null) in the engine's
 * `versions[]`, creating the history from the design's places when the index has none. A yanked
 * version stays listed: resolve passes it over, and installs it only when asked for by exact
 * version. `latestVersion` is not moved: no write lowers a published version. Pure; throws
 * UpdateRefusedError for an unknown engine or version.
 */
export function planYank(registry: Registry, engineId: string, version: string, reason: string | null, now: Date): YankPlan {
  const e = registry.engines.findIndex((x) => x.id === engineId);
  const engine = registry.engines[e];
  if (!engine) throw new UpdateRefusedError(`engine ${engineId} is not in the index`, `known engines: ${registry.engines.map((x) => x.id).join(", ") || "none"}`);
  const versions = [...(engine.versions ?? seedVersions(engine))];
  const at = versions.findIndex((v) => v.version === version);
  if (at < 0) throw new UpdateRefusedError(`${engineId} has no published version ${version}`, `published versions: ${versions.map((v) => v.version).join(", ") || "none"}`);
  const before = versions[at]!;
  const entry: VersionEntry = { ...before };
  if (reason === null) delete entry.yanked;
  else entry.yanked = { reason, date: before.yanked?.reason === reason && before.yanked.date ? before.yanked.date : utcDate(now) };
  versions[at] = entry;
  const engines = registry.engines.map((x, k) => (k === e ? { ...x, versions } : x));
  const { registry: next, changed } = withContent(registry, { ...registry, engines }, now);
  const valid = safeParseRegistry(next);
  if (!valid.ok) throw new UpdateRefusedError("the index would be invalid after this change", "fix the listed fields first", valid.issues);
  return { registry: next, change: { engineId, version, yanked: reason !== null, reason, changed } };
}

/** `yank`/`unyank` on engines.json: locked, atomic, untouched when nothing changes. */
export async function applyYank(registryFile: string, engineId: string, version: string, reason: string | null, now = new Date()): Promise<YankChange & { written: boolean }> {
  const { written, value } = await modifyIndex(registryFile, (index) => {
    const plan = planYank(index.registry, engineId, version, reason, now);
    return { registry: plan.change.changed ? plan.registry : null, value: plan.change };
  });
  return { ...value, written };
}
