import { sourceTag } from "@baiengine/profiles";
import { ARCH_VALUES, acceleratorFamily, formatPackageFilename, isSupportedPlatform, OS_VALUES, type PlatformMatrixRow, PLATFORM_MATRIX } from "@baiengine/schema";
import type { Cell, CellSource } from "./cell.js";
import { MatrixUsageError, untaggedEngineError } from "./errors.js";
import type { MatrixSources } from "./matrix-sources.js";
import { runnerFor } from "./runners.js";
import { toolkitSetup } from "./toolkits.js";

export interface MatrixFilters {
  os?: string[];
  arch?: string[];
  /** Tokens (`cuda12`) or families (`cuda`). */
  accel?: string[];
}

export interface MatrixRequest {
  /** Engine id; every engine when absent. */
  engine?: string;
  version?: string;
  filters?: MatrixFilters;
  /** Where CI clones git sources (relative to the repository root). */
  sourceDir?: string;
  /** Where packages are written (relative to the repository root). */
  outDir?: string;
  /** A source folder already on disk (local builds): replaces the engine's git tag, version optional. */
  localSource?: string;
}

export const DEFAULT_SOURCE_DIR = "engine-src";
export const DEFAULT_OUT_DIR = "dist/engines";

/** A POSIX-shell word: bare when safe, single-quoted otherwise. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The build cells of the request: every accelerator profile of the packer that the platform matrix
 * allows and the engine builds for, narrowed by the filters. Pure. Unknown engines, unknown filter
 * values and filters that leave nothing are MatrixUsageErrors, never an empty matrix.
 */
export function planMatrix(request: MatrixRequest, sources: MatrixSources, platforms: readonly PlatformMatrixRow[] = PLATFORM_MATRIX): Cell[] {
  const known = sources.engines.map((e) => e.id);
  if (request.engine !== undefined && !known.includes(request.engine)) {
    throw new MatrixUsageError(`unknown engine ${JSON.stringify(request.engine)}`, `pass --engine with one of: ${known.join(", ")}`);
  }
  const filters = request.filters ?? {};
  checkValues("--os", filters.os, OS_VALUES);
  checkValues("--arch", filters.arch, ARCH_VALUES);
  for (const a of filters.accel ?? []) {
    if (acceleratorFamily(a) === null) throw new MatrixUsageError(`--accel ${JSON.stringify(a)} is not an accelerator`, "use a token such as cpu, cuda12, rocm6, metal, vulkan, or a family such as cuda");
  }
  const engines = sources.engines.filter((e) => request.engine === undefined || e.id === request.engine);
  const all: Cell[] = [];
  for (const engine of engines) {
    for (const profile of sources.accelerators) {
      if (engine.tokens !== null && !engine.tokens.includes(profile.token)) continue;
      // A CI cell for a stand-in would set up a toolkit its build never uses.
      if (engine.standIns && profile.token in engine.standIns) continue;
      if (!isSupportedPlatform(profile.os, profile.arch, profile.token, platforms)) continue;
      all.push(makeCell(engine, profile, request, sources));
    }
  }
  const cells = all.filter(
    (c) =>
      matches(filters.os, c.os) &&
      matches(filters.arch, c.arch) &&
      (filters.accel === undefined || filters.accel.length === 0 || filters.accel.some((a) => a === c.accelerator || a === c.family)),
  );
  if (cells.length === 0) {
    const what = [["--os", filters.os], ["--arch", filters.arch], ["--accel", filters.accel]]
      .filter(([, v]) => v && v.length > 0)
      .map(([flag, v]) => `${flag} ${(v as string[]).join(",")}`)
      .join(" ");
    throw new MatrixUsageError(
      `no build cell matches ${what || "the request"}${request.engine ? ` for engine ${request.engine}` : ""}`,
      `cells that exist: ${all.map((c) => `${c.os}/${c.arch}/${c.accelerator}`).join(", ") || "none"}`,
    );
  }
  return cells;
}

function matches(filter: string[] | undefined, value: string): boolean {
  return filter === undefined || filter.length === 0 || filter.includes(value);
}

function checkValues(flag: string, values: string[] | undefined, allowed: readonly string[]): void {
  for (const v of values ?? []) {
    if (!allowed.includes(v)) throw new MatrixUsageError(`${flag} ${JSON.stringify(v)} is not one of ${allowed.join(", ")}`);
  }
}

function makeCell(
  engine: MatrixSources["engines"][number],
  profile: MatrixSources["accelerators"][number],
  request: MatrixRequest,
  sources: MatrixSources,
): Cell {
  const { os, arch, token } = profile;
  const family = acceleratorFamily(token)!;
  const id = `${engine.id}-${os}-${arch}-${token}`;
  const runner = runnerFor(os, arch);
  if (!runner) throw new Error(`no CI runner for ${os}/${arch}: add one to RUNNERS in apps/build-matrix/src/runners.ts`);
  const setup = toolkitSetup(os, token);
  if (setup instanceof Error) throw new Error(`${id}: ${setup.message}: add it to apps/build-matrix/src/toolkits.ts`);
  const version = request.version ?? null;
  // Listing every engine shows the git engines' cells without a tag; one engine's cells (CI) need it.
  if (engine.source.kind === "git" && version === null && request.localSource === undefined && request.engine !== undefined) {
    throw untaggedEngineError(engine);
  }
  const sourceDir = request.sourceDir ?? DEFAULT_SOURCE_DIR;
  const outDir = request.outDir ?? DEFAULT_OUT_DIR;
  const source: CellSource =
    request.localSource !== undefined
      ? { kind: "local", dir: request.localSource }
      : engine.source.kind === "git"
        ? { kind: "git", repository: engine.source.repository, ref: version === null ? null : sourceTag(engine.source, version) }
        : engine.source.kind === "npm"
          ? { kind: "npm", spec: `${engine.source.package}@${engine.source.version}` }
          : { kind: "local", dir: `${sources.packerDir}/${engine.source.dir}` };
  const packageFile = version === null ? null : formatPackageFilename({ engineId: engine.id, version, os, arch, acceleratorToken: token });
  const pack = ["pnpm", "pack-engine", "--engine", engine.id];
  if (version !== null) pack.push("--version", version);
  pack.push("--os", os, "--arch", arch, "--accel", token);
  if (source.kind === "git") pack.push("--source", sourceDir);
  else if (request.localSource !== undefined) pack.push("--source", request.localSource);
  pack.push("--out", outDir);
  // The runner is the target platform, so it can start what it built unless the package needs a GPU.
  const smoke = setup.runsWithoutGpu;
  const verify = ["pnpm", "verify-engine", packageFile === null ? `${outDir}/${engine.id}-*-${os}-${arch}-${token}.baiengine` : `${outDir}/${packageFile}`];
  if (smoke) verify.push("--smoke");
  return {
    id,
    engine: engine.id,
    version,
    os,
    arch,
    accelerator: token,
    family,
    runsOn: runner.label,
    container: setup.container,
    aptPackages: setup.aptPackages,
    cudaToolkit: setup.cudaToolkit,
    setupScript: setup.script,
    smoke,
    source,
    packageFile,
    packCommand: pack.map(shellWord).join(" "),
    // the glob stays bare so the shell expands it
    verifyCommand: verify.map((w) => (w.includes("*") ? w : shellWord(w))).join(" "),
  };
}
