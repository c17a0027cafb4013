import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type PlaceholderPackage, parseJsonDocument, type Registry, safeParseRegistry, safeParseRegistryForReaders, safeParseRegistryWithPlaceholders, type ValidationResult } from "@baiengine/schema";
import { UsageError } from "@baiengine/cli-kit/errors";
import { IndexInvalidError } from "../errors.js";

/** engines.json as read: the parsed registry, the exact bytes and their hash (for change detection). */
export interface LoadedIndex {
  file: string;
  registry: Registry;
  text: string;
  sha256: string;
  /** Planned packages left out of `registry` (only when read with `allowPlaceholders`). */
  placeholders: PlaceholderPackage[];
  /** One warning line per package entry left out for a platform this version does not know (only `forReaders`). */
  skipped: string[];
}

export interface ReadIndexOptions {
  /**
   * Accept the design's planned packages (size 0, sha256 "" or "abc123..."): they are checked like
   * real entries, then left out of `registry` and listed in `placeholders`.
   */
  allowPlaceholders?: boolean;
  /**
   * Read as the app's side does (resolve, install, list): entries for an os, arch or accelerator
   * this version does not know are skipped and listed in `skipped` instead of refusing the index.
   */
  forReaders?: boolean;
}

type ParsedIndex = { registry: Registry; placeholders: PlaceholderPackage[]; skipped: string[] };

function validator(options: ReadIndexOptions): (json: unknown) => ValidationResult<ParsedIndex> {
  if (options.allowPlaceholders) {
    return (json) => {
      const r = safeParseRegistryWithPlaceholders(json);
      return r.ok ? { ok: true, value: { ...r.value, skipped: [] } } : r;
    };
  }
  if (options.forReaders) {
    return (json) => {
      const r = safeParseRegistryForReaders(json);
      return r.ok ? { ok: true, value: { ...r.value, placeholders: [] } } : r;
    };
  }
  return (json) => {
    const r = safeParseRegistry(json);
    return r.ok ? { ok: true, value: { registry: r.value, placeholders: [], skipped: [] } } : r;
  };
}

export function sha256Text(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Parses engines.json text with the one JSON-document reader (duplicate keys and a BOM refused); throws IndexInvalidError with `path: reason` lines. */
export function parseIndexText(file: string, text: string | Buffer, options: ReadIndexOptions = {}): ParsedIndex {
  const result = parseJsonDocument(text, validator(options));
  if (!result.ok) throw new IndexInvalidError(file, result.issues);
  return result.value;
}

/**
 * The bytes of an index file named by `flag` (`--registry`, `--from`). Throws UsageError (exit 2)
 * for a file that does not exist, IndexInvalidError for one that cannot be read; `hint` says what to pass.
 */
export async function readIndexBytes(file: string, flag: string, hint: string): Promise<Buffer> {
  return readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new UsageError(`${flag} ${file} does not exist`, hint);
    throw new IndexInvalidError(file, [`(root): cannot be read (${error.code ?? error.message})`], hint);
  });
}

/** Reads and validates engines.json. */
export async function readIndex(file: string, options: ReadIndexOptions = {}): Promise<LoadedIndex> {
  const buffer = await readIndexBytes(file, "--registry", "pass --registry <path to engines.json>, or create one with `engine-registry init <dir>`");
  return { file, ...parseIndexText(file, buffer, options), text: buffer.toString("utf8"), sha256: sha256Text(buffer) };
}
