import { isAccelerator } from "./accelerator.js";
import { formatIssuePath, safeParseRegistry, type ValidationResult } from "./errors.js";
import { isArch, isOs } from "./platform.js";
import type { Registry } from "./registry.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why a package entry names a platform this version does not know, or null when it knows it. */
function unknownPlatform(entry: Json): string | null {
  const unknown: string[] = [];
  const check = (field: string, known: (value: string) => boolean) => {
    const value = entry[field];
    if (typeof value === "string" && !known(value)) unknown.push(`${field} ${JSON.stringify(value)}`);
  };
  check("os", isOs);
  check("arch", isArch);
  check("accelerator", isAccelerator);
  return unknown.length === 0 ? null : unknown.join(", ");
}

/** Removes, in place, every `packages[]` item under `node` whose os, arch or accelerator is unknown. */
function dropUnknown(node: unknown, path: (string | number)[], skipped: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      dropUnknown(item, [...path, i], skipped);
    });
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "packages" && Array.isArray(value)) {
      const kept = value.filter((entry, i) => {
        const why = isObject(entry) ? unknownPlatform(entry) : null;
        if (why === null) return true;
        const name = typeof entry["filename"] === "string" ? ` (${entry["filename"]})` : "";
        skipped.push(`${formatIssuePath([...path, key, i])}${name}: skipped, ${why} is unknown to this version (a newer one may install it)`);
        return false;
      });
      node[key] = kept;
    } else dropUnknown(value, [...path, key], skipped);
  }
}

/**
 * engines.json as a reader (resolve, install, list) sees it: package entries whose os, arch or
 * accelerator this version does not know (a platform the registry added after this release) are
 * left out, one line each in `skipped`, and the rest is validated as strictly as ever. Without this
 * every older client would refuse the whole index the day the registry adds a platform. `validate`
 * (the registry's own check) and every rewrite read strictly instead. Problem paths count the
 * entries kept (`validate` gives the file's own).
 */
export function safeParseRegistryForReaders(input: unknown): ValidationResult<{ registry: Registry; skipped: string[] }> {
  const copy = structuredClone(input);
  const skipped: string[] = [];
  dropUnknown(copy, [], skipped);
  const parsed = safeParseRegistry(copy);
  return parsed.ok ? { ok: true, value: { registry: parsed.value, skipped } } : parsed;
}
