import { runTool } from "@baiengine/cli-kit/system";
import type { Accelerator } from "@baiengine/schema";
import { isSoftwareVulkanDevice, parseVulkanSummary, type VulkanDevice } from "./vulkan-devices.js";

/** The GPUs this machine has, by the vendor tools' own listings. Plain data: tests build it by hand. */
export interface HostDevices {
  /** NVIDIA GPUs, as `nvidia-smi -L` names them (`NVIDIA H200`); [] without a driver or GPU. */
  cuda: string[];
  /** AMD GPU agents ROCm can drive, as `rocminfo` names them (`gfx90a`); [] without ROCm. */
  rocm: string[];
  /** Vulkan physical devices from `vulkaninfo --summary` (software rasterisers included); null when vulkaninfo is absent or fails. */
  vulkan: VulkanDevice[] | null;
  /** Why `vulkan` is null, for one-line reasons: `vulkaninfo not found`, `vulkaninfo --summary failed: ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver)`. */
  vulkanProblem?: string;
  /** Metal: every Apple Silicon Mac has its GPU. */
  metal: boolean;
  /** How each fact was found. */
  notes: string[];
}

/** What the accelerator families' devices are called in one-line reasons. */
export const DEVICE_KIND: Partial<Record<Accelerator, string>> = { cuda: "CUDA", rocm: "ROCm", hip: "ROCm", vulkan: "Vulkan", metal: "Metal" };

/** `nvidia-smi -L`: `GPU 0: NVIDIA H200 (UUID: GPU-5a2c...)` per GPU. */
export function parseNvidiaSmiList(output: string): string[] {
  return [...output.matchAll(/^GPU \d+: (.+?)(?: \(UUID: [^)]*\))?\s*$/gm)].map((m) => m[1]!);
}

/** `rocminfo`: the `Name: gfx...` of each GPU agent. */
export function parseRocminfoAgents(output: string): string[] {
  return [...output.matchAll(/^\s*Name:\s+(gfx[0-9a-z]+)\s*$/gm)].map((m) => m[1]!);
}

/**
 * Whether the machine has a (hardware) device of an accelerator family, with the reason: a
 * software Vulkan device (llvmpipe) does not count; cpu is always there.
 */
export function hostHasDevice(host: HostDevices, accelerator: Accelerator): { has: boolean; why: string } {
  const kind = DEVICE_KIND[accelerator] ?? accelerator;
  switch (accelerator) {
    case "cpu":
      return { has: true, why: "the CPU" };
    case "cuda":
      return host.cuda.length > 0 ? { has: true, why: `CUDA device ${host.cuda.join(", ")}` } : { has: false, why: `no ${kind} device` };
    case "rocm":
    case "hip":
      return host.rocm.length > 0 ? { has: true, why: `ROCm device ${host.rocm.join(", ")}` } : { has: false, why: `no ${kind} device` };
    case "metal":
      return host.metal ? { has: true, why: "Apple Silicon GPU" } : { has: false, why: "no Metal device" };
    case "vulkan":
      return hasVulkanDevice(host);
    default:
      return { has: false, why: `no ${kind} device` };
  }
}

/**
 * Vulkan: a hardware device (discrete, integrated or virtual GPU) counts; a software renderer
 * (llvmpipe, lavapipe, SwiftShader) does not, and the reason names it.
 */
function hasVulkanDevice(host: HostDevices): { has: boolean; why: string } {
  if (host.vulkan === null) return { has: false, why: `no Vulkan device listed (${host.vulkanProblem ?? "vulkaninfo not found"})` };
  const hardware = host.vulkan.filter((d) => !isSoftwareVulkanDevice(d));
  if (hardware.length > 0) return { has: true, why: `Vulkan device ${hardware.map((d) => d.deviceName).join(", ")}` };
  const software = host.vulkan.map((d) => d.deviceName);
  if (software.length === 0) return { has: false, why: "vulkaninfo lists no Vulkan device" };
  return {
    has: false,
    why: software.length === 1 ? `the only Vulkan device is a software renderer (${software[0]})` : `the only Vulkan devices are software renderers (${software.join(", ")})`,
  };
}

/**
 * Why `vulkaninfo --summary` gave no listing, in one line: its `ERROR_*` result code (the Vulkan
 * spec's VkResult; ERROR_INCOMPATIBLE_DRIVER is vkCreateInstance finding no driver), else its last
 * output line.
 */
export function vulkaninfoFailure(output: string, exitCode: number | string | null): string {
  const code = /\b(VK_)?(ERROR_[A-Z_]+)/.exec(output)?.[2];
  const last = output.trim().split("\n").at(-1)?.trim();
  const why = code === "ERROR_INCOMPATIBLE_DRIVER" ? `${code} (no Vulkan driver)` : (code ?? (last || `exit code ${exitCode ?? "none"}`));
  return `vulkaninfo --summary failed: ${why}`;
}

async function run(command: string, args: string[]): Promise<string | null> {
  return (await runTool(command, args)).stdout;
}

/** Asks this machine's vendor tools for its GPUs (nvidia-smi, rocminfo, vulkaninfo); absent tools mean no device of that kind. */
export async function detectHostDevices(platform: NodeJS.Platform = process.platform, arch: string = process.arch): Promise<HostDevices> {
  const notes: string[] = [];
  const smi = platform === "darwin" ? null : await run("nvidia-smi", ["-L"]);
  const cuda = smi === null ? [] : parseNvidiaSmiList(smi);
  notes.push(smi === null ? "no NVIDIA GPU (nvidia-smi not found or failed)" : `nvidia-smi lists ${cuda.length} GPU(s)${cuda.length ? `: ${cuda.join(", ")}` : ""}`);
  const rocminfo = platform === "linux" ? await run("rocminfo", []) : null;
  const rocm = rocminfo === null ? [] : parseRocminfoAgents(rocminfo);
  if (platform === "linux") notes.push(rocminfo === null ? "no ROCm (rocminfo not found or failed)" : `rocminfo lists ${rocm.length} GPU agent(s)`);
  const metal = platform === "darwin" && arch === "arm64";
  if (platform === "darwin") return { cuda, rocm, vulkan: null, vulkanProblem: "Vulkan is not used on macOS", metal, notes };
  const summary = await runTool("vulkaninfo", ["--summary"]);
  if (summary.stdout === null) {
    const vulkanProblem = summary.missing ? "vulkaninfo not found" : vulkaninfoFailure(summary.output, summary.exitCode);
    notes.push(`${vulkanProblem}: no Vulkan device known`);
    return { cuda, rocm, vulkan: null, vulkanProblem, metal, notes };
  }
  const vulkan = parseVulkanSummary(summary.stdout);
  notes.push(`vulkaninfo lists ${vulkan.map((d) => `${d.deviceName}${isSoftwareVulkanDevice(d) ? " (software)" : ""}`).join(", ") || "no device"}`);
  return { cuda, rocm, vulkan, metal, notes };
}
