import { randomBytes } from "node:crypto";
import { open, readdir, readFile, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { renameWithRetry } from "@baiengine/cli-kit/system";
import { sha256Text } from "./read-index.js";

export interface AtomicWriteOptions {
  /**
   * sha256 of the file as it was read. Checked just before the rename: a mismatch means someone
   * wrote the file meanwhile (ignoring the lock), and the write is refused instead of losing theirs.
   * `null` means the file must not exist yet; undefined skips the check.
   */
  expectedSha256?: string | null;
  /** Called when the on-disk content differs from `expectedSha256`; must throw. */
  onChanged?: (actual: string | null) => never;
}

/** Temporary files are `.<name>.<pid>.<random>.tmp` in the same folder (same filesystem: rename is atomic). */
export function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

export function isTempFileOf(file: string, name: string): boolean {
  return name.startsWith(`.${basename(file)}.`) && name.endsWith(".tmp");
}

/**
 * Writes `content` (text as UTF-8, or bytes) to `file` so that a crash at any moment leaves either the old or the new file:
 * temp file in the same folder, write + fsync, rename over, fsync the folder. The temp file is removed
 * on any error.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(file);
  try {
    const handle = await open(temp, "wx", 0o644);
    try {
      await (typeof content === "string" ? handle.writeFile(content, "utf8") : handle.writeFile(content));
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.expectedSha256 !== undefined) {
      const actual = await readFile(file).then(sha256Text, (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return null;
        throw error;
      });
      if (actual !== options.expectedSha256) {
        if (options.onChanged) options.onChanged(actual);
        throw new Error(`${file} changed on disk while it was being updated`);
      }
    }
    await renameWithRetry(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await fsyncFolder(dirname(file));
}

/** Makes the rename durable. Folders cannot be opened for fsync on Windows: that is not an error there. */
export async function fsyncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(folder, "r");
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EBADF") throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Removes temporary files a killed writer left behind. Call only while holding the index lock: then
 * no live writer owns one.
 */
export async function removeStaleTempFiles(file: string): Promise<string[]> {
  const folder = dirname(file);
  const removed: string[] = [];
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    if (!isTempFileOf(file, name)) continue;
    await unlink(join(folder, name)).then(
      () => removed.push(name),
      () => {},
    );
  }
  return removed;
}
