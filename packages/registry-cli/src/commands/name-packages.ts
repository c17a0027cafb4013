import type { Rendered } from "@baiengine/cli-kit";
import { namePackagesLikeIndex } from "../update/name-style.js";
import { renameLines } from "./render-changes.js";

export interface NamePackagesOptions {
  registry: string;
  engine: string;
  version: string;
  packagesDir: string;
  dryRun?: boolean;
}

/** `name-packages`: renames a version's packages to the spelling the index uses. */
export async function namePackagesCommand(opts: NamePackagesOptions): Promise<Rendered> {
  const dryRun = Boolean(opts.dryRun);
  const result = await namePackagesLikeIndex({ registryFile: opts.registry, packagesDir: opts.packagesDir, engineId: opts.engine, version: opts.version, dryRun });
  const lines = result.renames.length === 0 ? [`every ${opts.engine} ${opts.version} package is already spelled the index's way (${result.style})`] : renameLines(result.renames, dryRun);
  return { json: result, lines };
}
