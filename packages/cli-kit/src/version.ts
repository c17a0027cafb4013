import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The version of the package that holds `moduleUrl` (a CLI's `import.meta.url`): the `version` of the
 * nearest package.json above it, in the source tree and once built or installed alike.
 * Throws when no package.json with a version string is found (a broken install, a bug).
 */
export function programVersion(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const version = versionIn(join(dir, "package.json"));
    if (version !== null) return version;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json with a version above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
}

function versionIn(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === "string" ? version : null;
}
