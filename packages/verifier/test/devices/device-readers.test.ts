import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type DeviceProbe,
  detectHostDevices,
  devicesOfKind,
  formatListedDevice,
  type HostDevices,
  hostHasDevice,
  isSoftwareVulkanDevice,
  parseDeviceListing,
  parseDeviceLogLines,
  parseTabListing,
  parseNvidiaSmiList,
  parseRocminfoAgents,
  parseVulkanSummary,
  vulkaninfoFailure,
} from "../../src/devices/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/devices/${name}`, import.meta.url), "utf8");
const LLAMA: DeviceProbe = { kind: "list-devices", args: ["--list-devices"], format: "ggml-list-devices", devices: { cuda: "^CUDA\\d+$", vulkan: "^Vulkan\\d+$" } };
const none: HostDevices = { cuda: [], rocm: [], vulkan: null, metal: false, notes: [] };

describe("device listings in ggml's format (llama-server --list-devices)", () => {
  it("reads device lines after the header, ignoring backend log lines before it", () => {
    const out = "load_backend: loaded CUDA backend from /x/libggml-cuda.so\nAvailable devices:\n  CUDA0: NVIDIA H200 (143771 MiB, 143130 MiB free)\n  Vulkan0: NVIDIA H200 (143771 MiB, 143771 MiB free)\n";
    const devices = parseDeviceListing(out);
    expect(devices).toEqual([
      { name: "CUDA0", description: "NVIDIA H200", totalMiB: 143771, freeMiB: 143130 },
      { name: "Vulkan0", description: "NVIDIA H200", totalMiB: 143771, freeMiB: 143771 },
    ]);
    expect(devicesOfKind(devices!, LLAMA, "cuda").map((d) => d.name)).toEqual(["CUDA0"]);
    expect(devicesOfKind(devices!, LLAMA, "rocm")).toEqual([]);
    expect(formatListedDevice(devices![0]!)).toBe("CUDA0: NVIDIA H200 (143771 MiB, 143130 MiB free)");
  });

  it("`(none)` is an empty list; output without the header is null (the engine does not know the flag); CRLF (wine) reads the same", () => {
    expect(parseDeviceListing("Available devices:\n  (none)\n")).toEqual([]);
    expect(parseDeviceListing("error: invalid argument: --list-devices\n")).toBeNull();
    expect(parseDeviceListing("Available devices:\r\n  HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)\r\n")).toEqual([{ name: "HelloGPU0", description: "Hello stub GPU", totalMiB: 1024, freeMiB: 1000 }]);
  });
});

describe("other engines' device output (profile data says which)", () => {
  it("a NAME<tab>DESCRIPTION listing (stable-diffusion.cpp's --list-devices); no such line is null", () => {
    const sd: DeviceProbe = { kind: "list-devices", args: ["--list-devices"], format: "name-tab-description", devices: { cuda: "^CUDA\\d+$" } };
    const devices = parseTabListing("ggml_cuda_init: found 1 CUDA devices:\nCPU\tAMD EPYC 9654\r\nCUDA0\tNVIDIA H100 80GB HBM3\n");
    expect(devices?.map(formatListedDevice)).toEqual(["CPU: AMD EPYC 9654", "CUDA0: NVIDIA H100 80GB HBM3"]);
    expect(devicesOfKind(devices!, sd, "cuda").map((d) => d.name)).toEqual(["CUDA0"]);
    expect(parseTabListing("usage: sd-server [options]\n")).toBeNull();
  });

  it("ggml's backend log lines while a model loads (whisper-server): each matching line is a device of that family", () => {
    const probe: DeviceProbe = {
      kind: "log-lines",
      args: ["-m", "{model}"],
      model: "tiny-whisper-model",
      readyPath: "/health",
      timeoutSeconds: 60,
      devices: { cuda: "^\\s*Device \\d+: .+, compute capability \\d+\\.\\d+", vulkan: "^ggml_vulkan: \\d+ = .+" },
    };
    const log = [
      "ggml_cuda_init: found 2 CUDA devices:",
      "  Device 0: NVIDIA H100 80GB HBM3, compute capability 9.0, VMM: yes",
      "  Device 1: NVIDIA H100 80GB HBM3, compute capability 9.0, VMM: yes",
      "ggml_vulkan: 0 = NVIDIA H100 80GB HBM3 (NVIDIA) | uma: 0 | fp16: 1",
      "whisper_model_load: loading model",
    ].join("\n");
    const devices = parseDeviceLogLines(log, probe.devices);
    expect(devicesOfKind(devices, probe, "cuda").map(formatListedDevice)).toEqual([
      "cuda0: Device 0: NVIDIA H100 80GB HBM3, compute capability 9.0, VMM: yes",
      "cuda1: Device 1: NVIDIA H100 80GB HBM3, compute capability 9.0, VMM: yes",
    ]);
    expect(devicesOfKind(devices, probe, "vulkan").map((d) => d.name)).toEqual(["vulkan0"]);
    expect(parseDeviceLogLines("whisper_model_load: loading model\n", probe.devices)).toEqual([]);
  });
});

describe("vulkaninfo --summary", () => {
  it("real output of a machine whose only Vulkan device is Mesa's llvmpipe: one software device, no Vulkan device for choosing", () => {
    const devices = parseVulkanSummary(fixture("vulkaninfo-summary-llvmpipe.txt"));
    expect(devices).toEqual([{ id: "GPU0", deviceType: "PHYSICAL_DEVICE_TYPE_CPU", deviceName: "llvmpipe (LLVM 15.0.6, 256 bits)", driverName: "llvmpipe" }]);
    expect(devices.every(isSoftwareVulkanDevice)).toBe(true);
    expect(hostHasDevice({ ...none, vulkan: devices }, "vulkan")).toEqual({ has: false, why: "the only Vulkan device is a software renderer (llvmpipe (LLVM 15.0.6, 256 bits))" });
    const lavapipe = { id: "GPU1", deviceType: "PHYSICAL_DEVICE_TYPE_CPU", deviceName: "llvmpipe (LLVM 17.0.6, 128 bits)", driverName: "llvmpipe" };
    expect(hostHasDevice({ ...none, vulkan: [...devices, lavapipe] }, "vulkan").why).toBe(
      "the only Vulkan devices are software renderers (llvmpipe (LLVM 15.0.6, 256 bits), llvmpipe (LLVM 17.0.6, 128 bits))",
    );
  });

  it("a discrete GPU beside llvmpipe counts (the same summary with a second GPU block)", () => {
    const text = fixture("vulkaninfo-summary-llvmpipe.txt").replace(
      "GPU0:",
      "GPU0:\n\tapiVersion         = 1.3.242\n\tdeviceType         = PHYSICAL_DEVICE_TYPE_DISCRETE_GPU\n\tdeviceName         = NVIDIA GeForce RTX 3070 Laptop GPU\n\tdriverName         = NVIDIA\nGPU1:",
    );
    const devices = parseVulkanSummary(text);
    expect(devices.map((d) => [d.id, d.deviceName, isSoftwareVulkanDevice(d)])).toEqual([
      ["GPU0", "NVIDIA GeForce RTX 3070 Laptop GPU", false],
      ["GPU1", "llvmpipe (LLVM 15.0.6, 256 bits)", true],
    ]);
    expect(hostHasDevice({ ...none, vulkan: devices }, "vulkan")).toEqual({ has: true, why: "Vulkan device NVIDIA GeForce RTX 3070 Laptop GPU" });
  });

  it("no vulkaninfo, or an output without a Devices section: no Vulkan device", () => {
    expect(parseVulkanSummary("ERROR: [Loader Message] Code 0 : vkCreateInstance: Found no drivers!\n")).toEqual([]);
    expect(hostHasDevice(none, "vulkan")).toEqual({ has: false, why: "no Vulkan device listed (vulkaninfo not found)" });
    expect(hostHasDevice({ ...none, vulkan: [] }, "vulkan")).toEqual({ has: false, why: "vulkaninfo lists no Vulkan device" });
  });

  it("real output of vulkaninfo run with the loader but no driver (exit 1): one line naming the VkResult", () => {
    const why = vulkaninfoFailure(fixture("vulkaninfo-summary-no-driver.txt"), 1);
    expect(why).toBe("vulkaninfo --summary failed: ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver)");
    expect(hostHasDevice({ ...none, vulkanProblem: why }, "vulkan").why).toBe(`no Vulkan device listed (${why})`);
    expect(vulkaninfoFailure("segfault\n", 139)).toBe("vulkaninfo --summary failed: segfault");
    expect(vulkaninfoFailure("", null)).toBe("vulkaninfo --summary failed: exit code none");
  });
});

describe("NVIDIA and ROCm listings", () => {
  it("nvidia-smi -L names each GPU; no GPU is 'no CUDA device'", () => {
    const out = "GPU 0: NVIDIA H200 (UUID: GPU-5a2c1f3e-0000-0000-0000-000000000000)\nGPU 1: NVIDIA GeForce RTX 4090 (UUID: GPU-11111111-2222-3333-4444-555555555555)\n";
    expect(parseNvidiaSmiList(out)).toEqual(["NVIDIA H200", "NVIDIA GeForce RTX 4090"]);
    expect(hostHasDevice({ ...none, cuda: ["NVIDIA H200"] }, "cuda")).toEqual({ has: true, why: "CUDA device NVIDIA H200" });
    expect(hostHasDevice(none, "cuda")).toEqual({ has: false, why: "no CUDA device" });
  });

  it("rocminfo's GPU agents by gfx name; the CPU agent is not one", () => {
    const out = "*******\nAgent 1\n*******\n  Name:                    AMD EPYC 7763 64-Core Processor\n  Device Type:             CPU\n*******\nAgent 2\n*******\n  Name:                    gfx90a\n  Marketing Name:          AMD Instinct MI210\n  Device Type:             GPU\n";
    expect(parseRocminfoAgents(out)).toEqual(["gfx90a"]);
    expect(hostHasDevice(none, "rocm").why).toBe("no ROCm device");
    expect(hostHasDevice(none, "cpu").has).toBe(true);
  });
});

describe("detectHostDevices on this machine, against vulkaninfo itself", () => {
  it("lists the Vulkan devices vulkaninfo --summary names (this machine: Mesa's llvmpipe, a software device)", async () => {
    const summary = execFileSync("vulkaninfo", ["--summary"], { stdio: ["ignore", "pipe", "ignore"] }).toString();
    const names = [...summary.matchAll(/^\s+deviceName\s+=\s+(.+)$/gm)].map((m) => m[1]!.trim());
    const host = await detectHostDevices();
    expect(host.vulkan?.map((d) => d.deviceName)).toEqual(names);
    expect(host.notes.some((n) => n.startsWith("vulkaninfo lists "))).toBe(true);
  });
});
