import { readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import lockfile from "proper-lockfile";

export interface PathLockOptions {
  /** How long to wait for another holder, in ms. */
  timeoutMs?: number;
  /** A lock whose holder stopped refreshing it for this long is taken over (the holder died). */
  staleMs?: number;
  /** Called once, with the holder's description, when the lock is busy and this process starts waiting. */
  onWait?: (holder: string) => void;
  /** The error to throw after `timeoutMs`. */
  timedOut: (holder: string, lockPath: string, staleMs: number) => Error;
}

export const DEFAULT_LOCK_STALE_MS = 5_000;

/** Who holds the lock, written beside the lock folder so a waiting process can name it. */
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
 * An exclusive lock on `file` (which need not exist) with proper-lockfile: a `<file>.lock` folder,
 * refreshed while held; a holder that died is detected by its stale mtime and taken over. The
 * holder is recorded in `<file>.lock.owner`. Returns the release function.
 */
export async function lockPath(file: string, options: PathLockOptions): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const staleMs = Math.max(2_000, options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  let waiting = false;
  for (;;) {
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        stale: staleMs,
        update: Math.max(1_000, Math.floor(staleMs / 3)),
        retries: 0,
        onCompromised: (error) => {
          // Someone removed our lock: the callers' own checks (content hash, rename) still guard the write.
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
      if (!waiting) {
        waiting = true;
        options.onWait?.(await describeOwner(file));
      }
      if (Date.now() >= deadline) throw options.timedOut(await describeOwner(file), lockPathFor(file), staleMs);
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(delay * 2, 500);
    }
  }
}
