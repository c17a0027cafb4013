import { readFileSync } from "node:fs";
import { formatIssues, JsonDocumentError, parseStrictJson, SchemaValidationError } from "@baiengine/schema";
import type { z } from "zod";

/** data/ sits beside src/ and dist/, so the same relative URL works from the sources and from the build. */
const DATA = new URL("../data/", import.meta.url);

/** The text of a file under data/ (a header fix's content). */
export function readDataText(relative: string): string {
  return readFileSync(new URL(relative, DATA), "utf8");
}

/** The JSON of a file under data/, read by the one strict JSON-document reader; throws SchemaValidationError naming the file and the path. */
export function readDataJson(relative: string): unknown {
  try {
    return parseStrictJson(readFileSync(new URL(relative, DATA)));
  } catch (error) {
    if (error instanceof JsonDocumentError) throw new SchemaValidationError(`@baiengine/profiles data/${relative}`, [error.message]);
    throw error;
  }
}

/** Validates the content of data/<name> against `schema`; throws SchemaValidationError naming the file. */
export function validateData<S extends z.ZodType>(name: string, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new SchemaValidationError(`@baiengine/profiles data/${name}`, formatIssues(parsed.error));
  return parsed.data;
}

/** Throws SchemaValidationError for `document` when cross-checks between profiles found problems. */
export function assertNoProblems(document: string, problems: string[]): void {
  if (problems.length > 0) throw new SchemaValidationError(`@baiengine/profiles data/${document}`, problems);
}

/** Every key of `reasons` must name a define: a reason for nothing is a stale decision. */
export function reasonsWithoutDefine(where: string, defines: Record<string, string>, reasons: Record<string, string>): string[] {
  return Object.keys(reasons)
    .filter((k) => !Object.hasOwn(defines, k))
    .map((k) => `${where}.defineReasons.${k}: gives a reason for a define the profile does not set`);
}

/** `where: duplicate <what> "<key>"` for every key seen twice. */
export function duplicates(where: string, what: string, keys: string[]): string[] {
  return keys.filter((k, i) => keys.indexOf(k) !== i).map((k) => `${where}: duplicate ${what} ${JSON.stringify(k)}`);
}
