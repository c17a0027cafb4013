import { z } from "zod";
import { ActiveRecord } from "./active-record.js";
import { Manifest } from "./manifest.js";
import { PackagesIndex } from "./packages-index.js";
import { Registry } from "./registry.js";
import { RuntimeManifest } from "./runtime.js";

/**
 * JSON Schema (draft 2020-12) of engines.json, manifest.json and the app's packages.json for consumers in other languages.
 * It carries the structure and every field pattern; the cross-field rules (file name equals the
 * formatted name, unique platforms, unique ids, `.exe` exactly on windows) live in the zod source.
 */
function generate(schema: z.ZodType, title: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { $schema: json["$schema"], title, ...json };
}

export function registryJsonSchema(): Record<string, unknown> {
  return generate(Registry, "Backend.AI GO engine registry (engines.json)");
}

export function manifestJsonSchema(): Record<string, unknown> {
  return generate(Manifest, "Backend.AI GO engine package manifest (manifest.json)");
}

export function runtimeManifestJsonSchema(): Record<string, unknown> {
  return generate(RuntimeManifest, "Backend.AI GO runtime pack manifest (manifest.json of a .bairuntime)");
}

export function packagesIndexJsonSchema(): Record<string, unknown> {
  return generate(PackagesIndex, "Backend.AI GO app's live engine index (packages.json)");
}

export function activeRecordJsonSchema(): Record<string, unknown> {
  return generate(ActiveRecord, "Backend.AI GO active engine record (<engines-dir>/active.json)");
}

/** The committed files and their content, as written by `pnpm --filter @baiengine/schema generate`. */
export function jsonSchemaFiles(): Record<string, string> {
  return {
    "engines.schema.json": `${JSON.stringify(registryJsonSchema(), null, 2)}\n`,
    "manifest.schema.json": `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`,
    "runtime-manifest.schema.json": `${JSON.stringify(runtimeManifestJsonSchema(), null, 2)}\n`,
    "packages.schema.json": `${JSON.stringify(packagesIndexJsonSchema(), null, 2)}\n`,
    "active.schema.json": `${JSON.stringify(activeRecordJsonSchema(), null, 2)}\n`,
  };
}
