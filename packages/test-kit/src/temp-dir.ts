import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

/** Folders made outside a running test, removed after the file's tests. */
const pending = new Set<string>();
const remove = (dir: string) => rmSync(dir, { recursive: true, force: true });

// Registered while the test file that imports the kit is collected: vitest loads this module once
// per test file, so each file's folders go when that file's tests are done.
try {
  afterAll(() => {
    for (const dir of pending) remove(dir);
    pending.clear();
  });
} catch {
  // Imported outside a vitest test file (a global setup): the process's exit removes them.
}
process.once("exit", () => {
  for (const dir of pending) remove(dir);
});

/**
 * Removal of a folder when the test that made it finishes, or, made outside a test (a file's top
 * level, a `describe` body, `beforeAll`), after the file's tests. A test never cleans up by hand.
 */
function removeLater(dir: string): void {
  try {
    onTestFinished(() => remove(dir));
  } catch {
    pending.add(dir);
  }
}

/** A fresh folder under the OS's temporary folder, `baiengine-<prefix>-XXXXXX`, removed after use. */
export async function tempDir(prefix = "test"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `baiengine-${prefix}-`));
  removeLater(dir);
  return dir;
}

/** `tempDir` for a file's top level, where there is no `await` before the tests are collected. */
export function tempDirSync(prefix = "test"): string {
  const dir = mkdtempSync(join(tmpdir(), `baiengine-${prefix}-`));
  removeLater(dir);
  return dir;
}
