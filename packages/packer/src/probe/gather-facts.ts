import { existsSync, readFileSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { acceleratorFamily } from "@baiengine/schema";
import type { PackFacts } from "../plan/facts.js";
import type { PackOptions } from "../plan/plan-types.js";
import { requireHostPlatform, runTool, toolOutput, which } from "@baiengine/cli-kit/system";
import { listToolchainProfiles, nativeToolchain, parseToolkitVersion, sourceTag } from "@baiengine/profiles";
import { npmSourceFolder } from "../plan/plan-source.js";
import { getEngineProfile } from "../plan/select-profiles.js";
import { isSourceArchive, unpackSourceArchive } from "../source/unpack-source.js";
import { readSourceFacts } from "./source-facts.js";

/** Root of @baiengine/packer (dist/probe/ or src/probe/ → package folder). */
export const PACKER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["BAIENGINE_CACHE_DIR"]) return path.resolve(env["BAIENGINE_CACHE_DIR"]);
  const base = env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache");
  return path.join(base, "baiengine", "packer");
}

async function firstLine(cmd: string, args: string[]): Promise<string | null> {
  return (await toolOutput(cmd, args))?.split("\n").find((l) => l.trim()) ?? null;
}

/** Probes the machine for what planPack needs (commands, toolkit and compiler versions, the source). */
export async function gatherFacts(options: PackOptions, env: NodeJS.ProcessEnv = process.env): Promise<PackFacts> {
  const host = requireHostPlatform("pack-engine runs on linux, macos or windows, on x86_64 or aarch64");
  const engine = getEngineProfile(options.engine ?? "llama-cpp");
  const toolchains = listToolchainProfiles(host);
  const names = new Set(["cmake", "ninja", "ccache", "git", "nvcc", "hipcc", "glslc", "xcrun", "strip"]);
  for (const t of toolchains) for (const n of [t.cc, t.cxx, t.rc, t.strip.tool]) if (n) names.add(n);
  const tools: Record<string, string | null> = {};
  for (const n of names) tools[n] = which(n, env["PATH"] ?? "");

  const family = acceleratorFamily(options.accel);
  const kit = family === "cuda" ? "nvcc" : family === "rocm" ? "hipcc" : null;
  let toolkitVersion: string | null = null;
  if (kit && tools[kit]) {
    toolkitVersion = parseToolkitVersion((await runTool(tools[kit]!, ["--version"])).output);
  }
  const toolkitMissing: string[] = [];
  if (kit === "nvcc" && tools["nvcc"]) {
    // ggml-cuda links cuBLAS: a toolkit with only nvcc and cudart configures but cannot generate.
    const minor = toolkitVersion?.split(".").slice(0, 2).join(".");
    const roots = [path.dirname(path.dirname(realpathSync(tools["nvcc"]))), env["CUDA_PATH"], env["CUDA_HOME"], minor ? `/usr/local/cuda-${minor}` : undefined, "/usr/local/cuda"];
    const target = `${host.arch === "aarch64" ? "sbsa" : "x86_64"}-linux`;
    const includes = [...new Set(roots.filter((r): r is string => Boolean(r)).flatMap((r) => [path.join(r, "include"), path.join(r, "targets", target, "include")])), "/usr/include"];
    if (!includes.some((d) => existsSync(path.join(d, "cublas_v2.h")))) toolkitMissing.push("cuBLAS (cublas_v2.h)");
  }

  const target = { os: options.os ?? host.os, arch: options.arch ?? host.arch };
  const toolchain = toolchains.find((t) => t.id !== "native" && t.target.os === target.os && t.target.arch === target.arch && t.host.os === host.os && t.host.arch === host.arch);
  const native = nativeToolchain(host);
  const cxx = toolchain?.cxx ?? (target.os === host.os && target.arch === host.arch ? (native.cxx ?? "c++") : null);
  const cxxPath = cxx ? (tools[cxx] ?? which(cxx, env["PATH"] ?? "")) : null;
  const compilerVersion = cxxPath ? await firstLine(cxxPath, ["--version"]) : null;
  let runtimeLibDirs: string[] = [];
  if (toolchain?.bundlesRuntimeFromCompiler && cxxPath) {
    const line = (await runTool(cxxPath, ["-print-search-dirs"])).output.split("\n").find((l) => l.startsWith("libraries:"));
    runtimeLibDirs = line ? line.replace(/^libraries:\s*=?/, "").split(":").filter(Boolean).map((d) => path.normalize(d)) : [];
    // Runtime DLLs (libwinpthread-1.dll) also live in the target's bin folder of the sysroot.
    if (toolchain.sysroot) runtimeLibDirs.push(path.join(toolchain.sysroot, "bin"), path.join(toolchain.sysroot, "lib"));
  }

  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir(env));
  const cwd = process.cwd();
  let sourceDir: string | null = null;
  let archive: string | null = null;
  if (options.source !== undefined && isSourceArchive(options.source)) {
    archive = path.resolve(cwd, options.source);
    sourceDir = await unpackSourceArchive(archive, cacheDir);
  } else if (options.source !== undefined) sourceDir = path.resolve(cwd, options.source);
  else if (engine.source.kind === "local") sourceDir = path.join(PACKER_ROOT, engine.source.dir);
  else if (engine.source.kind === "npm") sourceDir = npmSourceFolder(cacheDir, engine.source).dir;
  else if (options.version !== undefined) sourceDir = path.join(cacheDir, "sources", `${engine.id}-${sourceTag(engine.source, options.version)}`);
  const read = sourceDir ? await readSourceFacts(sourceDir, engine) : null;
  const source = read && archive ? { ...read, archive } : read;

  const sde = env["SOURCE_DATE_EPOCH"];
  const pkg = JSON.parse(readFileSync(path.join(PACKER_ROOT, "package.json"), "utf8")) as { version: string };
  return {
    host,
    tools,
    toolkitVersion,
    toolkitMissing,
    compilerVersion,
    runtimeLibDirs: [...new Set(runtimeLibDirs)],
    source,
    cacheDir,
    cwd,
    packerRoot: PACKER_ROOT,
    packerVersion: pkg.version,
    cpus: os.availableParallelism(),
    sourceDateEpoch: sde && /^\d+$/.test(sde) ? Number(sde) : null,
    network: env["BAIENGINE_OFFLINE"] !== "1",
  };
}
