import { PACKAGE_ROOT } from "./entry-safety.js";
import { errorFinding, type Finding } from "../findings.js";

/**
 * Windows' classic path limit: MAX_PATH is 260 UTF-16 units including the terminating NUL, so 259
 * characters (Microsoft, "Maximum Path Length Limitation"). Longer paths need the LongPathsEnabled
 * registry setting and a manifest opt-in that a default Windows and the app's extractor do not have.
 */
export const WINDOWS_MAX_PATH = 259;

/**
 * Characters the engines folder takes before a package's own folder: the app's data folder
 * `C:\Users\<user name, at most 20>\AppData\Roaming\Backend.AI GO\engines\` (65), rounded up.
 */
export const WINDOWS_ENGINES_FOLDER_RESERVE = 70;

/**
 * A Windows package whose longest installed path passes MAX_PATH cannot be extracted on a default
 * Windows. `installFolder` is the package's folder under the engines folder
 * (`llama-cpp\b4618\windows-x86_64-cuda12`); each entry's path under package/ is added to it.
 */
export function checkWindowsPathLength(os: string, installFolder: string, paths: Iterable<string>): Finding[] {
  if (os !== "windows") return [];
  const findings: Finding[] = [];
  for (const path of paths) {
    if (!path.startsWith(`${PACKAGE_ROOT}/`)) continue;
    const rel = path.slice(PACKAGE_ROOT.length + 1);
    // UTF-16 units, as Windows counts them; the separators become backslashes, one unit each.
    const length = WINDOWS_ENGINES_FOLDER_RESERVE + installFolder.length + 1 + rel.length;
    if (length > WINDOWS_MAX_PATH) {
      findings.push(
        errorFinding(
          "WINDOWS_PATH_TOO_LONG",
          `installed on Windows this path is ${length} characters (${WINDOWS_ENGINES_FOLDER_RESERVE} for the engines folder, ${installFolder.length + 1} for ${installFolder}\\, ${rel.length} in the package), over Windows' limit of ${WINDOWS_MAX_PATH} (MAX_PATH 260 with its NUL); a default Windows cannot extract it: shorten the file or folder names`,
          path,
        ),
      );
    }
  }
  return findings;
}
