import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeFolders, renameWithRetry } from "@baiengine/cli-kit/system";
import { RUNTIME_EXTENSION, withoutDuplicateSuffix } from "@baiengine/schema";
import { applyInstall, type InstallDeps, type InstallResult } from "./install-package.js";
import { planFileInstall } from "./install-plan.js";
import type { InstallTarget } from "./install-target.js";
import { applyRuntimeInstall, type RuntimeInstallResult } from "./install-runtime.js";
import { planRuntimeFileInstall } from "./runtime-plan.js";
import { stillArriving } from "./stable-file.js";

/** How long a file in incoming/ must keep its size and time to be judged. */
const DEFAULT_SETTLE_MS = 2_000;

export interface ImportOutcome {
  file: string;
  /** `waiting`: still being copied in, left where it is for the next run (`reason` says why). */
  status: "installed" | "rejected" | "waiting";
  /** Where the file was moved: `incoming/installed/` or `incoming/rejected/` (with `<file>.reason.txt`); for `waiting`, where it stays. */
  movedTo: string;
  result?: InstallResult | RuntimeInstallResult;
  reason?: string;
  /** The package's name when the file's has a browser's duplicate-download suffix (`name (1).baiengine`). */
  installedAs?: string;
}

export interface ImportOptions {
  /** Binds each plan before it is applied (to the registry's signed targets when trust is configured); may refuse the file. */
  prepare?: <T extends InstallTarget>(plan: T) => Promise<T>;
  /** How long a file must keep its size and time to be judged, ms (default 2 s). */
  settleMs?: number;
}

/**
 * The design's offline installation: every `.baiengine` in `incoming/` is installed, then moved aside
 * to `incoming/installed/` or `incoming/rejected/` (with the reason beside it) so it is not retried.
 * Runtime packs (`.bairuntime`, an extension) dropped there are installed first, so a GPU package
 * brought in beside its runtime finds it. Only a stable file is judged: one still being copied in
 * (open for writing elsewhere, or growing over `settleMs`, default 2 s) is left for the next run.
 */
export async function importIncoming(incomingDir: string, enginesDir: string, deps: InstallDeps, options: ImportOptions = {}): Promise<ImportOutcome[]> {
  const names = (await readdir(incomingDir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile() && (e.name.endsWith(".baiengine") || e.name.endsWith(RUNTIME_EXTENSION)))
    .map((e) => e.name)
    .sort((a, b) => Number(b.endsWith(RUNTIME_EXTENSION)) - Number(a.endsWith(RUNTIME_EXTENSION)) || (a < b ? -1 : a > b ? 1 : 0));
  const outcomes: ImportOutcome[] = [];
  const arriving = await stillArriving(names.map((n) => join(incomingDir, n)), options.settleMs ?? DEFAULT_SETTLE_MS);
  for (const name of names) {
    const file = join(incomingDir, name);
    const busy = arriving.get(file);
    if (busy) {
      outcomes.push({ file: name, status: "waiting", movedTo: file, reason: `still being copied in (${busy}); left for the next run` });
      continue;
    }
    try {
      const prepare = options.prepare ?? (async <T>(plan: T) => plan);
      const result = name.endsWith(RUNTIME_EXTENSION)
        ? await applyRuntimeInstall(await prepare(planRuntimeFileInstall(file, enginesDir)), deps)
        : await applyInstall(await prepare(planFileInstall(file, enginesDir)), deps);
      const movedTo = await moveAside(incomingDir, "installed", name);
      const as = withoutDuplicateSuffix(name);
      outcomes.push({ file: name, status: "installed", movedTo, result: { ...result, file: movedTo }, ...(as ? { installedAs: as } : {}) });
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
