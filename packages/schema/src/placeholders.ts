import { formatIssuePath, safeParseRegistry, type ValidationResult } from "./errors.js";
import { platformKey, type Registry } from "./registry.js";

/**
 * The design's workflow starts from a hand-written engines.json whose packages are planned but not
 * built yet: the design's example has `"size": 12345678, "sha256": "abc123..."`, the live registry
 * repository's engines.json has `"size": 0, "sha256": ""`. Such an entry is a placeholder: a size of 0,
 * or a sha256 that is empty or a hex prefix ending in `...`.
 */
export function isPlaceholderSha256(value: unknown): boolean {
  return typeof value === "string" && (value === "" || /^[0-9a-fA-F]*(\.\.\.|…)$/.test(value));
}

export function isPlaceholderSize(value: unknown): boolean {
  return value === 0;
}

/** A planned package entry: where it is, what it names, and which fields are placeholders. */
export interface PlaceholderPackage {
  /** `engines[0].packages[3]` or `engines[0].prerelease.packages[0]`. */
  where: string;
  engineId: string;
  channel: "stable" | "prerelease";
  filename: string;
  /** Its platform key (`linux-x86_64-cuda12`), as `platformKey` gives it. */
  platform: string;
  /** The placeholder fields with their values, e.g. `size 0, sha256 ""`. */
  fields: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Entries whose size or sha256 is a placeholder, with the array that holds them. */
function placeholderSlots(input: unknown): { list: unknown[]; index: number; engine: number; info: Omit<PlaceholderPackage, "platform"> }[] {
  if (!isObject(input) || !Array.isArray(input["engines"])) return [];
  return input["engines"].flatMap((engine, e) => {
    if (!isObject(engine)) return [];
    const pre = isObject(engine["prerelease"]) ? engine["prerelease"]["packages"] : undefined;
    const lists: [unknown, PlaceholderPackage["channel"], (string | number)[]][] = [
      [engine["packages"], "stable", ["engines", e, "packages"]],
      [pre, "prerelease", ["engines", e, "prerelease", "packages"]],
    ];
    return lists.flatMap(([list, channel, path]) => {
      if (!Array.isArray(list)) return [];
      return list.flatMap((p, index) => {
        if (!isObject(p)) return [];
        const fields = [isPlaceholderSize(p["size"]) && `size ${JSON.stringify(p["size"])}`, isPlaceholderSha256(p["sha256"]) && `sha256 ${JSON.stringify(p["sha256"])}`].filter(Boolean);
        if (fields.length === 0) return [];
        const where = formatIssuePath([...path, index]);
        return [{ list, index, engine: e, info: { where, engineId: String(engine["id"]), channel, filename: String(p["filename"]), fields: fields.join(", ") } }];
      });
    });
  });
}

/**
 * Parses engines.json content that may hold placeholders. The placeholders are checked as if they
 * were real values (so every other fault of those entries is still reported), then left out of the
 * returned registry: an index never points at a file that does not exist. `placeholders` lists them.
 */
export function safeParseRegistryWithPlaceholders(input: unknown): ValidationResult<{ registry: Registry; placeholders: PlaceholderPackage[] }> {
  const copy = structuredClone(input);
  const slots = placeholderSlots(copy);
  for (const { list, index } of slots) Object.assign(list[index] as Json, { size: 1, sha256: "0".repeat(64) });
  const parsed = safeParseRegistry(copy);
  if (!parsed.ok) return parsed;
  const drop = new Set(slots.map((s) => s.info.where));
  const placeholders = slots.map(({ engine, index, info }) => {
    const parsedEngine = parsed.value.engines[engine]!;
    const entry = (info.channel === "stable" ? parsedEngine.packages : parsedEngine.prerelease!.packages)[index]!;
    return { ...info, platform: platformKey(entry) };
  });
  const registry: Registry = {
    ...parsed.value,
    engines: parsed.value.engines.map((engine, e) => ({
      ...engine,
      packages: engine.packages.filter((_p, k) => !drop.has(`engines[${e}].packages[${k}]`)),
      ...(engine.prerelease ? { prerelease: { ...engine.prerelease, packages: engine.prerelease.packages.filter((_p, k) => !drop.has(`engines[${e}].prerelease.packages[${k}]`)) } } : {}),
    })),
  };
  return { ok: true, value: { registry, placeholders } };
}
