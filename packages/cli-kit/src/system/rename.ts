import { rename } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Windows refuses to rename a file or folder another process has open (antivirus scanners, the
 * search indexer, editors) with EPERM, EACCES or EBUSY until it lets go; retried with these delays.
 */
const RETRY_CODES = new Set(["EPERM", "EBUSY", "EACCES"]);
const RETRY_DELAYS_MS = [20, 50, 100, 200, 400, 800];

/**
 * `fs.rename(from, to)`, retried for about 1.6 s on the transient Windows errors (EPERM, EACCES,
 * EBUSY). Every "write under a temporary name, then rename into place" uses it. Throws the last
 * error, or at once any other error (ENOENT, EXDEV, ENOTEMPTY). `onRetry` hears each refusal that is retried.
 */
export async function renameWithRetry(
  from: string,
  to: string,
  delaysMs: readonly number[] = RETRY_DELAYS_MS,
  onRetry?: (error: NodeJS.ErrnoException, attempt: number) => void,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      const delay = delaysMs[attempt];
      if (!RETRY_CODES.has(code) || delay === undefined) throw error;
      onRetry?.(error as NodeJS.ErrnoException, attempt);
      await sleep(delay);
    }
  }
}
