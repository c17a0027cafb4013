import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { requireHostPlatform, sourceIdentity } from "@baiengine/cli-kit/system";
import { planPackHere } from "@baiengine/packer";
import { type AcceleratorProfile, listAcceleratorProfiles, listToolchainProfiles } from "@baiengine/profiles";
import { type Reporter, silentReporter } from "@baiengine/schema";
import { type VerifyReport, verifyPackage } from "@baiengine/verifier";
import type { Cell } from "../cell.js";
import { MatrixFailureError } from "../errors.js";
import { DEFAULT_OUT_DIR, planMatrix } from "../plan-matrix.js";
import { defaultSources } from "../default-sources.js";
import { type HostPlan, planHostBuild } from "./host-plan.js";
import { probeTools } from "./probe-host.js";
import { CELL_OUT_DIR, type CellEnv, runTurboCell } from "./turbo-cell.js";

export interface BuildHostOptions {
  repoRoot: string;
  engine: string;
  version?: string;
  /** Engine source folder (required for engines built from git, such as llama-cpp). */
  source?: string;
  outDir?: string;
  cmakeArgs?: string[];
  reporter?: Reporter;
}

export interface BuiltCell {
  cell: Cell;
  toolchain: string;
  cache: "hit" | "miss";
  turboHash: string | null;
  file: string;
  verify: VerifyReport;
  seconds: number;
}

export interface BuildHostResult {
  plan: HostPlan;
  built: BuiltCell[];
  failed: { cell: Cell; reason: string }[];
}

/** The cells `matrix build --host` would build here and the ones it skips, with reasons (probes PATH). */
export async function planHost(options: Pick<BuildHostOptions, "engine" | "version" | "source">): Promise<HostPlan> {
  const host = requireHostPlatform("matrix build --host runs on linux, macos or windows, on x86_64 or aarch64");
  const sources = defaultSources();
  const cells = planMatrix({ engine: options.engine, ...(options.version ? { version: options.version } : {}), ...(options.source ? { localSource: options.source } : {}) }, sources);
  const toolchains = listToolchainProfiles(host);
  const accelerators = listAcceleratorProfiles();
  const tools = [
    ...toolchains.flatMap((t) => [t.cc, t.cxx, t.emulator?.command].filter((x): x is string => typeof x === "string")),
    ...accelerators.flatMap((a) => (a.toolkit ? [a.toolkit.probe] : [])),
  ];
  const facts = await probeTools(tools, host);
  return withPackerRefusals(planHostBuild(cells, facts, toolchains, accelerators), accelerators, options);
}

/**
 * A toolkit can be on PATH and still unusable (nvcc 13 without cuBLAS): each planned cell that needs
 * one is planned by the packer itself (a dry run), and a cell the packer would refuse is skipped
 * with the packer's reason instead of failing its build.
 */
async function withPackerRefusals(plan: HostPlan, accelerators: AcceleratorProfile[], options: Pick<BuildHostOptions, "engine" | "version" | "source">): Promise<HostPlan> {
  const result: HostPlan = { build: [], skipped: [...plan.skipped] };
  for (const entry of plan.build) {
    const { cell } = entry;
    const accel = accelerators.find((a) => a.os === cell.os && a.arch === cell.arch && a.token === cell.accelerator);
    if (!accel?.toolkit) {
      result.build.push(entry);
      continue;
    }
    const packPlan = await planPackHere(
      { engine: cell.engine, accel: cell.accelerator, os: cell.os, arch: cell.arch, ...(options.source ? { source: options.source } : {}), ...(options.version ? { version: options.version } : {}) },
      true,
    ).catch(() => null);
    const blocker = packPlan?.blockers[0];
    if (blocker) result.skipped.push({ cell, reason: `the packer refuses it here: ${blocker}` });
    else result.build.push(entry);
  }
  return result;
}

/**
 * Packs every cell this machine can build, one `turbo run pack-cell` per cell (a cache hit when
 * the cell's inputs and variables are unchanged), copies each package to `outDir` and verifies it.
 */
export async function buildHost(options: BuildHostOptions): Promise<BuildHostResult> {
  const reporter = options.reporter ?? silentReporter;
  const plan = await planHost(options);
  const outDir = resolve(options.repoRoot, options.outDir ?? DEFAULT_OUT_DIR);
  const source = options.source ? (isAbsolute(options.source) ? options.source : resolve(options.source)) : "";
  const rev = source ? await sourceIdentity(source) : "";
  const cellOut = join(options.repoRoot, "apps", "build-matrix", CELL_OUT_DIR);
  const result: BuildHostResult = { plan, built: [], failed: [] };
  for (const skipped of plan.skipped) reporter.log?.("info", `skip ${skipped.cell.id}: ${skipped.reason}`);
  let done = 0;
  for (const { cell, toolchain, smoke, emulate } of plan.build) {
    reporter.step?.("cell", `${cell.id} (${toolchain})`);
    const started = performance.now();
    const env: CellEnv = {
      BAIENGINE_CELL: cell.id,
      BAIENGINE_ENGINE: cell.engine,
      BAIENGINE_VERSION: cell.version ?? "",
      BAIENGINE_OS: cell.os,
      BAIENGINE_ARCH: cell.arch,
      BAIENGINE_ACCEL: cell.accelerator,
      BAIENGINE_SOURCE: source,
      BAIENGINE_SOURCE_REV: rev,
      BAIENGINE_PACK_FLAGS: JSON.stringify(options.cmakeArgs?.length ? { cmakeArgs: options.cmakeArgs } : {}),
    };
    // A cache hit restores the output folder; a miss must not find another cell's package there.
    await rm(cellOut, { recursive: true, force: true });
    const turbo = await runTurboCell(options.repoRoot, env);
    if (turbo.exitCode !== 0) {
      result.failed.push({ cell, reason: `pack failed (turbo exit ${turbo.exitCode}):\n${turbo.output.split("\n").slice(-30).join("\n")}` });
      reporter.progress?.("cells", ++done, plan.build.length, cell.id);
      continue;
    }
    const packages = (await readdir(cellOut).catch(() => [] as string[])).filter((f) => f.endsWith(".baiengine"));
    if (packages.length !== 1) {
      result.failed.push({ cell, reason: `expected one package in ${cellOut}, found ${packages.length}` });
      continue;
    }
    const name = packages[0]!;
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, name);
    await copyFile(join(cellOut, name), file);
    await copyFile(join(cellOut, `${name}.sha256`), `${file}.sha256`).catch(() => undefined);
    reporter.log?.("info", `${cell.id}: turbo cache ${turbo.cache}${turbo.hash ? ` (${turbo.hash})` : ""}, verifying${smoke ? (emulate ? " with an emulated smoke run" : " with a smoke run") : ""}`);
    const verify = await verifyPackage(file, { smoke, emulate });
    const seconds = (performance.now() - started) / 1000;
    if (!verify.ok) {
      const errors = verify.findings.filter((f) => f.severity === "error").map((f) => `${f.code}: ${f.message}`);
      result.failed.push({ cell, reason: `verification failed: ${errors.join("; ")}` });
    } else if (smoke && verify.smoke && !verify.smoke.ran) {
      result.failed.push({ cell, reason: `smoke run did not run: ${verify.smoke.skippedReason ?? "no reason given"}` });
    } else {
      result.built.push({ cell, toolchain, cache: turbo.cache, turboHash: turbo.hash, file, verify, seconds });
    }
    reporter.progress?.("cells", ++done, plan.build.length, cell.id);
  }
  return result;
}

/** Throws when any cell failed, after the caller has printed the results. */
export function assertAllBuilt(result: BuildHostResult): void {
  if (result.failed.length > 0) {
    throw new MatrixFailureError(
      `${result.failed.length} cell(s) failed: ${result.failed.map((f) => f.cell.id).join(", ")}`,
      "read the cell's output above; rerun one cell with `pnpm pack-engine` and the cell's flags",
    );
  }
}
