import { hostname } from "node:os";
import { readFile, unlink, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import lockfile from "proper-lockfile";
import { IndexLockedError } from "../errors.js";

export interface LockOptions {
  /** How long to wait for another writer, in ms. */
  timeoutMs?: number;
  /** A lock whose holder stopped refreshing it for this long is taken over (the holder died). */
  staleMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
export const DEFAULT_LOCK_STALE_MS = 5_000;

/** Who holds the lock, written beside the lock folder so a waiting writer can name it. */
interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export const lockPathFor = (file: string) => `${file}.lock`;
const ownerPathFor = (file: string) => `${file}.lock.owner`;

async function describeOwner(file: string): Promise<string> {
  try {
    const owner = JSON.parse(await readFile(ownerPathFor(file), "utf8")) as LockOwner;
    return `process ${owner.pid} on ${owner.host} (${owner.command}), since ${owner.since}`;
  } catch {
    return "an unknown process";
  }
}

/**
 * Serialises writers of one index with proper-lockfile (a `<file>.lock` folder, refreshed while held;
 * a holder that died is detected by its stale mtime and taken over). Returns the release function.
 */
export async function lockIndex(file: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = Math.max(2_000, options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        stale: staleMs,
        update: Math.max(1_000, Math.floor(staleMs / 3)),
        retries: 0,
        onCompromised: (error) => {
          // Someone removed our lock: the content-hash check before the rename still guards the write.
          process.emitWarning(`lock on ${file} was compromised: ${error.message}`);
        },
      });
      const owner: LockOwner = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(" ").slice(0, 200), since: new Date().toISOString() };
      await writeFile(ownerPathFor(file), `${JSON.stringify(owner)}\n`).catch(() => {});
      return async () => {
        await unlink(ownerPathFor(file)).catch(() => {});
        await release().catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      if (Date.now() >= deadline) {
        throw new IndexLockedError(
          `${file} is locked by ${await describeOwner(file)}; gave up after ${Math.round(timeoutMs / 1000)}s`,
          `wait for that process to finish; if it is gone, its lock ${lockPathFor(file)} is taken over automatically after ${staleMs / 1000}s without refresh`,
        );
      }
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(delay * 2, 500);
    }
  }
}
