import { join } from "node:path";
import { errorFacts } from "@baiengine/cli-kit/errors";
import { tempDir } from "@baiengine/test-kit";
import { describe, expect, it } from "vitest";
import { EnginesFolderLockedError, IndexLockedError, LockTimeoutError } from "../src/errors.js";
import { lockIndex } from "../src/index-file/index.js";
import { withEnginesLock } from "../src/installed/active-record-file.js";

/** Holds the engines folder's lock until the returned function is called. */
async function holdEnginesLock(dir: string): Promise<() => Promise<void>> {
  let entered!: () => void;
  let leave!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const held = withEnginesLock(dir, {}, () => {
    entered();
    return new Promise<void>((r) => (leave = r));
  });
  await inside;
  return async () => {
    leave();
    await held;
  };
}

describe("a lock held past the wait", () => {
  it("on the engines folder: ENGINES_FOLDER_LOCKED with the lock, its holder and the wait as facts; free again once released", async () => {
    const dir = await tempDir();
    const release = await holdEnginesLock(dir);
    const error = await withEnginesLock(dir, {}, async () => "ran", { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnginesFolderLockedError);
    expect((error as EnginesFolderLockedError).code).toBe("ENGINES_FOLDER_LOCKED");
    expect((error as EnginesFolderLockedError).exitCode).toBe(1);
    expect(errorFacts(error as Error)).toEqual({ lock: join(dir, "active.json.lock"), holder: expect.stringContaining(`process ${process.pid}`), waitedMs: 400 });
    await release();
    await expect(withEnginesLock(dir, {}, async () => "ran", { timeoutMs: 400 })).resolves.toBe("ran");
  });

  it("on an index: INDEX_LOCKED, one family with the engines folder's", async () => {
    const dir = await tempDir();
    const file = join(dir, "engines.json");
    const release = await lockIndex(file);
    const error = await lockIndex(file, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexLockedError);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as IndexLockedError).code).toBe("INDEX_LOCKED");
    expect(errorFacts(error as Error)).toMatchObject({ lock: `${file}.lock`, waitedMs: 300 });
    await release();
  });
});
