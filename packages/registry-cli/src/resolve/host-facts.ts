import { readFile } from "node:fs/promises";
import { exists, requireHostPlatform } from "@baiengine/cli-kit/system";
import type { Arch, Os } from "@baiengine/schema";
import { detectHostDevices, type HostDevices } from "@baiengine/verifier";
import { detectRuntimeFacts, runProbe as run, type RuntimeFacts } from "./host-runtime-facts.js";

/** What package choice needs to know about a machine. Plain data: tests build it by hand. */
export interface HostFacts extends RuntimeFacts {
  os: Os;
  arch: Arch;
  /** Highest CUDA version the NVIDIA driver supports (`nvidia-smi`'s "CUDA Version"), or null without one. */
  cudaDriverVersion: string | null;
  /** Installed ROCm version (`/opt/rocm/.info/version`), "" when present but unversioned, null without. */
  rocmVersion: string | null;
  /** Whether a Vulkan loader (libvulkan.so.1, vulkan-1.dll) was found: not a reason to choose vulkan by itself. */
  vulkanLoader: boolean;
  /** The GPUs the vendor tools list (nvidia-smi -L, rocminfo, vulkaninfo --summary): what a vulkan package is chosen on. */
  devices: HostDevices;
  /** How each fact was found, for `resolve`'s explanation. */
  notes: string[];
}

/** `CUDA Version: 12.4` from nvidia-smi's banner. */
export function parseNvidiaSmiCudaVersion(output: string): string | null {
  return /CUDA Version:\s*(\d+(?:\.\d+)*)/.exec(output)?.[1] ?? null;
}

/** `/opt/rocm/.info/version` holds `6.1.2-119`. */
export function parseRocmVersion(text: string): string | null {
  return /^(\d+(?:\.\d+)*)/.exec(text.trim())?.[1] ?? null;
}

const anyExists = async (paths: readonly string[]) => (await Promise.all(paths.map(exists))).some(Boolean);

/** Where Linux distributions put the Vulkan loader (Debian/Ubuntu multiarch folders, Fedora lib64, Arch lib). */
const LINUX_VULKAN_LOADERS = ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/aarch64-linux-gnu/libvulkan.so.1", "/usr/lib64/libvulkan.so.1", "/usr/lib/libvulkan.so.1"];

/**
 * Detects this machine's facts: os/arch (Apple Silicon even under Rosetta), NVIDIA driver, ROCm,
 * Vulkan, and what requirements are checked against (glibc, libstdc++, macOS version, GPU compute
 * capability: see host-runtime-facts.ts). Throws on an OS/arch the registry has no name for.
 */
export async function detectHostFacts(): Promise<HostFacts> {
  const notes: string[] = [];
  const host = requireHostPlatform("pass --os and --arch");
  const os = host.os;
  let arch = host.arch;
  notes.push(`os ${os}, arch ${arch} (node reports ${process.platform}/${process.arch})`);
  if (os === "macos" && arch === "x86_64" && (await run("sysctl", ["-n", "sysctl.proc_translated"]))?.trim() === "1") {
    arch = "aarch64";
    notes.push("running under Rosetta on Apple Silicon: arch aarch64");
  }
  let cudaDriverVersion: string | null = null;
  let rocmVersion: string | null = null;
  let vulkanLoader = false;
  if (os !== "macos") {
    const smi = await run("nvidia-smi", []);
    cudaDriverVersion = smi === null ? null : parseNvidiaSmiCudaVersion(smi);
    notes.push(smi === null ? "no NVIDIA driver (nvidia-smi not found or failed)" : `NVIDIA driver supports CUDA ${cudaDriverVersion ?? "(version not shown)"}`);
  }
  if (os === "linux") {
    const versionFile = await readFile("/opt/rocm/.info/version", "utf8").catch(() => null);
    if (versionFile !== null) rocmVersion = parseRocmVersion(versionFile) ?? "";
    else if ((await run("rocminfo", [])) !== null || (await exists("/opt/rocm"))) rocmVersion = "";
    notes.push(rocmVersion === null ? "no ROCm" : `ROCm ${rocmVersion || "(version unknown)"}`);
    vulkanLoader = await anyExists(LINUX_VULKAN_LOADERS);
  } else if (os === "windows") {
    vulkanLoader = await exists(`${process.env["SystemRoot"] ?? "C:\\Windows"}\\System32\\vulkan-1.dll`);
  }
  if (os !== "macos") notes.push(vulkanLoader ? "Vulkan loader found" : "no Vulkan loader");
  const runtime = await detectRuntimeFacts(os, cudaDriverVersion !== null, notes);
  const devices = await detectHostDevices();
  // The device tools' own findings (the driver and ROCm notes above already say when there is none).
  notes.push(...devices.notes.filter((n) => /^(vulkaninfo|nvidia-smi lists|rocminfo lists)/.test(n)));
  return { os, arch, cudaDriverVersion, rocmVersion, vulkanLoader, devices, ...runtime, notes };
}
