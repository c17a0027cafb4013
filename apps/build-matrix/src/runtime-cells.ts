import { runtimeForToken } from "@baiengine/profiles";
import { isSupportedPlatform, type Arch, type Os, PLATFORM_MATRIX } from "@baiengine/schema";
import type { RunnerSetup } from "./cell.js";
import { MatrixUsageError } from "./errors.js";
import { githubRunnerFields } from "./github-matrix.js";
import type { MatrixAccelerator } from "./matrix-sources.js";
import { shellWord } from "./plan-matrix.js";
import { runnerFor } from "./runners.js";
import { toolkitSetup } from "./toolkits.js";

export const DEFAULT_RUNTIME_OUT_DIR = "dist/runtimes";

/** One runtime pack of the matrix: a GPU runtime for one (os, arch), packed from the toolkit its engine cells build with. */
export interface RuntimeCell extends RunnerSetup {
  /** `{runtimeId}-{os}-{arch}` (`cuda13-runtime-linux-x86_64`). */
  id: string;
  runtime: string;
  os: Os;
  arch: Arch;
  /** The accelerator token whose engine cells need this runtime (`cuda13`). */
  accelerator: string;
  /** The pack depends on the toolkit alone: the cell is cached by runtime, platform and toolkit image or version. */
  cacheKey: string;
  packCommand: string;
  verifyCommand: string;
}

/**
 * The runtime cells beside the engine cells: one per accelerator profile (os, arch, token) that the
 * platform matrix allows and whose token has a runtime profile there, set up with the same toolkit
 * as the engine cells of that token. Pure. `runtime` narrows to one runtime id (unknown: MatrixUsageError).
 */
export function planRuntimeCells(accelerators: MatrixAccelerator[], request: { runtime?: string; outDir?: string } = {}): RuntimeCell[] {
  const outDir = request.outDir ?? DEFAULT_RUNTIME_OUT_DIR;
  const cells: RuntimeCell[] = [];
  for (const { os, arch, token } of accelerators) {
    const runtime = runtimeForToken(token, os);
    if (!runtime?.platform.arches.includes(arch) || !isSupportedPlatform(os, arch, token, PLATFORM_MATRIX)) continue;
    const id = `${runtime.profile.id}-${os}-${arch}`;
    const runner = runnerFor(os, arch);
    const setup = toolkitSetup(os, token);
    if (!runner || setup instanceof Error) throw new Error(`${id}: no CI runner or toolkit set-up (apps/build-matrix/src/runners.ts, toolkits.ts)`);
    const pack = ["pnpm", "pack-runtime", "--accel", token, "--os", os, "--arch", arch, "--out", outDir];
    cells.push({
      id,
      runtime: runtime.profile.id,
      os,
      arch,
      accelerator: token,
      runsOn: runner.label,
      container: setup.container,
      aptPackages: setup.aptPackages,
      cudaToolkit: setup.cudaToolkit,
      setupScript: setup.script,
      cacheKey: `${id}-${(setup.container ?? setup.cudaToolkit ?? "host").replace(/[^A-Za-z0-9._-]/g, "_")}`,
      packCommand: pack.map(shellWord).join(" "),
      // the glob stays bare so the shell expands it
      verifyCommand: `pnpm verify-engine ${outDir}/${runtime.profile.id}-*-${os}-${arch}.bairuntime`,
    });
  }
  const chosen = cells.filter((c) => request.runtime === undefined || c.runtime === request.runtime);
  if (chosen.length === 0) {
    throw new MatrixUsageError(`no runtime cell for ${JSON.stringify(request.runtime)}`, `runtime cells: ${[...new Set(cells.map((c) => c.runtime))].join(", ") || "none"}`);
  }
  return chosen;
}

/** `{"include":[...]}` rows for the runtime workflow (`matrix runtimes --format github`). */
export function githubRuntimeMatrix(cells: RuntimeCell[]): { include: Record<string, string>[] } {
  return {
    include: cells.map((c) => ({
      id: c.id,
      runtime: c.runtime,
      os: c.os,
      arch: c.arch,
      accelerator: c.accelerator,
      ...githubRunnerFields(c),
      "cache-key": c.cacheKey,
      "pack-command": c.packCommand,
      "verify-command": c.verifyCommand,
      artifact: `bairuntime-${c.id}`,
    })),
  };
}
