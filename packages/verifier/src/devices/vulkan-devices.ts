/** One physical device of `vulkaninfo --summary` (its `Devices:` section, GPU0, GPU1, ...). */
export interface VulkanDevice {
  /** `GPU0` */
  id: string;
  /** `PHYSICAL_DEVICE_TYPE_DISCRETE_GPU`, `..._INTEGRATED_GPU`, `..._VIRTUAL_GPU`, `..._CPU`, `..._OTHER`. */
  deviceType: string;
  deviceName: string;
  driverName: string;
}

/**
 * The devices listed by `vulkaninfo --summary` (Vulkan-Tools 1.2.170 and later print a `Devices:`
 * section of `GPUn:` blocks with `key = value` lines). Surface and layer noise is ignored.
 */
export function parseVulkanSummary(output: string): VulkanDevice[] {
  const lines = output.replace(/\r\n/g, "\n").split("\n");
  const start = lines.findIndex((l) => l.trim() === "Devices:");
  if (start < 0) return [];
  const devices: VulkanDevice[] = [];
  let current: VulkanDevice | null = null;
  for (const line of lines.slice(start + 1)) {
    const head = /^(GPU\d+):\s*$/.exec(line.trim());
    if (head) {
      current = { id: head[1]!, deviceType: "", deviceName: "", driverName: "" };
      devices.push(current);
      continue;
    }
    const kv = /^\s+(deviceType|deviceName|driverName)\s*=\s*(.*)$/.exec(line);
    if (current && kv) current[kv[1] as "deviceType" | "deviceName" | "driverName"] = kv[2]!.trim();
  }
  return devices;
}

/**
 * Whether a Vulkan device is a software rasteriser (Mesa's llvmpipe/lavapipe, SwiftShader): the
 * Vulkan spec's PHYSICAL_DEVICE_TYPE_CPU, or a known software driver whatever type it reports.
 */
export function isSoftwareVulkanDevice(d: VulkanDevice): boolean {
  return d.deviceType === "PHYSICAL_DEVICE_TYPE_CPU" || /llvmpipe|lavapipe|swiftshader/i.test(`${d.driverName} ${d.deviceName}`);
}
