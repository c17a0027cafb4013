import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { makeFolders } from "@baiengine/cli-kit/system";
import { writeFileAtomic } from "../index-file/atomic-write.js";

/**
 * The cached copy of a registry's index: `index/<name>` (the bytes as served) and
 * `index/cache.json` (the URL, the server's validators, when it was fetched, the bytes' sha256).
 * Each file is written atomically; the record names the sha256 of the bytes it describes, so a run
 * killed between the two writes leaves a copy whose validators are not used (never a wrong 304).
 */
export interface CacheRecord {
  url: string;
  etag?: string;
  lastModified?: string;
  /** When the server last sent or confirmed (304) these bytes, ISO 8601. */
  fetchedAt: string;
  sha256: string;
}

export interface CachedIndex {
  bytes: Buffer;
  /** Null when the record is missing or describes other bytes: no validators, age from nothing. */
  record: CacheRecord | null;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export class IndexCache {
  private readonly dir: string;

  constructor(
    registryDir: string,
    private readonly name: string,
  ) {
    this.dir = join(registryDir, "index");
  }

  /** The cached copy, or null when there is none. */
  async read(): Promise<CachedIndex | null> {
    const bytes = await readFile(join(this.dir, this.name)).catch(() => null);
    if (bytes === null) return null;
    const record = await readFile(join(this.dir, "cache.json"), "utf8").then((t) => JSON.parse(t) as CacheRecord, () => null);
    return { bytes, record: record !== null && record.sha256 === sha256(bytes) ? record : null };
  }

  /** Stores fresh bytes and their validators (bytes first, then the record naming them). */
  async write(bytes: Buffer, record: Omit<CacheRecord, "sha256">): Promise<void> {
    await makeFolders(this.dir);
    await writeFileAtomic(join(this.dir, this.name), bytes);
    await writeFileAtomic(join(this.dir, "cache.json"), `${JSON.stringify({ ...record, sha256: sha256(bytes) }, null, 2)}\n`);
  }

  /** Records that the server confirmed the cached bytes (304) at `when`. */
  async confirm(record: CacheRecord, when: Date): Promise<void> {
    await writeFileAtomic(join(this.dir, "cache.json"), `${JSON.stringify({ ...record, fetchedAt: when.toISOString() }, null, 2)}\n`);
  }
}
