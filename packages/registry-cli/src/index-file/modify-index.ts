import type { Registry } from "@baiengine/schema";
import { IndexChangedError } from "../errors.js";
import { removeStaleTempFiles, writeFileAtomic } from "./atomic-write.js";
import { canonicalRegistryText } from "./canonical-json.js";
import { type LockOptions, lockIndex } from "./index-lock.js";
import { type LoadedIndex, type ReadIndexOptions, readIndex } from "./read-index.js";

export interface ModifyResult<T> {
  /** Whether the file was rewritten. */
  written: boolean;
  value: T;
}

/**
 * Read-modify-write of engines.json under its lock. `change` returns the new registry (or null to
 * leave the file alone) plus a value for the caller; it may throw to refuse, leaving the file as it
 * was. The file is rewritten only when its canonical text differs from what is on disk.
 */
export async function modifyIndex<T>(
  file: string,
  change: (index: LoadedIndex) => { registry: Registry | null; value: T },
  options: LockOptions & ReadIndexOptions = {},
): Promise<ModifyResult<T>> {
  const release = await lockIndex(file, options);
  try {
    await removeStaleTempFiles(file);
    const index = await readIndex(file, options);
    const { registry, value } = change(index);
    if (registry === null) return { written: false, value };
    const text = canonicalRegistryText(registry);
    if (text === index.text) return { written: false, value };
    await writeFileAtomic(file, text, {
      expectedSha256: index.sha256,
      onChanged: () => {
        throw new IndexChangedError(
          `${file} changed on disk while this update held its lock (a writer that ignores the lock); nothing was written`,
          "run the command again; make every writer use engine-registry so they take the lock",
        );
      },
    });
    return { written: true, value };
  } finally {
    await release();
  }
}

/** Writes a whole new index (init): refuses to overwrite an existing file. */
export async function createIndex(file: string, registry: Registry): Promise<void> {
  await writeFileAtomic(file, canonicalRegistryText(registry), {
    expectedSha256: null,
    onChanged: () => {
      throw new IndexChangedError(`${file} already exists`, "choose an empty folder, or edit the existing engines.json");
    },
  });
}

/** UTC timestamp without milliseconds, as in the design (`2025-01-10T00:00:00Z`). */
export function utcTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
