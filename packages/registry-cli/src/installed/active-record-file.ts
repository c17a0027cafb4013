import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { lockPath, makeFolders } from "@baiengine/cli-kit/system";
import { ACTIVE_RECORD_FILE, type ActiveRecord, JsonDocumentError, parseStrictJson, type Reporter, safeParseActiveRecord } from "@baiengine/schema";
import { ActiveRecordChangedError, ActiveRecordInvalidError, ActiveRecordNewerError, EnginesFolderLockedError } from "../errors.js";
import { removeStaleTempFiles, writeFileAtomic } from "../index-file/atomic-write.js";
import { sha256Text } from "../index-file/read-index.js";

/** The active record as read: the value and the sha256 of its bytes (null: no file yet). */
export interface LoadedActiveRecord {
  file: string;
  record: ActiveRecord;
  sha256: string | null;
}

export const activeRecordPath = (enginesDir: string) => join(enginesDir, ACTIVE_RECORD_FILE);

/** The record format this CLI reads and writes. */
export const ACTIVE_RECORD_FORMAT = 1;

export const emptyActiveRecord = (): ActiveRecord => ({ format: ACTIVE_RECORD_FORMAT, engines: {} });

/**
 * The engines folder's active record; an empty one when there is none. Throws
 * ActiveRecordNewerError for a record whose `format` is above this CLI's (a newer version wrote it:
 * never to be overwritten by this one), ActiveRecordInvalidError for any other file that is not a
 * valid record.
 */
export async function readActiveRecord(enginesDir: string): Promise<LoadedActiveRecord> {
  const file = activeRecordPath(enginesDir);
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (text === null) return { file, record: emptyActiveRecord(), sha256: null };
  let json: unknown;
  try {
    json = parseStrictJson(text);
  } catch (error) {
    if (!(error instanceof JsonDocumentError)) throw error;
    throw new ActiveRecordInvalidError(file, [`not JSON as the app reads it (${error.message})`]);
  }
  const format = typeof json === "object" && json !== null ? (json as { format?: unknown }).format : undefined;
  if (typeof format === "number" && Number.isInteger(format) && format > ACTIVE_RECORD_FORMAT) throw new ActiveRecordNewerError(file, format, ACTIVE_RECORD_FORMAT);
  const parsed = safeParseActiveRecord(json);
  if (!parsed.ok) throw new ActiveRecordInvalidError(file, parsed.issues);
  return { file, record: parsed.value, sha256: sha256Text(text) };
}

/**
 * Writes the record as a whole new file renamed over the old one (temp file, fsync, rename, fsync of
 * the folder), so a reader, or a process killed mid-write, always sees a complete record. Call it
 * holding `withEnginesLock`; `expectedSha256` is what was read under it.
 */
export async function writeActiveRecord(loaded: LoadedActiveRecord, record: ActiveRecord): Promise<void> {
  await writeFileAtomic(loaded.file, `${JSON.stringify(record, null, 2)}\n`, {
    expectedSha256: loaded.sha256,
    onChanged: () => {
      throw new ActiveRecordChangedError(loaded.file);
    },
  });
}

/** How long a management command waits for another one (or an install's activation) to finish, ms. */
const ENGINES_LOCK_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs `work` holding the engines folder's lock (`active.json.lock`): every change to the active
 * record and every removal of an installed folder happens under it, so `use`, `remove`, `prune` and
 * an install's activation never interleave. Temp files a killed writer left are removed first.
 * Throws EnginesFolderLockedError when another holder does not finish within `timeoutMs` (5 minutes).
 */
export async function withEnginesLock<T>(enginesDir: string, reporter: Reporter, work: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  await makeFolders(enginesDir);
  const file = activeRecordPath(enginesDir);
  const timeoutMs = options.timeoutMs ?? ENGINES_LOCK_TIMEOUT_MS;
  const release = await lockPath(file, {
    timeoutMs,
    onWait: (holder) => reporter.log?.("info", `waiting for another command on ${enginesDir}: ${holder}`),
    timedOut: (holder, lock, staleMs) =>
      new EnginesFolderLockedError(`another command on ${enginesDir} (${holder}) did not finish within ${Math.round(timeoutMs / 1000)}s`, `wait for it to finish; if it is gone, its lock ${lock} is taken over after ${staleMs / 1000}s`, lock, holder, timeoutMs),
  });
  try {
    await removeStaleTempFiles(file);
    return await work();
  } finally {
    await release();
  }
}
