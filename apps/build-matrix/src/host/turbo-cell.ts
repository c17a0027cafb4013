import { join } from "node:path";
import { execa } from "execa";

/** The package whose `pack-cell` task builds one cell. */
export const CELL_PACKAGE = "@baiengine/build-matrix";
/** Inside the app so turbo caches and restores it as the task's output (see turbo.json `pack-cell`). */
export const CELL_OUT_DIR = ".cells/out";

/** The variables that define a cell: turbo.json's `pack-cell.env` lists exactly these. */
export interface CellEnv {
  BAIENGINE_CELL: string;
  BAIENGINE_ENGINE: string;
  BAIENGINE_VERSION: string;
  BAIENGINE_OS: string;
  BAIENGINE_ARCH: string;
  BAIENGINE_ACCEL: string;
  /** Absolute source folder; empty for the engine's own fixture. */
  BAIENGINE_SOURCE: string;
  /** sourceIdentity() (@baiengine/cli-kit/system) of BAIENGINE_SOURCE (outside the repository, so not a turbo input). */
  BAIENGINE_SOURCE_REV: string;
  /** Extra pack flags as JSON (cmake args), part of the hash. */
  BAIENGINE_PACK_FLAGS: string;
}

export interface TurboCellResult {
  cache: "hit" | "miss";
  hash: string | null;
  output: string;
  exitCode: number;
}

/** Runs `turbo run pack-cell` for one cell; turbo replays it from cache when nothing changed. */
export async function runTurboCell(repoRoot: string, env: CellEnv, options: { signal?: AbortSignal } = {}): Promise<TurboCellResult> {
  const turbo = join(repoRoot, "node_modules", ".bin", process.platform === "win32" ? "turbo.cmd" : "turbo");
  const result = await execa(turbo, ["run", "pack-cell", `--filter=${CELL_PACKAGE}`, "--output-logs=new-only", "--log-order=grouped"], {
    cwd: repoRoot,
    env: { ...env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" },
    reject: false,
    all: true,
    shell: process.platform === "win32",
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const output = result.all ?? "";
  const line = new RegExp(`${CELL_PACKAGE.replace(/[/@]/g, "\\$&")}:pack-cell: cache (hit|miss)[^\\n]*?([0-9a-f]{16})`).exec(output);
  return {
    cache: line?.[1] === "hit" ? "hit" : "miss",
    hash: line?.[2] ?? null,
    output,
    exitCode: result.exitCode ?? 1,
  };
}
