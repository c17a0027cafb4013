import type { Accelerator } from "@baiengine/schema";

/**
 * How an engine lists the devices it can use (engine profile data): the server binary's arguments
 * that print the devices and exit, how that output is read, and which listed devices are of each
 * accelerator family.
 */
export interface DeviceProbe {
  /** Arguments to the server binary, e.g. `["--list-devices"]`. */
  args: string[];
  /** `ggml-list-devices`: llama.cpp's format (common/arg.cpp): `Available devices:`, then one `  NAME: DESCRIPTION (TOTAL MiB, FREE MiB free)` line per non-CPU device, or `  (none)`. */
  format: "ggml-list-devices";
  /** Per accelerator family, a regular expression (source text) a device name of that kind matches: `^CUDA\d+$` for cuda. */
  devices: Partial<Record<Accelerator, string>>;
}

/** One listed device: `CUDA0: NVIDIA H200 (143771 MiB, 143130 MiB free)`. Memory in MiB. */
export interface ListedDevice {
  name: string;
  description: string;
  totalMiB: number;
  freeMiB: number;
}

const DEVICE_LINE = /^\s+(\S+): (.*) \((\d+) MiB, (\d+) MiB free\)\s*$/;

/**
 * The devices of a `--list-devices` output in ggml's format, or null when the output has no
 * `Available devices:` header (an engine that does not know the flag). Log lines before the header
 * (ggml's `load_backend: ...` on stderr) are ignored; `(none)` gives [].
 */
export function parseDeviceListing(output: string): ListedDevice[] | null {
  const lines = output.replace(/\r\n/g, "\n").split("\n");
  const start = lines.findIndex((l) => l.trim() === "Available devices:");
  if (start < 0) return null;
  const devices: ListedDevice[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = DEVICE_LINE.exec(line);
    if (m) devices.push({ name: m[1]!, description: m[2]!, totalMiB: Number(m[3]), freeMiB: Number(m[4]) });
  }
  return devices;
}

/** The listed devices of one accelerator family, by the probe's name pattern ([] when the probe has no pattern for it). */
export function devicesOfKind(devices: readonly ListedDevice[], probe: DeviceProbe, accelerator: Accelerator): ListedDevice[] {
  const pattern = probe.devices[accelerator];
  if (pattern === undefined) return [];
  const re = new RegExp(pattern);
  return devices.filter((d) => re.test(d.name));
}

/** `CUDA0: NVIDIA H200 (143771 MiB, 143130 MiB free)`: a device as llama-server prints it. */
export function formatListedDevice(d: ListedDevice): string {
  return `${d.name}: ${d.description} (${d.totalMiB} MiB, ${d.freeMiB} MiB free)`;
}
