import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The app's live registry shapes, from the schema package's fixtures (github.com/lablup/backend.ai-go-engine-registry;
 * sizes and hashes made up): packages.json now and in 2026-01, and the repository's planned engines.json;
 * and the design's own example engines.json (`design-engines.json`, verbatim).
 */
const schemaFixtures = join(import.meta.dirname, "..", "..", "..", "schema", "test", "fixtures");
export const liveFixturePath = (name: "live-packages.json" | "live-packages-2026-01.json" | "live-engines-planned.json" | "design-engines.json") => join(schemaFixtures, name);
export const liveFixture = (name: Parameters<typeof liveFixturePath>[0]) => JSON.parse(readFileSync(liveFixturePath(name), "utf8"));

/** A design-format engines.json fixture re-keyed to another engine and version (file names follow), placeholders kept. */
export function rekeyed(index: { engines: { id: string; latestVersion: string; packages: { filename: string }[] }[] }, engineId: string, version: string) {
  const copy = structuredClone(index);
  for (const engine of copy.engines) {
    const prefix = `${engine.id}-${engine.latestVersion}-`;
    for (const p of engine.packages) p.filename = `${engineId}-${version}-${p.filename.slice(prefix.length)}`;
    Object.assign(engine, { id: engineId, latestVersion: version });
  }
  return copy;
}
