import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.js";

/**
 * A path given as a flag's value with its leading `~` expanded to the home folder, as a shell would
 * have done had the value not followed `=` (`--engines-dir=~/x` reaches the program as `~/x`, and
 * would otherwise create a folder named `~`). `~user/...` is refused with a hint: only the shell
 * knows other users' homes. Other paths are returned as they are.
 */
export function expandHome(path: string, flag: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/") || path.startsWith("~\\")) return join(homedir(), path.slice(2));
  if (path.startsWith("~")) throw new UsageError(`${flag} ${path}: a path starting with ~user is not expanded here`, `write it out in full, or pass it as \`${flag} ${path}\` (with a space) so the shell expands it`);
  return path;
}
