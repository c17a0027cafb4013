import { readFile, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseStrictJson } from "@baiengine/schema";
import lockfile from "proper-lockfile";
import { renameWithRetry } from "./rename.js";

/** Who holds a lock, as its holder recorded it in `<file>.lock.owner`. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  /** ISO time the holder took the lock (its own clock). */
  since: string;
}

export interface PathLockOptions {
  /** How long to wait for another holder, ms (default 60 s). */
  timeoutMs?: number;
  /**
   * How long a holder's heartbeat (the lock folder's mtime, refreshed every `staleMs / 3`, at least
   * every second) may stay unchanged, as this process observes it on its own clock, before the holder
   * is judged dead and the lock taken over, ms (at least 2 s; default 5 s).
   */
  staleMs?: number;
  /** Called once, with the holder's description, when the lock is busy and this process starts waiting. */
  onWait?: (holder: string) => void;
  /** Called when a dead holder's lock is taken over, with the holder and why it was judged dead. */
  onTakeOver?: (holder: string, why: string) => void;
  /** The error to throw after `timeoutMs`: the holder's description, the lock folder, `staleMs`. */
  timedOut: (holder: string, lockPath: string, staleMs: number) => Error;
}

export const DEFAULT_LOCK_STALE_MS = 5_000;

export const lockPathFor = (file: string) => `${file}.lock`;
const ownerPathFor = (file: string) => `${file}.lock.owner`;

async function readHolder(file: string): Promise<LockHolder | null> {
  try {
    const value = parseStrictJson(await readFile(ownerPathFor(file))) as Partial<LockHolder>;
    if (typeof value.pid !== "number" || typeof value.host !== "string") return null;
    return { pid: value.pid, host: value.host, command: String(value.command ?? ""), since: String(value.since ?? "") };
  } catch {
    return null;
  }
}

export function describeHolder(holder: LockHolder | null): string {
  return holder ? `process ${holder.pid} on ${holder.host} (${holder.command}), since ${holder.since}` : "an unknown process";
}

/** Whether process `pid` of this host is gone: signal 0 tests for it without sending anything (EPERM: alive, another user's). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Judges a busy lock, remembering what it saw between calls: dead when its holder is a process of
 * this host that is gone (at once, whatever the lock's time); when its heartbeat has not changed
 * for `staleMs` as this process's own monotonic clock measures (whatever either machine's wall
 * clock says: a clock set back, or another host's clock, cannot make a live lock look dead or a
 * dead one look alive for long); or, for a lock of this host or with no holder record, when its
 * mtime is older than `staleMs` by this host's clock (the same clock wrote it).
 */
class HeartbeatWatch {
  private beat: number | null = null;
  private seenAt = 0;

  constructor(private readonly staleMs: number) {}

  /** Why the holder is dead, or null while it may be alive. */
  judge(holder: LockHolder | null, mtimeMs: number): string | null {
    const now = performance.now();
    if (holder !== null && holder.host === hostname() && holder.pid !== process.pid && processGone(holder.pid)) return `process ${holder.pid} has exited`;
    if ((holder === null || holder.host === hostname()) && mtimeMs < Date.now() - this.staleMs) return `its heartbeat is ${Math.round((Date.now() - mtimeMs) / 1000)}s old`;
    if (this.beat !== mtimeMs) {
      this.beat = mtimeMs;
      this.seenAt = now;
      return null;
    }
    return now - this.seenAt >= this.staleMs ? `its heartbeat did not change for ${Math.round((now - this.seenAt) / 1000)}s` : null;
  }
}

/** Removes a dead holder's lock, unless it changed since it was judged (another waiter took it over first). */
async function takeOver(file: string, judgedMtime: number): Promise<void> {
  const now = await stat(lockPathFor(file)).catch(() => null);
  if (now === null || now.mtimeMs !== judgedMtime) return;
  await unlink(ownerPathFor(file)).catch(() => {});
  await rmdir(lockPathFor(file)).catch(() => {});
}

/** Records this process as the holder: a temporary file renamed over the record, so a planted link is replaced, never written through. */
async function recordHolder(file: string): Promise<void> {
  const owner: LockHolder = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(" ").slice(0, 200), since: new Date().toISOString() };
  const temp = `${ownerPathFor(file)}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(owner)}\n`, { flag: "wx" })
    .then(() => renameWithRetry(temp, ownerPathFor(file)))
    .catch(() => unlink(temp).catch(() => {}));
}

/**
 * The one path lock: an exclusive lock on `file` (which need not exist), used for the index, each
 * install, each runtime store and the packer's build folders. proper-lockfile makes the lock an
 * atomic `<file>.lock` folder and refreshes its mtime while held (the heartbeat); this module judges
 * a busy lock (see `HeartbeatWatch`) and records the holder in `<file>.lock.owner` so a waiting
 * process can name it. Returns the release function; throws `options.timedOut(...)` after `timeoutMs`.
 */
export async function lockPath(file: string, options: PathLockOptions): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const staleMs = Math.max(2_000, options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  const deadline = performance.now() + timeoutMs;
  const watch = new HeartbeatWatch(staleMs);
  let delay = 50;
  let waiting = false;
  for (;;) {
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        // proper-lockfile's own judgement (mtime against this clock) is replaced by HeartbeatWatch.
        stale: 365 * 24 * 3_600_000,
        update: Math.max(1_000, Math.floor(staleMs / 3)),
        retries: 0,
        onCompromised: (error) => {
          // Someone removed our lock: the callers' own checks (content hash, rename) still guard the write.
          process.emitWarning(`lock on ${file} was compromised: ${error.message}`);
        },
      });
      await recordHolder(file);
      return async () => {
        await unlink(ownerPathFor(file)).catch(() => {});
        await release().catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    }
    const holder = await readHolder(file);
    const mtime = await stat(lockPathFor(file)).then((s) => s.mtimeMs, () => null);
    if (mtime === null) continue; // released meanwhile
    const dead = watch.judge(holder, mtime);
    if (dead !== null) {
      options.onTakeOver?.(describeHolder(holder), dead);
      await takeOver(file, mtime);
    } else if (!waiting) {
      waiting = true;
      options.onWait?.(`${describeHolder(holder)}; its lock is taken over if the process exits or its heartbeat stops for ${staleMs / 1000}s`);
    }
    if (performance.now() >= deadline) throw options.timedOut(describeHolder(holder), lockPathFor(file), staleMs);
    if (dead === null) {
      await sleep(Math.min(delay, Math.max(0, deadline - performance.now())));
      delay = Math.min(delay * 2, 500);
    }
  }
}
