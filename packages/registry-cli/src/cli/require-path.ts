import { stat } from "node:fs/promises";
import { UsageError } from "@baiengine/cli-kit";

/**
 * Refuses a path named on the command line that is missing or of the wrong kind, in one line
 * (exit 2), before any work starts. Returns the path.
 */
export async function requirePath(path: string, kind: "file" | "folder", what: string): Promise<string> {
  const st = await stat(path).catch((error: NodeJS.ErrnoException) => error);
  if (st instanceof Error) {
    const reason = st.code === "ENOENT" ? "does not exist" : st.code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read (${st.code ?? st.message})`;
    throw new UsageError(`${what} ${path} ${reason}`, `check the path${kind === "folder" ? " of the folder" : ""}`);
  }
  if (kind === "file" && !st.isFile()) throw new UsageError(`${what} ${path} is not a file`, "name a file");
  if (kind === "folder" && !st.isDirectory()) throw new UsageError(`${what} ${path} is not a folder`, "name a folder");
  return path;
}
