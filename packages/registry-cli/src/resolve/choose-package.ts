import { type Arch, type Os, type PackageEntry, acceleratorToken, platformKey, toolkitMajor } from "@baiengine/schema";
import type { HostFacts } from "./host-facts.js";
import { unmetRequirements } from "./requirements-check.js";
import { vulkanChoice } from "./vulkan-choice.js";

/**
 * Which package of an engine version suits a machine. Preference order (first usable wins):
 * 1. macOS on Apple Silicon: metal, then cpu.
 * 2. Elsewhere: cudaN for the highest N the NVIDIA driver supports (a driver that reports CUDA 12.4
 *    runs cuda12 packages, not cuda13); then rocmN matching the installed ROCm major (any rocm when
 *    its version is unknown); then vulkan when vulkaninfo lists a hardware Vulkan device (a software
 *    renderer such as llvmpipe, or a loader whose devices cannot be listed, is not one); then cpu.
 * Packages with a hardware variant (`cuda13-gh200`) are only chosen when asked for explicitly.
 */
export interface Choice {
  chosen: PackageEntry | null;
  /** One line per package considered: why it was taken or passed over. */
  reasons: string[];
}

export interface PlatformRequest {
  os: Os;
  arch: Arch;
  /** An accelerator token (`cuda12`), a family (`cuda`: the highest available), or a token plus variant. */
  accel?: string;
}

function tokenOf(p: PackageEntry): string {
  return acceleratorToken(p.accelerator, p.acceleratorVersion);
}

/** Lower rank = preferred; null = not usable on this host, with the reason. */
function rank(p: PackageEntry, host: HostFacts): { rank: number; why: string } | { rank: null; why: string } {
  const major = toolkitMajor(p.acceleratorVersion);
  if (p.variant !== undefined) return { rank: null, why: `hardware variant ${p.variant}: only on request (--accel ${tokenOf(p)}-${p.variant})` };
  switch (p.accelerator) {
    case "metal":
      return host.os === "macos" && host.arch === "aarch64" ? { rank: 0, why: "Metal on Apple Silicon" } : { rank: null, why: "Metal needs Apple Silicon" };
    case "cuda": {
      const driverMajor = toolkitMajor(host.cudaDriverVersion);
      if (driverMajor === null) return { rank: null, why: "no NVIDIA driver" };
      if (major === null || major > driverMajor) return { rank: null, why: `needs CUDA ${major}, the driver supports up to ${host.cudaDriverVersion}` };
      return { rank: 100 - major, why: `the driver supports CUDA ${host.cudaDriverVersion}` };
    }
    case "rocm": {
      if (host.rocmVersion === null) return { rank: null, why: "no ROCm" };
      const hostMajor = toolkitMajor(host.rocmVersion || null);
      if (hostMajor !== null && major !== hostMajor) return { rank: null, why: `built for ROCm ${major}, ROCm ${host.rocmVersion} is installed` };
      return { rank: 200 - (major ?? 0), why: `ROCm ${host.rocmVersion || "found"}` };
    }
    case "vulkan": {
      const vulkan = vulkanChoice(host);
      return vulkan.usable ? { rank: 300, why: vulkan.why } : { rank: null, why: vulkan.why };
    }
    case "cpu":
      return { rank: 400, why: "CPU runs everywhere" };
    default:
      return { rank: null, why: `${p.accelerator} is not chosen automatically (pass --accel)` };
  }
}

/**
 * Picks the best package for a detected host, explaining every decision. A package whose index entry
 * names requirements the host does not meet (glibc, libstdc++, macOS, CUDA architectures) is skipped
 * with them as its reason, unless `checkRequirements` is false (a platform named by hand).
 */
export function choosePackage(packages: PackageEntry[], host: HostFacts, checkRequirements = true): Choice {
  const reasons: string[] = [];
  let best: { p: PackageEntry; rank: number } | null = null;
  for (const p of packages) {
    const key = platformKey(p);
    if (p.os !== host.os || p.arch !== host.arch) {
      reasons.push(`${key}: other platform (host is ${host.os}-${host.arch})`);
      continue;
    }
    const unmet = checkRequirements ? unmetRequirements(p.requirements, host.os, host) : [];
    if (unmet.length > 0) {
      reasons.push(`${key}: skipped, ${unmet.map((u) => u.message).join("; ")}`);
      continue;
    }
    const r = rank(p, host);
    reasons.push(`${key}: ${r.rank === null ? "skipped" : "usable"}, ${r.why}`);
    if (r.rank !== null && (best === null || r.rank < best.rank)) best = { p, rank: r.rank };
  }
  if (best) reasons.push(`chosen: ${platformKey(best.p)}`);
  return { chosen: best?.p ?? null, reasons };
}

/** Picks the package for an explicit platform (`--os --arch --accel`); without --accel, as for a CPU-only host. */
export function choosePackageFor(packages: PackageEntry[], request: PlatformRequest): Choice {
  const onPlatform = packages.filter((p) => p.os === request.os && p.arch === request.arch);
  if (request.accel === undefined) {
    const cpuOnly: HostFacts = {
      os: request.os,
      arch: request.arch,
      cudaDriverVersion: null,
      rocmVersion: null,
      vulkanLoader: false,
      devices: { cuda: [], rocm: [], vulkan: null, metal: false, notes: [] },
      glibc: null,
      glibcxx: null,
      macosVersion: null,
      computeCapabilities: [],
      notes: [],
    };
    return choosePackage(onPlatform, cpuOnly, false);
  }
  const wanted = request.accel;
  const exact = onPlatform.find((p) => [tokenOf(p), p.variant].filter(Boolean).join("-") === wanted);
  if (exact) return { chosen: exact, reasons: [`chosen: ${platformKey(exact)} (as requested)`] };
  // A family (`cuda`): the highest toolkit major available.
  const family = onPlatform
    .filter((p) => p.accelerator === wanted && p.variant === undefined)
    .sort((a, b) => (toolkitMajor(b.acceleratorVersion) ?? 0) - (toolkitMajor(a.acceleratorVersion) ?? 0));
  if (family[0]) return { chosen: family[0], reasons: [`chosen: ${platformKey(family[0])} (highest ${wanted} available)`] };
  return {
    chosen: null,
    reasons: [`no ${request.os}-${request.arch}-${wanted} package; available: ${onPlatform.map(platformKey).join(", ") || "none for this os/arch"}`],
  };
}
