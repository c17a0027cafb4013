import { parsePackageFilename } from "./naming.js";

/**
 * Release tag of an engine version, as in the design: `{engine_id}-v{version}` (`llama-cpp-vb4618`).
 * One rule for versions that already carry the `v`: a leading `v` followed by a digit is the tag's own
 * `v`, not doubled (`v0.3.1` → `hello-v0.3.1`, as `0.3.1` → `hello-v0.3.1`; versions compare equal
 * with or without it). The release workflow's shell applies the same rule.
 */
export function releaseTag(engineId: string, version: string): string {
  return `${engineId}-v${version.replace(/^v(?=\d)/, "")}`;
}

/** Joins `{baseUrl}/{tag}/{filename}`; baseUrl has no trailing slash (the schema enforces it). */
export function releaseAssetUrl(baseUrl: string, tag: string, filename: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(tag)}/${encodeURIComponent(filename)}`;
}

/**
 * Download URL of a package entry of `engineId` in a registry: `{baseUrl}/{tag}/{filename}`. The
 * version comes from the package's own file name, so stable and pre-release entries both resolve.
 */
export function packageUrl(registry: { baseUrl: string }, engineId: string, packageEntry: { filename: string }): string {
  const name = parsePackageFilename(packageEntry.filename);
  if (name.engineId !== engineId) {
    throw new Error(`package ${packageEntry.filename} belongs to engine "${name.engineId}", not "${engineId}"`);
  }
  return releaseAssetUrl(registry.baseUrl, releaseTag(engineId, name.version), packageEntry.filename);
}
