import type { PackageEntry } from "@baiengine/schema";
import { describe, expect, it } from "vitest";
import { choosePackage, choosePackageFor } from "../src/resolve/choose-package.js";
import { archFromNode as mapArch, osFromNode as mapOs } from "@baiengine/schema";
import { type HostFacts, parseNvidiaSmiCudaVersion, parseRocmVersion } from "../src/resolve/host-facts.js";
import type { HostDevices, VulkanDevice } from "@baiengine/verifier";

// Pure data: the platforms of a full release (no files needed to choose).
function entry(os: PackageEntry["os"], arch: PackageEntry["arch"], accelerator: PackageEntry["accelerator"], acceleratorVersion: string | null, variant?: string): PackageEntry {
  const token = acceleratorVersion ? `${accelerator}${acceleratorVersion.split(".")[0]}` : accelerator;
  return { os, arch, accelerator, acceleratorVersion, ...(variant ? { variant } : {}), filename: `llama-cpp-b4618-${os}-${arch}-${token}${variant ? `-${variant}` : ""}.baiengine`, size: 1, sha256: "0".repeat(64) };
}

const release: PackageEntry[] = [
  entry("macos", "aarch64", "metal", null),
  entry("macos", "aarch64", "cpu", null),
  entry("macos", "x86_64", "cpu", null),
  entry("linux", "x86_64", "cpu", null),
  entry("linux", "x86_64", "cuda", "12.4"),
  entry("linux", "x86_64", "cuda", "13.0"),
  entry("linux", "x86_64", "cuda", "13.0", "gh200"),
  entry("linux", "x86_64", "rocm", "6.1"),
  entry("linux", "x86_64", "vulkan", null),
  entry("windows", "x86_64", "cpu", null),
  entry("windows", "x86_64", "cuda", "12.4"),
];

const NO_DEVICES: HostDevices = { cuda: [], rocm: [], vulkan: null, vulkanProblem: "vulkaninfo not found", metal: false, notes: [] };
const LLVMPIPE: VulkanDevice = { id: "GPU0", deviceType: "PHYSICAL_DEVICE_TYPE_CPU", deviceName: "llvmpipe (LLVM 15.0.6, 256 bits)", driverName: "llvmpipe" };
const RADV: VulkanDevice = { id: "GPU0", deviceType: "PHYSICAL_DEVICE_TYPE_DISCRETE_GPU", deviceName: "AMD Radeon RX 7900 XTX (RADV NAVI31)", driverName: "radv" };
/** A host whose vulkaninfo lists these devices (so its loader is there too). */
const vulkanHost = (...devices: VulkanDevice[]): Partial<HostFacts> => ({ vulkanLoader: true, devices: { ...NO_DEVICES, vulkan: devices } });

const host = (facts: Partial<HostFacts>): HostFacts => ({
  os: "linux",
  arch: "x86_64",
  cudaDriverVersion: null,
  rocmVersion: null,
  vulkanLoader: false,
  devices: NO_DEVICES,
  glibc: "2.36",
  glibcxx: "3.4.30",
  macosVersion: null,
  computeCapabilities: [],
  notes: [],
  ...facts,
});
const chosenName = (facts: Partial<HostFacts>) => choosePackage(release, host(facts)).chosen?.filename;

describe("choosePackage (preference order)", () => {
  it("takes the highest CUDA the driver allows", () => {
    expect(chosenName({ cudaDriverVersion: "13.0" })).toBe("llama-cpp-b4618-linux-x86_64-cuda13.baiengine");
    expect(chosenName({ cudaDriverVersion: "12.8" })).toBe("llama-cpp-b4618-linux-x86_64-cuda12.baiengine");
    expect(chosenName({ cudaDriverVersion: "11.8" })).toBe("llama-cpp-b4618-linux-x86_64-cpu.baiengine");
  });
  it("then ROCm of the installed major, then Vulkan, then CPU", () => {
    expect(chosenName({ rocmVersion: "6.2.1" })).toBe("llama-cpp-b4618-linux-x86_64-rocm6.baiengine");
    expect(chosenName({ rocmVersion: "5.7" })).toBe("llama-cpp-b4618-linux-x86_64-cpu.baiengine");
    expect(chosenName({ rocmVersion: "5.7", ...vulkanHost(RADV, LLVMPIPE) })).toBe("llama-cpp-b4618-linux-x86_64-vulkan.baiengine");
    expect(chosenName({ cudaDriverVersion: "12.4", rocmVersion: "6.1", ...vulkanHost(RADV) })).toBe("llama-cpp-b4618-linux-x86_64-cuda12.baiengine");
    expect(chosenName({})).toBe("llama-cpp-b4618-linux-x86_64-cpu.baiengine");
  });
  it("vulkan only for a hardware device vulkaninfo lists: a software renderer or an unlisted loader keeps cpu, and says why", () => {
    const reasonsFor = (facts: Partial<HostFacts>) => choosePackage(release, host(facts)).reasons;
    const llvmpipe = reasonsFor(vulkanHost(LLVMPIPE));
    expect(llvmpipe).toContain("linux-x86_64-vulkan: skipped, the only Vulkan device is a software renderer (llvmpipe (LLVM 15.0.6, 256 bits))");
    expect(llvmpipe.at(-1)).toBe("chosen: linux-x86_64-cpu");
    expect(reasonsFor(vulkanHost(RADV, LLVMPIPE))).toContain("linux-x86_64-vulkan: usable, Vulkan device AMD Radeon RX 7900 XTX (RADV NAVI31)");
    expect(reasonsFor(vulkanHost())).toContain("linux-x86_64-vulkan: skipped, vulkaninfo lists no Vulkan device");
    const unlisted = reasonsFor({ vulkanLoader: true });
    expect(unlisted).toContain(
      "linux-x86_64-vulkan: skipped, a Vulkan loader is installed but its devices cannot be listed (vulkaninfo not found); install vulkaninfo (vulkan-tools) to let resolve list them, or pass --accel vulkan to take it anyway",
    );
    expect(unlisted.at(-1)).toBe("chosen: linux-x86_64-cpu");
    const failing = { vulkanLoader: true, devices: { ...NO_DEVICES, vulkanProblem: "vulkaninfo --summary failed: ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver)" } };
    expect(reasonsFor(failing)).toContain(
      "linux-x86_64-vulkan: skipped, a Vulkan loader is installed but its devices cannot be listed (vulkaninfo --summary failed: ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver)); pass --accel vulkan to take it anyway",
    );
    expect(reasonsFor({})).toContain("linux-x86_64-vulkan: skipped, no Vulkan loader");
    // an explicit request still takes it
    expect(choosePackageFor(release, { os: "linux", arch: "x86_64", accel: "vulkan" }).chosen?.accelerator).toBe("vulkan");
  });
  it("metal first on Apple Silicon, cpu on Intel Macs; windows cuda", () => {
    expect(chosenName({ os: "macos", arch: "aarch64" })).toBe("llama-cpp-b4618-macos-aarch64-metal.baiengine");
    expect(chosenName({ os: "macos", arch: "x86_64" })).toBe("llama-cpp-b4618-macos-x86_64-cpu.baiengine");
    expect(chosenName({ os: "windows", cudaDriverVersion: "12.6" })).toBe("llama-cpp-b4618-windows-x86_64-cuda12.baiengine");
  });
  it("explains every decision and returns null when nothing fits", () => {
    const choice = choosePackage(release, host({ cudaDriverVersion: "12.4" }));
    expect(choice.reasons).toContain("linux-x86_64-cuda13: skipped, needs CUDA 13, the driver supports up to 12.4");
    expect(choice.reasons).toContain("linux-x86_64-cuda13-gh200: skipped, hardware variant gh200: only on request (--accel cuda13-gh200)");
    expect(choice.reasons.at(-1)).toBe("chosen: linux-x86_64-cuda12");
    expect(choosePackage(release, host({ os: "linux", arch: "aarch64" })).chosen).toBeNull();
  });
  it("explicit requests: token, family (highest major), variant", () => {
    expect(choosePackageFor(release, { os: "linux", arch: "x86_64", accel: "cuda12" }).chosen?.filename).toBe("llama-cpp-b4618-linux-x86_64-cuda12.baiengine");
    expect(choosePackageFor(release, { os: "linux", arch: "x86_64", accel: "cuda" }).chosen?.filename).toBe("llama-cpp-b4618-linux-x86_64-cuda13.baiengine");
    expect(choosePackageFor(release, { os: "linux", arch: "x86_64", accel: "cuda13-gh200" }).chosen?.variant).toBe("gh200");
    expect(choosePackageFor(release, { os: "windows", arch: "x86_64", accel: "metal" }).chosen).toBeNull();
  });
});

describe("host facts parsers", () => {
  it("reads nvidia-smi's CUDA version and ROCm's version file", () => {
    const smi = "| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4     |";
    expect(parseNvidiaSmiCudaVersion(smi)).toBe("12.4");
    expect(parseNvidiaSmiCudaVersion("command not found")).toBeNull();
    expect(parseRocmVersion("6.1.2-119\n")).toBe("6.1.2");
    expect(mapOs("darwin")).toBe("macos");
    expect(mapOs("win32")).toBe("windows");
    expect(mapArch("arm64")).toBe("aarch64");
    expect(mapArch("ia32")).toBeNull();
  });
});
