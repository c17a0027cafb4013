import type { Reporter } from "@baiengine/schema";
import lockfile from "proper-lockfile";
import { BuildFolderBusyError } from "../errors.js";

/** How long a second pack of the same cell waits for the first before giving up. */
const WAIT_MS = 90 * 60_000;

/**
 * Holds the build folder of a cell while it is configured, built and staged: two packs of one
 * cell at once would run two ninjas over the same objects and link half-written files. The lock
 * is refreshed while held, so a crashed packer's lock goes stale within seconds and is taken over.
 */
export async function withBuildFolderLock<T>(buildDir: string, reporter: Reporter, work: () => Promise<T>): Promise<T> {
  const lockPath = `${buildDir}.lock`;
  const deadline = Date.now() + WAIT_MS;
  let release: (() => Promise<void>) | undefined;
  let announced = false;
  while (!release) {
    try {
      release = await lockfile.lock(buildDir, { lockfilePath: lockPath, stale: 15_000, update: 5_000, realpath: false });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      if (Date.now() > deadline) throw new BuildFolderBusyError(buildDir, lockPath);
      if (!announced) reporter.log?.("info", `waiting for another pack of this cell to finish with ${buildDir}`);
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  try {
    return await work();
  } finally {
    await release().catch(() => {});
  }
}
