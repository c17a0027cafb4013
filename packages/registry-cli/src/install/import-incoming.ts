import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeFolders, renameWithRetry } from "@baiengine/cli-kit/system";
import { RUNTIME_EXTENSION } from "@baiengine/schema";
import { applyInstall, type InstallDeps, type InstallResult } from "./install-package.js";
import { planFileInstall } from "./install-plan.js";
import type { InstallTarget } from "./install-target.js";
import { applyRuntimeInstall, type RuntimeInstallResult } from "./install-runtime.js";
import { planRuntimeFileInstall } from "./runtime-plan.js";

export interface ImportOutcome {
  file: string;
  status: "installed" | "rejected";
  /** Where the file was moved: `incoming/installed/` or `incoming/rejected/` (with `<file>.reason.txt`). */
  movedTo: string;
  result?: InstallResult | RuntimeInstallResult;
  reason?: string;
}

export interface ImportOptions {
  /** Binds each plan before it is applied (to the registry's signed targets when trust is configured); may refuse the file. */
  prepare?: <T extends InstallTarget>(plan: T) => Promise<T>;
}

/**
 * The design's offline installation: every `.baiengine` in `incoming/` is installed, then moved aside
 * to `incoming/installed/` or `incoming/rejected/` (with the reason beside it) so it is not retried.
 * Runtime packs (`.bairuntime`, an extension) dropped there are installed first, so a GPU package
 * brought in beside its runtime finds it.
 */
export async function importIncoming(incomingDir: string, enginesDir: string, deps: InstallDeps, options: ImportOptions = {}): Promise<ImportOutcome[]> {
  const names = (await readdir(incomingDir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile() && (e.name.endsWith(".baiengine") || e.name.endsWith(RUNTIME_EXTENSION)))
    .map((e) => e.name)
    .sort((a, b) => Number(b.endsWith(RUNTIME_EXTENSION)) - Number(a.endsWith(RUNTIME_EXTENSION)) || (a < b ? -1 : a > b ? 1 : 0));
  const outcomes: ImportOutcome[] = [];
  for (const name of names) {
    const file = join(incomingDir, name);
    try {
      const prepare = options.prepare ?? (async <T>(plan: T) => plan);
      const result = name.endsWith(RUNTIME_EXTENSION)
        ? await applyRuntimeInstall(await prepare(planRuntimeFileInstall(file, enginesDir)), deps)
        : await applyInstall(await prepare(planFileInstall(file, enginesDir)), deps);
      const movedTo = await moveAside(incomingDir, "installed", name);
      outcomes.push({ file: name, status: "installed", movedTo, result: { ...result, file: movedTo } });
    } catch (error) {
      const reason = (error as Error).message;
      const movedTo = await moveAside(incomingDir, "rejected", name);
      await writeFile(`${movedTo}.reason.txt`, `${reason}\n`);
      outcomes.push({ file: name, status: "rejected", movedTo, reason });
    }
  }
  return outcomes;
}

async function moveAside(incomingDir: string, folder: "installed" | "rejected", name: string): Promise<string> {
  const dir = join(incomingDir, folder);
  await makeFolders(dir);
  const to = join(dir, name);
  await renameWithRetry(join(incomingDir, name), to);
  return to;
}
