import { IndexLockedError } from "../errors.js";
import { DEFAULT_LOCK_STALE_MS, lockPath } from "../lock/path-lock.js";

export { DEFAULT_LOCK_STALE_MS, lockPathFor } from "../lock/path-lock.js";

export interface LockOptions {
  /** How long to wait for another writer, in ms. */
  timeoutMs?: number;
  /** A lock whose holder stopped refreshing it for this long is taken over (the holder died). */
  staleMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** Serialises writers of one index (see `lockPath`). Returns the release function. */
export function lockIndex(file: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  return lockPath(file, {
    timeoutMs,
    staleMs: options.staleMs ?? DEFAULT_LOCK_STALE_MS,
    timedOut: (holder, lock, staleMs) =>
      new IndexLockedError(
        `${file} is locked by ${holder}; gave up after ${Math.round(timeoutMs / 1000)}s`,
        `wait for that process to finish; if it is gone, its lock ${lock} is taken over automatically after ${staleMs / 1000}s without refresh`,
      ),
  });
}
