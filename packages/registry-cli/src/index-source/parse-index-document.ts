import { safeParsePackagesIndex, type Registry } from "@baiengine/schema";
import { IndexInvalidError } from "../errors.js";
import { parseIndexText } from "../index-file/read-index.js";

/**
 * An index document as served: engines.json, or the app's live packages.json (engines' versions
 * under `latest`), read as engines.json the way `migrate` reads it. Throws IndexInvalidError.
 */
export async function parseIndexDocument(name: string, text: string, now = new Date()): Promise<Registry> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IndexInvalidError(name, [`(root): not valid JSON (${(error as Error).message})`]);
  }
  // The live format keeps each engine's version under `latest`; engines.json has `latestVersion`.
  const engines = (json as { engines?: unknown })?.engines;
  const isLive = Array.isArray(engines) && engines.some((e) => typeof e === "object" && e !== null && "latest" in e && !("latestVersion" in e));
  if (!isLive) return parseIndexText(name, text).registry;
  const live = safeParsePackagesIndex(json);
  if (!live.ok) throw new IndexInvalidError(name, live.issues, "fix the listed fields of packages.json");
  // Loaded only for the live format: install and resolve of an engines.json load no packages.json code.
  const { planMigrate } = await import("../packages-json/plan-migrate.js");
  const plan = planMigrate(null, live.value, { allowDowngrade: false }, now);
  if (!plan.ok) throw new IndexInvalidError(name, [plan.refusal.reason, ...plan.refusal.details]);
  return plan.registry;
}
