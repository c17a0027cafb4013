import { z } from "zod";
import { TOOLKIT_VERSION_PATTERN, toolkitMajor } from "./accelerator.js";
import { compareDottedVersions } from "./dotted-version.js";
import { AcceleratorField, ArchField, formatGot, OsField, RelativePathField, ReleaseDateField, Sha256Field, SizeField } from "./fields.js";
import { checkRuntimeId, formatRuntimeFilename, parseRuntimeFilename } from "./runtime-naming.js";
import { releaseAssetUrl, releaseTag } from "./release.js";

/**
 * Runtime packs (extension of the design): a GPU toolkit's redistributable libraries, shipped once
 * as `{runtimeId}-{version}-{os}-{arch}.bairuntime` and shared by every engine package that needs them.
 */
export const RuntimeIdField = z.string().superRefine((value, ctx) => {
  const problem = checkRuntimeId(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

/** A toolkit version as the vendor prints it: `13.0.88`, `12.4`, `6.2.4`. */
export const ToolkitVersionField = z
  .string()
  .regex(TOOLKIT_VERSION_PATTERN, { error: (iss) => `expected a toolkit version like "13.0" or "12.4.131", got ${formatGot(iss.input)}` });

/** A library's file name as the loader asks for it (`libcudart.so.13`, `cublas64_13.dll`): no folders. */
export const LibraryNameField = z
  .string()
  .regex(/^[^/\\\s]+$/, { error: (iss) => `expected a library file name without folders, got ${formatGot(iss.input)}` });

/** An engine manifest's `runtime`: the runtime pack it needs and the lowest toolkit version that serves it. */
export const RuntimeRequirement = z.looseObject({
  id: RuntimeIdField,
  minVersion: ToolkitVersionField,
});
export type RuntimeRequirement = z.infer<typeof RuntimeRequirement>;

/** Optional facts about how a runtime pack was made. */
export const RuntimeBuildFacts = z.looseObject({
  toolkitRoot: z.string().optional(),
  packer: z.string().optional(),
  profile: z.string().optional(),
});

/**
 * A runtime pack's `package/manifest.json`. `version` is the toolkit's; for a versioned family its
 * major is the token's (`cuda` + `13.0.88` is what `cuda13` packages need). `provides` lists the
 * sonames / DLL names found under `libraryDir`; `licenses` the vendor licence texts in the pack.
 */
export const RuntimeManifest = z
  .looseObject({
    runtimeId: RuntimeIdField,
    version: ToolkitVersionField,
    os: OsField,
    arch: ArchField,
    accelerator: AcceleratorField,
    provides: z.array(LibraryNameField).min(1, { error: "expected at least one library the runtime provides" }),
    libraryDir: RelativePathField,
    licenses: z.array(RelativePathField).optional(),
    build: RuntimeBuildFacts.optional(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.provides.forEach((name, k) => {
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: ["provides", k], message: `${formatGot(name)} is listed twice`, input: name });
      seen.add(name);
    });
  });
export type RuntimeManifest = z.infer<typeof RuntimeManifest>;

/** The file name a runtime manifest must be shipped under. */
export function runtimeManifestFilename(m: Pick<RuntimeManifest, "runtimeId" | "version" | "os" | "arch">): string {
  return formatRuntimeFilename({ runtimeId: m.runtimeId, version: m.version, os: m.os, arch: m.arch });
}

/** Whether a runtime at `version` satisfies `minVersion` (dotted, numeric: `compareDottedVersions`). */
export function runtimeVersionSatisfies(version: string, minVersion: string): boolean {
  return compareDottedVersions(version, minVersion) >= 0;
}

/** The toolkit major of a runtime version (`13.0.88` → 13). */
export function runtimeMajor(version: string): number | null {
  return toolkitMajor(version);
}

/** One runtime pack file of a runtime version (engines.json `runtimes[].packages[]`). */
export const RuntimePackageEntry = z.looseObject({
  os: OsField,
  arch: ArchField,
  filename: z.string().min(1),
  size: SizeField,
  sha256: Sha256Field,
});
export type RuntimePackageEntry = z.infer<typeof RuntimePackageEntry>;

/**
 * engines.json `runtimes[]`: a runtime id, its latest version and one pack per platform. `category`
 * (`cuda`, `rocm`) and `releaseDate` are the app's live registry's (optional; kept by `migrate`).
 */
export const RuntimeEntry = z.looseObject({
  id: RuntimeIdField,
  name: z.string().min(1),
  description: z.string(),
  latestVersion: ToolkitVersionField,
  category: z.string().min(1).optional(),
  releaseDate: ReleaseDateField.optional(),
  packages: z.array(RuntimePackageEntry),
});
export type RuntimeEntry = z.infer<typeof RuntimeEntry>;

/** Download URL of a runtime pack: `{baseUrl}/{runtimeId}-v{version}/{filename}`, version from the file name. */
export function runtimePackageUrl(registry: { baseUrl: string }, runtimeId: string, entry: { filename: string }): string {
  const name = parseRuntimeFilename(entry.filename);
  if (name.runtimeId !== runtimeId) {
    throw new Error(`runtime pack ${entry.filename} belongs to runtime "${name.runtimeId}", not "${runtimeId}"`);
  }
  return releaseAssetUrl(registry.baseUrl, releaseTag(runtimeId, name.version), entry.filename);
}
