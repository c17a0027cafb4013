import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";

let found: Promise<string | null> | undefined;

/** The pigz executable on PATH, or null; looked up once per process. */
export function findPigz(): Promise<string | null> {
  found ??= (async () => {
    for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, process.platform === "win32" ? "pigz.exe" : "pigz");
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
    return null;
  })();
  return found;
}
