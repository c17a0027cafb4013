import { createRequire } from "node:module";
import path from "node:path";
import { findEngineProfile, runtimeForToken } from "@baiengine/profiles";
import { toolkitMajor } from "@baiengine/schema";
import type { GpuFacts, HostFacts } from "./facts.js";
import { NVIDIA_SMI_QUERY } from "./facts.js";
import { serveKit } from "./serve-kits.js";

export interface AcceptanceOptions {
  /** Engine profile id (default llama-cpp); an engine with a cuda stand-in (hello) runs through it on any machine. */
  engine: string;
  /** Folder for everything the run writes (packages, index, mirror, engines folders, model, report). */
  workDir: string;
  /** Engine source for pack-engine (engines built from git need one here). */
  source?: string;
  /** pack-engine's build cache (default its own). */
  cacheDir?: string;
  /** The compute capability to assume where no GPU is (dry runs): `9.0`. */
  computeCap?: string;
}

/** One command as it is run: `{name}` placeholders are filled from earlier steps' results. */
export interface PlannedCommand {
  argv: string[];
  env?: Record<string, string>;
}

/**
 * The acceptance run decided from facts, before anything runs: the accelerator token and CUDA
 * architecture, every command of steps 1–7 with the real defines, and `needs`: the one line that
 * says what this machine lacks for a real run (exit 2).
 */
export interface AcceptancePlan {
  engine: string;
  accel: string;
  /** Runs through the engine's stand-in for the accelerator (the hello fixture's stub runtime and device). */
  standIn: boolean;
  gpu: GpuFacts | null;
  /** Facts assumed for the plan where the machine has none (dry runs), each in words. */
  assumed: string[];
  /** `CMAKE_CUDA_ARCHITECTURES` for this GPU only (`90-real`); null for a stand-in. */
  cudaArchitectures: string | null;
  toolkit: { root: string; version: string | null } | null;
  /** The toolkit's library folders hidden from the loader during install (placeholders filled at run time). */
  hide: string[];
  /** Library names whose loading by name must fail once hidden (`libcudart.so.13`). */
  mustNotLoad: string[];
  paths: Record<"engines" | "runtimes" | "registry" | "mirror" | "model" | "installed" | "bare" | "empty" | "state" | "report" | "summary", string>;
  commands: Record<"gpu" | "packEngine" | "packRuntime" | "publishRuntime" | "publishEngine" | "isolate" | "install" | "listDevices" | "serve", PlannedCommand>;
  needs: string | null;
}

const require = createRequire(import.meta.url);
const binOf = (pkg: string, bin: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", `${bin}.js`);

/** The repository's CLIs, run by this Node. */
export const BINS = {
  packEngine: () => binOf("@baiengine/packer", "pack-engine"),
  packRuntime: () => binOf("@baiengine/packer", "pack-runtime"),
  registry: () => binOf("@baiengine/registry-cli", "engine-registry"),
  self: () => path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "bin", "test-gpu.js"),
};

/** `9.0` → `90-real`: code for exactly this GPU (sm_90), no PTX for others. */
export function cudaArchitecturesFor(computeCap: string): string {
  return `${computeCap.replace(".", "")}-real`;
}

/** The token and stand-in: the engine's own cuda stand-in, else `cuda<toolkit major>` (cuda13 assumed without a toolkit). */
function chooseAccel(engine: string, facts: HostFacts, assumed: string[]): { accel: string; standIn: boolean } {
  const profile = findEngineProfile(engine);
  const standIn = Object.keys(profile?.standIns ?? {}).find((t) => t.startsWith("cuda"));
  if (standIn) return { accel: standIn, standIn: true };
  const major = toolkitMajor(facts.toolkit?.version ?? null);
  if (major === null) assumed.push("a CUDA 13 toolkit (none found here)");
  return { accel: `cuda${major ?? 13}`, standIn: false };
}

function needsLine(options: AcceptanceOptions, facts: HostFacts, accel: string, standIn: boolean, sourceNeeded: boolean): string | null {
  if (!facts.unshare) return "needs unshare (util-linux) to hide the toolkit from the loader in a private mount namespace";
  if (standIn) return null;
  if (!facts.gpu) return `needs an NVIDIA GPU: ${facts.gpuWhy}; run it on a machine with the driver and a CUDA 12 or 13 toolkit, or pass --engine hello for the stand-in`;
  if (!facts.toolkit) return "needs a CUDA 12 or 13 toolkit with cuBLAS ($CUDA_PATH, $CUDA_HOME, /usr/local/cuda or nvcc on PATH)";
  if (!runtimeForToken(accel, "linux")) return `needs a CUDA 12 or 13 toolkit: ${facts.toolkit.root} is CUDA ${facts.toolkit.version ?? "of an unknown version"}`;
  if (sourceNeeded && !options.source) return `needs the ${options.engine} source to build: --source <dir> or $BAIENGINE_LLAMA_SOURCE`;
  return null;
}

/** Decides the run (pure but for locating the CLIs): see AcceptancePlan. */
export function planAcceptance(options: AcceptanceOptions, facts: HostFacts): AcceptancePlan {
  const { engine, workDir } = options;
  const profile = findEngineProfile(engine);
  const kit = serveKit(engine);
  const assumed: string[] = [];
  const { accel, standIn } = chooseAccel(engine, facts, assumed);
  const runtime = runtimeForToken(accel, "linux", standIn ? engine : undefined);
  const computeCap = facts.gpu?.computeCap ?? options.computeCap ?? "9.0";
  if (!standIn && !facts.gpu) assumed.push(`a GPU of compute capability ${computeCap} (${facts.gpuWhy ?? "none here"})`);
  const cudaArchitectures = standIn ? null : cudaArchitecturesFor(computeCap);
  const toolkitRoot = standIn ? "{buildDir}" : (facts.toolkit?.root ?? "/usr/local/cuda");
  const node = process.execPath;
  const p = (...parts: string[]) => path.join(workDir, ...parts);
  const paths = {
    engines: p("engines"),
    runtimes: p("runtimes"),
    registry: p("engines.json"),
    mirror: p("mirror"),
    model: p("tiny-llama.gguf"),
    installed: p("installed"),
    bare: p("bare"),
    empty: p("empty"),
    state: p("state.json"),
    report: p("report.json"),
    summary: p("summary.txt"),
  };
  const cache = options.cacheDir ? ["--cache-dir", options.cacheDir] : [];
  const engineFlag = standIn ? ["--engine", engine] : [];
  const packEngine: PlannedCommand = {
    argv: [node, BINS.packEngine(), "--engine", engine, "--accel", accel, ...(options.source ? ["--source", options.source] : []), "--out", paths.engines, "--jobs", String(facts.cpus), ...cache, "--json"],
    // That toolkit's nvcc for CMake and for pack-engine's own probe of it (nvcc on PATH).
    ...(standIn ? {} : { env: { CUDACXX: path.join(toolkitRoot, "bin", "nvcc"), PATH: `${path.join(toolkitRoot, "bin")}${path.delimiter}${process.env["PATH"] ?? ""}` } }),
  };
  if (cudaArchitectures) packEngine.argv.splice(-1, 0, "--cmake-arg", `-DCMAKE_CUDA_ARCHITECTURES=${cudaArchitectures}`);
  const server = path.join(paths.installed, engine, "{engineVersion}", `linux-x86_64-${accel}`, profile?.serverBinary ?? "server");
  const isolate = facts.root ? ["--mount", "--propagation", "private"] : ["--user", "--map-root-user", "--mount", "--propagation", "private"];
  return {
    engine,
    accel,
    standIn,
    gpu: facts.gpu,
    assumed,
    cudaArchitectures,
    toolkit: standIn ? null : { root: toolkitRoot, version: facts.toolkit?.version ?? null },
    hide: (runtime?.platform.libraryDirs ?? []).map((d) => path.join(toolkitRoot, d)),
    mustNotLoad: runtime?.platform.seeds ?? [],
    paths,
    commands: {
      gpu: { argv: ["nvidia-smi", ...NVIDIA_SMI_QUERY] },
      packEngine,
      packRuntime: { argv: [node, BINS.packRuntime(), ...engineFlag, "--accel", accel, ...(standIn ? [] : ["--toolkit", toolkitRoot]), "--from", "{binaryDir}", "--out", paths.runtimes, ...cache, "--json"] },
      publishRuntime: { argv: [node, BINS.registry(), "update", "--registry", paths.registry, "--runtime", "{runtimeId}", "--version", "{runtimeVersion}", "--packages-dir", paths.runtimes] },
      publishEngine: { argv: [node, BINS.registry(), "update", "--registry", paths.registry, "--engine", engine, "--version", "{engineVersion}", "--packages-dir", paths.engines] },
      isolate: { argv: [facts.unshare ?? "unshare", ...isolate, "--", node, BINS.self(), "--inside", paths.state] },
      install: { argv: [node, BINS.registry(), "install", "--registry", paths.registry, "--engine", engine, "--accel", accel, "--base-url", "{baseUrl}", "--engines-dir", paths.installed, "--json"] },
      listDevices: { argv: [server, ...(profile?.deviceProbe?.args ?? ["--list-devices"])], env: {} },
      serve: { argv: [server, ...kit.args.map((a) => a.replace("{model}", paths.model))], env: {} },
    },
    needs: needsLine(options, facts, accel, standIn, profile?.source.kind === "git"),
  };
}
