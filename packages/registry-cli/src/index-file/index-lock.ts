import { IndexLockedError } from "../errors.js";
import { DEFAULT_LOCK_STALE_MS, lockPath } from "@baiengine/cli-kit/system";
import type { Reporter } from "@baiengine/schema";

export { DEFAULT_LOCK_STALE_MS, lockPathFor } from "@baiengine/cli-kit/system";

export interface LockOptions {
  /** How long to wait for another writer, in ms. */
  timeoutMs?: number;
  /** A lock whose holder stopped refreshing it for this long is taken over (the holder died). */
  staleMs?: number;
  /** Hears, as an info line, that another writer holds the lock and this one waits (and when a dead one's lock is taken over). */
  reporter?: Reporter;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** Serialises writers of one index (see `lockPath`). Returns the release function. */
export function lockIndex(file: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  return lockPath(file, {
    timeoutMs,
    staleMs: options.staleMs ?? DEFAULT_LOCK_STALE_MS,
    onWait: (holder) => options.reporter?.log?.("info", `waiting for ${file}: it is locked by ${holder}`),
    onTakeOver: (holder, why) => options.reporter?.log?.("warn", `taking over the lock of ${file} from ${holder}: ${why}`),
    timedOut: (holder, lock, staleMs) =>
      new IndexLockedError(
        `${file} is locked by ${holder}; gave up after ${Math.round(timeoutMs / 1000)}s`,
        `wait for that process to finish; if it is gone, its lock ${lock} is taken over at once when its process has exited on this host, or after ${staleMs / 1000}s without a heartbeat`,
        lock,
        holder,
        timeoutMs,
      ),
  });
}
