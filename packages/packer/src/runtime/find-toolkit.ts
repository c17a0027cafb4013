import { existsSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { which } from "@baiengine/cli-kit/system";
import type { RuntimeProfile } from "@baiengine/profiles";
import { planPack } from "../plan/plan-pack.js";
import { gatherFacts } from "../probe/gather-facts.js";
import type { RuntimeFacts, RuntimePackOptions } from "./runtime-types.js";

/** Where a toolkit is looked for without --toolkit, in this order. */
export interface ToolkitPlaces {
  /** Environment variables naming the toolkit's root. */
  env: readonly string[];
  /** Folders where installers put it. */
  roots: readonly string[];
  /** Its compiler: the folder above the real path of the one on PATH. */
  compiler: string;
}

/**
 * The release engineers' places: `CUDA_PATH` (NVIDIA's Windows installer and most CI set-ups),
 * `CUDA_HOME`, then `/usr/local/cuda` (the link NVIDIA's Linux packages and runfile make to the
 * installed version), then nvcc on PATH; ROCm's `ROCM_PATH`, then `/opt/rocm`, then hipcc.
 * `/usr/local/cuda` comes before nvcc because a copied or wrapper nvcc in /usr/local/bin has no
 * toolkit beside it.
 */
export const TOOLKIT_PLACES: Record<RuntimeProfile["accelerator"], ToolkitPlaces> = {
  cuda: { env: ["CUDA_PATH", "CUDA_HOME"], roots: ["/usr/local/cuda"], compiler: "nvcc" },
  rocm: { env: ["ROCM_PATH"], roots: ["/opt/rocm"], compiler: "hipcc" },
};

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** The system toolkit: `--toolkit`, then `places` in order; the places tried when none was found. */
export function findSystemToolkit(options: Pick<RuntimePackOptions, "toolkit">, places: ToolkitPlaces, env: NodeJS.ProcessEnv): RuntimeFacts["toolkit"] {
  if (options.toolkit !== undefined) {
    return isDir(options.toolkit) ? { root: path.resolve(options.toolkit), from: "--toolkit" } : { root: null, tried: [`--toolkit ${options.toolkit}`] };
  }
  const tried: string[] = [];
  for (const name of places.env) {
    const value = env[name];
    tried.push(`$${name}`);
    if (value && isDir(value)) return { root: path.resolve(value), from: `$${name}` };
  }
  for (const root of places.roots) {
    tried.push(root);
    if (isDir(root)) return { root: path.resolve(root), from: root };
  }
  const compiler = which(places.compiler, env["PATH"] ?? "");
  tried.push(`${places.compiler} on PATH`);
  if (compiler) return { root: path.dirname(path.dirname(realpathSync(compiler))), from: `the real path of ${compiler}` };
  return { root: null, tried };
}

/**
 * A stand-in runtime's toolkit (a runtime profile with `engine`, the hello fixture's stub runtime):
 * the build folder of that engine for the token, where its CMake build writes the stub runtime as a
 * toolkit lays out its libraries. Not built here: when the folder is missing, `fix` says to run
 * that `pack-engine` first.
 */
export async function findStandInToolkit(engine: string, options: RuntimePackOptions, env: NodeJS.ProcessEnv): Promise<RuntimeFacts["toolkit"]> {
  if (options.toolkit !== undefined) return findSystemToolkit(options, { env: [], roots: [], compiler: "" }, env);
  const engineOptions = { engine, accel: options.accel, ...(options.os ? { os: options.os } : {}), ...(options.arch ? { arch: options.arch } : {}), ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) };
  const plan = planPack(engineOptions, { facts: await gatherFacts(engineOptions, env), dryRun: true });
  const command = `pack-engine --engine ${engine} --accel ${options.accel}`;
  if (isDir(plan.buildDir)) return { root: plan.buildDir, from: `the build folder of ${command}` };
  return { root: null, tried: [`the build folder of ${command}, ${plan.buildDir}`], fix: `run \`pnpm ${command}\` first (its build writes the stand-in's runtime there), or pass --toolkit <dir>` };
}
