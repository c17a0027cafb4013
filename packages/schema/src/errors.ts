import type { z } from "zod";
import { Manifest } from "./manifest.js";
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

export function safeParseRegistry(input: unknown): ValidationResult<Registry> {
  const result = Registry.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: formatIssues(result.error) };
}

export function safeParseManifest(input: unknown): ValidationResult<Manifest> {
  const result = Manifest.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: formatIssues(result.error) };
}

/** Parses engines.json content (an object); throws SchemaValidationError with every issue. */
export function parseRegistry(input: unknown): Registry {
  const result = safeParseRegistry(input);
  if (!result.ok) throw new SchemaValidationError("engines.json", result.issues);
  return result.value;
}

/** Parses manifest.json content (an object); throws SchemaValidationError with every issue. */
export function parseManifest(input: unknown): Manifest {
  const result = safeParseManifest(input);
  if (!result.ok) throw new SchemaValidationError("manifest.json", result.issues);
  return result.value;
}

export function safeParseRuntimeManifest(input: unknown): ValidationResult<RuntimeManifest> {
  const result = RuntimeManifest.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: formatIssues(result.error) };
}

/** Parses a runtime pack's manifest.json content; throws SchemaValidationError with every issue. */
export function parseRuntimeManifest(input: unknown): RuntimeManifest {
  const result = safeParseRuntimeManifest(input);
  if (!result.ok) throw new SchemaValidationError("runtime manifest.json", result.issues);
  return result.value;
}
