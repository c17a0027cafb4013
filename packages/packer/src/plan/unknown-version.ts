import { formatPackageFilename, type PackageName } from "@baiengine/schema";

/** The version of a dry-run plan with no source and no --version (never a real package's). */
export const UNKNOWN_VERSION = "unknown";

/**
 * The package file name, or for an unknown version the design's pattern with `{version}` left in
 * (`llama-cpp-{version}-linux-x86_64-cuda12.baiengine`): a dry run shows the shape, not a made-up name.
 */
export function planFilename(name: PackageName): string {
  if (name.version !== UNKNOWN_VERSION) return formatPackageFilename(name);
  return formatPackageFilename({ ...name, version: "0" }).replace(`${name.engineId}-0-`, `${name.engineId}-{version}-`);
}
