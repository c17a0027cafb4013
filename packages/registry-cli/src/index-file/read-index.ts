import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type PlaceholderPackage, type Registry, safeParseRegistry, safeParseRegistryWithPlaceholders } from "@baiengine/schema";
import { IndexInvalidError } from "../errors.js";

/** engines.json as read: the parsed registry, the exact bytes and their hash (for change detection). */
export interface LoadedIndex {
  file: string;
  registry: Registry;
  text: string;
  sha256: string;
  /** Planned packages left out of `registry` (only when read with `allowPlaceholders`). */
  placeholders: PlaceholderPackage[];
}

export interface ReadIndexOptions {
  /**
   * Accept the design's planned packages (size 0, sha256 "" or "abc123..."): they are checked like
   * real entries, then left out of `registry` and listed in `placeholders`.
   */
  allowPlaceholders?: boolean;
}

export function sha256Text(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Parses engines.json text; throws IndexInvalidError with `path: reason` lines. */
export function parseIndexText(file: string, text: string, options: ReadIndexOptions = {}): { registry: Registry; placeholders: PlaceholderPackage[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IndexInvalidError(file, [`(root): not valid JSON (${(error as Error).message})`]);
  }
  if (options.allowPlaceholders) {
    const lenient = safeParseRegistryWithPlaceholders(json);
    if (!lenient.ok) throw new IndexInvalidError(file, lenient.issues);
    return lenient.value;
  }
  const result = safeParseRegistry(json);
  if (!result.ok) throw new IndexInvalidError(file, result.issues);
  return { registry: result.value, placeholders: [] };
}

/** Reads and validates engines.json. */
export async function readIndex(file: string, options: ReadIndexOptions = {}): Promise<LoadedIndex> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "file not found" : `cannot be read (${code ?? (error as Error).message})`;
    throw new IndexInvalidError(file, [`(root): ${reason}`], "pass --registry <path to engines.json>, or create one with `engine-registry init <dir>`");
  }
  const text = buffer.toString("utf8");
  return { file, ...parseIndexText(file, text, options), text, sha256: sha256Text(buffer) };
}
