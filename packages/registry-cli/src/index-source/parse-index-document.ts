import { parseJsonDocument, type Registry, safeParsePackagesIndex } from "@baiengine/schema";
import { IndexInvalidError } from "../errors.js";
import { parseIndexText } from "../index-file/read-index.js";

/** An index as the app's side reads it: the registry, and one warning per entry skipped for an unknown platform. */
export interface ReadersIndex {
  registry: Registry;
  skipped: string[];
}

/** The live format keeps each engine's version under `latest`; engines.json has `latestVersion`. */
function isLive(json: unknown): boolean {
  const engines = (json as { engines?: unknown } | null)?.engines;
  return Array.isArray(engines) && engines.some((e) => typeof e === "object" && e !== null && "latest" in e && !("latestVersion" in e));
}

/**
 * An index document as served, read with the one JSON-document reader: engines.json (as readers
 * do: entries of unknown platforms skipped), or the app's live packages.json, read as engines.json
 * the way `migrate` reads it. Throws IndexInvalidError.
 */
export async function parseIndexDocument(name: string, bytes: Buffer, now = new Date()): Promise<ReadersIndex> {
  const document = parseJsonDocument(bytes, (json) => ({ ok: true, value: json }));
  if (!document.ok) throw new IndexInvalidError(name, document.issues);
  if (!isLive(document.value)) {
    const { registry, skipped } = parseIndexText(name, bytes, { forReaders: true });
    return { registry, skipped };
  }
  const live = safeParsePackagesIndex(document.value);
  if (!live.ok) throw new IndexInvalidError(name, live.issues, "fix the listed fields of packages.json");
  // Loaded only for the live format: install and resolve of an engines.json load no packages.json code.
  const { planMigrate } = await import("../packages-json/plan-migrate.js");
  const plan = planMigrate(null, live.value, { allowDowngrade: false }, now);
  if (!plan.ok) throw new IndexInvalidError(name, [plan.refusal.reason, ...plan.refusal.details]);
  return { registry: plan.registry, skipped: [] };
}
