import { realpathSync } from "node:fs";
import os from "node:os";
import { which } from "@baiengine/cli-kit/system";
import { findSystemToolkit, TOOLKIT_PLACES } from "@baiengine/packer";
import { parseToolkitVersion } from "@baiengine/profiles";
import { execa } from "execa";

/** The NVIDIA GPU nvidia-smi names first: its name, compute capability (`9.0`) and driver version. */
export interface GpuFacts {
  name: string;
  computeCap: string;
  driver: string;
}

/** What the acceptance run reads from the machine before it plans. */
export interface HostFacts {
  /** null: nvidia-smi is missing or lists no GPU (`why` says which). */
  gpu: GpuFacts | null;
  gpuWhy: string | null;
  /** The CUDA toolkit pack-runtime would take, with nvcc's version; null when none is found. */
  toolkit: { root: string; from: string; version: string | null } | null;
  /** Root can bind folders in a private mount namespace; others need unprivileged user namespaces. */
  root: boolean;
  unshare: string | null;
  cpus: number;
}

/** `nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv,noheader`: the command the run shows. */
export const NVIDIA_SMI_QUERY = ["--query-gpu=name,compute_cap,driver_version", "--format=csv,noheader"];

/** Parses nvidia-smi's CSV: one GPU per line, `NVIDIA H100 80GB HBM3, 9.0, 570.124.06`; the first GPU. */
export function parseGpuQuery(stdout: string): GpuFacts | null {
  const first = stdout.split("\n").find((l) => l.trim() !== "");
  const fields = first?.split(",").map((f) => f.trim());
  if (!fields || fields.length < 3 || !/^\d+\.\d+$/.test(fields[1]!)) return null;
  return { name: fields[0]!, computeCap: fields[1]!, driver: fields[2]! };
}

async function gpuFacts(env: NodeJS.ProcessEnv): Promise<{ gpu: GpuFacts | null; why: string | null }> {
  const smi = which("nvidia-smi", env["PATH"] ?? "");
  if (!smi) return { gpu: null, why: "nvidia-smi is not on PATH (no NVIDIA driver)" };
  const r = await execa(smi, NVIDIA_SMI_QUERY, { reject: false, stdin: "ignore" });
  const gpu = r.exitCode === 0 ? parseGpuQuery(r.stdout) : null;
  return gpu ? { gpu, why: null } : { gpu: null, why: `nvidia-smi lists no GPU (${(r.stderr || r.stdout).trim().split("\n")[0] || `exit ${r.exitCode}`})` };
}

async function toolkitFacts(env: NodeJS.ProcessEnv): Promise<HostFacts["toolkit"]> {
  const found = findSystemToolkit({}, TOOLKIT_PLACES.cuda, env);
  if (found.root === null) return null;
  const nvcc = [`${found.root}/bin/nvcc`, which("nvcc", env["PATH"] ?? "")].find((p): p is string => p !== null && which(p, "") !== null) ?? null;
  const r = nvcc ? await execa(nvcc, ["--version"], { reject: false, stdin: "ignore" }) : null;
  return { root: realpathSync(found.root), from: found.from, version: r ? parseToolkitVersion(`${r.stdout}\n${r.stderr}`) : null };
}

/** Reads the GPU, the toolkit (as pack-runtime finds it), whether this process is root and where unshare is. */
export async function gatherHostFacts(env: NodeJS.ProcessEnv = process.env): Promise<HostFacts> {
  const { gpu, why } = await gpuFacts(env);
  return {
    gpu,
    gpuWhy: why,
    toolkit: await toolkitFacts(env),
    root: process.getuid?.() === 0,
    unshare: which("unshare", env["PATH"] ?? ""),
    cpus: os.availableParallelism(),
  };
}
