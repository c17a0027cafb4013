import { homedir } from "node:os";
import { join } from "node:path";
import { type Manifest, manifestPackageName } from "@baiengine/schema";

/** The app's engines folder per OS, as in the design. */
export function defaultEnginesDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === "darwin") return join(home, "Library", "Application Support", "Backend.AI GO", "engines");
  if (platform === "win32") return join(env["APPDATA"] ?? join(home, "AppData", "Roaming"), "Backend.AI GO", "engines");
  return join(env["XDG_CONFIG_HOME"] || join(home, ".config"), "Backend.AI GO", "engines");
}

/** `<os>-<arch>-<accelerator token>[-variant]`: the folder name of one installed platform. */
export function platformFolderName(m: Manifest): string {
  const n = manifestPackageName(m);
  return [n.os, n.arch, n.acceleratorToken, n.variant].filter((x) => x !== undefined).join("-");
}

/** `<engines-dir>/<engineId>/<version>/<os>-<arch>-<accelerator>[-variant]`. */
export function installPath(enginesDir: string, m: Manifest): string {
  return join(enginesDir, m.engineId, m.version, platformFolderName(m));
}
