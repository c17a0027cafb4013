import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** The absolute path of a command on PATH, or null (like `command -v`; on Windows with PATHEXT). */
export function which(command: string, envPath: string = process.env["PATH"] ?? ""): string | null {
  if (command.includes("/")) return isExecutable(command) ? path.resolve(command) : null;
  const extensions = process.platform === "win32" ? ["", ...(process.env["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";")] : [""];
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, command + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
