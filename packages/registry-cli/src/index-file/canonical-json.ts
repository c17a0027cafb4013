/**
 * Canonical engines.json text: the design's fields in the design's order at every level, then any
 * field this version does not know in its original order; two-space indent and a trailing newline,
 * so a git diff shows only real changes and unknown fields survive every rewrite.
 */
const REGISTRY_ORDER = ["schemaVersion", "lastUpdated", "baseUrl", "engines", "runtimes"];
const ENGINE_ORDER = ["id", "name", "description", "latestVersion", "releaseDate", "minAppVersion", "modelFormats", "packages", "prerelease", "versions"];
const PACKAGE_ORDER = ["os", "arch", "accelerator", "acceleratorVersion", "variant", "filename", "size", "sha256", "installedSize", "runtime"];
const PRERELEASE_ORDER = ["version", "releaseDate", "packages"];
const VERSION_ORDER = ["version", "channel", "releaseDate", "minAppVersion", "packages", "yanked"];
const RUNTIME_ORDER = ["id", "name", "description", "latestVersion", "category", "releaseDate", "packages"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function ordered(value: unknown, order: string[], child: (key: string, v: unknown) => unknown): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of order) if (Object.hasOwn(value, key) && value[key] !== undefined) out[key] = child(key, value[key]);
  for (const [key, v] of Object.entries(value)) if (!order.includes(key) && v !== undefined) out[key] = v;
  return out;
}

const orderPackages = (v: unknown) => (Array.isArray(v) ? v.map((p) => ordered(p, PACKAGE_ORDER, (_k, x) => x)) : v);

function orderEngine(engine: unknown): unknown {
  return ordered(engine, ENGINE_ORDER, (key, v) => {
    if (key === "packages") return orderPackages(v);
    if (key === "prerelease") return ordered(v, PRERELEASE_ORDER, (k, x) => (k === "packages" ? orderPackages(x) : x));
    if (key === "versions" && Array.isArray(v)) return v.map((entry) => ordered(entry, VERSION_ORDER, (k, x) => (k === "packages" ? orderPackages(x) : x)));
    return v;
  });
}

const orderRuntime = (runtime: unknown) => ordered(runtime, RUNTIME_ORDER, (key, v) => (key === "packages" ? orderPackages(v) : v));

/** The registry value with its keys in canonical order (values are not changed). */
export function canonicalRegistryValue(registry: unknown): Json {
  return ordered(registry, REGISTRY_ORDER, (key, v) => {
    if (key === "engines" && Array.isArray(v)) return v.map(orderEngine);
    if (key === "runtimes" && Array.isArray(v)) return v.map(orderRuntime);
    return v;
  }) as Json;
}

/** The exact bytes to write for a registry. */
export function canonicalRegistryText(registry: unknown): string {
  return `${JSON.stringify(canonicalRegistryValue(registry), null, 2)}\n`;
}
