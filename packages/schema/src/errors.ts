import type { z } from "zod";
import { Manifest } from "./manifest.js";
import { PackagesIndex } from "./packages-index.js";
import { Registry } from "./registry.js";
import { RuntimeManifest } from "./runtime.js";

/** `["engines", 0, "packages", 2, "sha256"]` → `engines[0].packages[2].sha256`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out === "" ? "(root)" : out;
}

/** One line per issue: `path: reason`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

/** A document that does not match its schema; `issues` holds one `path: reason` line per problem. */
export class SchemaValidationError extends Error {
  constructor(
    readonly document: string,
    readonly issues: string[],
  ) {
    super(`${document} is invalid:\n${issues.map((i) => `  ${i}`).join("\n")}`);
    this.name = "SchemaValidationError";
  }
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** `schema.safeParse` with zod's issues as `path: reason` lines. */
export function safeParseWith<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.infer<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: formatIssues(result.error) };
}

/** `schema.parse`, throwing SchemaValidationError for `document` with every issue. */
function parseWith<S extends z.ZodType>(document: string, schema: S, input: unknown): z.infer<S> {
  const result = safeParseWith(schema, input);
  if (!result.ok) throw new SchemaValidationError(document, result.issues);
  return result.value;
}

export function safeParseRegistry(input: unknown): ValidationResult<Registry> {
  return safeParseWith(Registry, input);
}

export function safeParseManifest(input: unknown): ValidationResult<Manifest> {
  return safeParseWith(Manifest, input);
}

export function safeParseRuntimeManifest(input: unknown): ValidationResult<RuntimeManifest> {
  return safeParseWith(RuntimeManifest, input);
}

/** Parses engines.json content (an object); throws SchemaValidationError with every issue. */
export function parseRegistry(input: unknown): Registry {
  return parseWith("engines.json", Registry, input);
}

/** Parses manifest.json content (an object); throws SchemaValidationError with every issue. */
export function parseManifest(input: unknown): Manifest {
  return parseWith("manifest.json", Manifest, input);
}

/** Parses a runtime pack's manifest.json content; throws SchemaValidationError with every issue. */
export function parseRuntimeManifest(input: unknown): RuntimeManifest {
  return parseWith("runtime manifest.json", RuntimeManifest, input);
}

/** The app's live packages.json (any historical shape); `path: reason` lines on failure. */
export function safeParsePackagesIndex(input: unknown): ValidationResult<PackagesIndex> {
  return safeParseWith(PackagesIndex, input);
}
