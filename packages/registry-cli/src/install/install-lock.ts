import { dirname } from "node:path";
import { lockPath, makeFolders } from "@baiengine/cli-kit/system";
import type { Reporter } from "@baiengine/schema";
import { InstallLockedError } from "../errors.js";
import type { InstallTarget } from "./install-target.js";

/** How long a second install of the same file waits for the first (a slow download), ms. */
const INSTALL_LOCK_TIMEOUT_MS = 60 * 60_000;

/**
 * Takes the install lock of a file (a second installer waits, saying so); returns its release.
 * Throws InstallLockedError when the holder does not finish within an hour.
 */
export async function takeInstallLock(target: Pick<InstallTarget, "lock" | "filename">, reporter: Reporter = {}): Promise<() => Promise<void>> {
  await makeFolders(dirname(target.lock));
  return lockPath(target.lock, {
    timeoutMs: INSTALL_LOCK_TIMEOUT_MS,
    onWait: (holder) => reporter.log?.("info", `waiting for another install of ${target.filename}: ${holder}`),
    onTakeOver: (holder, why) => reporter.log?.("warn", `taking over the install lock of ${target.filename} from ${holder}: ${why}`),
    timedOut: (holder, lock, staleMs) =>
      new InstallLockedError(
        `another install of ${target.filename} (${holder}) did not finish within ${INSTALL_LOCK_TIMEOUT_MS / 60_000} minutes`,
        `if it is gone, its lock ${lock} is taken over (at once when its process has exited on this host, after ${staleMs / 1000}s without a heartbeat otherwise)`,
        lock,
        holder,
        INSTALL_LOCK_TIMEOUT_MS,
      ),
  });
}
