import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export interface WhichOptions {
  /** Node's platform name; `win32` looks for each PATHEXT extension and splits PATH at `;`. */
  platform?: NodeJS.Platform;
  /** Windows' executable extensions (`.EXE;.CMD;.BAT` when unset), as in the PATHEXT variable. */
  pathext?: string;
}

/**
 * The absolute path of `command` on `envPath` (PATH), or null, like `command -v`. On Windows each
 * folder is searched for the bare name and then for the name with each PATHEXT extension, in order
 * (cmd.exe's search; the extensions list is PATHEXT's, default `.EXE;.CMD;.BAT`). A command with a
 * folder in it is checked as it is.
 */
export function which(command: string, envPath: string = process.env["PATH"] ?? "", options: WhichOptions = {}): string | null {
  const platform = options.platform ?? process.platform;
  const windows = platform === "win32";
  if (command.includes("/") || (windows && command.includes("\\"))) return isExecutable(command, windows) ? path.resolve(command) : null;
  const pathext = options.pathext ?? process.env["PATHEXT"] ?? ".EXE;.CMD;.BAT";
  const extensions = windows ? ["", ...pathext.split(";").filter(Boolean)] : [""];
  for (const dir of envPath.split(windows ? ";" : ":")) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, command + ext);
      if (isExecutable(candidate, windows)) return candidate;
    }
  }
  return null;
}

/** A regular file that may be run: on Windows, where there is no execute bit, any regular file. */
function isExecutable(file: string, windows: boolean): boolean {
  try {
    if (!windows) accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
