import { lockPath } from "@baiengine/cli-kit/system";
import type { Reporter } from "@baiengine/schema";
import { BuildFolderBusyError } from "../errors.js";

/** How long a second pack of the same cell waits for the first before giving up. */
const WAIT_MS = 90 * 60_000;

/** A packer that stopped refreshing its lock for this long is judged dead (a build step may block its event loop briefly). */
const STALE_MS = 15_000;

/**
 * Holds the build folder of a cell while it is configured, built and staged: two packs of one
 * cell at once would run two ninjas over the same objects and link half-written files. The one
 * path lock (cli-kit): a crashed packer's lock is taken over at once on this host, or once its
 * heartbeat stops elsewhere.
 */
export async function withBuildFolderLock<T>(buildDir: string, reporter: Reporter, work: () => Promise<T>): Promise<T> {
  const release = await lockPath(buildDir, {
    timeoutMs: WAIT_MS,
    staleMs: STALE_MS,
    onWait: (holder) => reporter.log?.("info", `waiting for another pack of this cell to finish with ${buildDir}: ${holder}`),
    onTakeOver: (holder, why) => reporter.log?.("warn", `taking over the build folder lock of ${buildDir} from ${holder}: ${why}`),
    timedOut: (_holder, lock) => new BuildFolderBusyError(buildDir, lock),
  });
  try {
    return await work();
  } finally {
    await release();
  }
}
